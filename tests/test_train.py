"""The shared accelerate loop: helpers that every trainer relies on."""

from lyricist.train import make_accelerator


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
