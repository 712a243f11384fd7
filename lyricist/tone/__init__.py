"""How a song feels: sentiment scorers, the tone report, song mood, and their training.

Modules, lowest first (each imports only those above it):

- ``lstm``: the LSTM classifier ``nn.Module``; ``encode``: word ids, padding, batched softmax;
- ``scorers``: the :class:`~lyricist.tone.scorers.Scorer` interface and ``load_scorer``;
- ``mood``: the song-mood features, model, checkpoint and ``predict_mood``;
- ``report``: ``tone_report`` and ``arc_figure``; ``bulk``: ``classify_file``;
  ``eval``: ``evaluate_sentiment`` and ``evaluate_mood``;
- ``data``, ``vectors``: labeled data and the LSTM's word vectors, for training;
  ``measure``: metrics.json and the ensemble verdict of trained checkpoints;
- ``train_lstm``, ``train_transformer``, ``train`` (``train_sentiment``), ``train_mood``.
"""
