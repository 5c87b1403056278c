"""Hard-wrapped plain text (lines cut at a fixed width by `fold`, mail clients, old archives): find
the line breaks the wrapping made inside paragraphs, so that the line labeller and the parser see
paragraphs, not fragments of 72 characters.

Offsets never move. For labelling, a soft break is read as a space (the same length). In the body,
a soft break becomes a space where the wrapper dropped one, and nothing where it kept the space on
the line (`fold -s`) or cut inside a word (`fold` without -s, every full line exactly the width):
`offsets.build_body` leaves the newline out and starts a new segment after it.

A text counts as hard-wrapped when it has enough lines, most of them end near one width (between
`min_width` and `max_width`: the longest line, leaving out lines far longer than the 90th
percentile), and most of those end without closing a sentence. Then a break after a full line (within
`slack` of the width; for exact cuts, exactly the width in bytes, as `fold` counts) followed by a
line of the same block is soft; a short line ends where the writer ended it (a heading, a list
item).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields

from pipeline.core.config import ConfigError, reject_unknown_keys, require


@dataclass(frozen=True)
class UnwrapSettings:
    enabled: bool
    min_lines: int          # non-blank lines a text needs before it is judged
    min_width: int          # the wrap width (90th percentile of line lengths) must lie in here
    max_width: int
    slack: int              # a line at least width - slack long is "full"
    full_share: float       # share of non-blank lines that must be full
    open_share: float       # share of full lines that must end without closing a sentence

    @classmethod
    def from_config(cls, config: dict, source: str = "clean.toml") -> "UnwrapSettings":
        section = config.get("unwrap")
        if not isinstance(section, dict):
            raise ConfigError(f"{source}: missing table [unwrap]")
        reject_unknown_keys(section, [f.name for f in fields(cls)], source, prefix="unwrap.")
        values = {}
        for f in fields(cls):
            kind = {"bool": bool, "int": int, "float": (int, float)}[f.type]
            values[f.name] = require(section, f.name, kind, f"{source} [unwrap]")
        if not 0 < values["min_width"] <= values["max_width"]:
            raise ConfigError(f"{source}: [unwrap] needs 0 < min_width <= max_width")
        for share in ("full_share", "open_share"):
            if not 0 <= values[share] <= 1:
                raise ConfigError(f"{source}: [unwrap] {share} must be between 0 and 1")
        return cls(**values)


TERMINAL = ".!?:;…\"”’'»)]"
# A line opening with a list marker starts an item: the break before it is the writer's.
LIST_ITEM = re.compile(r"^\s*(?:[-*•–—·]|\(?\d{1,3}[.)]|\(?[a-z][.)])\s")


def soft_breaks(text: str, settings: UnwrapSettings) -> dict[int, str]:
    """{position of a soft '\\n' in text: what stands for it in the body, '' or ' '}; {} when the
    text is not hard-wrapped (or unwrapping is off)."""
    if not settings.enabled:
        return {}
    lines, position = [], 0           # (position of the line's '\n', the line without '\r')
    for raw in text.split("\n"):
        position += len(raw)
        lines.append((position, raw.rstrip("\r")))
        position += 1
    lengths = sorted(len(line) for _, line in lines if line.strip())
    if len(lengths) < settings.min_lines:
        return {}
    typical = lengths[min(len(lengths) - 1, int(0.9 * len(lengths)))]
    width = max(n for n in lengths if n <= typical + settings.slack)     # the longest line but outliers
    if not settings.min_width <= width <= settings.max_width:
        return {}
    full = [line for _, line in lines if line.strip() and len(line) >= width - settings.slack]
    if len(full) < settings.full_share * len(lengths):
        return {}
    if sum(not line.rstrip().endswith(tuple(TERMINAL)) for line in full) < settings.open_share * len(full):
        return {}
    # `fold` without -s cuts every full line at exactly the width in bytes, inside words too
    byte_width = max(len(line.encode()) for line in full)
    exact = sum(len(line.encode()) == byte_width for line in full) >= 0.8 * len(full)
    breaks: dict[int, str] = {}
    for (newline, line), (_, following) in zip(lines, lines[1:]):
        if not line.strip() or not following.strip() or len(line) > width or LIST_ITEM.match(following):
            continue
        # a full line going on in the same block was cut by the wrapper; a short one ends there
        # (a heading, a list item, an address line)
        if (len(line.encode()) < byte_width) if exact else (len(line) < width - settings.slack):
            continue
        kept_space = line[-1:].isspace() or following[:1].isspace()
        breaks[newline] = "" if (exact or kept_space) else " "
    return breaks


def for_labelling(text: str, breaks: dict[int, str]) -> str:
    """The text with every soft break read as a space: same length, paragraphs on one line."""
    if not breaks:
        return text
    chars = list(text)
    for position in breaks:
        chars[position] = " "
    return "".join(chars)
