"""Hard-wrapped plain text is read as paragraphs, offsets unchanged (issue 15: nothing lost silently)."""

from __future__ import annotations

import textwrap

import pytest

from pipeline.steps import clean
from pipeline.core.config import ConfigError, load_stage_config
from pipeline.steps.offsets import OffsetMap, build_body
from pipeline.steps.unwrap import UnwrapSettings, for_labelling, soft_breaks

PARAGRAPHS = [
    "Prime Minister Naftali Bennett met Russian President Vladimir Putin in Sochi on Friday, their "
    "first meeting since Bennett took office in June, and the two leaders talked for five hours.",
    '"We are dealing with a lot of problematic issues, but we also share a common ground and have good '
    'opportunities to collaborate on certain topics," Putin told reporters after the meeting ended.',
    "The leaders also discussed ways to curb Iran's nuclear program and renewing tourism between the "
    "two countries, while the Palestinian issue, meanwhile, was sidelined for now by both of them.",
]
ORIGINAL = "Putin meets Bennett\n\n" + "\n\n".join(PARAGRAPHS) + "\n"
SETTINGS = UnwrapSettings.from_config(load_stage_config(None, "clean"))


def fold(text: str, width: int, at_spaces: bool) -> str:
    """What GNU `fold -w WIDTH` (`-s`: at spaces, keeping them on the line) does to ASCII text."""
    out = []
    for line in text.split("\n"):
        while len(line) > width:
            cut = width
            if at_spaces and " " in line[:width]:
                cut = line[:width].rindex(" ") + 1
            out.append(line[:cut])
            line = line[cut:]
        out.append(line)
    return "\n".join(out)


def wrap(text: str, width: int) -> str:
    """Python's textwrap (and most mail clients): breaks at spaces and drops them."""
    return "\n".join(textwrap.fill(line, width) if line else line for line in text.split("\n"))


def unwrapped(text: str) -> str:
    breaks = soft_breaks(text, SETTINGS)
    spans, position = [], 0
    for line in for_labelling(text, breaks).split("\n"):
        if line.strip():
            spans.append((position, position + len(line)))
        position += len(line) + 1
    body, segments = build_body(text, spans, breaks)
    mapping = OffsetMap.from_segments(segments)
    for k, char in enumerate(body):               # offsets are sacred: every char maps back
        if not char.isspace():
            assert text[mapping.start(k)] == char
    return body


@pytest.mark.parametrize("wrapped", [fold(ORIGINAL, 72, True), fold(ORIGINAL, 72, False), wrap(ORIGINAL, 72),
                                     fold(ORIGINAL, 60, True), wrap(ORIGINAL, 80)],
                         ids=["fold -s", "fold", "textwrap", "fold -s 60", "textwrap 80"])
def test_wrapped_paragraphs_come_back_whole(wrapped):
    assert wrapped != ORIGINAL and soft_breaks(wrapped, SETTINGS)
    assert unwrapped(wrapped) == ORIGINAL.rstrip("\n") + ("\n" if unwrapped(wrapped).endswith("\n") else "")


@pytest.mark.parametrize("text", [
    ORIGINAL,                                                           # a paragraph per line
    "\n".join(["Roses are red,", "violets are blue,", "sugar is sweet,", "and so are you."] * 3),
    "\n".join(f"- item number {k}: a short line of a list" for k in range(12)),
    "Title\n\n" + "\n".join("x" * 150 for _ in range(10)),             # lines longer than any wrap width
])
def test_text_that_is_not_hard_wrapped_is_left_alone(text):
    assert soft_breaks(text, SETTINGS) == {}


def test_a_short_line_inside_a_wrapped_block_keeps_its_break():
    text = fold(PARAGRAPHS[0] + "\n" + "Sochi, Russia\n" + PARAGRAPHS[1] + "\n" + PARAGRAPHS[2], 72, True)
    body = unwrapped(text)
    assert "\nSochi, Russia\n" in body and PARAGRAPHS[2] in body


def test_off_switch_and_bad_settings_name_the_key():
    assert soft_breaks(fold(ORIGINAL, 72, True), UnwrapSettings(**{**SETTINGS.__dict__, "enabled": False})) == {}
    config = load_stage_config(None, "clean")
    with pytest.raises(ConfigError, match="unwrap.width"):
        UnwrapSettings.from_config({**config, "unwrap": {**config["unwrap"], "width": 72}}, "clean.toml")
    with pytest.raises(ConfigError, match="min_width"):
        UnwrapSettings.from_config({**config, "unwrap": {**config["unwrap"], "min_width": 500}}, "clean.toml")


@pytest.mark.parametrize("section, key", [("shape", "prose_min_word"), ("caption", "max_word"), ("unwrap", "enable")])
def test_an_unknown_clean_key_is_an_error_naming_it(tmp_path, section, key):
    import shutil

    from conftest import REPO

    shutil.copytree(REPO / "configs", tmp_path / "configs")
    path = tmp_path / "configs" / "clean.toml"
    text = path.read_text().replace(f"[{section}]\n", f"[{section}]\n{key} = 1\n", 1)
    path.write_text(text)
    with pytest.raises(ConfigError, match=f"clean.toml.*{section}.{key}|clean.toml.*{key}"):
        clean.check_config(tmp_path / "configs")


def test_clean_keeps_a_folded_article():
    config = load_stage_config(None, "clean")
    for text in (ORIGINAL, fold(ORIGINAL, 72, True)):
        lines, cleaned = clean.clean_documents([{"doc_id": "d", "source": None, "text": text}], config)
        assert [p in cleaned[0]["body"] for p in PARAGRAPHS] == [True, True, True]
        assert all(text[line["start"]:line["end"]] == line["text"] for line in lines)
