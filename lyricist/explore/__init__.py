"""Word vectors for songwriters: train word2vec on your lyrics, blend it with general English, explore.

Modules, lowest first (each imports only those above it):

- :mod:`~lyricist.explore.words`: a word on its own (normal form, inflections, dictionary words, sounds);
- :mod:`~lyricist.explore.vectors`: checkpoint folders (vectors, their words, the sound index);
- :mod:`~lyricist.explore.blend`: both spaces in one table, and the blend rule;
- :mod:`~lyricist.explore.filters`: rhymes, syllables, the query's own forms, words worth suggesting;
- :mod:`~lyricist.explore.families`: the suggestion list (word families grouped, technical and rare register ranked down);
- :mod:`~lyricist.explore.plot`: the 2-D word map;
- :mod:`~lyricist.explore.space`: :class:`~lyricist.explore.space.WordSpace`, the queries;
- :mod:`~lyricist.explore.eval`: WordSim-353, SimLex-999 and Google analogies;
- :mod:`~lyricist.explore.train_general`: general-English vectors distilled from MiniLM;
- :mod:`~lyricist.explore.train`: word2vec training on a corpus;
- :mod:`~lyricist.explore.api`: the cached loader and the library calls behind the CLI and the app.
"""
