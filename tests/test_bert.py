"""The plain-torch BERT (lyricist.core.bert) gives transformers' numbers, and steps aside when it cannot."""

import json
import shutil

import numpy as np
import pytest
import torch

from lyricist.core import bert
from lyricist.core.hf import minilm_path

LINES = ["I walk alone beneath the rain", "great voice, awful mix", "", " ", "NOT bad at all!!! 🔥🔥",
         "\ufffd lone", "x" * 900, "中文 العربية кириллица", "don't you dare say it's over"]


@pytest.fixture(scope="module")
def tiny_classifier(tmp_path_factory):
    """A random 2-layer BertForSequenceClassification saved with the bundled MiniLM's tokenizer."""
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    torch.manual_seed(0)
    folder = tmp_path_factory.mktemp("bert") / "clf"
    tok = AutoTokenizer.from_pretrained(minilm_path())
    conf = BertConfig(vocab_size=tok.vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                      intermediate_size=64, max_position_embeddings=64,
                      id2label={0: "negative", 1: "neutral", 2: "positive"},
                      label2id={"negative": 0, "neutral": 1, "positive": 2})
    BertForSequenceClassification(conf).eval().save_pretrained(folder)
    tok.save_pretrained(folder)
    return folder


def test_classifier_logits_and_ids_match_transformers(tiny_classifier):
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    tok_h = AutoTokenizer.from_pretrained(tiny_classifier)
    model_h = AutoModelForSequenceClassification.from_pretrained(tiny_classifier).eval()
    tok_l, model_l = bert.load_classifier(tiny_classifier)
    assert model_l.config.id2label == {0: "negative", 1: "neutral", 2: "positive"}
    enc_h = tok_h(LINES, truncation=True, max_length=64, padding=True, return_tensors="pt")
    enc_l = tok_l(LINES, truncation=True, max_length=64, padding=True, return_tensors="pt")
    assert torch.equal(enc_h["input_ids"], enc_l["input_ids"])
    assert torch.equal(enc_h["attention_mask"], enc_l["attention_mask"])
    assert tok_h(LINES, truncation=True, max_length=64)["input_ids"] == tok_l(LINES, truncation=True,
                                                                             max_length=64)["input_ids"]
    with torch.inference_mode():
        a = model_h(input_ids=enc_h["input_ids"], attention_mask=enc_h["attention_mask"]).logits
        b = model_l(input_ids=enc_l["input_ids"], attention_mask=enc_l["attention_mask"]).logits
    np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-5)


def test_minilm_hidden_states_match_transformers():
    from transformers import AutoModel, AutoTokenizer

    path = minilm_path()
    tok_h, model_h = AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path).eval()
    tok_l, model_l = bert.load_encoder(path)
    enc_h = tok_h(LINES, truncation=True, max_length=128, padding=True, return_tensors="pt")
    enc_l = tok_l(LINES, truncation=True, max_length=128, padding=True, return_tensors="pt")
    assert torch.equal(enc_h["input_ids"], enc_l["input_ids"])
    with torch.inference_mode():
        a = model_h(**enc_h).last_hidden_state
        b = model_l(**enc_l).last_hidden_state
    real = enc_h["attention_mask"].bool()
    assert (a - b)[real].abs().max().item() < 1e-4


def test_anything_it_cannot_replay_falls_back_to_transformers(tiny_classifier, tmp_path, monkeypatch):
    other = tmp_path / "other"
    shutil.copytree(tiny_classifier, other)
    cfg = json.loads((other / "config.json").read_text())
    (other / "config.json").write_text(json.dumps({**cfg, "model_type": "roberta"}))
    assert bert.load_classifier(other) is None  # another architecture
    (other / "config.json").write_text(json.dumps(cfg))
    from safetensors.torch import load_file, save_file

    state = load_file(str(other / "model.safetensors"))
    save_file({k: v for k, v in state.items() if "layer.1." not in k}, str(other / "model.safetensors"))
    assert bert.load_classifier(other) is None  # a tensor missing: not the model its config describes
    (other / "model.safetensors").write_bytes(b"\x00" * 10)
    assert bert.load_classifier(other) is None  # damaged: transformers reports it
    shutil.copy(tiny_classifier / "model.safetensors", other / "model.safetensors")
    (other / "tokenizer.json").write_text("{not json")
    assert bert.load_classifier(other) is None
    assert bert.load_encoder(tmp_path / "missing") is None
    monkeypatch.setenv("LYRICIST_LIGHT_BERT", "0")
    assert bert.load_classifier(tiny_classifier) is None  # turned off


@pytest.mark.parametrize("light", ["1", "0"])
def test_a_tokenizer_larger_than_the_model_is_one_line(tmp_path, monkeypatch, light):
    """Mismatched files: the ids would index past the embeddings (an IndexError on the first text before)."""
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    from lyricist.core.errors import LyricistError
    from lyricist.tone.scorers import TransformerScorer

    folder = tmp_path / "clf"
    conf = BertConfig(vocab_size=100, hidden_size=32, num_hidden_layers=1, num_attention_heads=4, intermediate_size=64,
                      max_position_embeddings=64, id2label={0: "negative", 1: "neutral", 2: "positive"},
                      label2id={"negative": 0, "neutral": 1, "positive": 2})
    BertForSequenceClassification(conf).save_pretrained(folder)
    AutoTokenizer.from_pretrained(minilm_path()).save_pretrained(folder)
    monkeypatch.setenv("LYRICIST_LIGHT_BERT", light)
    with pytest.raises(LyricistError, match="tokenizer has 30,522 tokens but the model only 100 embeddings"):
        TransformerScorer(folder)
