"""The article body and its map back to the original text.

`clean` keeps some lines of `documents.text` and joins them into `bodies.body`; spaCy parses
the body. Every offset the pipeline publishes points into the original text, so the body carries
its segments: (body_start, text_start, length) for each kept line, in order.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from typing import Sequence

import numpy as np

PARAGRAPH_BREAK = "\n\n"


def build_body(text: str, spans: Sequence[tuple[int, int]], soft_breaks: dict[int, str] | None = None
               ) -> tuple[str, list[dict]]:
    """Join the kept line spans of `text` into a body.

    Adjacent kept lines keep the whitespace that separated them in the original; where lines were
    removed between them, a paragraph break stands instead, so that no sentence or entity can run
    across a removed line. `soft_breaks` (from `pipeline.steps.unwrap`: position of a newline the
    wrapping made -> ' ' or '') unwraps hard-wrapped paragraphs: a space keeps the segment, an
    empty replacement ends it and the next segment starts after the newline.
    """
    parts: list[str] = []
    segments: list[dict] = []
    position = 0
    previous_end = None
    soft = soft_breaks or {}
    cuts = sorted(soft)

    def piece(start: int, end: int) -> None:
        nonlocal position
        parts.append(text[start:end])
        segments.append({"body_start": position, "text_start": start, "length": end - start})
        position += end - start

    for start, end in spans:
        if previous_end is not None:
            gap = text[previous_end:start]
            adjacent = gap.strip() == "" and gap.count("\n") <= 2
            separator = gap if adjacent else PARAGRAPH_BREAK
            parts.append(separator)
            position += len(separator)
        begin = start
        for cut in cuts[bisect_left(cuts, start): bisect_left(cuts, end)]:
            if soft[cut] == " ":
                continue                        # replaced in place below: the segment goes on
            if cut > begin:
                piece(begin, cut)
            begin = cut + 1
        if end > begin:
            piece(begin, end)
        previous_end = end
    body = "".join(parts)
    if any(v == " " for v in soft.values()):
        body = _spaces_for_soft_breaks(body, segments, soft)
    return body, segments


def _spaces_for_soft_breaks(body: str, segments: list[dict], soft: dict[int, str]) -> str:
    """The newlines a wrapper put where a space was, written as that space (same offsets)."""
    chars = list(body)
    for segment in segments:
        for offset in range(segment["length"]):
            if soft.get(segment["text_start"] + offset) == " ":
                chars[segment["body_start"] + offset] = " "
    return "".join(chars)


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
