"""Line labeller for the `clean` stage: title / body / meta / caption / boilerplate.

Pure functions, no I/O. Every threshold, phrase and pattern comes from `configs/clean.toml`
(passed in as a dict); a missing or malformed key raises `ValueError` naming the key.

How a document is labelled (one linear pass over its non-blank lines, plus a max-subarray scan):

1. Hard rules, per line, in priority order: caption patterns, meta patterns (byline, date line,
   "Source:", "Posted on"), boilerplate phrases and shapes (share rows, subscription blurbs,
   price lines, gallery counters), cross-document recurrence (`recurring.source`,
   `recurring.corpus`), lines repeated inside the page (`dup.*`), and caption near-duplicates
   (an image alt text printed next to its caption).
2. Main block: every line gets a weight -- prose lines (long, or sentence-shaped) count their
   words, short unlabelled lines a small penalty, hard boilerplate a large one, meta/caption a
   tiny one so inline captions do not split an article -- and the maximum-sum run of lines is
   the article block (Kadane, linear). Comment streams (a marker, or date stamps that head
   items: a name or headline next to each stamp) weigh their prose down from where they start.
   Further sections of the article join the block: runs of sentence-shaped prose separated from
   it only by separators ("___."), section time stamps, structural words ("ABSTRACT.") or one
   subhead (live blogs, archive records, section breaks), see `_extend_sections`.
3. With several pages of the same source (recurrence in use), the article continues after the
   block through lines unique to this page (lists, tables the block weights cut off) until the
   site's recurring chrome or a hard boilerplate line starts (`recurring.extend_max_lines`).
4. Inside the block, unlabelled lines are body (subheadings and one-line paragraphs included),
   except runs of short unpunctuated lines (link lists). Outside the block, unlabelled lines are
   boilerplate. The title is the nearest title-shaped line above the block, preferring one that
   the page's first line (usually the HTML <title>) repeats; the first line itself may end in a
   full stop (stored titles: "Clinton and Warren team up on Trump.").
5. A dash line naming a speaker right under a kept quotation paragraph ('“...”' / '- Jane Doe.')
   is body even when repeated in the page or after the block (`attribution.*`): fact checks
   sign several quotes by one speaker this way, and the quotes stage reads the name there.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

LABELS = ("title", "body", "meta", "caption", "boilerplate")
KEPT_LABELS = frozenset({"title", "body"})


@dataclass(frozen=True)
class LineLabel:
    line_no: int   # 1-based physical line number (text split on "\n")
    start: int     # str offset of the line's first char
    end: int       # str offset just past its last char (newline and trailing "\r" excluded)
    text: str      # text[start:end]
    label: str     # title | body | meta | caption | boilerplate
    kept: bool     # True exactly for title and body
    rule_id: str   # which rule decided


@dataclass
class LineStats:
    """Document frequencies of normalised line forms, per source and corpus-wide."""

    source_docs: Counter = field(default_factory=Counter)             # source -> #documents
    source_counts: dict[Any, Counter] = field(default_factory=dict)    # source -> form -> #docs
    corpus_docs: int = 0
    corpus_counts: Counter = field(default_factory=Counter)            # form -> #docs
    corpus_sources: dict[str, set] = field(default_factory=dict)       # form -> sources (capped)

    def source_df(self, source: Any, form: str) -> int:
        counts = self.source_counts.get(source)
        return counts.get(form, 0) if counts else 0


# ---------------------------------------------------------------------------------------------
# Normalisation and splitting

_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"\w+")
_MAX_FORM_CHARS = 300   # forms are truncated: long prose lines never recur anyway


def normalise_line(line: str) -> str:
    """Lowercase, digit runs collapsed to "0", whitespace collapsed, stripped."""
    return _SPACES.sub(" ", _DIGITS.sub("0", line.lower())).strip()[:_MAX_FORM_CHARS]


def split_lines(text: str) -> list[tuple[int, int, int]]:
    """(line_no, start, end) for every non-blank physical line; "\\r" before "\\n" excluded."""
    out = []
    pos = 0
    n = len(text)
    line_no = 0
    while pos <= n:
        line_no += 1
        nl = text.find("\n", pos)
        stop = n if nl < 0 else nl
        end = stop
        if end > pos and text[end - 1] == "\r":
            end -= 1
        if text[pos:end].strip():
            out.append((line_no, pos, end))
        if nl < 0:
            break
        pos = nl + 1
    return out


def count_lines(documents: Iterable[Mapping]) -> LineStats:
    """One streaming pass: in how many documents each normalised line form occurs, per source
    (key `source`) and corpus-wide. Blank lines are ignored; a form counts once per document."""
    stats = LineStats()
    for doc in documents:
        text = doc.get("text") or ""
        source = doc.get("source")
        forms = {normalise_line(text[s:e]) for _, s, e in split_lines(text)}
        stats.corpus_docs += 1
        stats.corpus_counts.update(forms)
        stats.source_docs[source] += 1
        stats.source_counts.setdefault(source, Counter()).update(forms)
        for form in forms:
            seen = stats.corpus_sources.setdefault(form, set())
            if len(seen) < 8:
                seen.add(source)
    return stats


# ---------------------------------------------------------------------------------------------
# Config access

class _Rules:
    """Validated, compiled view of the config dict."""

    # Tables of clean.toml that clean.py reads itself (near-duplicate detection, unwrapping).
    OTHER_SECTIONS = ("near_duplicates", "unwrap")

    def __init__(self, config: Mapping):
        self.config = config
        self._used: set[str] = set()
        g = self._get
        # shape
        self.prose_min_words = g("shape.prose_min_words", int)
        self.long_line_words = g("shape.long_line_words", int)
        self.terminal_chars = g("shape.terminal_chars", str)
        self.closing_chars = g("shape.closing_chars", str)
        self.cjk_chars_per_word = g("shape.cjk_chars_per_word", int)
        self.teaser_run_words = g("shape.teaser_run_words", int)
        self.teaser_min_caps = g("shape.teaser_min_capitalised", int)
        self.small_words = frozenset(w.lower() for w in g("shape.title_case_small_words", list))
        self.dateline_re = self._regex("shape.dateline_patterns", 0)
        self.quote_chars = g("shape.quote_chars", str)
        # block
        self.prose_weight_cap = g("block.prose_weight_cap", (int, float))
        self.short_penalty = g("block.short_line_penalty", (int, float))
        self.hard_penalty = g("block.boilerplate_penalty", (int, float))
        self.meta_penalty = g("block.meta_caption_penalty", (int, float))
        self.link_run_min = g("block.link_run_min_lines", int)
        self.comment_re = self._regex("block.comment_zone_patterns", re.IGNORECASE)
        self.comment_min_prose = g("block.comment_zone_min_prose_words", int)
        self.comment_stamp_lines = g("block.comment_zone_stamp_lines", int)
        self.comment_factor = g("block.comment_zone_prose_factor", (int, float))
        self.separator_rules = frozenset(g("block.section_separator_rules", list))
        self.section_max_gap = g("block.section_max_gap_lines", int)
        self.section_max_subheads = g("block.section_max_subheads", int)
        self.section_subhead_max_words = g("block.section_subhead_max_words", int)
        self.section_label_max_words = g("block.section_label_max_words", int)
        self.section_min_words = g("block.section_min_words", int)
        self.section_quote_min_words = g("block.section_quote_min_words", int)
        self.section_min_lines_after_subhead = g("block.section_min_lines_after_subhead", int)
        self.link_run_max_words = g("block.link_run_max_words", int)
        self.no_block_min_words = g("block.no_block_min_words", int)
        # caption
        self.caption_max_words = g("caption.max_words", int)
        self.caption_re = self._any_of("caption.patterns", 0)
        self.caption_icase_re = self._regex("caption.patterns_icase", re.IGNORECASE)
        self.position_re = self._regex("caption.position_markers", 0)
        self.position_max_words = g("caption.position_max_words", int)
        self.position_not_re = self._regex("caption.position_marker_exclusions", 0)
        self.near_dup_prefix_words = g("caption.near_duplicate_prefix_words", int)
        # meta
        self.meta_max_words = g("meta.max_words", int)
        self.byline_re = self._regex("meta.byline_patterns", re.IGNORECASE)
        self.meta_line_re = self._any_of("meta.line_patterns", re.IGNORECASE)
        self.date_words = frozenset(w.lower() for w in g("meta.date_words", list))
        self.date_strong_re = self._regex("meta.date_strong_patterns", re.IGNORECASE)
        self.date_max_words = g("meta.date_max_words", int)
        self.date_max_other_words = g("meta.date_max_other_words", int)
        # boilerplate
        self.bp_short_max_words = g("boilerplate.short_max_words", int)
        self.bp_short_re = self._regex("boilerplate.short_phrases", re.IGNORECASE)
        self.bp_cta_max_words = g("boilerplate.cta_max_words", int)
        self.bp_cta_re = self._regex("boilerplate.cta_phrases", re.IGNORECASE)
        self.bp_line_re = self._any_of("boilerplate.line_patterns", re.IGNORECASE)
        self.bp_min_alpha_ratio = g("boilerplate.min_alpha_ratio", (int, float))
        # duplicates
        self.dup_max_words = g("duplicates.max_words", int)
        self.name_max_words = g("duplicates.name_max_words", int)
        # recurrence
        self.rec_source_min_docs = g("recurring.source_min_docs", int)
        self.rec_source_min_df = g("recurring.source_min_df", int)
        self.rec_source_prose_frac = g("recurring.source_prose_min_fraction", (int, float))
        self.rec_corpus_min_docs = g("recurring.corpus_min_docs", int)
        self.rec_corpus_min_df = g("recurring.corpus_min_df", int)
        self.rec_corpus_min_sources = g("recurring.corpus_min_sources", int)
        self.rec_corpus_max_words = g("recurring.corpus_max_words", int)
        self.rec_unique_short_factor = g("recurring.unique_short_penalty_factor", (int, float))
        self.rec_max_doc_share = g("recurring.max_prose_share", (int, float))
        self.rec_extend_max_lines = g("recurring.extend_max_lines", int)
        # title
        self.title_min_words = g("title.min_words", int)
        self.title_max_words = g("title.max_words", int)
        self.title_window = g("title.window_lines", int)
        self.title_top_lines = g("title.top_lines", int)
        self.title_first_line_overlap = g("title.first_line_overlap", (int, float))
        self.title_bad_end = g("title.bad_end_chars", str)
        self.title_first_line_end_ok = g("title.first_line_end_ok_chars", str)
        self.anchor_factor = g("title.before_anchor_prose_factor", (int, float))
        # attribution lines under quotation paragraphs
        self.attr_max_words = g("attribution.max_words", int)
        self.attr_open_quotes = g("attribution.open_quote_chars", str)
        self.attr_close_quotes = g("attribution.close_quote_chars", str)
        self.attr_line_re = self._regex("attribution.line_patterns", 0)
        self.attr_rules = frozenset(g("attribution.overridable_rules", list))
        # combination with a main-text extractor (HTML pages)
        self.ext_min_coverage = g("extractor.min_coverage", (int, float))
        self.ext_labeller_wins = frozenset(g("extractor.labeller_wins", list))
        self.ext_min_words = g("extractor.min_article_words", int)
        self.ext_fallback_factor = g("extractor.fallback_factor", (int, float))
        self.ext_grow_share = g("extractor.grow_below_share", (int, float))
        self.ext_grow_gap = g("extractor.grow_max_gap_lines", int)
        self.ext_grow_rules = frozenset(g("extractor.grow_rules", list))
        self._reject_unknown()

    def _reject_unknown(self) -> None:
        """A key no rule reads is a typo that would silently switch a rule off: an error."""
        def leaves(node: Mapping, prefix: str = ""):
            for key, value in node.items():
                if isinstance(value, Mapping):
                    yield from leaves(value, f"{prefix}{key}.")
                else:
                    yield f"{prefix}{key}"

        unknown = sorted(k for k in leaves(self.config)
                         if k not in self._used and k.split(".")[0] not in self.OTHER_SECTIONS)
        if unknown:
            raise ValueError(f"unknown key '{unknown[0]}'" + (f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""))

    def _get(self, dotted: str, kind):
        self._used.add(dotted)
        node: Any = self.config
        for part in dotted.split("."):
            if not isinstance(node, Mapping) or part not in node:
                raise ValueError(f"missing key '{dotted}'")
            node = node[part]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if isinstance(node, bool) or not isinstance(node, kinds):
            names = " or ".join(k.__name__ for k in kinds)
            raise ValueError(f"key '{dotted}' must be {names}, got {node!r}")
        if kind is list and not all(isinstance(x, str) for x in node):
            raise ValueError(f"key '{dotted}' must be a list of strings")
        return node

    def _regex(self, dotted: str, flags: int):
        patterns = self._get(dotted, list)
        if not patterns:
            return None
        for p in patterns:
            try:
                re.compile(p)
            except re.error as exc:
                raise ValueError(f"key '{dotted}': bad regular expression {p!r}: {exc}") from None
        return re.compile("|".join(f"(?:{p})" for p in patterns), flags)

    def _any_of(self, dotted: str, flags: int) -> "_AnyOf | None":
        """_regex for a key only ever asked yes or no (`.search(line)`)."""
        return _AnyOf(self._get(dotted, list), flags) if self._regex(dotted, flags) is not None else None


def _anchored(pattern: str, flags: int) -> bool:
    """Whether every match of `pattern` starts at the start of the string: it opens with `^` (not
    in MULTILINE mode) and has no top-level alternative."""
    parsed = re._parser.parse(pattern, flags)
    return bool(len(parsed)) and parsed[0] == (re._constants.AT, re._constants.AT_BEGINNING) and \
        not parsed.state.flags & re.MULTILINE


class _AnyOf:
    """Whether any of the patterns occurs in a line, as one alternation searched would say: those
    anchored at the start are tried there alone (the alternation tries them at every position of
    a long prose line, for nothing), the others searched."""

    def __init__(self, patterns: list[str], flags: int):
        def joined(ps: list[str]):
            return re.compile("|".join(f"(?:{p})" for p in ps), flags) if ps else None

        self.at_start = joined([p for p in patterns if _anchored(p, flags)])
        self.anywhere = joined([p for p in patterns if not _anchored(p, flags)])

    def search(self, line: str) -> bool:
        return bool(self.at_start is not None and self.at_start.match(line)) or \
            bool(self.anywhere is not None and self.anywhere.search(line))


_RULES_CACHE: dict[int, tuple[Mapping, _Rules]] = {}


def compile_rules(config: Mapping) -> _Rules:
    """Validate and compile the config (cached per config object)."""
    hit = _RULES_CACHE.get(id(config))
    if hit is not None and hit[0] is config:
        return hit[1]
    rules = _Rules(config)
    if len(_RULES_CACHE) > 32:
        _RULES_CACHE.clear()
    _RULES_CACHE[id(config)] = (config, rules)
    return rules


# ---------------------------------------------------------------------------------------------
# Per-line features

_ALPHA_TOKEN = re.compile(r"[^\W\d_]+|\d+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_NAME_TOKEN = re.compile(r"^[A-Z][\w'’.\-]*$")


class _Line:
    __slots__ = ("line_no", "start", "end", "text", "s", "words", "nwords", "terminal", "prose",
                 "form", "label", "rule", "gap_before", "teaser", "recurs")

    def __init__(self, line_no, start, end, text, rules: _Rules, gap_before):
        self.line_no, self.start, self.end, self.text = line_no, start, end, text
        self.s = text.strip()
        self.words = self.s.split()
        self.nwords = len(self.words)
        if rules.cjk_chars_per_word and not self.s.isascii():
            # Chinese/Japanese are written without spaces: count characters as words
            cjk = len(_CJK.findall(self.s))
            if cjk:
                self.nwords += cjk // rules.cjk_chars_per_word
        core = self.s.rstrip(rules.closing_chars) or self.s
        self.terminal = core[-1] in rules.terminal_chars
        self.prose = self.nwords >= rules.long_line_words or (
            self.nwords >= rules.prose_min_words and self.terminal)
        self.form = normalise_line(text)
        if self.prose:
            # a dateline ("SCRANTON, Pa. — Vice President Joe Biden ...") is no headline
            dl = rules.dateline_re.match(self.s) if rules.dateline_re else None
            self.teaser = _title_case_run(self.s[dl.end():].split() if dl else self.words, rules)
        else:
            self.teaser = False
        self.label = None
        self.rule = None
        self.gap_before = gap_before
        self.recurs = False   # the form recurs across the source's documents (site chrome)


def _title_case_run(words: list[str], r: "_Rules") -> bool:
    """A prose line opening with a long Title Case run ("Customers Leave Without Paying $690
    Bill At Troy Steakhouse A party of six ...") is a headline glued to its teaser."""
    run = caps = 0
    for w in words:
        ch = w[0]
        if ch.isupper() or ch.isdigit() or ch in "$€£#":
            caps += ch.isupper()
        elif w.lower().strip(",:;") not in r.small_words:
            break
        run += 1
    return run >= r.teaser_run_words and caps >= r.teaser_min_caps and run < len(words)


def _is_date_line(ln: _Line, r: _Rules) -> bool:
    if ln.nwords > r.date_max_words or not r.date_strong_re or not r.date_strong_re.search(ln.s):
        return False
    other = 0
    for tok in _ALPHA_TOKEN.findall(ln.s):
        if tok.isdigit() or tok.lower() in r.date_words:
            continue
        other += 1
        if other > r.date_max_other_words:
            return False
    return True


def _item_stamp(lines: list[_Line], i: int, r: _Rules) -> bool:
    """A date/time stamp heading an item of a stream (a comment, a teaser): next to it sits the
    item's header -- a commenter's or author's name, a headline, "Reply" -- i.e. a short line
    that is neither prose nor a section separator ("___", another stamp): above it, or below it
    when the line above is not a separator. A stamp after a separator, or between prose lines,
    opens a new section of the same article (live blogs: "___." / "9:42 p.m." / paragraphs) and
    is no evidence of a comment stream."""
    def header(j: int) -> bool:
        return 0 <= j < len(lines) and not lines[j].prose and \
            lines[j].rule not in r.separator_rules

    if i == 0:
        return False
    if header(i - 1):
        return True
    return lines[i - 1].rule not in r.separator_rules and header(i + 1)


def _section_line(ln: _Line, dup_forms: set, r: _Rules) -> bool:
    """A paragraph line of an article section: unlabelled, sentence-shaped, not repeated; a
    short one only when it quotes someone ('“You tell me,” he said.')."""
    if ln.label is not None or not ln.terminal or ln.form in dup_forms:
        return False
    return ln.prose or (ln.nwords >= r.section_quote_min_words and
                        any(c in ln.s for c in r.quote_chars))


def _gap_kind(lines: list[_Line], i: int, dup_forms: set, r: _Rules) -> str | None:
    """What line i can be between two sections of one article: "sep" (a separator such as
    "___." or a section stamp, or a structural word such as "ABSTRACT."), "subhead" (a short
    unlabelled line), or None (anything else ends the article: chrome, an item stamp under a
    name, a repeated line, a comment marker)."""
    ln = lines[i]
    if ln.label is None:
        if not ln.prose and ln.nwords <= r.section_subhead_max_words and \
                ln.form not in dup_forms:
            return "subhead"
        return None
    if ln.rule in r.separator_rules:
        if ln.rule == "meta.date" and _item_stamp(lines, i, r):
            return None
        return "sep"
    if ln.label == "boilerplate" and ln.nwords <= r.section_label_max_words and ln.terminal \
            and ln.rule.startswith("recurring."):
        return "sep"
    return None


def _extend_sections(lines: list[_Line], edge: int, limit: int, step: int, dup_forms: set,
                     r: _Rules) -> int:
    """Move a block edge (`be` with step +1, `bs` with step -1) over further sections of the
    article, never reaching `limit` (exclusive). Each section must hold >= section_min_words
    words of sentence-shaped lines; after a subhead it needs >= section_min_lines_after_subhead
    lines (a teaser list is headline + one summary line per item, an author bio one paragraph).
    Teaser-shaped lines (a Title Case run glued to a sentence) join only along with a plain
    paragraph, or as a single paragraph right at the edge: a run of them is a news list.
    Going backwards no subhead is crossed (the headline sits there)."""
    max_sub = r.section_max_subheads if step > 0 else 0

    def inside(i: int) -> bool:
        return i < limit if step > 0 else i > limit

    while True:
        k = edge + step
        subs = gap = 0
        while inside(k) and gap < r.section_max_gap and not _section_line(lines[k], dup_forms, r):
            kind = _gap_kind(lines, k, dup_forms, r)
            if kind is None or (kind == "subhead" and subs >= max_sub):
                break
            subs += kind == "subhead"
            gap += 1
            k += step
        m, words, count, plain = k, 0, 0, 0
        while inside(m) and _section_line(lines[m], dup_forms, r):
            words += lines[m].nwords
            count += 1
            plain += not lines[m].teaser
            m += step
        if not count or words < r.section_min_words or (
                subs and count < r.section_min_lines_after_subhead) or (
                not plain and (gap or count > 1)):
            return edge
        edge = m - step


def _is_name_like(ln: _Line, r: _Rules) -> bool:
    return 2 <= ln.nwords <= r.name_max_words and all(_NAME_TOKEN.match(w) for w in ln.words)


def _hard_rules(ln: _Line, r: _Rules) -> tuple[str, str] | None:
    s = ln.s
    nw = ln.nwords
    # captions and photo credits
    if nw <= r.caption_max_words:
        if (r.caption_re and r.caption_re.search(s)) or (
                r.caption_icase_re and r.caption_icase_re.search(s)):
            return "caption", "caption.credit"
        if nw <= r.position_max_words and r.position_re and r.position_re.search(s) and \
                not any(c in s for c in r.quote_chars) and \
                not (r.position_not_re and r.position_not_re.search(s)):
            return "caption", "caption.position_marker"
    # meta: byline, source line, posted on, date line
    if nw <= r.meta_max_words:
        if r.byline_re and r.byline_re.search(s):
            return "meta", "meta.byline"
        if r.meta_line_re and r.meta_line_re.search(s):
            return "meta", "meta.line"
        if _is_date_line(ln, r):
            return "meta", "meta.date"
    # boilerplate phrases and shapes
    if r.bp_line_re and r.bp_line_re.search(s):
        return "boilerplate", "boilerplate.line_pattern"
    if nw <= r.bp_cta_max_words and r.bp_cta_re and r.bp_cta_re.search(s):
        return "boilerplate", "boilerplate.cta_phrase"
    if nw <= r.bp_short_max_words and not ln.terminal and r.bp_short_re and r.bp_short_re.search(s):
        return "boilerplate", "boilerplate.short_phrase"
    if len(s) >= 3:
        if nw < r.prose_min_words and \
                sum(ch.isalpha() for ch in s) / len(s) < r.bp_min_alpha_ratio:
            return "boilerplate", "boilerplate.symbols"
    elif not any(ch.isalnum() for ch in s):
        return "boilerplate", "boilerplate.symbols"
    return None


def _shared_prefix_words(a: list[str], b: list[str]) -> int:
    n = 0
    for x, y in zip(a, b):
        if x.lower() != y.lower():
            break
        n += 1
    return n


# ---------------------------------------------------------------------------------------------
# Labelling

def label_document(text: str, source: Any, stats: LineStats | None,
                   config: Mapping) -> list[LineLabel]:
    """Label every non-blank line of `text` (see the module docstring for the method)."""
    r = compile_rules(config)
    lines = _read_lines(text, r)
    if not lines:
        return []
    n = len(lines)
    # 1. hard rules, then what recurs across documents and inside the page
    _hard_labels(lines, r)
    use_source = _recurring_labels(lines, source, stats, r)
    counts = Counter(ln.form for ln in lines if ln.nwords <= r.dup_max_words)
    dup_forms = {f for f, c in counts.items() if c > 1}    # author names, repeated captions, share rows
    # 2. the main block of prose, with the sections and the unique tail that continue it
    zone_start = _comment_zone(lines, r)
    anchor = _find_anchor(lines, r)
    weights = _block_weights(lines, dup_forms, zone_start, anchor, use_source, r)
    has_block, bs, be = _best_block(weights)
    # further sections of the same article: a run of long punctuated prose separated from the
    # block only by separators, section stamps, structural words or a subhead (live blogs,
    # "ABSTRACT." / "FULL TEXT.", a story with a section break)
    if has_block and r.section_max_gap > 0:
        be = _extend_sections(lines, be, min(n, zone_start), 1, dup_forms, r)
        bs = _extend_sections(lines, bs, max(anchor, -1), -1, dup_forms, r)
    ext_end = _unique_tail_end(lines, be, zone_start, r) if has_block and use_source else be
    # 3. title
    title_idx = _find_title(lines, bs if has_block else min(n, r.title_top_lines), r)
    # 4. final labels
    in_run = _link_runs(lines, bs, be, r) if has_block else [False] * n
    out = []
    for i, ln in enumerate(lines):
        if i == title_idx:
            label, rule = "title", "title.near_block" if has_block else "title.top"
        elif ln.label is None:
            label, rule = _unlabelled_line(i, ln, dup_forms, has_block, bs, be, ext_end, title_idx, in_run, r)
        else:
            label, rule = ln.label, ln.rule
        if rule in r.attr_rules and i > 0 and out[-1].kept and \
                _quote_attribution(lines[i - 1], ln, r):
            label, rule = "body", "body.quote_attribution"
        out.append(LineLabel(ln.line_no, ln.start, ln.end, ln.text, label,
                             label in KEPT_LABELS, rule))
    # a one-line document (a headline, a bill title, a post) has no page around it to tell its
    # chrome from its text: the line is the document, its own title
    if n == 1 and not out[0].kept:
        only = out[0]
        out[0] = LineLabel(only.line_no, only.start, only.end, only.text, "title", True, "title.single_line")
    return out


def _read_lines(text: str, r: _Rules) -> list[_Line]:
    lines: list[_Line] = []
    prev_no = 0
    for line_no, s, e in split_lines(text):
        lines.append(_Line(line_no, s, e, text[s:e], r, line_no - prev_no - 1))
        prev_no = line_no
    return lines


def _hard_labels(lines: list[_Line], r: _Rules) -> None:
    """The hard rules, then caption near-duplicates: a line beside a caption sharing its first words."""
    for ln in lines:
        hit = _hard_rules(ln, r)
        if hit:
            ln.label, ln.rule = hit
    k = r.near_dup_prefix_words
    for i, ln in enumerate(lines):
        if ln.label is not None or ln.nwords < k or ln.nwords > r.caption_max_words:
            continue
        for j in (i - 1, i + 1):
            if 0 <= j < len(lines) and lines[j].label == "caption" and \
                    _shared_prefix_words(ln.words, lines[j].words) >= k:
                ln.label, ln.rule = "caption", "caption.near_duplicate"
                break


def _recurring_labels(lines: list[_Line], source: Any, stats: LineStats | None, r: _Rules) -> bool:
    """Lines recurring across the site's documents (or, short ones, across the corpus) are
    boilerplate; sets `recurs`. True when the site has enough documents to tell (`use_source`)."""
    if stats is None:
        return False
    src_docs = stats.source_docs.get(source, 0)
    use_source = source is not None and src_docs >= r.rec_source_min_docs
    use_corpus = stats.corpus_docs >= r.rec_corpus_min_docs
    if not (use_source or use_corpus):
        return use_source
    prose_words = sum(ln.nwords for ln in lines if ln.prose) or 1
    cands = []
    rec_prose_words = 0
    for ln in lines:
        if use_source:
            df = stats.source_df(source, ln.form)
            need = r.rec_source_min_df
            if ln.prose:
                need = max(need, math.ceil(r.rec_source_prose_frac * src_docs))
            ln.recurs = df >= need
        if ln.label is not None:
            continue
        if use_source:
            if ln.recurs:
                cands.append((ln, "recurring.source"))
                if ln.prose:
                    rec_prose_words += ln.nwords
                continue
        if use_corpus and ln.nwords <= r.rec_corpus_max_words and not ln.prose:
            if stats.corpus_counts.get(ln.form, 0) >= r.rec_corpus_min_df and len(
                    stats.corpus_sources.get(ln.form, ())) >= r.rec_corpus_min_sources:
                cands.append((ln, "recurring.corpus"))
    # a page whose prose mostly recurs is a duplicate article, not chrome: keep its prose
    dup_article = rec_prose_words / prose_words > r.rec_max_doc_share
    if dup_article:   # recurrence says nothing about where this article ends
        for ln in lines:
            ln.recurs = False
    for ln, rule in cands:
        if dup_article and ln.prose:
            continue
        ln.label, ln.rule = "boilerplate", rule
    return use_source


def _comment_zone(lines: list[_Line], r: _Rules) -> int:
    """Where reader comments start: from the first comment-section marker that follows some prose
    (or the second of date/time stamp lines interleaved with prose), prose counts for little
    (reader comments are prose too, and can outweigh a short article). len(lines): none."""
    seen = 0
    stamps: list[int] = []
    for i, ln in enumerate(lines):
        if seen >= r.comment_min_prose:
            if r.comment_re and r.comment_re.search(ln.s):
                if ln.label is None:
                    ln.label, ln.rule = "boilerplate", "boilerplate.comment_marker"
                return i
            if ln.rule == "meta.date" and _item_stamp(lines, i, r):
                stamps.append(i)
                if len(stamps) >= r.comment_stamp_lines:
                    return stamps[0]
        if ln.prose and ln.label is None:
            seen += ln.nwords
    return len(lines)


def _block_weights(lines: list[_Line], dup_forms: set, zone_start: int, anchor: int, use_source: bool,
                   r: _Rules) -> list[float]:
    """Each line's weight for the main block: prose counts for its words (little in the comment zone
    or above the headline anchor, where menus carry teasers), anything else against."""
    weights = []
    for i, ln in enumerate(lines):
        if ln.label in ("meta", "caption"):
            w = -r.meta_penalty
        elif ln.label is not None:
            w = -r.hard_penalty
        elif ln.form in dup_forms and ln.nwords <= r.dup_max_words:
            w = -r.short_penalty
        elif ln.prose and not ln.teaser:
            w = min(ln.nwords, r.prose_weight_cap)
            if i > zone_start:
                w *= r.comment_factor
            elif i < anchor:
                w *= r.anchor_factor
        elif use_source:
            # the site's chrome is already labelled by recurrence: a short line seen only here
            # is more likely article-specific (subheading, list item) than navigation
            w = -r.short_penalty * r.rec_unique_short_factor
        else:
            w = -r.short_penalty
        weights.append(w)
    return weights


def _best_block(weights: list[float]) -> tuple[bool, int, int]:
    """(found, first, last) of the run of lines with the greatest sum of weights (Kadane)."""
    best, bs, be = 0.0, -1, -2
    cur, cs = 0.0, 0
    for i, w in enumerate(weights):
        if cur <= 0:
            cur, cs = w, i
        else:
            cur += w
        if cur > best:
            best, bs, be = cur, cs, i
    return bs >= 0, bs, be


def _unique_tail_end(lines: list[_Line], be: int, zone_start: int, r: _Rules) -> int:
    """With several pages of the site, the article runs on after the prose block through lines
    unique to this page (lists, tables, short paragraphs the block weights cut off) until the
    site's recurring chrome starts again; an end-of-article marker (related links, tags, comments,
    share rows: a hard boilerplate rule) also ends it. The last line of that tail (`be`: none)."""
    n = len(lines)
    if r.rec_extend_max_lines <= 0 or not any(ln.recurs for ln in lines):
        return be
    j = be + 1
    stop = min(n, zone_start, be + 1 + r.rec_extend_max_lines)
    while j < stop and not lines[j].recurs and lines[j].label != "boilerplate":
        j += 1
    if j < n and (lines[j].recurs or lines[j].label == "boilerplate"):
        return j - 1   # only when chrome (not the scan limit) closes the unique run
    return be


def _link_runs(lines: list[_Line], bs: int, be: int, r: _Rules) -> list[bool]:
    """Link-list runs inside the block: >= link_run_min consecutive short unpunctuated lines."""
    in_run = [False] * len(lines)
    i = bs
    while i <= be:
        j = i
        while j <= be and lines[j].label is None and not lines[j].terminal and \
                lines[j].nwords <= r.link_run_max_words:
            j += 1
        if j - i >= r.link_run_min:
            for t in range(i, j):
                in_run[t] = True
        i = max(j, i + 1)
    return in_run


def _unlabelled_line(i: int, ln: _Line, dup_forms: set, has_block: bool, bs: int, be: int, ext_end: int,
                     title_idx: int | None, in_run: list[bool], r: _Rules) -> tuple[str, str]:
    """(label, rule) of a line no earlier rule labelled, from where it stands against the block."""
    if ln.form in dup_forms:
        return ("meta", "dup.name") if _is_name_like(ln, r) else ("boilerplate", "dup.within_doc")
    if not has_block:
        if ln.nwords >= r.no_block_min_words and ln.terminal:
            return "body", "body.no_block"
        return "boilerplate", "outside.no_block"
    if i < bs:
        if title_idx is not None and i > title_idx and ln.prose and not ln.teaser:
            return "body", "body.standfirst"
        return "boilerplate", "outside.before_block"
    if i > be:
        if i <= ext_end and ln.form not in dup_forms:
            return "body", "body.unique_after_block"
        return "boilerplate", "outside.after_block"
    if in_run[i]:
        return "boilerplate", "block.link_run"
    return ("body", "body.prose") if ln.prose else ("body", "body.short_in_block")


def _quote_attribution(above: _Line, ln: _Line, r: _Rules) -> bool:
    """`ln` signs the quotation paragraph `above` ('“We will win.”' / '- Jane Doe.'): fact
    checks list several quotes by one speaker, so the line may repeat, or close the page."""
    if r.attr_line_re is None or ln.nwords > r.attr_max_words or \
            not r.attr_line_re.match(ln.s):
        return False
    core = above.s.rstrip(r.terminal_chars)   # '... win”.' as well as '... win.”'
    return above.s[:1] in r.attr_open_quotes and core[-1:] in r.attr_close_quotes


def _title_shaped(ln: _Line, r: _Rules, end_ok: str = "") -> bool:
    if ln.label is not None and not ln.rule.startswith("dup"):
        return False
    if not (r.title_min_words <= ln.nwords <= r.title_max_words):
        return False
    if ln.s[-1] in r.title_bad_end and not (
            ln.s[-1] in end_ok and len(ln.s) > 1 and not ln.s[-2].isspace() and
            (ln.s[-2] not in r.title_bad_end or (ln.s[-2] == "." and ln.s[-3:-2].isalpha()))):
        return False
    first = ln.s[0]
    return first.isupper() or first.isdigit() or not first.isalpha()


def _find_anchor(lines: list[_Line], r: _Rules) -> int:
    """Index of the first line after the first that repeats most words of the first line."""
    first = {w.lower() for w in _WORD.findall(lines[0].s)}
    if len(first) < r.title_min_words:
        return -1
    for i in range(1, len(lines)):
        ln = lines[i]
        if not (r.title_min_words <= ln.nwords <= r.title_max_words) or ln.prose:
            continue
        words = [w.lower() for w in _WORD.findall(ln.s)]
        if words and sum(w in first for w in words) / len(words) >= r.title_first_line_overlap \
                and len(set(words)) >= 0.5 * len(first):
            return i
    return -1


def _find_title(lines: list[_Line], limit: int, r: _Rules) -> int | None:
    """Nearest title-shaped line above index `limit`, preferring one the first line repeats."""
    if not lines or limit <= 0:
        return None
    lo = max(0, limit - r.title_window)
    cands = [i for i in range(limit - 1, lo - 1, -1) if _title_shaped(lines[i], r)]
    first_words = {w.lower() for w in _WORD.findall(lines[0].s)}
    for i in cands:
        words = [w.lower() for w in _WORD.findall(lines[i].s)]
        if words and sum(w in first_words for w in words) / len(words) >= r.title_first_line_overlap:
            return i
    if limit <= r.title_top_lines and _title_shaped(lines[0], r, r.title_first_line_end_ok):
        return 0
    # prefer a headline-shaped line over a sentence-shaped one (a standfirst without a full stop)
    for i in cands:
        if not lines[i].prose:
            return i
    return cands[0] if cands else None


# ---------------------------------------------------------------------------------------------
# Combination with a main-text extractor (HTML pages: `documents.extracted`)

def extractor_coverage(text: str, spans: list[tuple[int, int, int]], extracted: str) -> list[float]:
    """For each line span of `text`, the share of its words that the extractor's text covers.

    The extractor's paragraphs are aligned with the page's words in reading order: each paragraph
    (its lowercased word sequence) is looked up after the previous match, then anywhere; a
    paragraph not found whole (the extractor joined or trimmed lines) is matched in windows of six
    words. A word is covered at most once, so a headline or a "June" repeated in menus is not
    covered everywhere it occurs.
    """
    import bisect

    words: list[int] = []           # line index of each word of the page
    starts: list[int] = []          # char position of each word in `hay`
    parts: list[str] = []
    pos = 1
    for index, (_, s, e) in enumerate(spans):
        for word in _WORD.findall(text[s:e].lower()):
            words.append(index)
            starts.append(pos)
            parts.append(word)
            pos += len(word) + 1
    hay = " " + " ".join(parts) + " "
    covered = [False] * len(words)
    cursor = 0

    def find(seq: list[str]) -> int:
        nonlocal cursor
        needle = " " + " ".join(seq) + " "
        at = hay.find(needle, cursor)
        if at < 0:
            at = hay.find(needle)
        if at < 0:
            return -1
        first = bisect.bisect_left(starts, at + 1)
        for j in range(first, min(first + len(seq), len(words))):
            covered[j] = True
        cursor = at + len(needle) - 1
        return at

    for paragraph in extracted.split("\n"):
        seq = _WORD.findall(paragraph.lower())
        if not seq or find(seq) >= 0:
            continue
        for k in range(0, len(seq), 6):
            window = seq[k:k + 6] if len(seq) - k >= 3 or k == 0 else seq[-6:]
            find(window)
    per_line = [[0, 0] for _ in spans]
    for index, hit in zip(words, covered):
        per_line[index][0] += hit
        per_line[index][1] += 1
    return [c / n if n else 0.0 for c, n in per_line]


def _same_words(a: str, b: str, share: float = 0.8) -> bool:
    wa, wb = _WORD.findall(a.lower()), _WORD.findall(b.lower())
    if not wa or not wb:
        return False
    common = sum((Counter(wa) & Counter(wb)).values())
    return common >= share * len(wa) and common >= share * len(wb)


def _headline(labels: list[LineLabel], keep: list[bool], page_title: str | None) -> int | None:
    """Index of the page's headline line: the line (not the first, the HTML <title>) with the
    words of the title the page states (`page_title`), the last such line before the article's
    first line, else the first after it."""
    if not page_title:
        return None
    first_kept = next((i for i, k in enumerate(keep) if k), len(labels))
    found = [i for i, lab in enumerate(labels) if i > 0 and _same_words(lab.text, page_title)]
    before = [i for i in found if i < first_kept]
    return before[-1] if before else (found[0] if found else None)


def combine_with_extractor(labels: list[LineLabel], text: str, extracted: str | None,
                           config: Mapping, page_title: str | None = None) -> list[LineLabel]:
    """The line labels of an HTML page, revised with the extractor's verdict (`extractor.*`).

    * A line the extractor keeps (coverage >= min_coverage) is body, unless the labeller called it
      something the extractor is known to let through (`labeller_wins`: share rows, calls to
      action, bylines, the headline): rule `extractor.kept` where the labeller had dropped it.
    * A line the extractor drops is boilerplate (`extractor.dropped`), except labeller prose
      (`grow_rules`) within grow_max_gap_lines of an extractor line when the extractor kept less
      than grow_below_share of the labeller's body words: the extractor stopped early in an
      article the labeller saw whole (`extractor.grown`).
    * Without usable extractor text (none, or fewer than min_article_words words while the
      labeller keeps fallback_factor times more), the labeller's labels stand.
    * The headline is the line that repeats the title the page states (`page_title`, from its
      metadata) next to the article (`extractor.title`); another title line of the labeller is
      then boilerplate (`extractor.not_title`). Without such a line, title lines stay titles.
    Every revised line names its rule.
    """
    r = compile_rules(config)
    if not extracted or not labels:
        return labels
    spans = [(lab.line_no, lab.start, lab.end) for lab in labels]
    coverage = extractor_coverage(text, spans, extracted)
    nwords = [len(_WORD.findall(lab.text)) for lab in labels]
    ext_kept = [c >= r.ext_min_coverage for c in coverage]
    ext_words = sum(n for n, k in zip(nwords, ext_kept) if k)
    lab_words = sum(n for n, lab in zip(nwords, labels) if lab.label == "body")
    if ext_words < r.ext_min_words and lab_words >= r.ext_fallback_factor * max(ext_words, 1):
        return labels
    keep = [k and labels[i].rule_id not in r.ext_labeller_wins and labels[i].label != "title"
            for i, k in enumerate(ext_kept)]
    grown = [False] * len(labels)
    if ext_words < r.ext_grow_share * lab_words:
        changed = True
        while changed:
            changed = False
            for i, lab in enumerate(labels):
                if keep[i] or lab.rule_id not in r.ext_grow_rules:
                    continue
                lo, hi = max(0, i - r.ext_grow_gap), min(len(labels), i + r.ext_grow_gap + 1)
                if any(keep[j] for j in range(lo, hi)):
                    keep[i] = grown[i] = changed = True
    headline = _headline(labels, keep, page_title)
    out = []
    for i, lab in enumerate(labels):
        if headline is not None and i == headline:
            out.append(lab if lab.label == "title" else
                       LineLabel(lab.line_no, lab.start, lab.end, lab.text, "title", True, "extractor.title"))
        elif headline is not None and lab.label == "title":
            out.append(LineLabel(lab.line_no, lab.start, lab.end, lab.text, "boilerplate", False,
                                 "extractor.not_title"))
        elif lab.label == "title" or (keep[i] and lab.label == "body" and not grown[i]):
            out.append(lab)
        elif keep[i]:
            rule = "extractor.grown" if grown[i] else "extractor.kept"
            out.append(LineLabel(lab.line_no, lab.start, lab.end, lab.text, "body", True, rule))
        elif lab.kept:
            out.append(LineLabel(lab.line_no, lab.start, lab.end, lab.text, "boilerplate", False,
                                 "extractor.dropped"))
        else:
            out.append(lab)
    return out
