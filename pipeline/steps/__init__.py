"""The stages, one module (or package) each, as declared in pipeline/core/stages.py."""
