"""Per-generator token tables: which tokens a lyric line may hold, and how they spell corpus words.

:func:`vocab_tables` says what each token id is (its text, whether it starts a word, whether a
line may hold it at all); :class:`WordTables` builds on it the masks that keep a line to words
of the training corpus, joined the way its lines join them (word trigrams, else bigrams, with
the line edges). Both are computed once per loaded generator and cached with it.

Example:
    >>> "the" in WEAK_ENDINGS, "night" in WEAK_ENDINGS
    (True, False)
    >>> wt = word_tables(load_generator())        # doctest: +SKIP
    >>> wt.start_mask(wt.context(None, "night"))  # doctest: +SKIP
    tensor([False, False, ...])
"""

from __future__ import annotations

import re
import weakref
from typing import Optional

from lyricist.drafting.model import Generator
from lyricist.drafting.ngrams import LINE_END, LINE_START
from lyricist.lang.text import is_stop

#: Words a lyric line does not end on (articles, prepositions, conjunctions, possessives): a line ending in
#: "the" reads as cut off, and CMU would even rhyme it with "uh".
WEAK_ENDINGS = frozenset("""a an the to of and or but nor so if as at by for from in into of on onto with
than that than my your his her its our their i'm you're we're they're he's she's i'll you'll we'll i'd
you'd is are was were am be been being i'""".split())


# Tables derived from a loaded generator, kept as long as it is (a retrained checkpoint is a new one).
_VOCAB: "weakref.WeakKeyDictionary[Generator, tuple]" = weakref.WeakKeyDictionary()
_WORDS: "weakref.WeakKeyDictionary[Generator, WordTables]" = weakref.WeakKeyDictionary()


def vocab_tables(gen: Generator):
    """Per-token tables, computed once per generator.

    Returns ``(pieces, starts_word, banned)``: the text of each token id, a bool
    tensor ``(V,)`` for tokens that begin a new word, and a bool tensor ``(V,)``
    for tokens a lyric line may not contain (special tokens other than
    ``<|nl|>``, digits, punctuation, broken bytes).
    """
    tables = _VOCAB.get(gen)
    if tables is not None:
        return tables
    import torch

    V = gen.model.get_output_embeddings().weight.shape[0]
    n = len(gen.tok)
    pieces = gen.tok.batch_decode([[i] for i in range(n)], skip_special_tokens=False,
                                  clean_up_tokenization_spaces=False)
    pieces += [""] * (V - n)
    ok = re.compile(r"^ ?[a-z']+$")  # training text is lowercase words: capitals, digits, punctuation never
    special = set(gen.tok.all_special_ids)
    starts = torch.zeros(V, dtype=torch.bool)
    banned = torch.ones(V, dtype=torch.bool)
    for i, p in enumerate(pieces[:n]):
        if i in special:
            continue
        if ok.match(p):
            banned[i] = False
            starts[i] = p.startswith(" ")
    banned[gen.enc.nl] = False
    tables = _VOCAB[gen] = (pieces, starts, banned)
    return tables


class WordTables:
    """Which tokens may start or continue a word so that a line only holds words of the corpus."""

    def __init__(self, gen: Generator):
        import torch

        pieces, starts, banned = vocab_tables(gen)
        self.pieces = [p.lower() for p in pieces]
        self.known = {w for w in gen.words if len(w) > 1 or w in ("a", "i", "o")}
        self.prefixes = {w[:i] for w in self.known for i in range(1, len(w) + 1)}
        V = len(pieces)
        self.start_ok = torch.zeros(V, dtype=torch.bool)
        cont = []
        for i, p in enumerate(self.pieces):
            if banned[i] or i == gen.enc.nl:
                continue
            if starts[i]:
                self.start_ok[i] = p.strip() in self.prefixes
            else:
                cont.append(i)
        self.cont_ids = cont
        self.start_ids = [i for i in range(V) if bool(self.start_ok[i])]
        self.weak_end = torch.zeros(V, dtype=torch.bool)  # tokens that are a whole weak line ending
        for i in self.start_ids:
            if self.pieces[i][1:] in WEAK_ENDINGS:
                self.weak_end[i] = True
        # Token ids by their text (word-start tokens without the space): lookups by allowed prefix, not by scan.
        self.start_by_text: dict[str, list[int]] = {}
        for i in self.start_ids:
            self.start_by_text.setdefault(self.pieces[i][1:], []).append(i)
        self.cont_by_text: dict[str, list[int]] = {}
        for i in cont:
            self.cont_by_text.setdefault(self.pieces[i], []).append(i)
        # Repetition penalty only on content words: penalising "the" or "I" once used wrecks grammar.
        self.penal = torch.zeros(V, dtype=torch.bool)
        for i in self.start_ids:
            self.penal[i] = not is_stop(self.pieces[i].strip())
        # Word successors in generation order (end-first: the words before, in reading order), keyed by the
        # previous word ("w") or the previous two ("w2 w1", generation order); a trigram context wins when seen.
        # The line edge the decoder starts from and the one it must reach, in generation order.
        self.begin, self.end = (LINE_END, LINE_START) if gen.reverse else (LINE_START, LINE_END)
        self.after: dict[str, set] = {}
        ng = gen.ngrams or {}
        ok = self.known | {LINE_START, LINE_END}
        for a, bs in ng.get("bigrams", {}).items():
            for b in bs:
                x, y = (b, a) if gen.reverse else (a, b)
                if x in ok and y in ok:
                    self.after.setdefault(x, set()).add(y)
        for ab, cs in ng.get("trigrams", {}).items():
            a, _, b = ab.partition(" ")
            for c in cs:
                x, y, z = (c, b, a) if gen.reverse else (a, b, c)
                if x in ok and y in ok and z in ok:
                    self.after.setdefault(f"{x} {y}", set()).add(z)
        self._cache: dict[tuple, object] = {}
        self._after_pre: dict[str, set] = {}
        self._start: dict[str, object] = {}

    def context(self, prev2: Optional[str], prev: Optional[str]) -> Optional[str]:
        """The successor-table key for the words before the next one: trigram, else bigram, else None (free)."""
        if prev is None:
            return None
        if prev2 is not None and f"{prev2} {prev}" in self.after:
            return f"{prev2} {prev}"
        return prev if prev in self.after else None

    def _prefixes_after(self, key: Optional[str]) -> Optional[set]:
        """Beginnings of the words that may come after the context ``key`` (None: any corpus word)."""
        if key is None:
            return None
        got = self._after_pre.get(key)
        if got is None:
            got = self._after_pre[key] = {w[:i] for w in self.after[key] for i in range(1, len(w) + 1)}
        return got

    def start_mask(self, key: Optional[str]):
        """Bool ``(V,)``: tokens that may begin the word after the context ``key`` (attested n-gram), cached."""
        pre = self._prefixes_after(key)
        if pre is None:
            return self.start_ok
        got = self._start.get(key)
        if got is None:
            import torch

            got = torch.zeros_like(self.start_ok)
            ids = [i for p in pre for i in self.start_by_text.get(p, ())]
            if ids:
                got[ids] = True
            else:  # no successor is spellable: back off to any corpus word
                got = self.start_ok
            self._start[key] = got
        return got

    def may_end(self, key: Optional[str]) -> bool:
        """Whether a line may end after the context ``key`` (its edge word is attested at a line's edge)."""
        return key is None or self.end in self.after[key]

    def complete(self, partial: str, key: Optional[str]) -> bool:
        """Whether ``partial`` is a whole word allowed after the context ``key``."""
        return partial in (self.after[key] if key is not None else self.known)

    def continuations(self, partial: str, key: Optional[str] = None):
        """Ids of tokens that extend ``partial`` into a longer beginning of a word allowed after ``key`` (cached)."""
        got = self._cache.get((partial, key))
        if got is None:
            import torch

            if key is None:
                pre = self.prefixes
                ids = [i for i in self.cont_ids if partial + self.pieces[i] in pre]
            else:  # few allowed words: the tokens that spell the next part of one of them
                n = len(partial)
                found: set = set()
                for w in self.after[key]:
                    if len(w) > n and w.startswith(partial):
                        for j in range(n + 1, len(w) + 1):
                            found.update(self.cont_by_text.get(w[n:j], ()))
                ids = sorted(found)
            got = torch.tensor(ids, dtype=torch.long)
            if len(self._cache) > 200_000:
                self._cache.clear()
            self._cache[(partial, key)] = got
        return got


def word_tables(gen: Generator) -> WordTables:
    """The :class:`WordTables` of a generator, built once and kept with it."""
    wt = _WORDS.get(gen)
    if wt is None:
        wt = _WORDS[gen] = WordTables(gen)
    return wt
