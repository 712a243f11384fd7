"""spaCy's tokenizer and lookup lemmas replayed in plain Python, so a cold command skips importing spaCy.

Importing spaCy and building its English pipeline costs about a second on the 2-core CPUs here,
which is a fifth of a cold ``lyricist score``. Tokens and lemmas need none of spaCy's machinery
but its rules: the prefix, suffix and infix patterns, the token and URL matches, the special
cases and the lookup lemma table. :func:`rules_of` reads them off a loaded pipeline once;
:func:`cached_rules` keeps them in one pickle in the user cache (keyed by the versions of spaCy,
its lookups data and this code), and :class:`Rules` replays the algorithm of spaCy 3's
``Tokenizer`` on them:

1. the text is cut at whitespace; one ``" "`` after a token is that token's trailing space, other
   whitespace becomes tokens of its own;
2. each whitespace-free span is a special case, or loses prefixes and suffixes one at a time
   (stopping at a token match or a special case), then its middle is a special case, a token or
   URL match, or split at its infixes;
3. a last pass retokenises spans that spell a special case containing an affix, longest first,
   then leftmost, never overlapping.

The replay gives the same tokens as spaCy (tests/test_fasttok.py checks the bundled corpus and
random hostile text against spaCy itself) in about half its time.

Example:
    >>> from lyricist.lang.text import replayed_rules
    >>> rules = replayed_rules()  # doctest: +SKIP
    >>> rules.texts("Hey-ho, (don't) stop :)")  # doctest: +SKIP
    ['Hey', '-', 'ho', ',', '(', "don't", ')', 'stop', ':)']
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable, Optional

from lyricist.core.cache import cached_file, read_cached, write_cached

#: spans memoised per process (as spaCy's own cache does); the memo is emptied when full
MEMO_SIZE = 200_000
#: longer spans are tokenised afresh each time (they are rarely repeated)
MEMO_SPAN = 64
#: spaCy's attribute id of ORTH, the key of a token's text in a special case
ORTH = 65
_WS = re.compile(r"(\s+)")
FORMAT = 1


class Rules:
    """spaCy's tokenizer rules and the lookup lemma table, replayed without spaCy.

    ``state`` is what :func:`rules_of` returns: plain strings, tuples and dicts, so it pickles
    and loads in a few hundredths of a second.
    """

    def __init__(self, state: dict):
        def compiled(p):
            return re.compile(p[0], p[1]) if p else None

        self.state = state
        self._prefix = compiled(state["prefix"])
        self._suffix = compiled(state["suffix"])
        self._infix = compiled(state["infix"])
        self._token = compiled(state["token_match"])
        self._url = compiled(state["url_match"])
        self.specials: dict[str, tuple[str, ...]] = state["specials"]
        self.lemmas: dict[str, str] = state["lemmas"]
        self._patterns: dict[str, list[tuple[str, ...]]] = {}
        for key in state["affix_specials"]:
            pat = tuple(self.doc(key, specials=False, final=False)[0])
            if pat:
                self._patterns.setdefault(pat[0], []).append(pat)
        self._memo: dict[str, tuple[str, ...]] = {}

    # ------------------------------------------------------------ the pieces
    def _prefix_len(self, s: str) -> int:
        m = self._prefix.search(s) if self._prefix else None
        return m.end() - m.start() if m else 0

    def _suffix_len(self, s: str) -> int:
        m = self._suffix.search(s) if self._suffix else None
        return m.end() - m.start() if m else 0

    def _token_match(self, s: str) -> bool:
        return bool(self._token and self._token.match(s))

    def span(self, string: str, specials: bool = True) -> tuple[str, ...]:
        """Tokens of one whitespace-free span (spaCy's ``_tokenize``: affixes, then the middle)."""
        sp = self.specials if specials else {}
        if string in sp:
            return sp[string]
        memo = specials and len(string) <= MEMO_SPAN
        if memo and string in self._memo:
            return self._memo[string]
        whole = string
        prefixes: list[str] = []
        suffixes: list[str] = []
        last = 0
        while string and len(string) != last:
            if self._token_match(string) or string in sp:
                break
            last = len(string)
            pre = self._prefix_len(string)
            if pre:
                prefix, minus_pre = string[:pre], string[pre:]
                if minus_pre and minus_pre in sp:
                    string = minus_pre
                    prefixes.append(prefix)
                    break
            suf = self._suffix_len(string[pre:])
            if suf:
                suffix, minus_suf = string[-suf:], string[:-suf]
                if minus_suf and minus_suf in sp:
                    string = minus_suf
                    suffixes.append(suffix)
                    break
            if pre and suf and pre + suf <= len(string):
                string = string[pre:-suf]
                prefixes.append(prefix)
                suffixes.append(suffix)
            elif pre:
                string = minus_pre
                prefixes.append(prefix)
            elif suf:
                string = minus_suf
                suffixes.append(suffix)
        out = prefixes
        if string:
            if string in sp:
                out.extend(sp[string])
            elif self._token_match(string) or (self._url and self._url.match(string)):
                out.append(string)
            else:
                out.extend(self._infixes(string))
        out.extend(reversed(suffixes))
        result = tuple(out)
        if memo:
            if len(self._memo) >= MEMO_SIZE:
                self._memo.clear()
            self._memo[whole] = result
        return result

    def _infixes(self, string: str) -> list[str]:
        matches = list(self._infix.finditer(string)) if self._infix else []
        if not matches:
            return [string]
        out, start = [], 0
        for m in matches:
            a, b = m.start(), m.end()
            if a == 0:  # an infix at the very start splits nothing
                continue
            if a != start:
                out.append(string[start:a])
            if a != b:
                out.append(string[a:b])
            start = b
        if string[start:]:
            out.append(string[start:])
        return out

    # ------------------------------------------------------------ whole texts
    def doc(self, text: str, specials: bool = True, final: bool = True) -> tuple[list[str], list[bool]]:
        """Token texts of ``text`` and whether each is followed by a space, as spaCy's ``Tokenizer`` gives."""
        toks: list[str] = []
        ws: list[bool] = []
        for k, chunk in enumerate(_WS.split(text)):
            if not chunk:
                continue
            if k % 2 and toks and chunk[0] == " ":  # (odd chunks are whitespace, each after a word span)
                ws[-1] = True  # one space after a token is its trailing space
                chunk = chunk[1:]
                if not chunk:
                    continue
            piece = self.span(chunk, specials)
            toks.extend(piece)
            ws.extend([False] * len(piece))
        if final and self._patterns:
            toks, ws = self._final_pass(toks, ws)
        return toks, ws

    def _final_pass(self, toks: list[str], ws: list[bool]) -> tuple[list[str], list[bool]]:
        found = []
        for i, t in enumerate(toks):
            for pat in self._patterns.get(t, ()):
                if tuple(toks[i:i + len(pat)]) == pat:
                    found.append((i, i + len(pat)))
        if not found:
            return toks, ws
        found.sort(key=lambda se: (se[0] - se[1], se[0]))  # longest first, then leftmost
        seen: set[int] = set()
        kept = []
        for s, e in found:
            if s not in seen and e - 1 not in seen:
                kept.append((s, e))
            seen.update(range(s, e))
        out_t: list[str] = []
        out_w: list[bool] = []
        i = 0
        starts = dict(kept)
        while i < len(toks):
            e = starts.get(i)
            if e is None:
                out_t.append(toks[i])
                out_w.append(ws[i])
                i += 1
                continue
            text = "".join(toks[k] + (" " if ws[k] else "") for k in range(i, e - 1)) + toks[e - 1]
            rule = self.specials.get(text)
            if rule is None:
                out_t.extend(toks[i:e])
                out_w.extend(ws[i:e])
            else:
                out_t.extend(rule)
                out_w.extend([False] * (len(rule) - 1) + [ws[e - 1]])
            i = e
        return out_t, out_w

    def texts(self, text: str) -> list[str]:
        """Token texts of ``text`` (whitespace tokens included, as spaCy gives them)."""
        return self.doc(text)[0]

    def lemma(self, word: str) -> str:
        """The lookup lemma of the first token of ``word`` (spaCy's lookup lemmatizer), else ``word``."""
        toks = self.texts(word)
        if not toks:
            return ""
        return self.lemmas.get(toks[0], toks[0])


def _pattern(fn) -> Optional[tuple[str, int]]:
    """``(pattern, flags)`` of a compiled regex's bound ``search``/``match``/``finditer``, else None."""
    if fn is None:
        return None
    rx = getattr(fn, "__self__", None)
    if not isinstance(rx, re.Pattern):
        raise TypeError(f"not a bound method of a compiled regex: {fn!r}")
    return rx.pattern, rx.flags


def rules_of(nlp, lemmas: dict[str, str]) -> dict:
    """The state of :class:`Rules` read off a loaded spaCy pipeline and its lookup lemma table."""
    tok = nlp.tokenizer
    specials = {key: tuple(d[ORTH] if ORTH in d else d["ORTH"] for d in value) for key, value in tok.rules.items()}
    affix = [k for k in specials if tok.find_prefix(k) or tok.find_infix(k) or tok.find_suffix(k) or " " in k]
    return {"format": FORMAT, "prefix": _pattern(tok.prefix_search), "suffix": _pattern(tok.suffix_search),
            "infix": _pattern(tok.infix_finditer), "token_match": _pattern(tok.token_match),
            "url_match": _pattern(tok.url_match), "specials": specials, "affix_specials": sorted(affix),
            "lemmas": dict(lemmas)}


def cache_path(name: str, sources: tuple[Path, ...]) -> Optional[Path]:
    """Where the rules live in the user cache (None: no cache), keyed by spaCy's packages, this code and
    ``sources``."""
    return cached_file(name, ("spacy", "spacy-lookups-data", "en-core-web-sm"), (Path(__file__), *sources), FORMAT)


def cached_rules(path: Optional[Path], build: Callable[[], dict]) -> Rules:
    """:class:`Rules` from the pickle at ``path`` when it is there and sound, else built and saved.

    Written atomically (a temporary file, then a rename); older builds beside it are removed; a
    missing, damaged or unwritable file only costs the build (spaCy's import, about a second).
    """
    state = read_cached(path)
    if isinstance(state, dict) and state.get("format") == FORMAT:
        return Rules(state)
    state = build()
    if path is not None:
        write_cached(path, state, stale=path.name.rsplit("-", 1)[0] + "-*.pickle")
    return Rules(state)
