"""The shared accelerate loop: helpers that every trainer relies on."""

import pytest

from lyricist.core.loop import make_accelerator


def test_one_process_trains_models_of_different_precisions():
    # `lyricist train all` and the demo train five models in one process; on a CPU with
    # bf16 the transformer asks for bf16 and the generator for fp32. Accelerate's singleton
    # used to refuse the second Accelerator with a traceback.
    first = make_accelerator("bf16")
    assert first.mixed_precision == "bf16"
    second = make_accelerator("no")
    assert second.mixed_precision == "no"
    again = make_accelerator("bf16")
    assert again.mixed_precision == "bf16"


def test_two_process_training_writes_one_checkpoint_and_one_result(tmp_path):
    # The distributed path of the shared loop (DDP over gloo on the CPU: the same code that
    # `accelerate launch --multi_gpu` runs on GPUs). Evaluation used to hit the DDP wrapper
    # ("no attribute 'cfg'"), and every process printed and wrote its own results.
    import json
    import os
    import socket
    import subprocess
    import sys

    with socket.socket() as sock:  # torchrun hangs on --master_port 0: pick a free port ourselves
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    out = tmp_path / "lstm"
    env = {**os.environ, "ACCELERATE_USE_CPU": "1", "ACCELERATE_MIXED_PRECISION": "no", "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_addr", "127.0.0.1", "--master_port", str(port),
           "-m", "lyricist", "train", "sentiment", "--arch", "lstm", "--preset", "tiny", "--out", str(out), "--json"]
    run = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=240)
    assert run.returncode == 0, run.stderr[-2000:]
    docs = [line for line in run.stdout.splitlines() if line.strip()]
    assert len(docs) == 1  # one JSON document, from the main process
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["processes"] == 2 and metrics["mixed_precision"] == "no"
    assert json.loads(docs[0])["lstm"]["val_macro_f1"] == metrics["val_macro_f1"]
    assert not (tmp_path / ".lstm.train_state").exists()  # the resumable state is cleaned up once


def test_bf16_choice_can_be_forced(monkeypatch):
    from lyricist.core.loop import bf16_supported

    monkeypatch.setenv("LYRICIST_BF16", "0")
    assert bf16_supported() is False and make_accelerator().mixed_precision == "no"
    monkeypatch.setenv("LYRICIST_BF16", "1")
    assert bf16_supported() is True


def test_bf16_inference_agrees_with_fp32():
    import numpy as np
    import torch
    from transformers import BertConfig, BertForSequenceClassification

    from lyricist.tone.encode import transformer_probs

    torch.manual_seed(0)
    model = BertForSequenceClassification(BertConfig(vocab_size=50, hidden_size=32, num_hidden_layers=2,
                                                     num_attention_heads=2, intermediate_size=64, num_labels=3))
    model.eval()
    rows = [[1, 5, 7, 2], [1, 9, 2], [1, 3, 4, 8, 6, 2]]
    fp32 = transformer_probs(model, rows, 0)
    bf16 = transformer_probs(model, rows, 0, bf16=True)
    assert fp32.shape == bf16.shape == (3, 3)
    assert np.allclose(fp32.sum(1), 1) and np.abs(fp32 - bf16).max() < 0.05


@pytest.mark.gpu
def test_training_runs_on_the_gpu_in_bf16(tmp_path):
    # Run with `python -m pytest -m gpu` on a CUDA machine; the default run deselects it.
    import torch

    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    from lyricist.tone.train_transformer import train_transformer

    m = train_transformer(preset="tiny", out_dir=tmp_path / "tf")
    assert m["device"].startswith("cuda")
    assert m["mixed_precision"] == ("bf16" if torch.cuda.is_bf16_supported() else "no")
    assert (tmp_path / "tf" / "model.safetensors").is_file()
