"""Role-wise span scores as CofeNet (Wang et al., COLING 2022) computes them on PolNeAR.

CofeNet's metric scores each role (source, cue, content) on its own, over instances (a sentence,
or sentences joined where an attribution crosses them) in PolNeAR's CoreNLP tokens
(`../shared/polnear/README.md`, section cofenet_dev.jsonl):
- exact: a gold token span of a role is found when the same span is predicted in the instance;
- begin: the same on start positions only;
- Jaccard: the mean over entries; each gold span adds its best |a∩b| / (max end − min start)
  against the predicted spans of its instance (0 if none); each predicted span overlapping no
  gold span adds a 0.

Our rows carry character offsets into `documents.text`; the instances' tokens are aligned to that
text in order (one pass per annotation `id`; an instance most of whose tokens are not found from
where the previous one ended is aligned again from the start of the text), and each predicted span becomes the token span of
the aligned tokens it touches in an instance. Scores are percentages, as published.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from pipeline.core.io import read_table
from pipeline.evaluation.polnear import read_split
from pipeline.core.schemas import DOCUMENTS, QUOTES

ROLES = ("source", "cue", "content")
# Our row's offsets per CofeNet role.
ROLE_COLUMNS = {"source": ("speaker_start", "speaker_end"), "cue": ("cue_start", "cue_end"),
                "content": ("content_start", "content_end")}
# BERT + CofeNet on PolNeAR's TEST split (%), from the paper (see ../shared/polnear/README.md).
PUBLISHED_TEST = {
    "source": {"exact_f1": 83.2, "begin_f1": 87.1, "jaccard": 76.4},
    "cue": {"exact_f1": 75.3, "begin_f1": 82.3, "jaccard": 69.4},
    "content": {"exact_f1": 72.9, "begin_f1": 79.6, "jaccard": 73.2},
}

# CoreNLP's token forms -> characters they may stand for in the text (one character each).
_DOUBLE_QUOTES = "\"“”„«»‟"
_SINGLE_QUOTES = "'‘’‚‹›`´"
_TOKEN_CHARS = {"``": _DOUBLE_QUOTES, "''": _DOUBLE_QUOTES, "`": _SINGLE_QUOTES, "'": _SINGLE_QUOTES,
                "--": "—–―‒-", "...": "…", "-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]",
                "-LCB-": "{", "-RCB-": "}"}
_FOLD = str.maketrans({**{c: '"' for c in _DOUBLE_QUOTES}, **{c: "'" for c in _SINGLE_QUOTES},
                       **{c: "-" for c in "—–―‒‐"}, "\u00a0": " "})
SEARCH_WINDOW = 300      # characters skipped at most to find a word the text spells differently
# A punctuation token CoreNLP added (the sentence-final "." after "Del.") must not be looked for
# further away: it would match a later one and pull every following token out of place.
SHORT_WINDOW = 4


def bio_spans(labels: list[str]) -> dict[str, list[tuple[int, int]]]:
    """Token spans [start, end) per role from BIO labels ("B-cue", "I-cue", "O"); an I- without
    its B- (or after another role) opens a span, as conlleval reads it."""
    spans: dict[str, list[tuple[int, int]]] = {role: [] for role in ROLES}
    role, start = None, 0
    for i, label in enumerate([*labels, "O"]):
        tag, _, name = label.partition("-")
        if role is not None and (tag != "I" or name != role):
            spans.setdefault(role, []).append((start, i))
            role = None
        if tag == "B" or (tag == "I" and role is None):
            role, start = name, i
    return spans


def _match_at(text: str, pos: int, token: str) -> int | None:
    """End of `token` read at `pos` of `text`, or None: the same characters, CoreNLP's forms of
    quotes, dashes and brackets, or the same length once quotes, dashes and spaces are folded."""
    if text.startswith(token, pos):
        return pos + len(token)
    alternatives = _TOKEN_CHARS.get(token)
    if alternatives and pos < len(text) and text[pos] in alternatives:
        return pos + 1
    if token in ("``", "''") and text[pos:pos + 2] in ("``", "''", "‘‘", "’’"):
        return pos + 2
    piece = text[pos:pos + len(token)]
    if len(piece) == len(token) and piece.translate(_FOLD) == token.translate(_FOLD):
        return pos + len(token)
    return None


def align_tokens(text: str, tokens: list[str], cursor: int = 0) -> tuple[list[tuple[int, int] | None], int]:
    """Character offsets of `tokens` in `text`, reading in order from `cursor`; a token not found
    within SEARCH_WINDOW characters is None (and the cursor stays). Returns (offsets, cursor)."""
    offsets: list[tuple[int, int] | None] = []
    for token in tokens:
        pos = cursor
        while pos < len(text) and text[pos].isspace():
            pos += 1
        found = None
        window = SEARCH_WINDOW if any(c.isalnum() for c in token) else SHORT_WINDOW
        for start in range(pos, min(len(text), pos + window)):
            end = _match_at(text, start, token)
            if end is not None:
                found = (start, end)
                break
        offsets.append(found)
        if found:
            cursor = found[1]
    return offsets, cursor


def char_span_to_tokens(start: int, end: int, offsets: list[tuple[int, int] | None]) -> tuple[int, int] | None:
    """The token span [first, last + 1) of the aligned tokens that characters [start, end) touch."""
    touched = [i for i, o in enumerate(offsets) if o is not None and o[0] < end and start < o[1]]
    return (touched[0], touched[-1] + 1) if touched else None


def jaccard_entries(gold: list[tuple[int, int]], predicted: list[tuple[int, int]]) -> list[float]:
    """CofeNet's Jaccard entries for one instance and role (see the module's docstring)."""
    def overlap(a, b):
        return max(0, min(a[1], b[1]) - max(a[0], b[0]))

    entries = []
    for g in gold:
        best = 0.0
        for p in predicted:
            inter = overlap(g, p)
            if inter:
                best = max(best, inter / (max(g[1], p[1]) - min(g[0], p[0])))
        entries.append(best)
    entries += [0.0 for p in predicted if not any(overlap(g, p) for g in gold)]
    return entries


def _prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def role_scores(pairs: list[tuple[list[tuple[int, int]], list[tuple[int, int]]]]) -> dict:
    """Exact, begin and Jaccard (%) of one role over (gold spans, predicted spans) per instance."""
    exact = begin = n_gold = n_pred = n_gold_b = n_pred_b = 0
    entries: list[float] = []
    for gold, predicted in pairs:
        gold, predicted = set(gold), set(predicted)
        exact += len(gold & predicted)
        n_gold, n_pred = n_gold + len(gold), n_pred + len(predicted)
        gold_b, pred_b = {s for s, _ in gold}, {s for s, _ in predicted}
        begin += len(gold_b & pred_b)
        n_gold_b, n_pred_b = n_gold_b + len(gold_b), n_pred_b + len(pred_b)
        entries += jaccard_entries(sorted(gold), sorted(predicted))
    ep, er, ef = _prf(exact, n_pred, n_gold)
    bp, br, bf = _prf(begin, n_pred_b, n_gold_b)
    pct = lambda x: round(100 * x, 2)     # noqa: E731 - percentages, as published
    return {"exact_p": pct(ep), "exact_r": pct(er), "exact_f1": pct(ef), "begin_f1": pct(bf),
            "jaccard": pct(sum(entries) / len(entries)) if entries else 0.0,
            "gold": n_gold, "predicted": n_pred}


def _row_spans(row: dict, role: str) -> list[tuple[int, int]]:
    if role == "content" and row.get("content_spans"):
        return [(int(s["start"]), int(s["end"])) for s in row["content_spans"]]
    start, end = (row.get(c) for c in ROLE_COLUMNS[role])
    return [(int(start), int(end))] if start is not None and end is not None and end > start else []


def load_instances(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def doc_id_of(instance_id: str) -> str:
    """`id` = the article's doc_id, `_`, a 4-hex annotator code."""
    return instance_id.rsplit("_", 1)[0]


def score_instances(instances: list[dict], texts: dict[str, str], rows: dict[str, list[dict]]) -> dict:
    """Role-wise scores of `rows` (per doc_id, with our offsets into `texts[doc_id]`) against the
    instances, plus how many tokens the alignment placed."""
    pairs: dict[str, list] = {role: [] for role in ROLES}
    cursors: dict[str, int] = {}
    tokens = aligned = 0
    for inst in instances:
        doc_id = doc_id_of(inst["id"])
        text = texts.get(doc_id, "")
        offsets, cursor = align_tokens(text, inst["tokens"], cursors.get(inst["id"], 0))
        if sum(o is None for o in offsets) * 2 > len(offsets):     # an instance out of text order
            again, cursor_again = align_tokens(text, inst["tokens"], 0)
            if sum(o is None for o in again) < sum(o is None for o in offsets):
                offsets, cursor = again, cursor_again
        cursors[inst["id"]] = cursor
        tokens += len(offsets)
        aligned += sum(o is not None for o in offsets)
        gold = bio_spans(inst["labels"])
        for role in ROLES:
            predicted = set()
            for row in rows.get(doc_id, []):
                for start, end in _row_spans(row, role):
                    span = char_span_to_tokens(start, end, offsets)
                    if span:
                        predicted.add(span)
            pairs[role].append((gold.get(role, []), sorted(predicted)))
    return {"roles": {role: role_scores(pairs[role]) for role in ROLES},
            "alignment": {"instances": len(instances), "tokens": tokens, "tokens_aligned": aligned}}


def score_polnear_cofenet(out_dir: Path, polnear_jsonl: Path, cofenet_jsonl: Path) -> dict:
    """CofeNet's role-wise figures for `quotes.parquet` in out_dir on the instances of
    `cofenet_jsonl` whose article is in `polnear_jsonl`, next to the published TEST figures."""
    cofenet_jsonl, polnear_jsonl = Path(cofenet_jsonl), Path(polnear_jsonl)
    for path in (cofenet_jsonl, polnear_jsonl):
        if not path.exists():
            return {"skipped": f"{path}: not found (the shared PolNeAR folder is absent)", "metrics": {}}
    doc_ids = {r["doc_id"] for r in read_split(polnear_jsonl)}
    instances = [i for i in load_instances(cofenet_jsonl) if doc_id_of(i["id"]) in doc_ids]
    if not instances:
        return {"skipped": f"{cofenet_jsonl.name} has no instance of these articles (it covers PolNeAR dev only)",
                "metrics": {}}
    docs = read_table(DOCUMENTS, Path(out_dir), columns=["doc_id", "text"]).to_pylist()
    texts = {d["doc_id"]: d["text"] for d in docs}
    rows: dict[str, list[dict]] = defaultdict(list)
    columns = ["doc_id", *{c for cols in ROLE_COLUMNS.values() for c in cols}]
    if "content_spans" in QUOTES.schema.names:
        columns.append("content_spans")
    for row in read_table(QUOTES, Path(out_dir), columns=columns).to_pylist():
        rows[row["doc_id"]].append(row)
    scored = score_instances(instances, texts, rows)
    return {"metrics": {"ours (PolNeAR dev, CofeNet tokens, %)": scored["roles"],
                        "published BERT+CofeNet (PolNeAR TEST split, %)": PUBLISHED_TEST,
                        "alignment": scored["alignment"]}}
