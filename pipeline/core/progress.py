"""A tiny progress reporter for long steps: stage, documents done, documents per second, on stderr.

    with Progress("parse", total=len(docs)) as progress:
        for batch in batches:
            ...
            progress.update(len(batch))

    for doc in Progress("quotes", total=n).iter(docs):   # or wrap any iterable
        ...

On a terminal it redraws one line (`[parse] 120/924 documents 13% 45.2 docs/s eta 0:18`) at most
every `interval` seconds and ends with a summary line. It says nothing when stderr is not a
terminal (logs, pipes, pytest) or when the environment variable CI is set (to anything but
"", "0" or "false"), so that logs stay clean. `PIPELINE_PROGRESS=1` forces it on, `=0` off.
"""

from __future__ import annotations

import os
import sys
import time
from typing import IO, Iterable, Iterator, TypeVar

T = TypeVar("T")

_FALSE = {"", "0", "false", "no", "off"}


def progress_enabled(stream: IO[str] | None = None) -> bool:
    """Whether progress lines should be drawn on `stream` (default stderr)."""
    forced = os.environ.get("PIPELINE_PROGRESS")
    if forced is not None:
        return forced.strip().lower() not in _FALSE
    if os.environ.get("CI", "").strip().lower() not in _FALSE:
        return False
    stream = stream if stream is not None else sys.stderr
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # closed stream
        return False


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class Progress:
    """Progress of one stage; use as a context manager (the summary line is printed on exit)."""

    def __init__(self, stage: str, total: int | None = None, unit: str = "documents", *,
                 stream: IO[str] | None = None, enabled: bool | None = None,
                 interval: float = 0.2):
        self.stage = stage
        self.total = total
        self.unit = unit
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = progress_enabled(self.stream) if enabled is None else enabled
        self.interval = interval
        self.done = 0
        self._started = time.perf_counter()
        self._last_draw = 0.0
        self._width = 0
        self._closed = False

    # -- counting ---------------------------------------------------------------------------
    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self._started

    @property
    def rate(self) -> float:
        """Units per second so far."""
        return self.done / max(self.elapsed, 1e-9)

    def update(self, n: int = 1) -> None:
        """`n` more units are done."""
        self.done += n
        if self.enabled:
            now = time.perf_counter()
            if now - self._last_draw >= self.interval:
                self._last_draw = now
                self._draw(self.line())

    def iter(self, items: Iterable[T]) -> Iterator[T]:
        """Yield the items, counting one unit each; closes the reporter at the end."""
        with self:
            for item in items:
                yield item
                self.update(1)

    # -- text -------------------------------------------------------------------------------
    def line(self) -> str:
        done = f"{self.done}/{self.total}" if self.total else f"{self.done}"
        parts = [f"[{self.stage}] {done} {self.unit}"]
        if self.total:
            parts.append(f"{100 * self.done / self.total:.0f}%")
        parts.append(f"{self.rate:.1f} {self._short_unit()}/s")
        if self.total and self.done and self.done < self.total:
            parts.append(f"eta {_clock((self.total - self.done) / max(self.rate, 1e-9))}")
        return " ".join(parts)

    def summary(self) -> str:
        return (f"[{self.stage}] {self.done} {self.unit} in {self.elapsed:.1f}s, "
                f"{self.rate:.1f} {self._short_unit()}/s")

    def _short_unit(self) -> str:
        return {"documents": "docs"}.get(self.unit, self.unit)

    def _draw(self, text: str) -> None:
        pad = " " * max(0, self._width - len(text))
        self._width = len(text)
        try:
            self.stream.write(f"\r{text}{pad}")
            self.stream.flush()
        except (OSError, ValueError):  # the terminal went away: stop drawing, keep working
            self.enabled = False

    # -- context manager --------------------------------------------------------------------
    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self.enabled:
            self._draw(self.summary())
            try:
                self.stream.write("\n")
                self.stream.flush()
            except (OSError, ValueError):
                pass

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close()


def track(items: Iterable[T], stage: str, total: int | None = None, unit: str = "documents") -> Iterator[T]:
    """`for doc in track(docs, "quotes", total=len(docs)):` — Progress around an iterable."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    return Progress(stage, total=total, unit=unit).iter(items)
