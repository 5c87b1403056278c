"""The words and lemmas of taxonomy phrases, compiled once so that `topics` needs no model.

A taxonomy phrase ("interest rates") is matched on the lemmas of its words, which only the
model's tagger and lemmatizer give. Lemmatising the ~4,000 phrases of the shipped taxonomies
costs seconds per run, for a result that depends only on the phrase and the spaCy and model
versions. So the analysis of every phrase of the shipped taxonomies (`configs/topics/*.toml`) is
a generated file beside them, `configs/topics/phrases.json`:

    python -m pipeline.steps.topic_phrases            # regenerate it (after editing a taxonomy file)
    python -m pipeline.steps.topic_phrases --check    # exit 1 when it is stale (the tests do this too)

`analyse(phrases, ...)` answers from that file when it was made with the installed spaCy and
model; a phrase it lacks (a custom or edited taxonomy) is analysed with the model, and the
answers can be kept in a cache file (the output folder's `cache/topic_phrases.json`) so the next
run of the same taxonomy does not load the model again. The file is data keyed by the phrase, so
editing weights or scoring in a taxonomy never makes it stale; adding a phrase does.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Iterable

from pipeline.core.config import DEFAULT_CONFIG_DIR, load_toml
from pipeline.core.io import atomic_path

COMPILED_NAME = "phrases.json"
CACHE_NAME = "cache/topic_phrases.json"
FORMAT = 1


@dataclass(frozen=True)
class PhraseAnalysis:
    words: tuple[str, ...]           # the tokenizer's words, as written
    lemmas: tuple[str, ...] | None   # lower-case lemmas (spaces dropped); None for a phrase matched as written


def is_exact(phrase: str) -> bool:
    """A phrase with an all-capitals word ("US", "U.S.", "JCPOA") is matched as written."""
    return any(sum(c.isalpha() for c in w) >= 2 and w.upper() == w and any(c.isalpha() for c in w)
               for w in phrase.split())


def versions() -> dict[str, str]:
    """What an analysis depends on: the spaCy version (tokenizer) and the model package's (lemmas).
    Read from the installed packages' metadata: no model is loaded."""
    import spacy

    from pipeline.core.model import available_model

    name = available_model()
    return {"format": str(FORMAT), "spacy": spacy.__version__,
            "model": f"{name} {metadata.version(name)}" if name else "none"}


@lru_cache(maxsize=1)
def _tokenizer():
    import spacy

    return spacy.blank("en").tokenizer


@lru_cache(maxsize=1)
def _lemma_model():
    """The model's tagger and lemmatizer, loaded once per process, only for phrases not compiled."""
    from pipeline.core.model import load_model

    return load_model(exclude=("parser", "ner"))


def analyse_with_model(phrases: Iterable[str]) -> dict[str, PhraseAnalysis]:
    """Each phrase's words (blank tokenizer) and, unless matched as written, its lemmas (model)."""
    phrases = list(dict.fromkeys(phrases))
    tokenizer = _tokenizer()
    out = {p: PhraseAnalysis(tuple(t.text for t in tokenizer(p)), None) for p in phrases}
    lemma_phrases = [p for p in phrases if not is_exact(p)]
    if lemma_phrases:
        nlp = _lemma_model()
        for phrase, doc in zip(lemma_phrases, nlp.pipe(lemma_phrases, batch_size=256)):
            lemmas = tuple(t.lemma_.lower() or t.lower_ for t in doc if not t.is_space)
            out[phrase] = PhraseAnalysis(out[phrase].words, lemmas)
    return out


def _to_json(analyses: dict[str, PhraseAnalysis]) -> dict:
    return {"versions": versions(),
            "phrases": {p: ({"words": list(a.words)} if a.lemmas is None
                            else {"words": list(a.words), "lemmas": list(a.lemmas)})
                        for p, a in sorted(analyses.items())}}


def _dump(path: Path, data: dict) -> None:
    """Written atomically, one phrase a line (a taxonomy edit is a readable diff)."""
    lines = [f"{json.dumps(p, ensure_ascii=False)}: {json.dumps(a, ensure_ascii=False)}"
             for p, a in data["phrases"].items()]
    text = ('{"versions": ' + json.dumps(data["versions"]) + ',\n"phrases": {\n' + ",\n".join(lines) + "\n}}\n")
    with atomic_path(Path(path)) as tmp:
        tmp.write_text(text, encoding="utf-8")


def read_compiled(path: Path) -> dict[str, PhraseAnalysis]:
    """The analyses in a compiled file; {} when it is absent, unreadable or made with another
    spaCy or model (then the model answers, as for a new phrase)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if data.get("versions") != versions():
            return {}
        return {p: PhraseAnalysis(tuple(a["words"]), tuple(a["lemmas"]) if "lemmas" in a else None)
                for p, a in data["phrases"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def write_compiled(path: Path, analyses: dict[str, PhraseAnalysis]) -> None:
    _dump(path, _to_json(analyses))


@lru_cache(maxsize=4)
def _compiled(path: str, stamp: float) -> dict[str, PhraseAnalysis]:
    return read_compiled(Path(path))


def compiled(path: Path) -> dict[str, PhraseAnalysis]:
    """read_compiled, once per process per version of the file."""
    path = Path(path)
    try:
        stamp = path.stat().st_mtime
    except OSError:
        return {}
    return _compiled(str(path), stamp)


def analyse(phrases: Iterable[str], config_dir: Path | None = None,
            cache: Path | None = None) -> dict[str, PhraseAnalysis]:
    """phrase -> its analysis: from the compiled file of `config_dir/topics` and of the shipped
    configs, then from `cache`; the model analyses the rest (and `cache` keeps them, written
    atomically)."""
    phrases = list(dict.fromkeys(phrases))
    found: dict[str, PhraseAnalysis] = {}
    sources = [DEFAULT_CONFIG_DIR / "topics" / COMPILED_NAME]
    if config_dir is not None:
        sources.insert(0, Path(config_dir) / "topics" / COMPILED_NAME)
    for source in [*dict.fromkeys(sources), *([cache] if cache is not None else [])]:
        known = compiled(source)
        found.update({p: known[p] for p in phrases if p not in found and p in known})
        if len(found) == len(phrases):
            return found
    missing = [p for p in phrases if p not in found]
    fresh = analyse_with_model(missing)
    found.update(fresh)
    if cache is not None:
        write_compiled(cache, {**(compiled(cache) if Path(cache).exists() else {}), **fresh})
    return found


def taxonomy_phrases(data: dict) -> list[str]:
    """Every phrase of one taxonomy that is matched as words: topics' phrases and weak hints, and
    entity rules' name lists."""
    out = []
    for topic in data.get("topic", []) if isinstance(data.get("topic"), list) else []:
        if isinstance(topic, dict):
            for kind in ("phrases", "weak"):
                values = topic.get(kind, [])
                out += [v for v in values if isinstance(v, str)] if isinstance(values, list) else []
    for rule in data.get("entity_rule", []) if isinstance(data.get("entity_rule"), list) else []:
        if isinstance(rule, dict) and isinstance(rule.get("texts"), list):
            out += [v for v in rule["texts"] if isinstance(v, str)]
    return list(dict.fromkeys(out))


def shipped_phrases(config_dir: Path) -> list[str]:
    """The phrases of every taxonomy file in `config_dir/topics`."""
    out: list[str] = []
    for path in sorted((Path(config_dir) / "topics").glob("*.toml")):
        out += taxonomy_phrases(load_toml(path))
    return list(dict.fromkeys(out))


def generate(config_dir: Path) -> dict:
    """The compiled file's content for the taxonomies of `config_dir` (the model analyses all)."""
    return _to_json(analyse_with_model(shipped_phrases(config_dir)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.steps.topic_phrases", description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG_DIR, help="config folder (default: configs/)")
    parser.add_argument("--check", action="store_true", help="exit 1 when the compiled file is stale")
    args = parser.parse_args(argv)
    path = args.config / "topics" / COMPILED_NAME
    wanted = generate(args.config)
    if args.check:
        try:
            current = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            current = None
        if current != wanted:
            print(f"{path}: stale: regenerate with `python -m pipeline.steps.topic_phrases`", file=sys.stderr)
            return 1
        print(f"{path}: up to date ({len(wanted['phrases'])} phrases)")
        return 0
    _dump(path, wanted)
    print(f"{path}: {len(wanted['phrases'])} phrases")
    return 0


if __name__ == "__main__":
    sys.exit(main())
