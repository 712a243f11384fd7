"""The plain-torch Llama (lyricist.core.llama) gives transformers' numbers and drafts, and steps aside when it cannot."""

import copy
import json
import os
import shutil
import subprocess
import sys

import pytest

torch = pytest.importorskip("torch")

from lyricist.core import llama  # noqa: E402

TEXTS = [" the night is young, and I'm not", " héllo 🌧 wörld\u00a0x", "<|nl|> a<|end|> b", "", "\ufffd lone",
         " 中文 العربية", " " + "x" * 300]


@pytest.fixture(scope="module")
def pair(planned_tiny):
    """``(folder, transformers model, transformers tokenizer, light tokenizer, light model)`` of the tiny Llama."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder = planned_tiny[0]
    light = llama.load_causal_lm(folder)
    assert light is not None, "the tiny planned generator should replay"
    return (folder, AutoModelForCausalLM.from_pretrained(folder).eval(), AutoTokenizer.from_pretrained(folder),
            *light)


def test_tokenizer_matches_transformers(pair):
    _, _, ht, lt, _ = pair
    assert len(lt) == len(ht) and lt.get_vocab() == ht.get_vocab()
    assert lt.all_special_ids == ht.all_special_ids
    for text in TEXTS:
        ids = ht(text, add_special_tokens=False)["input_ids"]
        assert lt(text, add_special_tokens=False)["input_ids"] == ids
        for skip in (False, True):
            assert lt.decode(ids, skip_special_tokens=skip) == ht.decode(ids, skip_special_tokens=skip)
    assert lt(TEXTS, add_special_tokens=False)["input_ids"] == ht(TEXTS, add_special_tokens=False)["input_ids"]
    every = [[i] for i in range(len(ht))]
    assert lt.batch_decode(every) == ht.batch_decode(every, skip_special_tokens=False,
                                                     clean_up_tokenization_spaces=False)
    assert lt.convert_tokens_to_ids(["<|nl|>", "<|end|>"]) == ht.convert_tokens_to_ids(["<|nl|>", "<|end|>"])


def test_logits_match_through_the_decoders_cache_moves(pair):
    """Prefill, the prefix cache's cut-and-extend, several plans padded into one batch, masked steps."""
    from lyricist.drafting.model import lm_forward
    from lyricist.drafting.planned import PrefixCache, plan_batch

    _, hm, _, _, lm = pair
    V = hm.config.vocab_size
    g = torch.Generator().manual_seed(0)
    ctx = torch.randint(3, V, (25,), generator=g).tolist()
    with torch.inference_mode():
        a, _ = lm_forward(hm, torch.tensor([ctx]))
        b, _ = lm_forward(lm, torch.tensor([ctx]))
        assert torch.allclose(a, b, atol=1e-5)
        ph, pl = PrefixCache(hm), PrefixCache(lm)
        for ids in (ctx, ctx + [5], ctx, ctx[:10] + [7, 8, 9], ctx + [11, 12], ctx + [11, 12]):
            (x, _), (y, _) = ph.encode(ids), pl.encode(ids)
            assert torch.allclose(x, y, atol=1e-5), ids
        plans = {"a": [5, 6, 7], "bb": [5, 8, 9, 10, 11]}
        outs = []
        for model, prefix in ((hm, ph), (lm, pl)):
            gen = type("G", (), {"model": model, "enc": type("E", (), {"plan_ids": lambda self, w, n: plans[w]})()})()
            logits, cache, mask, pos = plan_batch(gen, prefix, ctx, [("a", 2), ("bb", 3)], 8)
            steps = [logits]
            for t in range(4):
                mask = torch.cat([mask, torch.ones((5, 1), dtype=torch.long)], 1)
                out, cache = lm_forward(model, torch.full((5, 1), 40 + t), cache, attention_mask=mask,
                                        position_ids=(pos + t).unsqueeze(1))
                steps.append(out[:, -1])
            outs.append(torch.stack(steps))
        assert torch.allclose(outs[0], outs[1], atol=1e-5)


def test_cache_crop_repeat_and_copies():
    c = llama.KVCache(1)
    c.layers[0].append(torch.arange(8.0).view(1, 1, 8, 1), torch.arange(8.0).view(1, 1, 8, 1))
    c.crop(0)  # transformers 5: removes nothing
    assert c.get_seq_length() == 8
    c.crop(-3)
    assert c.get_seq_length() == 5 and c.layers[0].keys.flatten().tolist() == [0, 1, 2, 3, 4]
    d = copy.deepcopy(c)
    c.layers[0].append(torch.full((1, 1, 1, 1), 9.0), torch.full((1, 1, 1, 1), 9.0))  # overwrites in place
    assert c.layers[0].keys.flatten().tolist() == [0, 1, 2, 3, 4, 9]
    assert d.layers[0].keys.flatten().tolist() == [0, 1, 2, 3, 4]  # the copy is its own
    d.batch_repeat_interleave(3)
    assert d.layers[0].keys.shape == (3, 1, 5, 1) and d.layers[0].values.shape == (3, 1, 5, 1)
    with pytest.raises(ValueError):
        d.layers[0].append(torch.zeros(1, 1, 1, 1), torch.zeros(1, 1, 1, 1))


def test_a_draft_is_the_same_on_either_backend(planned_tiny, monkeypatch):
    from lyricist.drafting.cowrite import draft
    from lyricist.drafting.model import load_generator

    monkeypatch.setenv("LYRICIST_DTYPE", "fp32")
    texts = {}
    for light in ("1", "0"):
        monkeypatch.setenv("LYRICIST_LIGHT_LLAMA", light)
        folder = planned_tiny[0].parent / f"gen-light-{light}"  # its own folder: a model cache entry of its own
        if not folder.exists():
            shutil.copytree(planned_tiny[0], folder)
        gen = load_generator(folder)
        assert (type(gen.model).__module__ == "lyricist.core.llama") == (light == "1")
        d = draft("rain on the window", lines=4, scheme="AABB", syllables=6, mood="sad", seed=3, model_dir=folder)
        texts[light] = [ln.text for ln in d.lines]
    assert texts["1"] == texts["0"]


def _copy(src, dst, edit=None):
    shutil.copytree(src, dst)
    if edit:
        cfg = json.loads((dst / "config.json").read_text())
        edit(cfg)
        (dst / "config.json").write_text(json.dumps(cfg))
    return dst


def test_anything_it_cannot_replay_falls_back_to_transformers(planned_tiny, tmp_path, monkeypatch):
    src = planned_tiny[0]
    assert llama.load_causal_lm(_copy(src, tmp_path / "scaled", lambda c: c.update(
        rope_parameters={"rope_type": "linear", "factor": 2.0, "rope_theta": 10000.0}))) is None
    assert llama.load_causal_lm(_copy(src, tmp_path / "gpt2", lambda c: c.update(model_type="gpt2"))) is None
    assert llama.load_causal_lm(_copy(src, tmp_path / "wide", lambda c: c.update(hidden_size=64))) is None
    cut = _copy(src, tmp_path / "cut")
    data = (cut / "model.safetensors").read_bytes()
    (cut / "model.safetensors").write_bytes(data[: len(data) // 2])
    assert llama.load_causal_lm(cut) is None
    from lyricist.core.errors import LyricistError
    from lyricist.drafting.model import Generator

    with pytest.raises(LyricistError, match="cannot load the generator weights"):
        Generator(cut)  # transformers then gives the user's one-line error
    monkeypatch.setenv("LYRICIST_LIGHT_LLAMA", "0")
    assert llama.load_causal_lm(src) is None


def test_drafting_on_a_llama_imports_no_transformers(planned_tiny, tiny_checkpoints, tmp_path):
    """A cold ``lyricist generate`` spent about 4 s importing transformers and its tokenizer classes."""
    code = ("import json, sys\nfrom lyricist.app.cli import app\n"
            f"app(['generate', '--theme', 'rain', '--lines', '2', '--model', {str(planned_tiny[0])!r}, '--json'], "
            "standalone_mode=False)\nprint(json.dumps('transformers' in sys.modules))")
    env = {**os.environ, "LYRICIST_CHECKPOINTS": str(tiny_checkpoints), "LYRICIST_CACHE_DIR": str(tmp_path)}
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert p.returncode == 0, p.stderr[-2000:]
    assert p.stdout.strip().splitlines()[-1] == "false"


def test_draw_keeps_to_the_top_k_with_the_same_odds():
    from lyricist.drafting.sampling import draw

    p = torch.zeros(3, 1000)
    p[:, 10], p[:, 20], p[:, 30] = 0.5, 0.3, 0.2
    g = torch.Generator().manual_seed(0)
    got = torch.cat([draw(p, g, top_k=5) for _ in range(2000)])
    counts = {t: int((got == t).sum()) for t in (10, 20, 30)}
    assert sum(counts.values()) == 6000
    assert abs(counts[10] / 6000 - 0.5) < 0.03 and abs(counts[20] / 6000 - 0.3) < 0.03
    assert torch.equal(draw(p, torch.Generator().manual_seed(1), 5), draw(p, torch.Generator().manual_seed(1), 5))
