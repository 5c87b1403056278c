"""The article body and its map back to the original text.

`clean` keeps some lines of `documents.text` and joins them into `documents.body`; spaCy parses
the body. Every offset the pipeline publishes points into the original text, so the body carries
its segments: (body_start, text_start, length) for each kept line, in order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

PARAGRAPH_BREAK = "\n\n"


def build_body(text: str, spans: Sequence[tuple[int, int]]) -> tuple[str, list[dict]]:
    """Join the kept line spans of `text` into a body.

    Adjacent kept lines keep the whitespace that separated them in the original; where lines were
    removed between them, a paragraph break stands instead, so that no sentence or entity can run
    across a removed line.
    """
    parts: list[str] = []
    segments: list[dict] = []
    position = 0
    previous_end = None
    for start, end in spans:
        if previous_end is not None:
            gap = text[previous_end:start]
            adjacent = gap.strip() == "" and gap.count("\n") <= 2
            separator = gap if adjacent else PARAGRAPH_BREAK
            parts.append(separator)
            position += len(separator)
        parts.append(text[start:end])
        segments.append({"body_start": position, "text_start": start, "length": end - start})
        position += end - start
        previous_end = end
    return "".join(parts), segments


@dataclass
class OffsetMap:
    """Maps offsets into the body to offsets into the original text."""

    body_starts: np.ndarray
    text_starts: np.ndarray
    lengths: np.ndarray

    @classmethod
    def from_segments(cls, segments) -> "OffsetMap":
        segments = [] if segments is None else list(segments)
        return cls(np.array([s["body_start"] for s in segments], dtype=np.int64),
                   np.array([s["text_start"] for s in segments], dtype=np.int64),
                   np.array([s["length"] for s in segments], dtype=np.int64))

    def starts(self, body_offsets) -> np.ndarray:
        """Map span starts: a start inside a separator moves to the end of the previous line."""
        return self._map(np.asarray(body_offsets, dtype=np.int64), is_end=False)

    def ends(self, body_offsets) -> np.ndarray:
        """Map span ends: an end inside a separator moves to the start of the next line."""
        return self._map(np.asarray(body_offsets, dtype=np.int64), is_end=True)

    def start(self, offset: int) -> int:
        return int(self.starts([offset])[0])

    def end(self, offset: int) -> int:
        return int(self.ends([offset])[0])

    def _map(self, offsets: np.ndarray, is_end: bool) -> np.ndarray:
        if not len(self.body_starts):
            return offsets.copy()
        seg = np.searchsorted(self.body_starts, offsets, side="right") - 1
        seg = np.clip(seg, 0, len(self.body_starts) - 1)
        within = offsets - self.body_starts[seg]
        inside = within <= self.lengths[seg]
        mapped = self.text_starts[seg] + np.minimum(within, self.lengths[seg])
        if is_end:
            # End offsets past a line's end belong to the separator: they reach the next line.
            nxt = np.minimum(seg + 1, len(self.body_starts) - 1)
            beyond = ~inside & (seg + 1 < len(self.body_starts))
            mapped = np.where(beyond, self.text_starts[nxt], mapped)
        return mapped
