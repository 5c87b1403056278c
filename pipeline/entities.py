"""Stage `entities`: named-entity mentions from the parse, corrected and linked.

The small model's entities are a starting point; rules from `configs/entities.toml` (and the
alias table `configs/entities_aliases.toml`) correct them for news text, each correction recorded
in `mentions.rule_id`:

- `caption`, `byline`, `name_only`: lines that are photo captions, credits or bylines give no
  entities (the clean stage drops most of them; this guards against what it misses);
- `headline`: in a title-case line the model's entities are dropped and only names known from
  the rest of the document or the alias table are marked ("Putin Tells Bennett" is two people,
  "Syria Strikes" none);
- `pattern:<id>`: Matcher patterns for organisations the model misses ("Russian Foreign
  Ministry", "Prime Minister's Office");
- `split`: a span made of several names known in the document is split ("Macron and Lapid",
  "Russia Bennett");
- `relabel`: a span whose text is, in the same document, the surname of a full name (or more
  often another label) takes that label ("Macron" as ORG -> PERSON);
- `gazetteer`: a name known in the document (or an alias) that the model missed;
- `place`: "in Glasgow" tagged PERSON but never a person elsewhere -> GPE;
- `alias`: the alias table's form -> its canonical name and label;
- `model`: the model's entity, trimmed ("the", possessives and titles kept out of the span).

A person's title ("Russian President", "Yisrael Beiteinu leader") is kept out of the name and
recorded in `mentions.title` with its offsets. Linking (`link_mentions`) then gives every mention
an entity: within a document a surname links to the full name ending with it, across documents
the same canonical name gives the same `entity_id` (`PERSON:naftali-bennett`), and a surname
with no full name in its document links to the corpus's dominant full name.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from spacy.matcher import Matcher
from spacy.tokens import Doc

from .config import DEFAULT_CONFIG_DIR, compile_regex, config_files, load_stage_config, load_toml, require
from .docs import iter_parsed_docs, shared_vocab
from .errors import ConfigError
from .io import write_table
from .manifest import StageRecord
from .schemas import ENTITIES, MENTIONS, TOKENS

STAGE = "entities"
ALIASES_FILE = "entities_aliases.toml"

# Overlap resolution: higher wins, then longer, then earlier (an explicit sort key).
PRIORITY = {"alias": 6, "pattern": 5, "split": 4, "relabel": 3, "place": 3, "model": 2, "gazetteer": 1,
            "headline": 1}
LABEL_ORDER = ["PERSON", "ORG", "GPE", "NORP", "LOC", "FAC"]
APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "“": '"', "”": '"'})


# --------------------------------------------------------------------------------------------
# Rules (compiled once from the config)

@dataclass
class EntityRules:
    labels: frozenset[str]
    strip_leading: frozenset[str]
    strip_trailing: frozenset[str]
    heads: dict[int, set[tuple[str, ...]]]        # length -> lowercased token tuples
    org_heads: set[tuple[str, ...]]
    modifiers: frozenset[str]
    nationalities: frozenset[str]
    max_title_tokens: int
    caption_res: list[re.Pattern]
    byline_res: list[re.Pattern]
    name_only_max_tokens: int
    min_content_words: int
    min_capitalised_ratio: float
    function_words: frozenset[str]
    corpus_share: float
    place_prepositions: frozenset[str]
    patterns: list[dict]
    aliases: dict[tuple[str, ...], tuple[str, str]]  # token tuple -> (label, canonical name)
    _matcher: Matcher | None = field(default=None, repr=False)

    def matcher(self, vocab) -> Matcher:
        if self._matcher is None or self._matcher.vocab is not vocab:
            matcher = Matcher(vocab)
            for pattern in self.patterns:
                matcher.add(pattern["id"], [pattern["pattern"]], greedy="LONGEST")
            self._matcher = matcher
        return self._matcher

    @property
    def pattern_labels(self) -> dict[str, str]:
        return {p["id"]: p["label"] for p in self.patterns}


def _words(phrase: str) -> tuple[str, ...]:
    return tuple(phrase.split())


def _alias_key(form: str) -> tuple[str, ...]:
    """An alias form as the spaCy tokenizer would split it (words, then a trailing "'s" etc)."""
    return tuple(t.text for t in shared_vocab_tokenizer()(form) if not t.is_space)


_TOKENIZER = None


def shared_vocab_tokenizer():
    global _TOKENIZER
    if _TOKENIZER is None:
        import spacy

        _TOKENIZER = spacy.blank("en").tokenizer
    return _TOKENIZER


def compile_rules(config: dict, aliases: list[dict] | None = None, source: str = "entities.toml") -> EntityRules:
    """Check the config and build the rules (errors name the file and the key)."""
    def strs(key: str) -> list[str]:
        value = require(config, key, list, source)
        if not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{source}: key '{key}' must be a list of strings")
        return value

    heads: dict[int, set[tuple[str, ...]]] = defaultdict(set)
    for head in strs("titles.heads"):
        words = tuple(w.lower() for w in _words(head))
        heads[len(words)].add(words)
    patterns = require(config, "patterns", list, source) if "patterns" in config else []
    for index, pattern in enumerate(patterns):
        if not isinstance(pattern, dict) or not {"id", "label", "pattern"} <= set(pattern):
            raise ConfigError(f"{source}: patterns[{index}] needs 'id', 'label' and 'pattern'")
        try:
            Matcher(shared_vocab()).add(pattern["id"], [pattern["pattern"]])
        except (ValueError, TypeError, KeyError) as exc:
            raise ConfigError(f"{source}: pattern '{pattern['id']}' is not a valid Matcher pattern: {exc}") from None
    alias_map: dict[tuple[str, ...], tuple[str, str]] = {}
    for index, alias in enumerate(aliases or []):
        if not isinstance(alias, dict) or not all(isinstance(alias.get(k), str) for k in ("form", "name", "label")):
            raise ConfigError(f"{ALIASES_FILE}: alias[{index}] needs string 'form', 'name' and 'label'")
        alias_map[_alias_key(alias["form"])] = (alias["label"], normalise_name(alias["name"]))
    return EntityRules(
        labels=frozenset(strs("labels")),
        strip_leading=frozenset(strs("strip_leading")),
        strip_trailing=frozenset(strs("strip_trailing")),
        heads=dict(heads),
        org_heads={tuple(w.lower() for w in _words(h)) for h in strs("titles.org_heads")},
        modifiers=frozenset(m.lower() for m in strs("titles.modifiers")),
        nationalities=frozenset(strs("titles.nationalities")),
        max_title_tokens=require(config, "titles.max_tokens", int, source),
        caption_res=[compile_regex(p, source) for p in strs("lines.caption_patterns")],
        byline_res=[compile_regex(p, source) for p in strs("lines.byline_patterns")],
        name_only_max_tokens=require(config, "lines.name_only_max_tokens", int, source),
        min_content_words=require(config, "headlines.min_content_words", int, source),
        min_capitalised_ratio=float(require(config, "headlines.min_capitalised_ratio", (int, float), source)),
        function_words=frozenset(w.lower() for w in strs("headlines.function_words")),
        corpus_share=float(require(config, "linking.corpus_share", (int, float), source)),
        place_prepositions=frozenset(w.lower() for w in strs("linking.place_prepositions")),
        patterns=patterns,
        aliases=alias_map,
    )


def load_rules(config_dir: Path | None = None) -> EntityRules:
    config_dir = Path(config_dir or DEFAULT_CONFIG_DIR)
    config = load_stage_config(config_dir, STAGE)
    if not config:
        raise ConfigError(f"{config_dir / 'entities.toml'}: config file not found")
    alias_path = config_dir / ALIASES_FILE
    aliases = load_toml(alias_path).get("alias", []) if alias_path.exists() else []
    return compile_rules(config, aliases, str(config_dir / "entities.toml"))


# --------------------------------------------------------------------------------------------
# Names

def normalise_name(text: str) -> str:
    """Surface form -> name: typographic apostrophes made plain, whitespace collapsed."""
    return " ".join(text.translate(APOSTROPHES).split())


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text.translate(APOSTROPHES)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "x"


def entity_id(label: str, name: str) -> str:
    return f"{label}:{slug(name)}"


def name_words(name: str) -> list[str]:
    """Word tokens of a name, hyphen pieces split ("Bashar al-Assad" -> Bashar, al, Assad)."""
    return [w for w in re.split(r"[\s\-]+", name) if w and any(c.isalpha() for c in w)]


# --------------------------------------------------------------------------------------------
# Per-document extraction (pure: a Doc in, mentions out)

@dataclass
class Mention:
    start: int                  # token span of the name
    end: int
    label: str
    rule_id: str
    canonical: str | None = None     # set by an alias
    title_start: int | None = None   # token span of the title, when one precedes the name
    title_end: int | None = None

    @property
    def priority(self) -> int:
        return PRIORITY[self.rule_id.split(":")[0]]


@dataclass
class Line:
    start: int      # token range, space tokens excluded at both ends
    end: int
    kind: str       # body / headline / caption / byline / name_only


def split_lines(doc: Doc) -> list[tuple[int, int]]:
    """Token ranges of the document's lines (paragraphs), without the line-break tokens."""
    lines, start = [], 0
    for token in doc:
        if token.is_space and "\n" in token.text:
            if start < token.i:
                lines.append((start, token.i))
            start = token.i + 1
    if start < len(doc):
        lines.append((start, len(doc)))
    out = []
    for first, last in lines:
        while first < last and doc[first].is_space:
            first += 1
        while last > first and doc[last - 1].is_space:
            last -= 1
        if first < last:
            out.append((first, last))
    return out


def classify_line(doc: Doc, start: int, end: int, rules: EntityRules) -> str:
    text = doc[start:end].text
    if any(r.search(text) for r in rules.caption_res):
        return "caption"
    if any(r.search(text) for r in rules.byline_res) and end - start <= 10:
        return "byline"
    tokens = [t for t in doc[start:end] if not t.is_punct]
    if 0 < len(tokens) <= rules.name_only_max_tokens and all(t.ent_type_ == "PERSON" for t in tokens):
        return "name_only"
    if is_headline(doc, start, end, rules):
        return "headline"
    return "body"


def is_headline(doc: Doc, start: int, end: int, rules: EntityRules) -> bool:
    """A title-case line: mostly capitalised content words and no closing full stop."""
    last = doc[end - 1].text
    if last in (".", "…") or last.endswith("."):
        return False
    content = [t.text for t in doc[start:end]
               if t.is_alpha and t.lower_ not in rules.function_words]
    if len(content) < rules.min_content_words:
        return False
    capitalised = sum(1 for w in content if w[0].isupper())
    return capitalised / len(content) >= rules.min_capitalised_ratio


def _trim(doc: Doc, m: Mention, rules: EntityRules) -> Mention | None:
    """Keep determiners, possessives and punctuation out of the span."""
    start, end = m.start, m.end
    while start < end and (doc[start].text in rules.strip_leading or doc[start].is_punct or doc[start].is_space):
        start += 1
    while end > start and (doc[end - 1].text in rules.strip_trailing or doc[end - 1].is_space
                           or (doc[end - 1].is_punct and doc[end - 1].text not in (".",))):
        end -= 1
    # a final "." belongs to abbreviations ("U.S.", "Jr.") but not to a sentence's end
    if end > start and doc[end - 1].text == ".":
        end -= 1
    if start >= end or not any(t.text[:1].isupper() or t.text[:1].isdigit() for t in doc[start:end]):
        return None     # nothing capitalised: "business", punctuation
    m.start, m.end = start, end
    return m


def _head_at(doc: Doc, end: int, floor: int, rules: EntityRules) -> int:
    """Length of the longest title head ending at token `end` (exclusive), 0 if none."""
    for length in sorted(rules.heads, reverse=True):
        if end - length < floor:
            continue
        words = tuple(t.lower_ for t in doc[end - length:end])
        if words in rules.heads[length]:
            return length
    return 0


def _leading_title(doc: Doc, m: Mention, rules: EntityRules) -> int:
    """Inside a PERSON span, tokens of a leading title ("PM Bennett"): index where the name starts."""
    i, name_start = m.start, m.start
    while i < m.end - 1:
        token = doc[i]
        length = 0
        for n in sorted(rules.heads, reverse=True):
            if i + n < m.end and tuple(t.lower_ for t in doc[i:i + n]) in rules.heads[n]:
                length = n
                break
        if length:
            i += length
            name_start = i
        elif token.lower_ in rules.modifiers or token.text in rules.nationalities:
            i += 1
        else:
            break
    return name_start


def _title_before(doc: Doc, start: int, floor: int, ent_at_end: dict[int, tuple[int, str]],
                  rules: EntityRules) -> int | None:
    """Start of the title just before token `start` ("Russian President" Vladimir Putin), or None."""
    j, found, last_head = start, False, None
    while j > floor and start - j < rules.max_title_tokens:
        token = doc[j - 1]
        if token.is_space:
            break
        head = _head_at(doc, j, floor, rules)
        if head:
            last_head = tuple(t.lower_ for t in doc[j - head:j])
            j -= head
            found = True
            continue
        if not found:
            break
        ent = ent_at_end.get(j)
        if token.lower_ in rules.modifiers or token.text in rules.nationalities:
            j -= 1
        elif ent and ent[1] in ("NORP", "GPE") and j - ent[0] <= 3:
            j = ent[0]
        elif ent and ent[1] == "ORG" and last_head in rules.org_heads and j - ent[0] <= 5:
            j = ent[0]
        elif token.text in ("'s", "’s") and ent_at_end.get(j - 1, (None, ""))[1] in ("GPE", "NORP"):
            j = ent_at_end[j - 1][0]
        else:
            break
    return j if found and j < start else None


def _is_title_word(token, rules: EntityRules) -> bool:
    low = token.lower_
    return (low in rules.modifiers or token.text in rules.nationalities
            or any((low,) in heads for heads in rules.heads.values()))


def _select(candidates: list[Mention]) -> list[Mention]:
    """Non-overlapping mentions: higher priority, then longer, then earlier wins."""
    taken: set[int] = set()
    chosen = []
    for m in sorted(candidates, key=lambda m: (-m.priority, -(m.end - m.start), m.start)):
        if any(i in taken for i in range(m.start, m.end)):
            continue
        taken.update(range(m.start, m.end))
        chosen.append(m)
    return sorted(chosen, key=lambda m: m.start)


def _greedy_keys(doc: Doc, start: int, end: int, keys: dict[tuple[str, ...], str], max_len: int,
                 require_upper: bool = True) -> list[tuple[int, int, str]]:
    """Longest-first matches of known names (token tuples) in doc[start:end]."""
    found, i = [], start
    while i < end:
        hit = None
        if not require_upper or doc[i].text[:1].isupper():
            for n in range(min(max_len, end - i), 0, -1):
                key = tuple(t.text for t in doc[i:i + n])
                if key in keys:
                    hit = (i, i + n, keys[key])
                    break
        if hit:
            found.append(hit)
            i = hit[1]
        else:
            i += 1
    return found


def find_mentions(doc: Doc, rules: EntityRules) -> list[Mention]:
    """Pure heart of the stage, per document: corrected mentions with titles, before linking."""
    lines = [Line(s, e, classify_line(doc, s, e, rules)) for s, e in split_lines(doc)]
    line_of = {}
    for index, line in enumerate(lines):
        for i in range(line.start, line.end):
            line_of[i] = index
    usable = {k for k, line in enumerate(lines) if line.kind in ("body", "headline")}

    def kind(m: Mention) -> str:
        return lines[line_of[m.start]].kind if m.start in line_of else "none"

    # 1. the model's entities (trimmed; a leading title inside a PERSON span moved out)
    model: list[Mention] = []
    for ent in doc.ents:
        if ent.label_ not in rules.labels:
            continue
        m = _trim(doc, Mention(ent.start, ent.end, ent.label_, "model"), rules)
        if m is None or line_of.get(m.start) not in usable:
            continue
        if m.label == "PERSON":
            name_start = _leading_title(doc, m, rules)
            if name_start > m.start:
                m.title_start, m.title_end, m.start = m.start, name_start, name_start
            if not any(t.text[:1].isupper() for t in doc[m.start:m.end]):
                continue
        # an organisation that is only a title word before a title ("Defense" in "Defense Minister")
        if m.label in ("ORG", "PERSON", "NORP") and all(_is_title_word(t, rules) for t in doc[m.start:m.end]) \
                and _head_at(doc, m.end + 1, 0, rules) and m.title_start is None:
            continue
        model.append(m)

    # 2. Matcher patterns (organisations the model misses)
    labels = rules.pattern_labels
    patterns: list[Mention] = []
    for match_id, start, end in rules.matcher(doc.vocab)(doc):
        rule = doc.vocab.strings[match_id]
        m = _trim(doc, Mention(start, end, labels[rule], f"pattern:{rule}"), rules)
        if m is not None and line_of.get(m.start) in usable:
            patterns.append(m)
    # a pattern inside a longer model entity of the same label adds nothing ("Russian Foreign
    # Ministry" found whole by the model, "Foreign Ministry" by the pattern)
    patterns = [p for p in patterns if not any(o.label == p.label and o.start <= p.start and p.end <= o.end
                                               and (o.start, o.end) != (p.start, p.end) for o in model)]

    body = [m for m in model if kind(m) == "body"]
    # 3. the document's gazetteer: names seen in body lines -> label votes (surnames count double)
    votes: dict[tuple[str, ...], Counter] = defaultdict(Counter)
    for m in body + patterns:
        key = tuple(t.text for t in doc[m.start:m.end])
        votes[key][m.label] += 1
        if m.label == "PERSON" and m.end - m.start >= 2:
            words = [t for t in doc[m.start:m.end] if t.is_alpha]
            if words:
                votes[(words[-1].text,)]["PERSON"] += 2
    keys = {key: max(c, key=lambda lab: (c[lab], -LABEL_ORDER.index(lab) if lab in LABEL_ORDER else -99))
            for key, c in votes.items()}
    for key, (label, _) in rules.aliases.items():
        keys.setdefault(key, label)
    max_len = max((len(k) for k in keys), default=1)

    # 4. corrections of the model's spans in body lines
    fixed: list[Mention] = []
    for m in body:
        key = tuple(t.text for t in doc[m.start:m.end])
        if key in rules.aliases:
            label, canonical = rules.aliases[key]
            fixed.append(Mention(m.start, m.end, label, "alias", canonical, m.title_start, m.title_end))
            continue
        pieces = [p for p in _greedy_keys(doc, m.start, m.end, {k: v for k, v in keys.items() if k != key},
                                          max_len) if p[1] - p[0] < m.end - m.start]
        covered = {i for s, e, _ in pieces for i in range(s, e)}
        rest = [t for t in doc[m.start:m.end] if t.i not in covered]
        # split only names glued by the model: pieces of different labels ("Russia Bennett") or
        # joined by a lower-case word ("Macron and Lapid"); never "Donald Trump" into two names
        # and only into names seen at least twice (or aliases), out of a span seen once
        joined = any(pieces[k][1] < pieces[k + 1][0] for k in range(len(pieces) - 1))
        sure = all(votes[p_key][label] >= 2 or p_key in rules.aliases
                   for p_key, label in ((tuple(t.text for t in doc[s:e]), label) for s, e, label in pieces))
        if (len(pieces) >= 2 and sure and sum(votes[key].values()) <= 1
                and any(label == "PERSON" for _, _, label in pieces)
                and (joined or len({label for _, _, label in pieces}) > 1)
                and not any(t.text[:1].isupper() for t in rest)):
            fixed.extend(Mention(s, e, label, "split") for s, e, label in pieces)
            continue
        best = keys.get(key, m.label)
        if best != m.label and votes[key][best] >= 2 * votes[key][m.label]:
            fixed.append(Mention(m.start, m.end, best, "relabel", None, m.title_start, m.title_end))
            continue
        if (m.label == "PERSON" and m.end - m.start == 1 and m.start > 0
                and doc[m.start - 1].lower_ in rules.place_prepositions):
            elsewhere = sum(1 for o in body if o.label == "PERSON" and o is not m
                            and tuple(t.text for t in doc[o.start:o.end]) == key
                            and not (o.start > 0 and doc[o.start - 1].lower_ in rules.place_prepositions))
            surname = any(o.label == "PERSON" and o.end - o.start >= 2 and doc[o.end - 1].text == key[0]
                          for o in body)
            if not elsewhere and not surname:
                fixed.append(Mention(m.start, m.end, "GPE", "place"))
                continue
        fixed.append(m)

    # 5. headlines: only known names; elsewhere, known names the model missed (never inside
    #    a span already found)
    occupied = {i for m in fixed + patterns for i in range(m.start, m.end)}
    headline_lines = {k for k in usable if lines[k].kind == "headline"}
    for k in usable:
        line = lines[k]
        for s, e, label in _greedy_keys(doc, line.start, line.end, keys, max_len):
            if k not in headline_lines and any(i in occupied for i in range(s, e)):
                continue
            key = tuple(t.text for t in doc[s:e])
            rule = "headline" if k in headline_lines else "gazetteer"
            if key in rules.aliases:
                label, canonical = rules.aliases[key]
                fixed.append(Mention(s, e, label, rule, canonical))
            else:
                fixed.append(Mention(s, e, label, rule))
    mentions = _select([m for m in fixed + patterns
                        if line_of.get(m.start) not in headline_lines or m.rule_id in ("headline", )
                        or m.rule_id.startswith("pattern:")])

    # the alias table has the last word on any span that is one of its forms
    for m in mentions:
        key = tuple(t.text for t in doc[m.start:m.end])
        if key in rules.aliases:
            m.label, m.canonical = rules.aliases[key]

    # 6. titles before person names; entities inside a title are part of it, not mentions
    ent_at_end = {m.end: (m.start, m.label) for m in mentions}
    for ent in doc.ents:
        ent_at_end.setdefault(ent.end, (ent.start, ent.label_))
    in_title: set[int] = set()
    for m in mentions:
        if m.label != "PERSON":
            continue
        floor = lines[line_of[m.start]].start
        title_start = _title_before(doc, m.title_start if m.title_start is not None else m.start,
                                    floor, ent_at_end, rules)
        if title_start is not None:
            if m.title_end is None:
                m.title_end = m.start
            m.title_start = title_start
        if m.title_start is not None:
            in_title.update(range(m.title_start, m.title_end))
    return [m for m in mentions if not any(i in in_title for i in range(m.start, m.end))]


# --------------------------------------------------------------------------------------------
# Linking (corpus level)

def _link_person_names(doc_names: dict[str, list[str]], corpus_full: Counter, share: float) -> dict[tuple[str, str], str]:
    """(doc_id, name) -> canonical person name.

    Within a document a name links to the full name (2+ words) ending with it (a surname) or,
    failing that, starting with it (a first name), the one with most mentions when several fit;
    full names differing only by middle names ("Donald J. Trump") share the corpus's most frequent
    form. A name with no candidate in its document links to the corpus's dominant full name."""
    # full names with the same first and last word: one form, the most frequent (then longest)
    by_ends: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for name, n in corpus_full.items():
        words = name_words(name)
        by_ends[(words[0], words[-1])][name] += n
    merged = {}
    for forms in by_ends.values():
        best = max(forms, key=lambda f: (forms[f], len(f), f))
        for form in forms:
            merged[form] = best
    corpus_counts = Counter()
    for name, n in corpus_full.items():
        corpus_counts[merged[name]] += n

    def candidates(words: list[str], pool: Iterable[str]) -> list[str]:
        n = len(words)
        last = [f for f in pool if len(name_words(f)) > n and name_words(f)[-n:] == words]
        if last:
            return last
        return [f for f in pool if len(name_words(f)) > n and name_words(f)[:n] == words]

    out = {}
    for doc_id, names in doc_names.items():
        counts = Counter(names)
        full = Counter()
        for name, n in counts.items():
            if len(name_words(name)) >= 2:
                full[merged.get(name, name)] += n
        for name in counts:
            words = name_words(name)
            canonical = merged.get(name, name)
            found = candidates(words, [f for f in full if f != canonical])
            if found:
                canonical = max(found, key=lambda f: (full[f], len(f), f))
            elif len(words) == 1 or canonical not in corpus_counts:
                pool = candidates(words, corpus_counts)
                total = sum(corpus_counts[f] for f in pool)
                if pool:
                    best = max(pool, key=lambda f: (corpus_counts[f], len(f), f))
                    if corpus_counts[best] >= share * total:
                        canonical = best
            out[(doc_id, name)] = canonical
    return out


def link_mentions(doc_mentions: list[dict], rules: EntityRules) -> tuple[list[dict], list[dict]]:
    """Give every mention row an entity; build the entity rows. Rows carry `name` (the normalised
    surface name, or an alias's canonical name) and are changed in place."""
    person_names: dict[str, list[str]] = defaultdict(list)
    corpus_full: Counter = Counter()
    for row in doc_mentions:
        if row["label"] == "PERSON":
            person_names[row["doc_id"]].append(row["name"])
            if len(name_words(row["name"])) >= 2:
                corpus_full[row["name"]] += 1
    persons = _link_person_names(person_names, corpus_full, rules.corpus_share)
    groups: dict[str, dict] = {}
    for row in doc_mentions:
        name = persons[(row["doc_id"], row["name"])] if row["label"] == "PERSON" else row["name"]
        eid = entity_id(row["label"], name)
        row["entity_id"] = eid
        group = groups.setdefault(eid, {"entity_id": eid, "label": row["label"], "name": name,
                                        "aliases": Counter(), "titles": Counter(), "n_mentions": 0,
                                        "docs": set()})
        group["aliases"][row["text"]] += 1
        if row["title"]:
            group["titles"][normalise_name(row["title"])] += 1
        group["n_mentions"] += 1
        group["docs"].add(row["doc_id"])
    entities = []
    for eid in sorted(groups):
        g = groups[eid]
        entities.append({
            "entity_id": eid, "label": g["label"], "name": g["name"],
            "aliases": sorted(g["aliases"], key=lambda a: (-g["aliases"][a], a)),
            "titles": _dedupe_titles(g["titles"]),
            "n_mentions": g["n_mentions"], "n_documents": len(g["docs"]),
        })
    return doc_mentions, entities


def _dedupe_titles(titles: Counter) -> list[str]:
    seen, out = set(), []
    for title in sorted(titles, key=lambda t: (-titles[t], t)):
        if title.lower() not in seen:
            seen.add(title.lower())
            out.append(title)
    return out


# --------------------------------------------------------------------------------------------
# Stage

def mention_rows(parsed, rules: EntityRules) -> list[dict]:
    """Mention rows of one parsed document (entity_id unset), offsets into documents.text."""
    doc = parsed.doc
    rows = []
    for m in find_mentions(doc, rules):
        start, end = parsed.text_span(m.start, m.end)
        text = doc[m.start:m.end].text
        title = title_start = title_end = None
        if m.title_start is not None:
            title = doc[m.title_start:m.title_end].text
            title_start, title_end = parsed.text_span(m.title_start, m.title_end)
        rows.append({
            "mention_id": f"{parsed.doc_id}:{start}-{end}", "doc_id": parsed.doc_id,
            "start": start, "end": end, "token_start": m.start, "token_end": m.end,
            "text": text, "label": m.label, "title": title, "title_start": title_start,
            "title_end": title_end, "entity_id": None, "rule_id": m.rule_id,
            "name": m.canonical or normalise_name(text),
        })
    return rows


def extract_entities(parsed_docs: Iterable, rules: EntityRules) -> tuple[list[dict], list[dict]]:
    """Pure heart of the stage: parsed documents -> (mention rows, entity rows)."""
    rows = [row for parsed in parsed_docs for row in mention_rows(parsed, rules)]
    rows, entities = link_mentions(rows, rules)
    for row in rows:
        del row["name"]
    return rows, entities


def run(out_dir: Path, config_dir: Path | None = None, **_) -> dict:
    config_dir = Path(config_dir or DEFAULT_CONFIG_DIR)
    record = StageRecord(STAGE, Path(out_dir), config_files=config_files(config_dir, STAGE))
    record.add_input_tables(TOKENS.name)
    rules = load_rules(config_dir)
    started = time.perf_counter()
    mentions, entities = extract_entities(iter_parsed_docs(Path(out_dir), progress="entities"), rules)
    write_table(MENTIONS, mentions, out_dir)
    write_table(ENTITIES, entities, out_dir)
    record.rows = {"mentions": len(mentions), "entities": len(entities)}
    record.extra["rules"] = dict(Counter(row["rule_id"] for row in mentions))
    record.extra["seconds_extract"] = round(time.perf_counter() - started, 3)
    return record.write()
