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
    assert generator_config("default").lr == 2e-3


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
