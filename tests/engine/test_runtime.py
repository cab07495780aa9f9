import importlib

import pytest

from inference import runtime

ALL = ("CUDAExecutionProvider", "DmlExecutionProvider", "CoreMLExecutionProvider", "CPUExecutionProvider")


@pytest.mark.parametrize(
    "pref, available, expected",
    [
        ("AUTO", ALL, list(ALL)),
        ("AUTO", ("CPUExecutionProvider",), ["CPUExecutionProvider"]),
        ("CUDA", ("CUDAExecutionProvider", "CPUExecutionProvider"), ["CUDAExecutionProvider", "CPUExecutionProvider"]),
        ("CUDA", ("CPUExecutionProvider",), ["CPUExecutionProvider"]),  # not there: CPU fallback
        ("coreml", ALL, ["CoreMLExecutionProvider", "CPUExecutionProvider"]),
        ("CPU", ALL, ["CPUExecutionProvider"]),
    ],
)
def test_choose_providers(pref, available, expected):
    assert runtime.choose_providers(pref, available) == expected


def test_unknown_provider_is_refused():
    with pytest.raises(ValueError, match="AUTO"):
        runtime.choose_providers("TPU", ALL)


def test_status_reports_the_real_runtime():
    st = runtime.status()
    assert st.available and "CPUExecutionProvider" in st.providers
    assert st.version in st.message


def test_missing_runtime_message_names_module_and_fix(monkeypatch):
    real = importlib.import_module

    def fake(name, *a, **k):
        if name == "onnxruntime":
            raise ModuleNotFoundError("No module named 'onnxruntime'")
        return real(name, *a, **k)

    monkeypatch.setattr(importlib, "import_module", fake)
    st = runtime.status()
    assert not st.available
    assert "onnxruntime is not importable" in st.message and "pip install onnxruntime" in st.message
    with pytest.raises(RuntimeError, match="not importable"):
        runtime.choose_providers("AUTO")
