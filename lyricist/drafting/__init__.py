"""Lyric drafting: the generator, its training and eval, and the constrained decoder behind the co-writing calls.

Modules, lowest first (each imports only the ones above it):

- ``format``, ``ngrams``: the tokenizer and song format; corpus n-grams and the copy guard;
- ``model``: the generator's config, the GPT-2 it builds, loading a checkpoint;
- ``settings``, ``drafts``: decoding knobs; the ``Draft`` record and its JSON form;
- ``theme``, ``tables``: theme and mood signals; per-generator token and word tables;
- ``rhymewords``, ``sampling``, ``checks``: rhyme forcing, batch sampling, line filters;
- ``decode``: candidates per line, the lines of a draft, the whole-draft mood pass;
- ``cowrite``: ``draft``, ``lock``, ``regenerate``, ``continue_draft``, ``alternatives``, ``generate``;
- ``train``, ``metrics``, ``eval``: training the generator and evaluating it.
"""
