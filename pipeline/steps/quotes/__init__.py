"""Stage `quotes`: who said what. Direct, indirect and mixed attributions -> `quotes.parquet`.

Three layers, each testable alone:

1. `marks.pair_quote_marks(text)`: pure and model-free. Pairs quotation marks by kind (double / single)
   and position (an opening mark follows whitespace, the start or opening punctuation; a closing
   mark precedes whitespace, punctuation or the end), so an apostrophe (`leaders’`, `Burns’`,
   `don’t`) is never a quote mark and one odd mark never loses the document.
2. Extractors over a parsed `Doc` (the textacy `extract/triples.py` pattern: small generators
   yielding typed `Attribution` records, each heuristic commented with its reason):
   `direct_quotes` (quotation + nearby cue), `reported_speech` (cue verb + clause, or + noun-phrase
   object for `object_np` verbs), `according_to`, `noun_cues`, `copular_statements` ("her response
   was: “...”"), `quoted_fragments` (quoted words in the complements of a verb with a speaking
   subject).
3. `resolve_speakers`: speaker as written -> canonical entity, by name, pronoun, role/title and
   recency against the document's mentions (the entities stage's, or a fallback built from the
   Doc's own entities), recording how in `resolution`.

4. `assemble.join_attributions`: one attribution, one row -- the records of one statement
   (“A,” he said. “B.”; a quotation continued in the next paragraph) joined into one record whose
   content is in pieces (`content_spans`), as PolNeAR annotates them.

`extract_quotes(parsed, mentions, config, ...)` runs all four for one document and returns rows of
the QUOTES schema; `run(out_dir)` is the thin stage wrapper. Every offset written points into
`documents.text`; internally the extractors work on the body (`doc.text`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterable, Iterator

from spacy.tokens import Doc, Token

from pipeline.core.config import DEFAULT_CONFIG_DIR, config_files
from pipeline.core.doc_cache import DocumentCache, digest, settings_key
from pipeline.core.io import read_table, write_table
from pipeline.core.errors import STAGE_REJECT_CODES, document_failure
from pipeline.core.io import replace_stage_rejects
from pipeline.core.manifest import StageRecord
from pipeline.steps.docs import body_keys, doc_text, document_order
from pipeline.steps.offsets import OffsetMap
from pipeline.core.schemas import BODIES, DOCUMENTS, ENTITIES, MENTIONS, QUOTES
from pipeline.core.workers import run_n_process, spread
from pipeline.steps.quotes.direct import (
    MAX_RESUME_GAP,
    TAIL_CUE_RULES,
    _dateline_dash,
    _np_from,
    _speaker_left_of_cue,
    _speaker_next_to_cue,
    _starts_sentence,
    _stray_subject_before_cue,
    continuation_quotes,
    direct_quotes,
)
from pipeline.steps.quotes.interview import interview_turns, persons_of
from pipeline.steps.quotes.gender import first_name_genders, first_name_of, remember_lookups
from pipeline.steps.quotes.lexicon import STAGE, QuoteConfig, load_config
from pipeline.steps.quotes.marks import QUOTE_CHARS, pair_quote_marks
from pipeline.steps.quotes.mentions import Mention, fallback_mentions, mentions_from_tables
from pipeline.steps.quotes.reported import (
    _statement_maker_verb,
    according_to,
    block_quotes,
    copular_statements,
    headline_source,
    noun_cues,
    quoted_fragments,
    report_through_source,
    reported_clauses,
    reported_speech,
    thought_and_evidence,
)
from pipeline.steps.quotes.assemble import join_attributions, pieces_of, row_text
from pipeline.steps.quotes.rules import kind_of
from pipeline.steps.quotes.spans import apply_span_conventions
from pipeline.steps.quotes.speakers import TYPE_PRIORITY, SpeakerResolver, _naming_participle, _poll_of_share, corpus_says
from pipeline.steps.quotes.syntax import (
    Attribution,
    _cue_lemma,
    _cue_span,
    _DocIndex,
    quote_marks,
    _find_subject,
    _governed_by_plan,
    _is_cue_verb,
    _relative_pronoun,
    _sent_of,
    _speaker_span,
)

__all__ = ["Attribution", "Mention", "QUOTE_CHARS", "QuoteConfig", "STAGE", "extract_attributions",
           "extract_quotes", "load_config", "pair_quote_marks", "run"]


def _reanchor_same_paragraph(idx: _DocIndex, direct: list[Attribution], reported: list[Attribution]) -> None:
    """A quotation that took the cue of an earlier quotation of its paragraph goes with a newer
    reported-speech cue standing between them instead: “...,” X said. Y added that the plan
    failed. “...” / Y said he would never go, “except for ...”. The quotation either sits in that
    cue's reported clause or goes on right after it (after a comma, or opening the next sentence
    within MAX_RESUME_GAP words), and the cue stands outside the sentence of the cue first taken.
    Among several such cues the latest wins, never one inside another's reported clause."""
    for att in direct:
        if att.rule_id != "direct.same_paragraph" or att.cue is None:
            continue
        p = idx.paragraph_of(att.content[0])
        # (a quotation that took the cue of a later one -- none before it -- may go with a
        # reported clause before it in the same way: She says X. “...” “...,” she added.)
        floor = att.cue.idx if att.cue.idx < att.content[0] else idx.paragraph_start(att.content[0]) - 1
        best = None
        for rep in reported:
            cue = rep.cue
            if cue is None or not (floor < cue.idx < att.content[0]) or \
                    idx.paragraph_of(cue.idx) != p or rep.cue_lemma == "according to" or \
                    _sent_of(cue).start == _sent_of(att.cue).start:
                # (a cue of the first quotation's own sentence -- "said X, who noted that ...",
                # "when asked" -- adds to that attribution, it does not start a new one)
                continue
            inside = rep.content[0] <= att.content[0] < rep.content[1]
            gap = len(idx.words(rep.content[1], att.content[0])) if rep.content[1] <= att.content[0] else None
            # (or goes on the reported clause after a comma: X said he ..., “except ...”)
            before = gap is not None and (gap == 0 or _starts_sentence(idx, att.content[0]) and gap <= MAX_RESUME_GAP)
            if (inside or before) and (best is None or cue.idx > best.cue.idx) and not any(
                    o is not rep and o.cue is not None and o.content[0] <= cue.idx < o.content[1] and
                    o.cue.idx > floor for o in reported):
                # (a cue inside another one's reported clause -- X said he asks Y to ... -- is
                # not the one the quotation goes with: the outer one is)
                best = rep
        if best is not None:
            att.cue, att.cue_span, att.cue_lemma = best.cue, best.cue_span, best.cue_lemma
            att.speaker, att.speaker_ref = None, None
            att.repaired("repair.reported_cue_between")
            continue
        own = _governing_speech_verb(idx, att)
        if own is not None:
            att.cue, att.cue_span, att.cue_lemma = own, _cue_span(own), _cue_lemma(own, idx.config)
            att.speaker, att.speaker_ref = None, None
            att.repaired("repair.governing_speech_verb")


def _governing_speech_verb(idx: _DocIndex, att: Attribution) -> Token | None:
    """“...,” X said. He wrote that the plan “has failed ...”: a quotation opening inside a
    sentence of its own, under a speech verb of that sentence (the verb governs the quotation's
    first word through its clause), is that verb's, not the cue of the paragraph's earlier
    quotation. The verb must come before the quotation and outside the first cue's sentence."""
    first = idx.token_at(att.content[0])
    if first is None or _starts_sentence(idx, att.content[0]):
        return None
    sent = _sent_of(first)
    if sent.start == _sent_of(att.cue).start:
        return None
    for anc in first.ancestors:
        if anc.i < sent.start:
            break
        if anc.idx >= att.content[0] or idx.inside_clause_quote(anc):
            continue
        if anc.pos_ == "VERB" and anc.lemma_.lower() in idx.config.speech and \
                _is_cue_verb(anc, idx.config) and not _governed_by_plan(anc, idx.config):
            return anc
    return None


def _object_complement_verb(idx: _DocIndex, att: Attribution) -> Token | None:
    """The object-content verb ("called", "described") whose object the quotation of `att`
    directly follows (an article at most between), in the quotation's sentence; else None."""
    doc = idx.doc
    q = next((q for q in idx.quotes if q.content_start == att.content[0] or
              q.open_end <= att.content[0] < q.content_end), None)
    if q is None or q.open_start >= doc[-1].idx + len(doc[-1]):
        return None
    opening = doc.char_span(q.open_start, q.open_end, alignment_mode="expand")
    if opening is None:
        return None
    for v in opening[0].sent:
        if v.pos_ != "VERB" or v.lemma_.lower() not in idx.config.object_content or v.i >= opening[0].i:
            continue
        for d in v.children:
            if d.dep_ != "dobj" or d.right_edge.i >= opening[0].i:
                continue
            between = [t for t in doc[d.right_edge.i + 1:opening[0].i] if not t.is_space]
            if all(t.pos_ == "DET" for t in between) and len(between) <= 1:
                return v
    return None


def _join_parenthetical_quotes(doc: Doc, atts: list[Attribution], config: QuoteConfig) -> list[Attribution]:
    """"That, the commission said, “would be helpful ...”": words before a parenthetical cue and
    a quotation right after it that goes on with the same sentence (opening in lower case) are
    one statement; the quotation takes in the words before the cue and the lone parenthetical
    reading is dropped."""
    text = doc_text(doc)
    drop = set()
    if not config.rule_enabled("mixed.parenthetical_quote"):
        return atts
    for p in atts:
        if not p.rule_id.endswith(".parenthetical") or p.cue is None:
            continue
        for d in atts:
            if d.type != "direct" or d.cue is None or d.cue.i != p.cue.i or d.content[0] <= p.content[1]:
                continue
            gap = text[p.content[1]:d.content[0]]
            if not (gap.startswith(",") and all(ch in " \"“'`" for ch in gap[1:])):
                continue      # only the cue's comma and the opening mark between them
            if not text[d.content[0]:d.content[0] + 1].islower():
                continue
            d.content = (p.content[0], d.content[1])
            d.type, d.rule_id = "mixed", "mixed.parenthetical_quote"
            d.repaired("repair.join_parenthetical_quote")
            drop.add(id(p))
    return [a for a in atts if id(a) not in drop]


def _nested_report(inner: Attribution, outer: Attribution) -> bool:
    """"Ferrero said observers went with the marchers, whom he described as “peaceful,” for the
    whole route": a relative clause inside a reported clause that quotes words of its own
    subject is a report of its own, nested in the outer one (both stand); so is an owned
    reporting noun marked nested by noun_cues ("X's claim that ..." inside Y's report)."""
    if inner.extra.get("nested"):
        return outer.type != "direct" and outer.content[0] <= inner.content[0] and \
            inner.content[1] <= outer.content[1]
    cue = inner.cue
    return inner.type == "mixed" and outer.type != "direct" and cue is not None and \
        cue.dep_ == "relcl" and outer.cue is not None and outer.cue.i != cue.i and \
        outer.content[0] <= inner.content[0] and inner.content[1] <= outer.content[1] and \
        outer.content[0] <= cue.idx < outer.content[1]


def _cue_speaker(idx: _DocIndex, att: Attribution, quoted_spans: list[tuple[int, int]]
                 ) -> tuple[tuple[int, int] | None, tuple[int, int] | None, bool]:
    """The speaker span of a cue-attached attribution (None when none is found), the span of the
    noun a relative pronoun speaker stands for (or None), and whether the cue's clause is passive
    without an agent."""
    config = idx.config
    outer = idx.conjoined_cue_of.get(att.cue.i) or _statement_maker_verb(att.cue, config)
    subj, passive = _find_subject(outer if outer is not None else att.cue, config)
    if subj is not None and (idx.inside_clause_quote(subj) or
                             any(s <= subj.idx < e for s, e in quoted_spans)):
        # A noun of a quotation (“... Underestimation of Cruz,” X said; “Safety,” said
        # Grimm. “...” for the second quotation) is never its speaker.
        subj = None
    if subj is not None and subj.idx < att.content[0] and \
            att.rule_id.startswith(TAIL_CUE_RULES):
        # Nothing the president said “will assuage ...,” the Florida senator said: a noun
        # phrase between the quotation and its trailing cue is the speaker, whatever
        # subject the parse found before the quotation.
        near = _speaker_next_to_cue(idx, att)
        if near is not None and subj.i < near[0] and near[1] <= att.cue.i:
            att.repaired("repair.speaker_before_tail_cue")
            return near, None, passive
    dash = _dateline_dash(idx, att.cue)
    if subj is not None and dash is not None and subj.i < dash < att.cue.i:
        # LONDON (Reuters) - Donald Trump said ...: the dateline parsed as the subject;
        # the speaker is the noun phrase opening the sentence after the dash.
        near = _np_from(idx.doc[dash + 1:att.cue.i])
        if near is not None:
            att.repaired("repair.speaker_after_dateline")
            return near, None, passive
        subj = None
    if subj is not None and subj.ent_type_ in ("DATE", "TIME") and subj.pos_ != "PRON":
        # "X's office announced Friday that ...": a date is never the speaker.
        near = _speaker_left_of_cue(idx, att, ignore_subject=True)
        if near is not None:
            att.repaired("repair.speaker_not_a_date")
            return near, None, passive
        subj = None
    if subj is None:
        if passive:
            return None, None, passive
        near = _speaker_next_to_cue(idx, att) or _speaker_left_of_cue(idx, att) or \
            _stray_subject_before_cue(idx, att)
        return near, None, passive
    poll = _poll_of_share(subj, att.cue, config, att.content)
    speaker = _speaker_span(poll if poll is not None else subj, config)
    # "an architect, who said ...": the speaker as written is "who" (next to the cue); the
    # noun it stands for is what gets resolved.
    rel = _relative_pronoun(att.cue, subj, config)
    if rel is not None:
        return (rel.i, rel.i + 1), speaker, passive
    return speaker, None, passive


def _enabled(config: QuoteConfig, found) -> list[Attribution]:
    """What an extractor found, less the records of rules switched off in `configs/quotes.toml`
    (taken before the next extractor looks, so their text stays open to it)."""
    return [a for a in found if config.rule_enabled(a.rule_id)]


def _content_after_dateline(idx: _DocIndex, atts: list[Attribution]) -> None:
    """CAMBRIDGE, Mass., Dec. 11 (UPI) — Young Democrats are ..., a poll finds: a dateline opening
    the cue's paragraph and sentence is no part of the content, which starts after its dash
    (repair.content_after_dateline; the dateline as for repair.speaker_after_dateline)."""
    doc = idx.doc
    for att in atts:
        dash = _dateline_dash(idx, att.cue) if not att.pieces else None
        # (a dash standing free: not the hyphen of "Sen. Jane Doe (D-Vt.)")
        if dash is None or not att.content[0] <= doc[dash].idx < att.content[1] or \
                not (doc[dash - 1].whitespace_ and doc[dash].whitespace_):
            continue
        nxt = next((t for t in doc[dash + 1:] if not t.is_space), None)
        if nxt is not None and nxt.idx < att.content[1]:
            att.content = (nxt.idx, att.content[1])
            att.repaired("repair.content_after_dateline")


def extract_attributions(doc: Doc, config: QuoteConfig, mentions: list[Mention] | None = None,
                         source: str | None = None) -> list[Attribution]:
    """All attributions of one Doc (body offsets), before speaker resolution; content spans are
    pairwise disjoint (overlaps resolved by type priority, then position, then length), except
    for reports nested inside another reported clause (see _nested_report). `mentions` (the
    document's, else the parse's entities) and `source` (the outlet) name an interview's people."""
    idx = _DocIndex(doc, config)
    # An interview's turns first: an answer is the interviewee's, whatever it quotes or reports
    # inside (one attribution of that text, not two: the rules below leave it alone, and the
    # quotations inside give way to the turn holding them when overlaps are settled).
    turns = interview_turns(idx, persons_of(doc, mentions), source)
    found = direct_quotes(idx)
    direct = turns + list(found.values())
    taken = [a.content for a in direct]
    # Paragraph-long quotations without marks (transcripts, "X added:" blocks) are direct too.
    direct += _enabled(config, block_quotes(idx, taken))
    taken = [a.content for a in direct]
    direct += _enabled(config, headline_source(idx, taken))
    taken = [a.content for a in direct]
    # who called the nominee “unfit to serve”: a quotation opening right after the object of an
    # object-content verb is its complement; the statement is object + quotation (mixed.object),
    # so the quote-only attribution gives way when that rule covers it.
    complements = {id(a): v for a in direct if (v := _object_complement_verb(idx, a)) is not None}
    clauses = list(reported_clauses(idx))       # the parse is walked once; fitted to `taken` below
    reported = _enabled(config, reported_speech(idx, [a.content for a in direct if id(a) not in complements], clauses))
    if complements:
        # Released only when that rule covers the quotation and no other report reaches into
        # it (“calling Trump “a buffoon,” Susan said”: the quotation stays with its own cue).
        def released(a: Attribution, v: Token) -> bool:
            over = [r for r in reported if r.content[0] < a.content[1] and a.content[0] < r.content[1]]
            return bool(over) and all(r.rule_id == "mixed.object" and r.cue is not None and r.cue.i == v.i
                                      and r.content[0] <= a.content[0] and a.content[1] <= r.content[1]
                                      for r in over)
        direct = [a for a in direct if id(a) not in complements or not released(a, complements[id(a)])]
        taken = [a.content for a in direct]
        reported = _enabled(config, reported_speech(idx, taken, clauses))
    taken += [a.content for a in reported]
    reported += _enabled(config, according_to(idx, taken))
    taken += [a.content for a in reported]
    reported += _enabled(config, noun_cues(idx, taken, hosts=[a.content for a in reported]))
    taken += [a.content for a in reported]
    reported += _enabled(config, copular_statements(idx, taken))
    taken += [a.content for a in reported]
    # Thought and evidence ("X believes that ...", "polls show ..."), on the text no speech rule
    # above took; before quoted fragments, so a thought holding quoted words is a thought ...
    other_kinds = _enabled(config, thought_and_evidence(idx, list(taken)))
    taken += [a.content for a in other_kinds]
    reported += _enabled(config, quoted_fragments(idx, taken))

    _reanchor_same_paragraph(idx, direct, reported)
    # ... and out of the re-anchoring, so a quotation never takes "believes" or "show" as its cue.
    reported += other_kinds

    atts = direct + reported
    _content_after_dateline(idx, atts)
    atts.sort(key=lambda a: a.content[0])
    atts += list(continuation_quotes(idx, found, atts))
    # Speakers for cue-attached records.
    quoted_spans = [a.content for a in atts if a.type == "direct"]
    # “...,” Kilfoyle said. “...”: a quotation sharing the cue of an earlier one of its paragraph
    # takes the speaker found for that one (found next to the first quotation, which may hold
    # a word the parser took as the cue's subject).
    by_cue: dict[int, Attribution] = {}
    for att in sorted(atts, key=lambda a: a.rule_id == "direct.same_paragraph"):
        if att.rule_id == "direct.same_paragraph" and att.cue is not None and att.cue.i in by_cue:
            first = by_cue[att.cue.i]
            att.speaker, att.speaker_ref = first.speaker, first.speaker_ref
            att.extra["passive"] = first.extra.get("passive", False)
            att.repaired("repair.first_quote_speaker")
            continue
        if att.cue is not None and att.rule_id.startswith("direct.") and att.speaker is None:
            by_cue.setdefault(att.cue.i, att)
        if att.speaker is None and att.cue is not None and att.type != "direct" and \
                _naming_participle(att.cue, config):
            continue
        if att.speaker is None and att.cue is not None and att.inherit_from is None and \
                att.rule_id != "direct.dash" and att.cue_lemma != "according to" and \
                not att.extra.get("speaker_fixed"):
            speaker, ref, att.extra["passive"] = _cue_speaker(idx, att, quoted_spans)
            att.speaker = speaker
            if ref is not None:
                att.speaker_ref = ref
    report_through_source(idx, atts)
    atts = _join_parenthetical_quotes(doc, atts, config)
    # Paragraph chains inherit their source's speaker later (resolution order = text order).
    chosen: list[Attribution] = []
    for att in sorted(atts, key=lambda a: (TYPE_PRIORITY[a.type], a.content[0], -(a.content[1] - a.content[0]))):
        if any(att.content[0] < c.content[1] and c.content[0] < att.content[1] and
               not _nested_report(att, c) for c in chosen):
            continue
        chosen.append(att)
    chosen.sort(key=lambda a: a.content[0])
    return _merge_running_quotation(idx, chosen)


def _merge_running_quotation(idx: _DocIndex, atts: list[Attribution]) -> list[Attribution]:
    """A quotation running over several paragraphs (each opens with a mark, only the last one
    closes: news convention for one long quotation) is one statement: its paragraphs, cut into
    one attribution each, are joined into the first one, a content piece per paragraph."""
    out: list[Attribution] = []
    for att in atts:
        prev = out[-1] if out else None
        if prev is not None and prev.type == "direct" and att.type == "direct" and \
                att.rule_id in ("direct.continuation", "direct.paragraph_chain") and \
                idx.paragraph_of(att.content[0]) == idx.paragraph_of(prev.content[1] - 1) + 1:
            between = "".join(idx.text[prev.content[1]:att.content[0]].split())
            pos = prev.content[1] + idx.text[prev.content[1]:].find(between[:1])
            if len(between) == 1 and any(q.open_start == pos for q in idx.quotes):
                # one piece per paragraph (the line break is no part of what was said)
                prev.pieces = [*pieces_of(prev), (pos, att.content[1])]     # (from its opening mark)
                prev.content = (prev.content[0], att.content[1])
                if "repair.merge_running_quotation" not in prev.repairs:     # (once, however many paragraphs)
                    prev.repaired("repair.merge_running_quotation")
                continue
        out.append(att)
    return out


def extract_quotes(parsed, mentions: list[Mention] | None, config: QuoteConfig,
                   offset_map: OffsetMap | None = None, text: str | None = None,
                   span_conventions: bool = True, join: bool = True, source: str | None = None,
                   consulted: dict | None = None) -> list[dict]:
    """Rows of the QUOTES schema for one parsed document (offsets into documents.text).

    `mentions`: the document's mentions from the entities stage, or None for the fallback built
    from the Doc's own entities. `offset_map` maps body offsets to the original text (identity
    when None); `text` is documents.text (the body when None). `span_conventions=False` keeps the
    spans as the rules found them (the words only; quotes/spans.py widens them as the field does);
    `join=False` keeps one row per record as the rules found them (quotes/assemble.py joins the
    records of one attribution into one row of several pieces); `source` is documents.source
    (an interview's questions are the outlet's when nobody else is named as asking). `consulted`
    receives what the corpus says of the mentions that the speaker resolution read
    (SpeakerResolver.consulted).
    """
    doc = parsed.doc
    if mentions is None:
        mentions = fallback_mentions(parsed, config)
    atts = extract_attributions(doc, config, mentions, source)
    resolver = SpeakerResolver(doc, mentions, config)
    # Resolve in order of the cue (or content) position, so recency follows reading order;
    # inherited records after their source.
    for att in sorted(atts, key=lambda a: (a.inherit_from is not None,
                                           a.cue.idx if a.cue is not None else a.content[0])):
        resolver.resolve(att)
    atts = [a for a in atts if not a.extra.get("drop")]
    genders = {id(a): resolver.speaker_gender(a) for a in atts}   # after every pronoun is resolved
    if consulted is not None:
        consulted.update(resolver.consulted)
    # The field's span conventions (marks, verbal group, whole noun phrase), once speakers are resolved.
    if span_conventions:
        apply_span_conventions(doc, atts, quote_marks(doc), config.cue_prepositions)
    # One attribution, one row: the pieces of one statement joined (quotes/assemble.py).
    if join:
        atts = join_attributions(doc, atts, config.speech)
    text = doc_text(doc) if text is None else text

    # Body -> text offsets, mapped in one vectorised call per document (every piece).
    pieces = [pieces_of(a) for a in atts]
    flat = [p for ps in pieces for p in ps]
    if offset_map is not None and flat:
        starts = offset_map.starts([p[0] for p in flat]).tolist()
        ends = offset_map.ends([p[1] for p in flat]).tolist()
    else:
        starts, ends = [p[0] for p in flat], [p[1] for p in flat]

    rows = []
    seen = set()
    k = 0
    for att, att_pieces in zip(atts, pieces):
        # (a piece without a word -- a lone mark a rule left -- is no content)
        spans = [(s, e) for s, e in zip(starts[k:k + len(att_pieces)], ends[k:k + len(att_pieces)])
                 if e > s and any(c.isalnum() for c in text[s:e])]
        k += len(att_pieces)
        if not spans:
            continue
        cs, ce = spans[0][0], spans[-1][1]
        quote_id = f"{parsed.doc_id}:{cs}-{ce}"
        if quote_id in seen:
            continue
        seen.add(quote_id)
        content, content_plain = row_text(text, spans)
        row = {"quote_id": quote_id, "doc_id": parsed.doc_id, "type": att.type,
               "content": content, "content_plain": content_plain,
               "content_spans": [{"start": s, "end": e} for s, e in spans],
               "content_start": cs, "content_end": ce,
               "cue": None, "cue_start": None, "cue_end": None,
               "speaker_text": None, "speaker_start": None, "speaker_end": None,
               "speaker": att.speaker_name, "speaker_entity_id": att.speaker_entity_id,
               "speaker_title": att.extra.get("speaker_title"),
               "speaker_gender": genders[id(att)][0], "gender_evidence": genders[id(att)][1],
               "resolution": att.resolution or "none", "kind": kind_of(att.rule_id), "rule_id": att.rule_id,
               "rule_trace": att.rule_trace}
        # A continuation has no cue of its own: it carries the cue and speaker span of the
        # attribution it continues (where its speaker is written), flagged by its resolution.
        source = att
        while source.inherit_from is not None:
            source = source.inherit_from
        if source.cue_span is not None:
            s, e = parsed.text_span(*source.cue_span)
            row.update(cue=source.cue_lemma, cue_start=s, cue_end=e)
        if source.speaker is not None:
            s, e = parsed.text_span(*source.speaker)
            row.update(speaker_text=text[s:e], speaker_start=s, speaker_end=e)
        rows.append(row)
    return rows


def quotes_of_documents(parsed_docs, documents: dict[str, dict], by_doc: dict[str, list[Mention]] | None,
                        config: QuoteConfig, failures: list[dict]) -> tuple[list[dict], int]:
    """The stage's per-document work: (quote rows, documents done) of `parsed_docs`, given each
    document's `text` and `body_segments` and its mentions (`by_doc`; None: the model's entities).
    One document cannot sink the run: it becomes a rejects row in `failures` (issue 15). The Dask
    engine runs it on each partition."""
    return _gathered(each_document_quotes(parsed_docs, documents, by_doc, config, failures))


def each_document_quotes(parsed_docs, documents: dict[str, dict], by_doc: dict[str, list[Mention]] | None,
                         config: QuoteConfig, failures: list[dict]) -> Iterator[tuple[str, list[dict]]]:
    """(doc_id, its quote rows) per document of `parsed_docs` that has a documents row; a document
    whose extraction raises is skipped, a rejects row in `failures`."""
    for parsed in parsed_docs:
        document = documents.get(parsed.doc_id)
        if document is None:
            continue
        mentions = by_doc.get(parsed.doc_id, []) if by_doc is not None else None
        consulted: dict = {}
        try:
            rows = extract_quotes(parsed, mentions, config, OffsetMap.from_segments(document["body_segments"]),
                                  document["text"], source=document.get("source"), consulted=consulted)
        except Exception as exc:
            failures.append(document_failure(STAGE, parsed.doc_id, exc))
            print(f"[quotes] error {failures[-1]['code']}: {failures[-1]['message']}", file=sys.stderr)
            continue
        yield parsed.doc_id, (rows, consulted)


def _gathered(per_document: Iterable[tuple[str, tuple[list[dict], dict]]]) -> tuple[list[dict], int]:
    rows: list[dict] = []
    n_docs = 0
    for _, (found, _consulted) in per_document:
        rows.extend(found)
        n_docs += 1
    return rows, n_docs


def _document_keys(out_dir: Path, documents: dict[str, dict], by_doc: dict[str, list[Mention]] | None
                   ) -> dict[str, str]:
    """doc_id -> digest of what a document's quotes are made from within the document: its tokens
    (body_keys), its text (the rows' offsets and content), its source (an interview's outlet) and
    its mentions as the entities stage linked them (a new document elsewhere can change a name
    here: then this document is redone).
    What the corpus says of them (titles, descriptions) is checked apart (`_corpus_unchanged`):
    only what the speaker resolution read of it counts."""
    def own(m: Mention) -> tuple:
        return (m.token_start, m.token_end, m.start, m.end, m.text, m.label, m.title, m.entity_id, m.name)

    return {doc_id: digest(key, documents[doc_id]["text"], documents[doc_id].get("source"),
                           [own(m) for m in by_doc.get(doc_id, [])] if by_doc is not None else None)
            for doc_id, key in body_keys(out_dir).items() if doc_id in documents}


def _corpus_unchanged(by_doc: dict[str, list[Mention]] | None):
    """Whether every question an earlier extraction asked of what the corpus says of the
    document's mentions (SpeakerResolver.consulted) has the same answer now."""
    def check(doc_id: str, result: tuple[list[dict], dict]) -> bool:
        now = {(m.token_start, m.token_end): m for m in (by_doc or {}).get(doc_id, [])}
        return all((s, e) in now and corpus_says(now[(s, e)], kind, word) == answer
                   for (s, e, kind, word), answer in result[1].items())
    return check


def look_up_first_names(by_doc: dict[str, list[Mention]] | None) -> dict[str, tuple[str, float] | None]:
    """Every person's first name among the mentions, looked up in one pass over the name
    dictionary (a lookup per document, or per Dask partition, would read its files again for each
    one's new names)."""
    if by_doc is None:
        return {}
    return first_name_genders(filter(None, (first_name_of(m.name) for mentions in by_doc.values()
                                            for m in mentions if m.label == "PERSON")))


def run(out_dir: Path, config_dir: Path | None = None, **_) -> dict:
    from pipeline.steps.docs import iter_parsed_docs
    from pipeline.core.schemas import TOKENS

    config_dir = Path(config_dir or DEFAULT_CONFIG_DIR)
    out_dir = Path(out_dir)
    record = StageRecord(STAGE, out_dir, config_files=config_files(config_dir, STAGE))
    record.add_input_tables(DOCUMENTS.name, TOKENS.name, MENTIONS.name, ENTITIES.name)
    config = load_config(config_dir)
    documents = {row["doc_id"]: row for row in read_table(DOCUMENTS, out_dir, columns=["doc_id", "text", "source"]).to_pylist()}
    for row in read_table(BODIES, out_dir, columns=["doc_id", "body_segments"]).to_pylist():
        documents[row["doc_id"]]["body_segments"] = row["body_segments"]
    by_doc = mentions_from_tables(out_dir)
    remember_lookups(out_dir)            # the first names the entities stage looked up
    look_up_first_names(by_doc)
    record.extra["speaker_mentions"] = "entities stage" if by_doc is not None else "fallback (doc.ents)"
    failures: list[dict] = []
    # an incremental run extracts only from the documents whose tokens, text or mentions changed
    cache = DocumentCache(out_dir, STAGE, settings_key(out_dir, config_dir, STAGE))
    order = document_order(out_dir)
    per_document = cache.through(order, _document_keys(out_dir, documents, by_doc),
                                 spread(lambda ids: each_document_quotes(iter_parsed_docs(out_dir, only=ids), documents,
                                                                         by_doc, config, failures),
                                        order, run_n_process(config_dir), collect=(failures,)),
                                 still_valid=_corpus_unchanged(by_doc))
    rows, n_docs = _gathered(per_document)
    write_table(QUOTES, rows, out_dir)
    replace_stage_rejects(out_dir, STAGE_REJECT_CODES[STAGE], failures)
    cache.save()
    counts = {}
    for row in rows:
        counts[row["type"]] = counts.get(row["type"], 0) + 1
    record.rows = {"quotes": len(rows), "documents": n_docs, "reused": cache.reused,
                   **{f"type_{k}": v for k, v in sorted(counts.items())}}
    return record.write()
