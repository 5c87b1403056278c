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
- `surname`: a span whose text is the surname of a person the document names in full is that
  person, whatever the model's label ("Trump" as ORG beside "Donald Trump"; "PENCE:" in capitals),
  except a place after "in";
- `relabel`: a span the document more often gives another label takes that label;
- `gazetteer`: a name known in the document (or an alias) that the model missed;
- `name_in_text`: a full name the model missed, for a person it tagged by surname only ("Mehmet
  Oz" untagged, "Oz" a PERSON): a capitalised proper noun before the surname, no title word;
- `place`: "in Glasgow" tagged PERSON but never a person elsewhere -> GPE;
- `alias`: the alias table's form -> its canonical name and label;
- `model`: the model's entity, trimmed ("the", possessives and titles kept out of the span).

A person's title ("Russian President", "Yisrael Beiteinu leader", "Organizer") is kept out of the
name and recorded in `mentions.title` with its offsets. Linking (`link_mentions`, corpus level)
then gives every mention an entity and records the evidence in `mentions.link_rule` (and, gathered,
`entities.link_rule`):

- `model` / `alias`: the mention's own name, or the alias table's;
- `corpus_person` (a rule_id): an ORG/GPE name that is a person in most other documents using it;
- `same_doc_surname` / `same_doc_first_name` / `same_doc_full_name`: a person the same document
  names in full ("Bennett", "WALLACE", "Crooked Hillary Clinton" -> "Hillary Clinton");
- `same_doc_spelling`: a surname misspelt, a letter or two from the one full name of the
  document it can be ("McLenney" -> "Tyresha McClenney");
- `name_variant` / `title_prefix`: forms of one full name ("Donald J. Trump"; "Organizer John Doe");
- `corpus_unique` / `corpus_context` / `corpus_dominant`: a surname with no full name in its
  document -> the only full name of the corpus with it, or the one whose documents look like this
  one, or (when the context says nothing) the dominant one; otherwise it stays as written;
- `dotted` / `acronym` / `person_group`: one organisation ("F.B.I." = "FBI" =
  "Federal Bureau of Investigation"; "Hillary Clinton's campaign" = "Clinton campaign");
- `unlinked`: linking the corpus raised (a W011 rejects row), so each mention keeps its own name.

Entity ids derive from the label and the canonical name (`PERSON:naftali-bennett`), never from
row order, so they are stable across runs of the same corpus.
"""

from __future__ import annotations

import math
import re
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

import ftfy
from spacy.attrs import IDX, IS_ALPHA, IS_PUNCT, IS_SPACE, LOWER
from spacy.matcher import Matcher
from spacy.tokens import Doc

from pipeline.core.config import (DEFAULT_CONFIG_DIR, compile_regex, config_files, load_stage_config, load_toml,
                     reject_unknown_keys, require)
from pipeline.steps.docs import (blank_english, body_keys, doc_text, document_order, glued_hyphen, iter_parsed_docs,
                                 lower_case_words, shared_vocab, token_strings, token_texts)
from pipeline.core.doc_cache import DocumentCache, settings_key
from pipeline.core.errors import STAGE_REJECT_CODES, ConfigError, document_failure, without_failing_step
from pipeline.core.io import replace_stage_rejects, write_table
from pipeline.core.manifest import StageRecord
from pipeline.core.schemas import ENTITIES, MENTIONS, TOKENS
from pipeline.core.workers import run_n_process, spread

STAGE = "entities"
ALIASES_FILE = "entities_aliases.toml"
GROUP_PATTERN = "org_person_group"   # the Matcher pattern whose names are "<owner> <noun>"
# Words that never own a campaign ("His campaign"), for Docs without part-of-speech tags.
CLOSED_CLASS = frozenset("the a an this that these those his her its their our my your whose".split())

# Overlap resolution: higher wins, then longer, then earlier (an explicit sort key).
PRIORITY = {"alias": 6, "pattern": 5, "split": 4, "relabel": 3, "surname": 3, "first_word": 3, "titled_name": 3, "place": 3, "model": 2,
            "gazetteer": 1, "headline": 1, "name_in_text": 1, "acronym_in_text": 1}
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
    position_res: list[re.Pattern]
    party_res: list[re.Pattern]
    byline_res: list[re.Pattern]
    name_only_max_tokens: int
    min_content_words: int
    min_capitalised_ratio: float
    function_words: frozenset[str]
    corpus_share: float
    place_prepositions: frozenset[str]
    context_posterior: float
    context_smoothing: float
    misspelling_min_length: int
    two_edit_min_length: int
    person_min_documents: int
    honorific_gender: dict[str, str]              # "mr." -> male (lower case)
    honorific_first_name_share: float
    description_min_documents: int
    name_particles: frozenset[str]
    extra_titles: frozenset[str]                  # lower case, no final dot
    name_suffixes: frozenset[str]
    org_stopwords: frozenset[str]
    person_groups: dict[str, str]                 # noun -> the noun in the canonical name
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
        _TOKENIZER = blank_english().tokenizer
    return _TOKENIZER


def compile_rules(config: dict, aliases: list[dict] | None = None, source: str = "entities.toml",
                  alias_source: str = ALIASES_FILE) -> EntityRules:
    """Check the config and build the rules (errors name the file and the key). Every key the
    rules read is recorded, so a key nothing reads (a typo, a leftover) is an error too."""
    read: set[str] = set()

    def need(key: str, kind, src: str = source):
        read.add(key)
        return require(config, key, kind, src)

    def strs(key: str) -> list[str]:
        value = need(key, list)
        if not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{source}: key '{key}' must be a list of strings")
        return value

    heads: dict[int, set[tuple[str, ...]]] = defaultdict(set)
    for head in strs("titles.heads"):
        words = tuple(w.lower() for w in _words(head))
        heads[len(words)].add(words)
    patterns = list(need("patterns", list)) if "patterns" in config else []
    person_groups = need("organisations.person_groups", dict)
    if not all(isinstance(v, str) for v in person_groups.values()):
        raise ConfigError(f"{source}: key 'organisations.person_groups' must map nouns to strings")
    person_groups = {k.lower(): v for k, v in person_groups.items()}
    if person_groups:
        patterns.append({"id": GROUP_PATTERN, "label": "ORG", "pattern": [
            {"IS_TITLE": True, "OP": "+"}, {"ORTH": {"IN": ["'s", "’s"]}, "OP": "?"},
            {"LOWER": {"IN": sorted(person_groups)}}]})
    for index, pattern in enumerate(patterns):
        if not isinstance(pattern, dict) or not {"id", "label", "pattern"} <= set(pattern):
            raise ConfigError(f"{source}: patterns[{index}] needs 'id', 'label' and 'pattern'")
        reject_unknown_keys(pattern, ("id", "label", "pattern"), source, f"patterns[{index}].")
        try:
            Matcher(shared_vocab()).add(pattern["id"], [pattern["pattern"]])
        except (ValueError, TypeError, KeyError) as exc:
            raise ConfigError(f"{source}: pattern '{pattern['id']}' is not a valid Matcher pattern: {exc}") from None
    alias_map: dict[tuple[str, ...], tuple[str, str]] = {}
    for index, alias in enumerate(aliases or []):
        if not isinstance(alias, dict) or not all(isinstance(alias.get(k), str) for k in ("form", "name", "label")):
            raise ConfigError(f"{alias_source}: alias[{index}] needs string 'form', 'name' and 'label'")
        reject_unknown_keys(alias, ("form", "name", "label", "note"), alias_source, f"alias[{index}].")
        alias_map[_alias_key(alias["form"])] = (alias["label"], normalise_name(alias["name"]))
    rules = EntityRules(
        labels=frozenset(strs("labels")),
        strip_leading=frozenset(strs("strip_leading")),
        strip_trailing=frozenset(strs("strip_trailing")),
        heads=dict(heads),
        org_heads={tuple(w.lower() for w in _words(h)) for h in strs("titles.org_heads")},
        modifiers=frozenset(m.lower() for m in strs("titles.modifiers")),
        nationalities=frozenset(strs("titles.nationalities")),
        max_title_tokens=need("titles.max_tokens", int),
        caption_res=[compile_regex(p, source) for p in strs("lines.caption_patterns")],
        position_res=[compile_regex(p, source) for p in strs("lines.position_patterns")],
        party_res=[compile_regex(p, source) for p in strs("lines.party_patterns")],
        byline_res=[compile_regex(p, source) for p in strs("lines.byline_patterns")],
        name_only_max_tokens=need("lines.name_only_max_tokens", int),
        min_content_words=need("headlines.min_content_words", int),
        min_capitalised_ratio=float(need("headlines.min_capitalised_ratio", (int, float))),
        function_words=frozenset(w.lower() for w in strs("headlines.function_words")),
        corpus_share=float(need("linking.corpus_share", (int, float))),
        place_prepositions=frozenset(w.lower() for w in strs("linking.place_prepositions")),
        context_posterior=float(need("linking.context_posterior", (int, float))),
        context_smoothing=float(need("linking.context_smoothing", (int, float))),
        misspelling_min_length=need("linking.misspelling_min_length", int),
        two_edit_min_length=need("linking.two_edit_min_length", int),
        person_min_documents=need("linking.person_min_documents", int),
        honorific_gender={**{w.lower(): "male" for w in strs("linking.male_honorifics")},
                          **{w.lower(): "female" for w in strs("linking.female_honorifics")}},
        honorific_first_name_share=float(need("linking.honorific_first_name_share", (int, float))),
        description_min_documents=need("linking.description_min_documents", int),
        name_particles=frozenset(w.lower() for w in strs("titles.name_particles")),
        extra_titles=_extra_titles(strs("titles.extra_heads")),
        name_suffixes=_name_suffixes(),
        org_stopwords=frozenset(w.lower() for w in strs("organisations.acronym_skip_words")),
        person_groups=person_groups,
        patterns=patterns,
        aliases=alias_map,
    )
    _reject_unread_keys(config, read, source)
    return rules


def _reject_unread_keys(config: dict, read: set[str], source: str) -> None:
    """A key of entities.toml that the rules never read (tables one level deep; `patterns` entries
    and `organisations.person_groups` are data, checked where they are read)."""
    for key, value in config.items():
        if isinstance(value, dict) and key not in read:
            reject_unknown_keys(value, {k.split(".", 1)[1] for k in read if k.startswith(key + ".")},
                                source, f"{key}.")
        elif key not in read:
            reject_unknown_keys({key: value}, {k for k in read if "." not in k}, source)


def _extra_titles(extra: list[str]) -> frozenset[str]:
    """Title words beyond `titles.heads`: nameparser's title lexicon (LGPL; "Coach", "Sheriff",
    "Rev") and the config's own, lower case without the final dot."""
    from nameparser.config import CONSTANTS

    return frozenset({t.lower().rstrip(".") for t in CONSTANTS.titles} | {t.lower().rstrip(".") for t in extra})


def _name_suffixes() -> frozenset[str]:
    """Generational suffixes ("Jr.", "III") from nameparser, lower case without the dot."""
    from nameparser.config import CONSTANTS

    return frozenset(s.lower().rstrip(".") for s in CONSTANTS.suffix_not_acronyms
                     if len(s) > 1 and s.isalpha() and s not in ("dr",))


def load_rules(config_dir: Path | None = None) -> EntityRules:
    config_dir = Path(config_dir or DEFAULT_CONFIG_DIR)
    config = load_stage_config(config_dir, STAGE)
    if not config:
        raise ConfigError(f"{config_dir / 'entities.toml'}: config file not found")
    alias_path = config_dir / ALIASES_FILE
    alias_file = load_toml(alias_path) if alias_path.exists() else {}
    reject_unknown_keys(alias_file, ("alias",), str(alias_path))
    return compile_rules(config, alias_file.get("alias", []), str(config_dir / "entities.toml"), str(alias_path))


# --------------------------------------------------------------------------------------------
# Names

def normalise_name(text: str) -> str:
    """Surface form -> name: mojibake repaired, typographic apostrophes made plain, whitespace
    collapsed."""
    return " ".join(repair_mojibake(text).translate(APOSTROPHES).split())


def repair_mojibake(text: str) -> str:
    """UTF-8 read as Latin-1 or Windows-1252, once or more ("FranÃÂ§ois" -> "François"), as
    scraped pages often carry it. Only names are repaired: the document text keeps its
    characters so that every offset still points into it."""
    return text if text.isascii() else ftfy.fix_text(text, _ENCODING_ONLY)


# ftfy's encoding repairs and NFC (mojibake is recognised on composed letters: "A" + U+0303 is
# "Ã"); its other fixes (plain quotes, ligatures, widths) would change names right as written.
_ENCODING_ONLY = ftfy.TextFixerConfig(unescape_html=False, uncurl_quotes=False, fix_latin_ligatures=False,
                                      fix_character_width=False, fix_line_breaks=False, normalization="NFC")


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


@dataclass
class _Tokens:
    """A Doc's tokens as lists, read once per Doc from its arrays (kept in its user_data): what the
    per-token rules compare, without a Token object per token on each pass."""
    text: list[str]
    lower: list[str]
    is_punct: list[int]
    is_space: list[int]
    is_alpha: list[int]
    idx: list[int]          # character offset in doc.text


def _tokens(doc: Doc) -> _Tokens:
    found = doc.user_data.get("_entities_tokens")
    if found is None:
        flags = doc.to_array([IS_PUNCT, IS_SPACE, IS_ALPHA, IDX]).T.tolist() if len(doc) else [[], [], [], []]
        lower = token_strings(doc, doc.to_array(LOWER).tolist() if len(doc) else [])
        found = doc.user_data["_entities_tokens"] = _Tokens(token_texts(doc), lower, *flags)
    return found


def _text_of(doc: Doc, start: int, end: int) -> str:
    """doc[start:end].text, cut from the Doc's text (the tokens and the spaces between them)."""
    if end <= start:
        return ""
    toks = _tokens(doc)
    return doc_text(doc)[toks.idx[start]:toks.idx[end - 1] + len(toks.text[end - 1])]


def split_lines(doc: Doc) -> list[tuple[int, int]]:
    """Token ranges of the document's lines (paragraphs), without the line-break tokens."""
    toks = _tokens(doc)
    space = toks.is_space
    lines, start = [], 0
    for i, (word, is_space) in enumerate(zip(toks.text, space)):
        if is_space and "\n" in word:
            if start < i:
                lines.append((start, i))
            start = i + 1
    if start < len(doc):
        lines.append((start, len(doc)))
    out = []
    for first, last in lines:
        while first < last and space[first]:
            first += 1
        while last > first and space[last - 1]:
            last -= 1
        if first < last:
            out.append((first, last))
    return out


def classify_line(doc: Doc, start: int, end: int, rules: EntityRules) -> str:
    text = _text_of(doc, start, end)
    if any(r.search(text) for r in rules.caption_res) or _position_caption(doc, start, end, text, rules):
        return "caption"
    if any(r.search(text) for r in rules.byline_res) and end - start <= 10:
        return "byline"
    words = [i for i in range(start, end) if not _tokens(doc).is_punct[i]]
    if 0 < len(words) <= rules.name_only_max_tokens and all(doc[i].ent_type_ == "PERSON" for i in words):
        return "name_only"
    if is_headline(doc, start, end, rules):
        return "headline"
    return "body"


def _position_caption(doc: Doc, start: int, end: int, text: str, rules: EntityRules) -> bool:
    """A line with a position marker ("Putin (R) speaks with Bennett") that reads like a caption:
    no quotation mark, no party marker ("(D)", "(R-Tex.)": then "(R)" is a party too) and, in a
    tagged Doc, no past-tense verb ("Gov. Pat McCrory (R) said ...")."""
    if not any(r.search(text) for r in rules.position_res):
        return False
    if any(r.search(text) for r in rules.party_res) or any(q in text for q in '"“”'):
        return False
    return not (doc.has_annotation("TAG") and any(t.tag_ == "VBD" for t in doc[start:end]))


def is_headline(doc: Doc, start: int, end: int, rules: EntityRules) -> bool:
    """A title-case line: mostly capitalised content words and no closing full stop."""
    toks = _tokens(doc)
    last = toks.text[end - 1]
    if last in (".", "…") or last.endswith("."):
        return False
    content = [toks.text[i] for i in range(start, end)
               if toks.is_alpha[i] and toks.lower[i] not in rules.function_words]
    if len(content) < rules.min_content_words:
        return False
    capitalised = sum(1 for w in content if w[0].isupper())
    return capitalised / len(content) >= rules.min_capitalised_ratio


def _trim(doc: Doc, m: Mention, rules: EntityRules) -> Mention | None:
    """Keep determiners, possessives and punctuation out of the span."""
    toks = _tokens(doc)
    text, punct, space = toks.text, toks.is_punct, toks.is_space
    start, end = m.start, m.end
    while start < end and (text[start] in rules.strip_leading or punct[start] or space[start]):
        start += 1
    while end > start and (text[end - 1] in rules.strip_trailing or space[end - 1]
                           or (punct[end - 1] and text[end - 1] not in (".",))):
        end -= 1
    # a final "." belongs to abbreviations ("U.S.", "Jr.") but not to a sentence's end
    if end > start and text[end - 1] == ".":
        end -= 1
    if start >= end or not any(w[:1].isupper() or w[:1].isdigit() for w in text[start:end]):
        return None     # nothing capitalised: "business", punctuation
    m.start, m.end = start, end
    return m


def _head_at(doc: Doc, end: int, floor: int, rules: EntityRules) -> int:
    """Length of the longest title head ending at token `end` (exclusive), 0 if none."""
    for length in sorted(rules.heads, reverse=True):
        if end - length < floor:
            continue
        words = tuple(_tokens(doc).lower[end - length:end])
        if words in rules.heads[length]:
            return length
    return 0


def _is_extra_title(token, rules: EntityRules) -> bool:
    """A word that starts a title, not a name: lower case (not a name particle such as "de",
    "van", "al"), or a title word of the wider lexicon (nameparser's titles, "Coach", "Sheriff")."""
    text = token.text
    if not text[:1].isalpha():
        return False
    if text[:1].islower():
        return text.lower() not in rules.name_particles
    return text.lower().rstrip(".") in rules.extra_titles


def _leading_title(doc: Doc, m: Mention, rules: EntityRules) -> int:
    """Inside a PERSON span, tokens of a leading title ("PM Bennett"): index where the name starts."""
    i, name_start = m.start, m.start
    while i < m.end - 1:
        token = doc[i]
        length = 0
        for n in sorted(rules.heads, reverse=True):
            if i + n < m.end and tuple(_tokens(doc).lower[i:i + n]) in rules.heads[n]:
                length = n
                break
        if not length and m.end - i >= 3 and _is_extra_title(token, rules):
            length = 1       # "organizer John Doe", "Coach John Doe": a word no name starts with
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
            last_head = tuple(_tokens(doc).lower[j - head:j])
            j -= head
            found = True
            continue
        if not found:
            break
        ent = ent_at_end.get(j)
        # (an organisation before its head first: it may end in a modifier, "Clinton campaign manager")
        if ent and ent[1] == "ORG" and last_head in rules.org_heads and j - ent[0] <= 5:
            j = ent[0]
        elif token.lower_ in rules.modifiers or token.text in rules.nationalities:
            j -= 1
        elif ent and ent[1] in ("NORP", "GPE") and j - ent[0] <= 3:
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
                 require_upper: bool = True, skip: tuple[str, ...] | None = None) -> list[tuple[int, int, str]]:
    """Longest-first matches of known names (token tuples) in doc[start:end], the key `skip` left out."""
    words = token_texts(doc)
    found, i = [], start
    while i < end:
        hit = None
        if not require_upper or words[i][:1].isupper():
            for n in range(min(max_len, end - i), 0, -1):
                key = tuple(words[i:i + n])
                if key in keys and key != skip:
                    hit = (i, i + n, keys[key])
                    break
        if hit:
            found.append(hit)
            i = hit[1]
        else:
            i += 1
    return found


def _after_place_preposition(doc: Doc, m: Mention, rules: EntityRules) -> bool:
    return m.start > 0 and doc[m.start - 1].lower_ in rules.place_prepositions


def _is_name_word(token) -> bool:
    """A word of a name: letters, with an apostrophe or a hyphen allowed ("O’Malley",
    "D'Souza", "Ocasio-Cortez"), not punctuation and not an initial's dot alone."""
    return bool(re.fullmatch(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*", token.text))


def _document_surnames(doc: Doc, persons: list[Mention], suffixes: frozenset[str],
                       particles: frozenset[str] = frozenset()) -> set[tuple[str, ...]]:
    """Surnames (as token tuples) of the persons a document names with two words or more, as
    written and in capitals, and with their particles; a name whose last word is a generational
    suffix ("Jr.") is skipped."""
    out = set()
    for m in persons:
        if any(w in (",", ";", ":", "—", "–") for w in token_texts(doc)[m.start:m.end]):
            continue        # "OSCEOLA, Iowa": a dateline, not a name
        words = [t for t in doc[m.start:m.end] if _is_name_word(t) and t.lower_.rstrip(".") not in suffixes]
        if len(words) < 2 or not words[-1].text[:1].isupper() or len(words[-1].text) < 2:
            continue
        last = words[-1].text
        out.add((last,))
        out.add((last.upper(),))
        # with its particles, which open a sentence in capitals: "el-Sisi" / "El-Sisi said"
        k = words[-1].i
        while k > m.start and (doc[k - 1].lower_ in particles or glued_hyphen(doc[k - 1])):
            k -= 1
        if m.start < k < words[-1].i and doc[k].lower_ in particles:     # (not "La Raza": no name before)
            with_particles = tuple(t.text for t in doc[k:words[-1].i + 1])
            out.add(with_particles)
            out.add((with_particles[0].capitalize(),) + with_particles[1:])
    return out


def _first_name_and_surname(doc: Doc, m: Mention, full_persons: set[str], rules: EntityRules) -> bool:
    """"Carly Fiorina" tagged ORG in an article that names "Frank Fiorina" a PERSON: two words,
    the last the surname of another person the document names in full (a name, not a word the
    document writes in lower case: "Vigo County" beside "Bellwether County"), the first a listed
    first name (no title word): another person of that family, not an organisation ("Clinton
    Foundation", "Trump Tower" end with no surname)."""
    words = [t for t in doc[m.start:m.end] if not t.is_space]
    text = " ".join(t.text for t in words)
    if len(words) != 2 or not words[0].is_title or \
            _is_title_word(words[0], rules) or _is_extra_title(words[0], rules):
        return False
    last = words[-1].text
    if not any(name.split()[-1] == last and name != text for name in full_persons) or \
            any(t.lower_ == last.lower() and t.text.islower() for t in doc):
        return False
    return _is_listed_first_name(words[0].text)


def _titled_name(doc: Doc, m: Mention, rules: EntityRules) -> bool:
    """"moderator Lester Holt", "CNN anchor Jake Tapper" tagged ORG: two or three capitalised words
    opening with a listed first name, right after a person's title head, are a person (an
    organisation takes no person's title: "spokesman Ford Motor" is not written)."""
    words = [t for t in doc[m.start:m.end] if not t.is_space]
    if not 2 <= len(words) <= 3 or not all(t.is_title for t in words) or m.start == 0:
        return False
    # (a capitalised head opening the document is a headline's word, not a title: "Host Fox ...")
    if not _head_at(doc, m.start, 0, rules) or doc[m.start - 1].text[:1].isupper() and m.start - 1 == 0:
        return False
    return _is_listed_first_name(words[0].text) and not _is_title_word(words[0], rules)


def _first_word_of_one_person(doc: Doc, m: Mention, full_persons: set[str]) -> bool:
    """"Wang" tagged ORG in an article that names "Wang Yi": one word that opens the name of one
    person the document names in full is that person (a family name written first, as Chinese
    and Korean names are; or a first name); not a word shared by two names. (The caller decides
    for a word tagged as a place.)"""
    if m.end - m.start != 1 or not doc[m.start].is_title:
        return False
    word = doc[m.start].text
    return len({name for name in full_persons if name.split()[0] == word and name != word}) == 1


def _group_owner(doc: Doc, m: Mention) -> Mention | None:
    """"His campaign", "Presidential campaign": the words before the noun must be a name (proper
    nouns when the Doc is tagged, or words the model took for a name: "Trump" in "Trump's campaign"
    is often a NOUN tagged ORG, "O’Malley" an X; untagged, capitalised words that are not determiners or pronouns)."""
    tagged = doc.has_annotation("TAG")
    start = m.start
    while start < m.end - 1 and (doc[start].pos_ in ("DET", "PRON", "ADJ") if tagged
                                 else doc[start].lower_ in CLOSED_CLASS):
        start += 1
    owner = [t for t in doc[start:m.end - 1] if _is_name_word(t)]
    if not owner or (tagged and any(t.pos_ != "PROPN" and not t.ent_type_ for t in owner)):
        return None
    m.start = start
    return m


def _missed_full_names(doc: Doc, mentions: list[Mention], surnames: set[tuple[str, ...]],
                       body_lines: list[tuple[int, int]], rules: EntityRules) -> list[Mention]:
    """Full names the model missed, for a one-word person the document never names in full
    otherwise: "Dr. Mehmet Oz" untagged beside "Oz" (PERSON). The word before the surname must be
    a capitalised proper noun that is no title word ("President Obama"), no other entity
    ("Tuesday Trump", "Iowa Trump") and no word the document also writes in lower case ("the
    Crime Bill"); rule_id `name_in_text`."""
    taken = {i for m in mentions for i in range(m.start, m.end)}
    single = {doc[m.start].text for m in mentions
              if m.label == "PERSON" and m.end - m.start == 1 and (doc[m.start].text,) not in surnames}
    if not single:
        return []
    tagged = doc.has_annotation("TAG")
    lower = lower_case_words(doc)   # "Crime Bill": "crime" is a word
    words = token_texts(doc)
    found = []
    for start, end in body_lines:
        for i in range(max(start, 1), end):
            if words[i] not in single:
                continue
            token, before = doc[i], doc[i - 1]
            if (i - 1 < start or before.i in taken
                    or not before.is_alpha or not before.is_title or len(before.text) < 2
                    or before.text.lower() in lower
                    or _is_title_word(before, rules) or _is_extra_title(before, rules)
                    or before.ent_type_ not in ("", "PERSON") or (tagged and before.pos_ != "PROPN")):
                continue
            found.append(Mention(i - 1, i + 1, "PERSON", "name_in_text"))
    return found


def _acronyms_in_text(doc: Doc, mentions: list[Mention], body_lines: list[tuple[int, int]],
                      rules: EntityRules) -> list[Mention]:
    """The initials of an organisation the document names in full, written alone and missed by the
    model ("Christian News Service reported ... CNS reported Monday"; "F.B.I." for the "Federal
    Bureau of Investigation"): that organisation (rule_id `acronym_in_text`; linking joins the two
    forms). Three letters or more; not a word the document also writes in lower case."""
    initials = {}
    for m in mentions:
        if m.label == "ORG":
            found = acronym_of(normalise_name(_text_of(doc, m.start, m.end)), rules.org_stopwords)
            if found and is_acronym(found):
                initials[found] = m.label
    if not initials:
        return []
    taken = {i for m in mentions for i in range(m.start, m.end)}
    lower = {w.lower() for w in lower_case_words(doc)}
    words = token_texts(doc)
    out = []
    for start, end in body_lines:
        for i in range(start, end):
            text = words[i]
            # (the cheap tests first: most words are taken or not capitalised)
            if i in taken or not text[:1].isupper():
                continue
            key = dotted_key(text.rstrip(".") + ("." if "." in text else ""))
            if key not in initials or text.lower() in lower:
                continue
            out.append(Mention(i, i + 1, initials[key], "acronym_in_text"))
    return out


def find_mentions(doc: Doc, rules: EntityRules) -> list[Mention]:
    """Pure heart of the stage, per document: corrected mentions with titles, before linking."""
    lines = [Line(s, e, classify_line(doc, s, e, rules)) for s, e in split_lines(doc)]
    line_of = {}
    for index, line in enumerate(lines):
        for i in range(line.start, line.end):
            line_of[i] = index
    usable = {k for k, line in enumerate(lines) if line.kind in ("body", "headline")}
    body_lines = [(lines[k].start, lines[k].end) for k in usable if lines[k].kind == "body"]

    model = _model_mentions(doc, rules, line_of, usable)                       # 1. the model's entities
    patterns = _pattern_mentions(doc, rules, line_of, usable, model)           # 2. Matcher patterns
    body = [m for m in model if line_of.get(m.start) is not None and lines[line_of[m.start]].kind == "body"]
    gazetteer = _Gazetteer.of(doc, body + patterns, rules)                     # 3. the document's names
    fixed = [c for m in body for c in _corrected(doc, m, body, gazetteer, rules)]   # 4. span corrections

    # 5. headlines: only known names; elsewhere, known names the model missed (never inside
    #    a span already found)
    occupied = {i for m in fixed + patterns for i in range(m.start, m.end)}
    headline_lines = {k for k in usable if lines[k].kind == "headline"}
    for k in usable:
        line = lines[k]
        for s, e, label in _greedy_keys(doc, line.start, line.end, gazetteer.keys, gazetteer.max_len):
            if k not in headline_lines and any(i in occupied for i in range(s, e)):
                continue
            key = tuple(token_texts(doc)[s:e])
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
        key = tuple(token_texts(doc)[m.start:m.end])
        if key in rules.aliases:
            m.label, m.canonical = rules.aliases[key]

    mentions = sorted(mentions + _acronyms_in_text(doc, mentions, body_lines, rules), key=lambda m: m.start)
    missed = _missed_full_names(doc, mentions, gazetteer.surnames, body_lines, rules)
    widened = {m.end - 1 for m in missed}
    mentions = sorted([m for m in mentions if not (m.end - m.start == 1 and m.start in widened)] + missed,
                      key=lambda m: m.start)
    return _titled(doc, mentions, lines, line_of, rules)                       # 6. titles


def _model_mentions(doc: Doc, rules: EntityRules, line_of: dict[int, int], usable: set[int]) -> list[Mention]:
    """The model's entities in usable lines, trimmed; a leading title inside a PERSON span moved out."""
    model: list[Mention] = []
    widened: list[tuple[int, int]] = []     # tokens a person's name took in past the model's span
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
            if not any(w[:1].isupper() for w in token_texts(doc)[m.start:m.end]):
                continue
            end = _through_particles(doc, _through_hyphen(doc, m.start, m.end), rules)
            if end > m.end:
                widened.append((m.end, end))
                m.end = end
        # an organisation that is only a title word before a title ("Defense" in "Defense Minister")
        if m.label in ("ORG", "PERSON", "NORP") and all(_is_title_word(t, rules) for t in doc[m.start:m.end]) \
                and _head_at(doc, m.end + 1, 0, rules) and m.title_start is None:
            continue
        model.append(m)
    # what a widened name took in is no entity of its own ("Leyen" as GPE)
    return [m for m in model if m.label == "PERSON" or not any(a < m.end and m.start < b for a, b in widened)]


def _through_hyphen(doc: Doc, start: int, end: int) -> int:
    """End of a person's name that the model cut inside a hyphenated given name ("Moon Jae" +
    "-in", "Ban Ki" + "-moon"): the lower-case rest is the name's when the whole word is a first
    name of the name list. Not after a one-word name, nor a word ("Clinton-run", "Graham-type")
    or another name ("Clinton-Kaine", "Dodd-Frank")."""
    if end - start >= 2 and end + 1 < len(doc) and glued_hyphen(doc[end]) and doc[end + 1].is_alpha and \
            doc[end + 1].is_lower:
        if _is_listed_first_name(doc[end - 1:end + 2].text):
            return end + 2
    return end


def _is_listed_first_name(word: str) -> bool:
    """Whether the first-name list (quotes/gender.py) has `word`."""
    from pipeline.steps.quotes.gender import first_name_genders   # (here: the quotes package imports this module)

    return first_name_genders([word]).get(word.lower()) is not None


def _through_particles(doc: Doc, end: int, rules: EntityRules) -> int:
    """End of a person's name that the model cut at its lower-case particles ("Ursula von der" +
    "Leyen", "Ursula" + "von der Leyen"): the particles and the capitalised name words after
    them are the name's; `end` itself when none follow."""
    j = end
    while j < len(doc) and doc[j].text[:1].islower() and doc[j].lower_ in rules.name_particles:
        j += 1
    if j == end and not (doc[end - 1].text[:1].islower() and doc[end - 1].lower_ in rules.name_particles):
        return end
    k = j
    while k < len(doc) and k - j < 3 and doc[k].text[:1].isupper() and _is_name_word(doc[k]):
        k += 1
    return k if k > j else end


def _pattern_mentions(doc: Doc, rules: EntityRules, line_of: dict[int, int], usable: set[int],
                      model: list[Mention]) -> list[Mention]:
    """Matcher patterns' mentions in usable lines (organisations the model misses)."""
    labels = rules.pattern_labels
    patterns: list[Mention] = []
    for match_id, start, end in rules.matcher(doc.vocab)(doc):
        rule = doc.vocab.strings[match_id]
        m = _trim(doc, Mention(start, end, labels[rule], f"pattern:{rule}"), rules)
        if m is not None and rule == GROUP_PATTERN:
            m = _group_owner(doc, m)
        if m is not None and line_of.get(m.start) in usable:
            patterns.append(m)
    # a pattern inside a longer model entity of the same label adds nothing ("Russian Foreign
    # Ministry" found whole by the model, "Foreign Ministry" by the pattern)
    return [p for p in patterns if not any(o.label == p.label and o.start <= p.start and p.end <= o.end
                                           and (o.start, o.end) != (p.start, p.end) for o in model)]


@dataclass
class _Gazetteer:
    """The document's own names: label votes of the names seen in body lines (surnames count
    double), the label each name goes by (`keys`, aliases included), and the surnames of the
    persons it names in full."""
    votes: dict[tuple[str, ...], Counter]
    keys: dict[tuple[str, ...], str]
    surnames: set[tuple[str, ...]]
    full_persons: set[str]
    max_len: int

    @classmethod
    def of(cls, doc: Doc, found: list[Mention], rules: EntityRules) -> "_Gazetteer":
        votes: dict[tuple[str, ...], Counter] = defaultdict(Counter)
        for m in found:
            key = tuple(token_texts(doc)[m.start:m.end])
            votes[key][m.label] += 1
            if m.label == "PERSON" and m.end - m.start >= 2:
                words = [t for t in doc[m.start:m.end] if _is_name_word(t)]
                if words:
                    votes[(words[-1].text,)]["PERSON"] += 2
        keys = {key: max(c, key=lambda lab: (c[lab], -LABEL_ORDER.index(lab) if lab in LABEL_ORDER else -99))
                for key, c in votes.items()}
        for key, (label, _) in rules.aliases.items():
            keys.setdefault(key, label)
        # the surname of a person named in full in the document is that person, whatever label the
        # model gave it ("Trump" as ORG beside "Donald Trump"); also in capitals ("PENCE:")
        surnames = _document_surnames(doc, [m for m in found if m.label == "PERSON"], rules.name_suffixes,
                                      rules.name_particles)
        full_persons = {_text_of(doc, m.start, m.end) for m in found if m.label == "PERSON" and m.end - m.start >= 2}
        for key in surnames:
            keys[key] = "PERSON"
        return cls(votes, keys, surnames, full_persons, max((len(k) for k in keys), default=1))


def _corrected(doc: Doc, m: Mention, body: list[Mention], names: _Gazetteer, rules: EntityRules) -> list[Mention]:
    """A model mention of a body line as the document's names correct it: an alias, a surname, a
    split of names the model glued, a relabel, a place; else itself. (A first name and surname
    relabelled PERSON is recorded in `names.keys`, for its other occurrences.)"""
    keys, votes = names.keys, names.votes
    key = tuple(token_texts(doc)[m.start:m.end])
    if key in rules.aliases:
        label, canonical = rules.aliases[key]
        return [Mention(m.start, m.end, label, "alias", canonical, m.title_start, m.title_end)]
    if m.label != "PERSON" and key in names.surnames and not _after_place_preposition(doc, m, rules):
        return [Mention(m.start, m.end, "PERSON", "surname", None, m.title_start, m.title_end)]
    # (a place only when the document's other uses of the word make it a person at least as often:
    # "South Korea's Yoon" in the headline, "Yoon said" below; not "Jordan" beside "Jordan Peterson")
    if (m.label == "ORG" or m.label == "GPE" and votes[key]["PERSON"] >= votes[key]["GPE"]
            and not _after_place_preposition(doc, m, rules)) and _first_word_of_one_person(doc, m, names.full_persons):
        return [Mention(m.start, m.end, "PERSON", "first_word", None, m.title_start, m.title_end)]
    if m.label == "ORG" and _titled_name(doc, m, rules):
        keys[key] = "PERSON"      # its other occurrences too, as below
        return [Mention(m.start, m.end, "PERSON", "titled_name", None, m.title_start, m.title_end)]
    if m.label != "PERSON" and _first_name_and_surname(doc, m, names.full_persons, rules):
        keys[key] = "PERSON"      # its other occurrences too (the gazetteer, in find_mentions)
        return [Mention(m.start, m.end, "PERSON", "surname", None, m.title_start, m.title_end)]
    pieces = [p for p in _greedy_keys(doc, m.start, m.end, keys, names.max_len, skip=key)
              if p[1] - p[0] < m.end - m.start]
    covered = {i for s, e, _ in pieces for i in range(s, e)}
    rest = [t for t in doc[m.start:m.end] if t.i not in covered]
    # split only names glued by the model: pieces of different labels ("Russia Bennett") or
    # joined by a lower-case word ("Macron and Lapid"); never "Donald Trump" into two names
    # and only into names seen at least twice (or aliases), out of a span seen once
    joined = any(pieces[k][1] < pieces[k + 1][0] for k in range(len(pieces) - 1))
    sure = all(votes[p_key][label] >= 2 or p_key in rules.aliases
               for p_key, label in ((tuple(token_texts(doc)[s:e]), label) for s, e, label in pieces))
    if (len(pieces) >= 2 and sure and sum(votes[key].values()) <= 1
            and any(label == "PERSON" for _, _, label in pieces)
            and (joined or len({label for _, _, label in pieces}) > 1)
            and not any(t.text[:1].isupper() for t in rest)):
        return [Mention(s, e, label, "split") for s, e, label in pieces]
    best = keys.get(key, m.label)
    if (best != m.label and votes[key][best] >= 2 * votes[key][m.label]
            and not (best == "PERSON" and _after_place_preposition(doc, m, rules))):
        return [Mention(m.start, m.end, best, "relabel", None, m.title_start, m.title_end)]
    if m.label == "PERSON" and m.end - m.start == 1 and _after_place_preposition(doc, m, rules):
        elsewhere = sum(1 for o in body if o.label == "PERSON" and o is not m
                        and tuple(token_texts(doc)[o.start:o.end]) == key
                        and not (o.start > 0 and doc[o.start - 1].lower_ in rules.place_prepositions))
        surname = any(o.label == "PERSON" and o.end - o.start >= 2 and doc[o.end - 1].text == key[0]
                      for o in body)
        if not elsewhere and not surname:
            return [Mention(m.start, m.end, "GPE", "place")]
    return [m]


def _titled(doc: Doc, mentions: list[Mention], lines: list[Line], line_of: dict[int, int],
            rules: EntityRules) -> list[Mention]:
    """Titles before person names set; entities inside a title are part of it, not mentions."""
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

def _fold(word: str) -> str:
    return word.casefold().rstrip(".")


def _name_key(words: list[str]) -> tuple[str, ...]:
    return tuple(_fold(w) for w in words)


@dataclass
class _Person:
    """A person's full name across the corpus: its documents, titles and neighbours."""
    name: str
    docs: set = field(default_factory=set)
    features: Counter = field(default_factory=Counter)   # document features, counted per document


# A full name as the corpus may link to it: capitalised words of letters (with hyphens,
# apostrophes, dots), particles in lower case allowed ("Bill de Blasio"), nothing else ("@", digits).
NAME_RE = re.compile(r"[A-Z][\w.'’-]*(?: (?:[a-z]{1,4} )?[A-Z][\w.'’-]*)+")


def _person_parts(name: str, suffixes: frozenset[str]) -> list[str]:
    """Name words without a trailing generational suffix: "Donald Trump Jr." -> Donald, Trump."""
    words = name_words(name)
    while len(words) > 1 and _fold(words[-1]) in suffixes:
        words = words[:-1]
    return words


def _title_features(title: str | None) -> set[str]:
    return {f"title:{w.casefold().rstrip('.')}" for w in (title or "").split() if w[:1].isalpha()}


def link_person_names(rows: list[dict], doc_features: dict[str, set[str]], rules: EntityRules,
                      common_words: frozenset[str] = frozenset()) -> dict[tuple[str, str], tuple[str, str]]:
    """(doc_id, name) -> (canonical person name, link_rule) for the PERSON rows.

    - Full names that share first and last word ("Donald J. Trump") take the corpus's most
      frequent form (`name_variant`); a first word before a full name the corpus uses on its own
      (at least as often) is a title when it is a title word or a word the corpus writes in lower
      case (`common_words`): "Rival Hillary Clinton", "Billionaire Donald Trump" (`title_prefix`).
    - Within a document, a name links to the full name ending with it (`same_doc_surname`, case
      ignored: "TRUMP"; also a first surname: "Acosta" in "Melba Acosta Febo") or, failing that,
      starting with it (`same_doc_first_name`), the one with most mentions when several fit; two
      full names one ending the other are one person (`same_doc_full_name`); a tie goes to the
      full name the corpus uses most.
    - A name with no full name in its document links across the corpus: to the only full name
      that fits (`corpus_unique`); among several, to the one whose documents look like this one
      (its other entities and the titles written with the name: `corpus_context`, a naive Bayes
      posterior of at least `linking.context_posterior`); when the context says nothing, to a
      full name holding `linking.corpus_share` of the mentions (`corpus_dominant`). Otherwise the
      name stays as written: ambiguous.
    """
    suffixes = rules.name_suffixes
    # 1. full names, their variants and their profiles
    merged, canon_counts = _full_name_forms(rows, rules, common_words)

    names_by_doc: dict[str, Counter] = defaultdict(Counter)
    titles_by_doc_name: dict[tuple[str, str], set[str]] = defaultdict(set)
    honorific_by_doc_name: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in rows:
        names_by_doc[row["doc_id"]][row["name"]] += 1
        titles_by_doc_name[(row["doc_id"], row["name"])] |= _title_features(row.get("title"))
        first_word = (row.get("title") or "").split()[:1]
        if first_word and first_word[0].lower() in rules.honorific_gender:
            honorific_by_doc_name[(row["doc_id"], row["name"])].add(rules.honorific_gender[first_word[0].lower()])
    first_gender = _first_name_gender_of(canon_counts, rules.honorific_first_name_share)

    def same_gender(doc_id: str, name: str, found: list[str]) -> list[str]:
        """The full names a surname written with honorifics of one gender may stand for."""
        genders = honorific_by_doc_name.get((doc_id, name), set())
        if len(genders) != 1:
            return found
        gender = next(iter(genders))
        # (a name written first is a family name there: "Mr. Ban" is "Ban Ki-moon")
        return [f for f in found if _fold(name_words(f)[0]) == _fold(name) or first_gender(f) in (None, gender)]

    names = _NameIndex(suffixes)
    keys, index, candidates = names.keys, names.index, names.candidates
    corpus_surnames = {keys(f)[0][-1] for f in canon_counts}
    full_docs: dict[str, set[str]] = defaultdict(set)      # full name -> documents using it
    for row in rows:
        if row["name"] in merged:
            full_docs[merged[row["name"]][0]].add(row["doc_id"])

    # 2. within each document
    out: dict[tuple[str, str], tuple[str, str]] = {}
    unresolved: list[tuple[str, str]] = []
    profiles: dict[str, _Person] = {}
    for doc_id, counts in names_by_doc.items():
        full = Counter()
        for name, n in counts.items():
            if name in merged:
                full[merged[name][0]] += n
        home = _document_home(full, canon_counts, full_docs, suffixes)
        for name in counts:
            words = _person_parts(name, suffixes)
            canonical, rule = merged.get(name, (name, "model"))
            if canonical in home and home[canonical] != canonical:
                canonical, rule = home[canonical], "same_doc_full_name"
            elif canonical not in home:
                found, how = candidates(words, index(full))
                found = same_gender(doc_id, name, found)
                if found:
                    # (a tie in the document goes to the name the corpus uses most)
                    canonical = home[max(found, key=lambda f: (full[f], canon_counts[f], len(f), f))]
                    rule = f"same_doc_{how}"
                elif (spelt := _misspelt_surname(words, full, corpus_surnames, rules)) is not None:
                    canonical, rule = home[spelt], "same_doc_spelling"
                elif name not in merged:
                    unresolved.append((doc_id, name))
            out[(doc_id, name)] = (canonical, rule)
        for name in full:
            person = profiles.setdefault(name, _Person(name))
            person.docs.add(doc_id)
            person.features.update(doc_features.get(doc_id, set()))
    for row in rows:
        # titles written with the full name only: a surname linked within a document may be
        # another person of that name ("Mr. Obama" in an article naming only Michelle Obama)
        canonical = out[(row["doc_id"], row["name"])][0]
        if canonical in profiles and row["name"] in merged:
            profiles[canonical].features.update(_title_features(row.get("title")))

    # 3. across the corpus, for names with no full name in their document
    df = Counter(f for feats in doc_features.values() for f in feats)
    n_docs = max(1, len(doc_features))
    background = {f: n / n_docs for f, n in df.items()}
    # across documents only surnames link, and only to names that look like names: "Francis" is
    # not "Francis Gary Powers" elsewhere, "Latinos" not "Among Latinos"
    pool_names = index(f for f in canon_counts if NAME_RE.fullmatch(f)
                       and (name_words(f)[0].lower() not in common_words or len(full_docs[f]) >= 2))
    for doc_id, name in unresolved:
        words = _person_parts(name, suffixes)
        pool, how = candidates(words, pool_names)
        pool = same_gender(doc_id, name, pool)
        if pool and how == "surname":
            features = doc_features.get(doc_id, set()) | titles_by_doc_name[(doc_id, name)]
            link = _corpus_link(pool, features, profiles, background, canon_counts, rules)
            if link is not None:
                out[(doc_id, name)] = link
    return out


def _full_name_forms(rows: list[dict], rules: EntityRules, common_words: frozenset[str]
                     ) -> tuple[dict[str, tuple[str, str]], Counter]:
    """(full name as written -> (its canonical form, link_rule), mentions per canonical form) over
    the corpus's PERSON rows: variants sharing first and last word take the most frequent form;
    a title word before a full name of its own is dropped."""
    suffixes = rules.name_suffixes
    corpus_full: Counter = Counter()
    for row in rows:
        if len(_person_parts(row["name"], suffixes)) >= 2:
            corpus_full[row["name"]] += 1
    by_ends: dict[tuple, Counter] = defaultdict(Counter)
    for name, n in corpus_full.items():
        words = name_words(name)
        by_ends[(_fold(words[0]), _fold(words[-1]))][name] += n
    merged: dict[str, tuple[str, str]] = {}
    for forms in by_ends.values():
        best = max(forms, key=lambda f: (forms[f], len(f), f))
        for form in forms:
            merged[form] = (best, "model" if form == best else "name_variant")
    # "Organizer John Doe" -> "John Doe": a title word before a full name of its own (names found
    # in headlines or by the gazetteer keep such words)
    title_words = rules.extra_titles | rules.modifiers | {h[0].rstrip(".") for h in rules.heads.get(1, ())}
    canon_counts = Counter()
    for name, n in corpus_full.items():
        canon_counts[merged[name][0]] += n
    tails = {_name_key(name_words(f)): f for f in canon_counts}
    for name in list(merged):
        words = name_words(name)
        tail = _name_key(words[1:])
        if (len(words) >= 3 and (_fold(words[0]) in title_words or words[0].lower() in common_words)
                and tail in tails and words[1][:1].isupper() and tails[tail] != merged[name][0]
                and canon_counts[tails[tail]] >= corpus_full[name]):
            merged[name] = (tails[tail], "title_prefix")
    for name in list(merged):   # a variant of a prefixed form follows it
        target, rule = merged[name]
        if target in merged and merged[target][0] != target:
            merged[name] = (merged[target][0], merged[target][1] if rule == "model" else rule)
    canon_counts = Counter()
    for name, n in corpus_full.items():
        canon_counts[merged[name][0]] += n
    return merged, canon_counts


class _NameIndex:
    """Full names by their folded words, and the full names a partial name may stand for."""

    def __init__(self, suffixes: frozenset[str]):
        self.suffixes = suffixes
        self.keys_of: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}   # name -> (parts, words) folded

    def keys(self, f: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        if f not in self.keys_of:
            self.keys_of[f] = (_name_key(_person_parts(f, self.suffixes)), _name_key(name_words(f)))
        return self.keys_of[f]

    def index(self, pool) -> dict[str, list[str]]:
        """Names by each of their folded words (candidates share a word with the name sought)."""
        out: dict[str, list[str]] = defaultdict(list)
        for f in pool:
            for word in set(self.keys(f)[0]) | set(self.keys(f)[1]):
                out[word].append(f)
        return out

    def candidates(self, words: list[str], pool: dict[str, list[str]]) -> tuple[list[str], str]:
        keys = self.keys
        key, n = _name_key(words), len(words)
        near = pool.get(key[-1], []) if key else []
        last = [f for f in near if len(keys(f)[0]) > n and keys(f)[0][-n:] == key]
        if last:
            return last, "surname"
        near = pool.get(key[0], []) if key else []
        first = [f for f in near if len(keys(f)[1]) > n and keys(f)[1][:n] == key]
        if first or n != 1:
            return first, "first_name"
        # "Acosta" for "Melba Acosta Febo": a first surname of a name of three words or more
        middle = [f for f in near if len(keys(f)[0]) >= 3 and key[0] in keys(f)[0][1:-1]]
        return middle, "surname"


def _document_home(full: Counter, canon_counts: Counter, full_docs: dict[str, set[str]],
                   suffixes: frozenset[str]) -> dict[str, str]:
    """Each full name of one document -> the form it goes by there. Two full names, one ending
    the other ("Francis Gary Powers", "Gary Powers"; "Crooked Hillary Clinton", "Hillary
    Clinton") are one person, under the longer form unless the shorter is a first name and
    surname (two words or more, the first capitalised: not "Holtz-Eakin", "de Blasio") that more
    documents use without the longer one than use the longer one at all."""
    parts = {f: _name_key(_person_parts(f, suffixes)) for f in full}
    home = {}
    for f in full:
        same = [g for g in full if len(parts[g]) >= 2 and len(parts[f]) >= 2 and (
            parts[g][-len(parts[f]):] == parts[f] or parts[f][-len(parts[g]):] == parts[g])]
        longest = max(same, key=lambda g: (len(parts[g]), canon_counts[g], g))
        home[f] = longest
        for g in same:
            words = g.split()
            if (g != longest and len(words) >= 2 and words[0][:1].isupper()
                    and len(full_docs[g] - full_docs[longest]) > len(full_docs[longest])):
                home[f] = g
                break
    return home


def _corpus_link(pool: list[str], features: set[str], profiles: dict[str, _Person], background: dict[str, float],
                 canon_counts: Counter, rules: EntityRules) -> tuple[str, str] | None:
    """(full name, link_rule) for a surname with no full name in its document, among the corpus's
    full names that fit (`pool`): the only one, the one whose documents look like this one, the
    dominant one when the context says nothing; None when it stays ambiguous."""
    if len(pool) == 1:
        return pool[0], "corpus_unique"
    best, posterior = _context_choice(pool, features, profiles, background, rules.context_smoothing)
    if best is not None:
        return (best, "corpus_context") if posterior >= rules.context_posterior else None
    total = sum(canon_counts[f] for f in pool)
    top = max(pool, key=lambda f: (canon_counts[f], len(f), f))
    return (top, "corpus_dominant") if canon_counts[top] >= rules.corpus_share * total else None


def _edits(a: str, b: str, limit: int) -> int:
    """Levenshtein distance of two words, or limit + 1 once it exceeds `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
        if min(row) > limit:
            return limit + 1
    return row[-1]


def _misspelt_surname(words: list[str], full: Counter, corpus_surnames: set[str], rules: EntityRules) -> str | None:
    """"McLenney" or "Bornsten" in an article naming "Tyresha McClenney" / "Harold Bornstein": a
    one-word name that no full name of the corpus ends with, a letter or two from the surname of
    exactly one full name of its document (same initial; `linking.misspelling_min_length` letters
    or more; two edits for a surname of `linking.two_edit_min_length` letters or more): the
    writer's typo, not a new person (nor a family: "the Clintons")."""
    if len(words) != 1 or len(words[0]) < rules.misspelling_min_length or not words[0][:1].isupper():
        return None
    word = _fold(words[0])
    if word in corpus_surnames:
        return None

    def near(last: str) -> bool:
        # (a family in the plural, "the Clintons", is no typo of "Clinton")
        if word in (last + "s", last + "es"):
            return False
        limit = 2 if len(last) >= rules.two_edit_min_length else 1
        return last[:1] == word[:1] and _edits(word, last, limit) <= limit

    fits = [f for f in full if len(name_words(f)) >= 2 and near(_fold(name_words(f)[-1]))]
    return fits[0] if len(fits) == 1 else None


def _first_name_gender_of(full_names, min_share: float):
    """full name -> the gender of its first name when the first-name list is sure of it
    (`min_share` of its bearers), else None; looked up in one batch."""
    from pipeline.steps.quotes.gender import first_name_genders, first_name_of   # (the quotes package imports this module)

    firsts = {name: first_name_of(name) for name in full_names}
    known = first_name_genders(f for f in firsts.values() if f)

    def gender(name: str) -> str | None:
        first = firsts.get(name) if name in firsts else first_name_of(name)
        hit = known.get(first.lower()) if first else None
        return hit[0] if hit is not None and hit[1] >= min_share else None
    return gender


def _context_choice(pool: list[str], features: set[str], profiles: dict[str, _Person],
                    background: dict[str, float], smoothing: float) -> tuple[str | None, float]:
    """The full name whose documents look most like this one: a naive Bayes over the features
    (other entities, title words) that some candidate's documents have, with the number of
    documents naming each candidate as prior. A rate is smoothed towards the feature's share of
    all documents (`smoothing` pseudo-documents), so that a person named in one document is not
    favoured for what nobody has seen. (None, 0) when no feature concerns the candidates."""
    people = [profiles[f] for f in pool if f in profiles and profiles[f].docs]
    if not people:
        return None, 0.0
    telling = {f for f in features if any(p.features[f] for p in people)}
    if not telling:
        return None, 0.0
    scores = {}
    for p in people:
        n = len(p.docs)
        score = math.log(n)
        for f in telling:
            score += math.log((min(p.features[f], n) + smoothing * background.get(f, 0.0) + 1e-9)
                              / (n + smoothing))
        scores[p.name] = score
    top = max(scores, key=lambda k: (scores[k], k))
    z = sum(math.exp(s - scores[top]) for s in scores.values())
    return top, 1.0 / z


def _org_words(name: str) -> list[str]:
    return [w for w in re.split(r"[\s\-]+", name) if w]


def dotted_key(name: str) -> str:
    """"F.B.I." -> "FBI", "U.N." -> "UN": an abbreviation written with dots, without them."""
    compact = name.replace(" ", "")
    if re.fullmatch(r"(?:[A-Za-z]\.){2,}[A-Za-z]?\.?", compact):
        return compact.replace(".", "").upper()
    return name


def acronym_of(name: str, stopwords: frozenset[str]) -> str | None:
    """Initials of a name of two capitalised words or more ("Federal Bureau of Investigation" ->
    "FBI"), small words skipped; None for a one-word name or a name with lower-case words."""
    words = [w for w in _org_words(name) if w.lower() not in stopwords]
    if len(words) < 2 or not all(w[:1].isupper() for w in words):
        return None
    return "".join(w[0] for w in words).upper()


def is_acronym(name: str) -> bool:
    """Three capitals or more ("FBI", "NYPD"); two ("NH", "UN") match too many names."""
    return bool(re.fullmatch(r"[A-Z][A-Z&]{2,7}", name))


def link_org_names(rows: list[dict], rules: EntityRules) -> dict[str, tuple[str, str]]:
    """ORG name -> (canonical name, link_rule), for the whole corpus.

    Forms of one organisation are merged: dotted abbreviations ("F.B.I." = "FBI": `dotted`), an
    acronym and its expansion ("FBI" = "Federal Bureau of Investigation": `acronym`) when some
    document has both (of several expansions, the one most often beside it). The canonical name
    is the form the corpus uses most (then the longer, then alphabetical)."""
    counts = Counter(row["name"] for row in rows)
    parent = {name: name for name in counts}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    rule_of = {name: "model" for name in counts}

    def union(a, b, rule):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb
        for name in (a, b):         # whichever side is not the canonical form says why it joined
            if rule_of[name] == "model":
                rule_of[name] = rule

    by_key = defaultdict(list)
    for name in counts:
        by_key[dotted_key(name)].append(name)
    for key, names in by_key.items():
        for name in names:
            if name != key and key in counts:
                union(name, key, "dotted")
            elif name != names[0]:
                union(name, names[0], "dotted")
    expansions = defaultdict(set)           # acronym -> expansions in the corpus
    for name in counts:
        initials = acronym_of(name, rules.org_stopwords)
        if initials:
            expansions[initials].add(name)
    # an acronym and an expansion are one organisation when some document uses both; of several
    # expansions ("DNC": Committee, Convention) only the one most often beside it
    docs = defaultdict(set)
    for row in rows:
        docs[row["doc_id"]].add(row["name"])
    together: Counter = Counter()
    for names in docs.values():
        for name in names:
            key = dotted_key(name)
            if is_acronym(key):
                for expansion in expansions.get(key, ()):
                    if expansion in names:
                        together[(name, expansion)] += 1
    for name in sorted(counts):
        key = dotted_key(name)
        found = [e for e in expansions.get(key, ()) if together[(name, e)]] if is_acronym(key) else []
        if found:
            union(name, max(found, key=lambda e: (together[(name, e)], counts[e], e)), "acronym")
    groups = defaultdict(list)
    for name in counts:
        groups[find(name)].append(name)
    out = {}
    for names in groups.values():
        best = max(names, key=lambda f: (counts[f], len(f), f))
        for name in names:
            out[name] = (best, "model" if name == best else rule_of[name])
    return out


def _doc_features(rows: list[dict]) -> dict[str, set[str]]:
    """Per document, what a person's context is made of: its organisations, places and groups,
    and its persons named in full (name words folded)."""
    out: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        if row["label"] == "PERSON":
            words = name_words(row["name"])
            if len(words) >= 2:
                out[row["doc_id"]].add("PERSON:" + " ".join(_fold(w) for w in words))
        else:
            out[row["doc_id"]].add(f"{row['label']}:{row['name'].casefold()}")
    return out


def _promote_corpus_persons(rows: list[dict], rules: EntityRules) -> None:
    """An organisation or place that is a person in most of the other documents using the name
    (at least `linking.person_min_documents` of them) becomes a PERSON (rule_id
    `corpus_person`): "Carly Fiorina" tagged ORG, or "Trump" as ORG in an article that never
    names him in full (a one-word name must be the surname of a full name of the corpus); person
    linking then finds who."""
    surnames = set()
    for row in rows:
        if row["label"] == "PERSON":
            words = name_words(row["name"])
            if len(words) >= 2:
                surnames.add(_fold(words[-1]))
    per_doc: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for row in rows:
        per_doc[(row["name"].casefold(), row["doc_id"])][row["label"] == "PERSON"] += 1
    person_docs, other_docs = Counter(), Counter()
    for (key, _), votes in per_doc.items():
        if votes[True] >= votes[False]:
            person_docs[key] += 1
        else:
            other_docs[key] += 1
    for row in rows:
        key = row["name"].casefold()
        one_word = len(row["name"].split()) == 1
        if row["label"] == "PERSON" or (one_word and _fold(row["name"]) not in surnames):
            continue
        votes = per_doc[(key, row["doc_id"])]
        own_person = votes[True] >= votes[False]
        persons = person_docs[key] - own_person
        others = other_docs[key] - (not own_person)
        if persons >= rules.person_min_documents and persons > others:
            row["label"], row["rule_id"] = "PERSON", "corpus_person"


def _epithets_to_surnames(rows: list[dict], common_words: frozenset[str]) -> None:
    """A "name" of two words that is an epithet and a surname ("Weak - Rubio", "Neither Cruz",
    "Fascist Trump", "Injecting Clinton"; a dash inside it, or a first word the corpus writes in
    lower case or an -ing word, that the first-name list does not hold) is the surname: linking then finds the person. "Bill Clinton",
    "Mark Warner" keep their first names ("bill" and "mark" are words, and first names too)."""
    from pipeline.steps.quotes.gender import first_name_genders   # (here: the quotes package imports this module)

    def parts(name: str) -> list[str]:
        return name.split()

    candidates = []
    for row in rows:
        words = parts(row["name"]) if row["label"] == "PERSON" else []
        dashed = [w for w in words if w not in ("-", "–", "—")]
        # (a capitalised -ing word opening a sentence is a verb, "Injecting Clinton into ...")
        verb_like = len(dashed) == 2 and len(dashed[0]) > 5 and dashed[0].lower().endswith("ing")
        if len(dashed) == 2 and (len(dashed) < len(words) or dashed[0].lower() in common_words or verb_like):
            candidates.append((row, dashed, len(dashed) < len(words)))
    known = first_name_genders(w[0] for _, w, dash in candidates if not dash)
    for row, words, dash in candidates:
        if dash or known.get(words[0].lower()) is None:
            row["name"] = words[-1]


def link_mentions(doc_mentions: list[dict], rules: EntityRules,
                  common_words: frozenset[str] = frozenset()) -> tuple[list[dict], list[dict]]:
    """Give every mention row an entity and a `link_rule`; build the entity rows. Rows carry
    `name` (the normalised surface name, or an alias's canonical name) and are changed in place.
    `common_words`: words the corpus writes in lower case (a capitalised one before a full name is
    not a first name)."""
    _promote_corpus_persons(doc_mentions, rules)
    for row in doc_mentions:
        # a full name found in the text whose first word the corpus writes in lower case
        # ("Crooked Hillary") is known by its last word only
        words = row["name"].split()
        if row["rule_id"] == "name_in_text" and words and words[0].lower() in common_words:
            row["name"] = words[-1]
    _epithets_to_surnames(doc_mentions, common_words)
    persons_rows = [row for row in doc_mentions if row["label"] == "PERSON"]
    features = _doc_features(doc_mentions)
    persons = link_person_names(persons_rows, features, rules, common_words)
    orgs = link_org_names([row for row in doc_mentions if row["label"] == "ORG"], rules)
    resolved = []
    for row in doc_mentions:
        if row["label"] == "PERSON":
            name, link = persons[(row["doc_id"], row["name"])]
        elif row["label"] == "ORG":
            name, link = orgs[row["name"]]
        else:
            name, link = row["name"], "model"
        if row["rule_id"] == "alias":
            link = "alias"
        elif row["rule_id"] in ("surname", "corpus_person") and link in ("model", "name_variant"):
            link = "same_doc_surname"
        elif row["rule_id"] == f"pattern:{GROUP_PATTERN}":
            link = "person_group"
        resolved.append((name, link))
    return doc_mentions, entity_rows(doc_mentions, resolved, rules.description_min_documents)


def unlinked_entities(doc_mentions: list[dict]) -> tuple[list[dict], list[dict]]:
    """Every mention its own name as written (link_rule `unlinked`): what is left when linking the
    corpus raised, so that one bad document does not cost every document its speakers' entities."""
    return doc_mentions, entity_rows(doc_mentions, [(row["name"], "unlinked") for row in doc_mentions], None)


def entity_rows(doc_mentions: list[dict], resolved: list[tuple[str, str]],
                description_min_documents: int | None) -> list[dict]:
    """The entity rows of mentions resolved to (canonical name, link rule); each mention row gets
    its `entity_id` and `link_rule`. Descriptions are gathered (from the rows' entity ids) unless
    `description_min_documents` is None."""
    groups: dict[str, dict] = {}
    bearers = _surname_bearers(doc_mentions, resolved)
    for row, (name, link) in zip(doc_mentions, resolved):
        eid = entity_id(row["label"], name)
        row["entity_id"] = eid
        row["link_rule"] = link
        group = groups.setdefault(eid, {"entity_id": eid, "label": row["label"], "name": name,
                                        "aliases": Counter(), "titles": Counter(), "n_mentions": 0,
                                        "docs": set(), "rules": set()})
        group["aliases"][row["text"]] += 1
        if row["title"] and _title_is_evidence(row, bearers):
            group["titles"][normalise_name(row["title"])] += 1
        group["n_mentions"] += 1
        group["docs"].add(row["doc_id"])
        group["rules"].add(link)
    described = {} if description_min_documents is None else \
        corpus_descriptions(doc_mentions, description_min_documents)
    entities = []
    for eid in sorted(groups):
        g = groups[eid]
        entities.append({
            "entity_id": eid, "label": g["label"], "name": g["name"],
            "aliases": sorted(g["aliases"], key=lambda a: (-g["aliases"][a], a)),
            "titles": _dedupe_titles(g["titles"]),
            "descriptions": described.get(eid, []),
            "n_mentions": g["n_mentions"], "n_documents": len(g["docs"]),
            "link_rule": ",".join(sorted(g["rules"])),
        })
    return entities


def _surname_bearers(doc_mentions: list[dict], resolved: list[tuple[str, str]]) -> dict[tuple[str, str], set[str]]:
    """(doc_id, surname) -> the canonical names of the persons the document names in full with
    that surname; (None, surname) -> those the corpus names in full."""
    out: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row, (name, _) in zip(doc_mentions, resolved):
        if row["label"] == "PERSON" and len(row["text"].split()) >= 2 and len(name.split()) >= 2:
            out[(row["doc_id"], name.split()[-1].lower())].add(name)
            out[(None, name.split()[-1].lower())].add(name)
    return out


def _title_is_evidence(row: dict, bearers: dict[tuple[str, str], set[str]]) -> bool:
    """Whether a mention's title may join its entity's titles across the corpus. A person's,
    from a mention that names them in more than one word ("Former President Bill Clinton"), or
    from a surname alone ("PM Bennett") only where the document and the corpus name just one
    person with that surname in full: otherwise the surname was linked by a guess, and its title
    would follow the guess to the wrong person (on PolNeAR train: "President" among Hillary
    Clinton's and Laura Bush's titles, "Mrs." among Bill Clinton's; "President Clinton" in an
    article naming only Hillary in full is Bill, or Hillary as a hypothetical president). The
    mention keeps its own title either way."""
    words = row["text"].split()
    if row["label"] != "PERSON" or len(words) >= 2:
        return True
    surname = words[0].lower()
    return len(bearers.get((row["doc_id"], surname), ())) == 1 and len(bearers.get((None, surname), ())) == 1


def _dedupe_titles(titles: Counter) -> list[str]:
    seen, out = set(), []
    for title in sorted(titles, key=lambda t: (-titles[t], t)):
        if title.lower() not in seen:
            seen.add(title.lower())
            out.append(title)
    return out


# --------------------------------------------------------------------------------------------
# Stage

def _mention_name(doc: Doc, m: Mention, rules: EntityRules) -> str:
    """The name a mention is linked by: its text normalised; a person's name written in capitals
    ("WALLACE:") in ordinary case; "Hillary Clinton's campaign" -> "Clinton campaign", "the
    Obama administration" -> "Obama administration" (`organisations.person_groups`)."""
    text = normalise_name(_text_of(doc, m.start, m.end))
    if m.rule_id == f"pattern:{GROUP_PATTERN}":
        owners = [t.text for t in doc[m.start:m.end - 1] if _is_name_word(t) and t.text[:1].isupper()]
        noun = rules.person_groups.get(doc[m.end - 1].lower_)
        if owners and noun:
            return f"{normalise_name(owners[-1])} {noun}"
    if m.label == "PERSON" and text.isupper() and sum(c.isalpha() for c in text) >= 3:
        return " ".join(w.capitalize() for w in text.split())
    return text


DESCRIBING_POS = ("NOUN", "ADJ", "PROPN")


def describing_words(doc: Doc, start: int, end: int) -> set[str]:
    """Words the text uses to describe the person named by doc[start:end] (lower case, as written
    and as lemma): the noun phrase before the name ("retired neurosurgeon Ben Carson"), an
    apposition either way ("Trump, the billionaire businessman"; "the FBI director, James Comey")
    and a copula ("Carson is a neurosurgeon"). Empty for an untagged or unparsed Doc."""
    if not (doc.has_annotation("TAG") and doc.has_annotation("DEP")):
        return set()
    out: set[str] = set()

    def add(tokens) -> None:
        for t in tokens:
            if t.pos_ in DESCRIBING_POS and not t.is_punct:
                out.update((t.lower_, t.lemma_.lower()))

    root = doc[start:end].root
    # the modifiers right before the name, each hanging on a word after it up to the name's end
    # ("real estate mogul Donald Trump"), no further than a comma or a conjunction ("Democratic
    # frontrunner Hillary Clinton and Republican frontrunner Donald Trump" gives Trump no
    # "Democratic")
    i = start - 1
    while i >= max(0, start - 6) and not doc[i].is_punct and not doc[i].is_space and \
            doc[i].dep_ not in ("cc", "conj", "prep", "pobj") and i < doc[i].head.i < end:
        i -= 1
    add(doc[i + 1:start])
    for c in root.children:
        if c.dep_ == "appos" and c.pos_ == "NOUN":
            add([t for t in c.subtree if t.i <= c.i])
    if root.dep_ == "appos" and root.head.pos_ == "NOUN":
        add([t for t in root.head.subtree if t.i <= root.head.i])
    if root.dep_ == "nsubj" and root.head.lemma_ == "be":
        for c in root.head.children:
            if c.dep_ == "attr" and c.pos_ == "NOUN":
                add([t for t in c.subtree if t.i <= c.i])
    return out


def corpus_descriptions(rows: list[dict], min_documents: int) -> dict[str, list[str]]:
    """entity_id -> the words that describe that person in at least `min_documents` documents of
    the corpus, most documents first ("businessman", "billionaire" for Donald Trump): what "the
    businessman" can mean in an article that never says it of anyone."""
    docs: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in rows:
        if row["label"] == "PERSON":
            for word in row.get("described") or ():
                docs[row["entity_id"]][word].add(row["doc_id"])
    out = {}
    for eid, words in docs.items():
        kept = [w for w in words if len(words[w]) >= min_documents]
        out[eid] = sorted(kept, key=lambda w: (-len(words[w]), w))
    return out


def mention_rows(parsed, rules: EntityRules) -> list[dict]:
    """Mention rows of one parsed document (entity_id unset), offsets into documents.text."""
    doc = parsed.doc
    rows = []
    for m in find_mentions(doc, rules):
        start, end = parsed.text_span(m.start, m.end)
        text = _text_of(doc, m.start, m.end)
        title = title_start = title_end = None
        if m.title_start is not None:
            title = _text_of(doc, m.title_start, m.title_end)
            title_start, title_end = parsed.text_span(m.title_start, m.title_end)
        rows.append({
            "mention_id": f"{parsed.doc_id}:{start}-{end}", "doc_id": parsed.doc_id,
            "start": start, "end": end, "token_start": m.start, "token_end": m.end,
            "text": text, "label": m.label, "title": title, "title_start": title_start,
            "title_end": title_end, "entity_id": None, "rule_id": m.rule_id, "link_rule": None,
            "name": m.canonical or _mention_name(doc, m, rules),
            "described": sorted(describing_words(doc, m.start, m.end)) if m.label == "PERSON" else [],
        })
    return rows


def extract_entities(parsed_docs: Iterable, rules: EntityRules, failures: list[dict] | None = None
                     ) -> tuple[list[dict], list[dict]]:
    """Pure heart of the stage: parsed documents -> (mention rows, entity rows). With `failures`, a
    document whose mentions raise has none and becomes a rejects row there; the others go on."""
    rows, common_words = document_mentions(parsed_docs, rules, failures)
    return link_corpus(rows, common_words, rules, failures)


def document_mentions(parsed_docs: Iterable, rules: EntityRules, failures: list[dict] | None = None
                      ) -> tuple[list[dict], set[str]]:
    """The per-document part of `extract_entities`: (mention rows, not linked yet; the words the
    documents write in lower case). The Dask engine runs it on each partition."""
    return _gathered(each_document_mentions(parsed_docs, rules, failures))


def each_document_mentions(parsed_docs: Iterable, rules: EntityRules, failures: list[dict] | None = None
                           ) -> Iterator[tuple[str, tuple[list[dict], set[str]]]]:
    """(doc_id, (its mention rows, its lower-case words)) per document; with `failures`, a document
    whose mentions raise is skipped and becomes a rejects row there."""
    for parsed in parsed_docs:
        try:
            found = mention_rows(parsed, rules)
        except Exception as exc:
            if failures is None:
                raise
            failures.append(document_failure(STAGE, parsed.doc_id, exc))
            print(f"[entities] error {failures[-1]['code']}: {failures[-1]['message']}", file=sys.stderr)
            continue
        yield parsed.doc_id, (found, set(lower_case_words(parsed.doc)))


def _gathered(per_document: Iterable[tuple[str, tuple[list[dict], set[str]]]]) -> tuple[list[dict], set[str]]:
    rows: list[dict] = []
    common_words: set[str] = set()
    for _, (found, words) in per_document:
        rows.extend(found)
        common_words.update(words)
    return rows, common_words


def link_corpus(rows: list[dict], common_words: set[str], rules: EntityRules, failures: list[dict] | None = None
                ) -> tuple[list[dict], list[dict]]:
    """The corpus part of `extract_entities`: every document's mention rows (in document order)
    linked across the corpus -> (mention rows, entity rows)."""
    rows, entities = without_failing_step(STAGE, "entity linking", failures,
                                          lambda: link_mentions(rows, rules, frozenset(common_words)),
                                          lambda: unlinked_entities(rows))
    for row in rows:
        del row["name"], row["described"]
    return rows, entities


def run(out_dir: Path, config_dir: Path | None = None, **_) -> dict:
    from pipeline.steps.quotes.gender import keep_lookups, lookups_made, remember_lookups   # (quotes imports this module)

    config_dir = Path(config_dir or DEFAULT_CONFIG_DIR)
    out_dir = Path(out_dir)
    record = StageRecord(STAGE, out_dir, config_files=config_files(config_dir, STAGE))
    record.add_input_tables(TOKENS.name)
    rules = load_rules(config_dir)
    started = time.perf_counter()
    failures: list[dict] = []
    remember_lookups(out_dir)            # first names an earlier run looked up in the name list
    # an incremental run finds mentions only in the documents whose tokens changed; linking always
    # runs on every document's mentions
    cache = DocumentCache(out_dir, STAGE, settings_key(out_dir, config_dir, STAGE))
    order = document_order(out_dir)
    per_document = cache.through(order, body_keys(out_dir), spread(lambda ids: each_document_mentions(
        iter_parsed_docs(out_dir, progress="entities", only=ids), rules, failures), order, run_n_process(config_dir),
        collect=(failures, lookups_made())))
    mentions, entities = link_corpus(*_gathered(per_document), rules, failures)
    write_table(MENTIONS, mentions, out_dir)
    write_table(ENTITIES, entities, out_dir)
    replace_stage_rejects(out_dir, STAGE_REJECT_CODES[STAGE], failures)
    cache.save()
    keep_lookups(out_dir)
    record.rows = {"mentions": len(mentions), "entities": len(entities), "failed": len(failures),
                   "reused": cache.reused}
    record.extra["rules"] = dict(Counter(row["rule_id"] for row in mentions))
    record.extra["seconds_extract"] = round(time.perf_counter() - started, 3)
    return record.write()
