"""Tests for pipeline.steps.topic_phrases (the compiled phrase analyses: `topics` runs without the model)
and for topic_tagger's PhraseTable (phrase matching without pattern Docs), table-driven with
negative cases, checked against spaCy's PhraseMatcher on hand-built Docs."""

from __future__ import annotations

import json

import pytest
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from pipeline.steps import topic_phrases
from pipeline.core.config import DEFAULT_CONFIG_DIR
from pipeline.steps.docs import shared_vocab
from pipeline.core.errors import ConfigError
from pipeline.steps.topic_phrases import PhraseAnalysis
from pipeline.steps.topic_tagger import PhraseTable, TokenStrings, build_tagger, token_words
from pipeline.steps.topics import load_settings

COMPILED = DEFAULT_CONFIG_DIR / "topics" / topic_phrases.COMPILED_NAME


@pytest.fixture
def no_model(monkeypatch):
    """Loading the model for phrases fails the test: what runs under it needs none."""
    def refuse():
        raise AssertionError("the model was loaded to lemmatise taxonomy phrases")
    monkeypatch.setattr(topic_phrases, "_lemma_model", refuse)


# ------------------------------------------------------------------ the generated file

@pytest.mark.slow     # lemmatises with the model
def test_compiled_file_is_up_to_date():
    """Regenerate with `python -m pipeline.steps.topic_phrases` when this fails (a taxonomy phrase added,
    or spaCy or the model upgraded)."""
    committed = json.loads(COMPILED.read_text(encoding="utf-8"))
    if committed["versions"] != topic_phrases.versions():
        pytest.fail(f"{COMPILED} was made with {committed['versions']}, installed: {topic_phrases.versions()}: "
                    f"regenerate it with `python -m pipeline.steps.topic_phrases`")
    assert committed == topic_phrases.generate(DEFAULT_CONFIG_DIR), \
        f"{COMPILED} is stale: regenerate it with `python -m pipeline.steps.topic_phrases`"


@pytest.mark.slow     # lemmatises with the model
def test_check_command_reports_a_stale_file(tmp_path, capsys):
    topics = tmp_path / "topics"
    topics.mkdir()
    (topics / "t.toml").write_text('[taxonomy]\nid = "t"\nlabel = "T"\n[[topic]]\nid = "t:1"\nlabel = "One"\n'
                                   'phrases = ["interest rates", "NATO"]\n', encoding="utf-8")
    assert topic_phrases.main(["--config", str(tmp_path), "--check"]) == 1            # absent
    assert topic_phrases.main(["--config", str(tmp_path)]) == 0
    assert topic_phrases.main(["--config", str(tmp_path), "--check"]) == 0
    data = json.loads((topics / "phrases.json").read_text(encoding="utf-8"))
    assert data["phrases"]["interest rates"] == {"words": ["interest", "rates"], "lemmas": ["interest", "rate"]}
    assert data["phrases"]["NATO"] == {"words": ["NATO"]}                            # matched as written
    (topics / "t.toml").write_text((topics / "t.toml").read_text().replace('"NATO"', '"NATO", "tariffs"'))
    assert topic_phrases.main(["--config", str(tmp_path), "--check"]) == 1            # a phrase added
    assert "stale" in capsys.readouterr().err


def test_shipped_taxonomies_build_without_the_model(no_model):
    settings = load_settings()
    assert {t.id for t in settings.taxonomies} >= {"cap"}
    assert len(settings.taxonomies[0].tagger.lemma_matcher) > 1000


@pytest.mark.parametrize("content", [
    "not json",
    '{"versions": {"spacy": "0.0"}, "phrases": {"x": {"words": ["y"]}}}',      # another spaCy or model
    '{"versions": null}',
    '[1, 2]',
])
def test_unusable_compiled_file_is_ignored(tmp_path, content):
    path = tmp_path / "phrases.json"
    path.write_text(content, encoding="utf-8")
    assert topic_phrases.read_compiled(path) == {}


@pytest.mark.slow     # lemmatises with the model
def test_a_new_phrase_is_lemmatised_once_and_cached(tmp_path, monkeypatch):
    cache = tmp_path / "out" / topic_phrases.CACHE_NAME
    config = {"taxonomy": {"id": "t", "label": "T"},
              "scoring": {"threshold": 1.0, "context_weight": 0.5, "weak_weight": 0.5},
              "topic": [{"id": "t:1", "label": "Zoo", "phrases": ["zebra crossings", "inflation"]}]}
    first = build_tagger(config, "t.toml", cache=cache)
    assert ("zebra", "crossing") in first.lemma_matcher.patterns
    cached = topic_phrases.read_compiled(cache)
    assert set(cached) == {"zebra crossings"}       # "inflation" came from the shipped file
    assert cached["zebra crossings"] == PhraseAnalysis(("zebra", "crossings"), ("zebra", "crossing"))
    monkeypatch.setattr(topic_phrases, "_lemma_model", lambda: pytest.fail("model loaded again"))
    second = build_tagger(config, "t.toml", cache=cache)
    assert second.lemma_matcher.patterns == first.lemma_matcher.patterns


def test_bad_taxonomy_errors_still_name_file_and_entry(no_model):
    config = {"taxonomy": {"id": "t", "label": "T"},
              "scoring": {"threshold": 1.0, "context_weight": 0.5, "weak_weight": 0.5},
              "topic": [{"id": "t:1", "label": "One", "phrases": ["inflation", 3]}]}
    with pytest.raises(ConfigError, match="bad.toml: topic 't:1'.*'phrases' must be a list of non-empty strings"):
        build_tagger(config, "bad.toml")


# ------------------------------------------------------------------ PhraseTable

PHRASES = [("k:rate", ("interest", "rate")), ("k:interest", ("interest",)), ("k:rate2", ("interest", "rate")),
           ("k:long", ("interest", "rate", "cut")), ("k:cut", ("cut",)), ("k:rate", ("interest", "rate"))]

TABLE_CASES = [
    # words, start, end, expected hits (by start, then length; a key once per span)
    ("the interest rate cut", 0, 4, [("k:interest", 1, 2), ("k:rate", 1, 3), ("k:rate2", 1, 3),
                                     ("k:long", 1, 4), ("k:cut", 3, 4)]),
    ("the interest rate cut", 0, 3, [("k:interest", 1, 2), ("k:rate", 1, 3), ("k:rate2", 1, 3)]),   # end bound
    ("the interest rate cut", 2, 4, [("k:cut", 3, 4)]),                  # a phrase begun before start: none
    ("rate interest", 0, 2, [("k:interest", 1, 2)]),                     # word order matters
    ("Interest rate", 0, 2, []),                                         # the table's words are exact strings
    ("", 0, 0, []),
    ("nothing here at all", 0, 4, []),
]


@pytest.mark.parametrize("text,start,end,expected", TABLE_CASES)
def test_phrase_table_finds(text, start, end, expected):
    table = PhraseTable()
    for key, words in PHRASES:
        table.add(key, words)
    assert table.find(TokenStrings(text.split()), start, end) == expected


SAME_AS_PHRASEMATCHER = [
    "interest rates rose as the interest rate cut came",
    "cut cut interest",
    "The Interest rate",
    "interest",
]


@pytest.mark.parametrize("text", SAME_AS_PHRASEMATCHER)
def test_phrase_table_finds_what_phrasematcher_finds(text):
    vocab = shared_vocab()
    matcher, table = PhraseMatcher(vocab, attr="LOWER"), PhraseTable()
    for key, words in PHRASES:
        matcher.add(key, [Doc(vocab, words=list(words))])
        table.add(key, words)
    doc = Doc(vocab, words=text.split())
    expected = sorted((vocab.strings[k], s, e) for k, s, e in matcher(doc))
    got = table.find(token_words(doc)["lower"], 0, len(doc))
    assert sorted(got) == expected
    assert [h[1:] for h in got] == sorted(h[1:] for h in got)          # by start, then end


TOKEN_WORDS = [
    # words, lemmas, expected norm (lower-case lemma, else the lower form)
    (["Taxes", "ROSE", "in", "U.S."], ["tax", "rise", "in", ""], ["tax", "rise", "in", "u.s."]),
    (["Jails"], ["Jails"], ["jails"]),
    ([], [], []),
]


@pytest.mark.parametrize("words,lemmas,norms", TOKEN_WORDS)
def test_token_words(words, lemmas, norms):
    doc = Doc(shared_vocab(), words=words, lemmas=lemmas) if words else Doc(shared_vocab(), words=[])
    got = token_words(doc)
    assert got["norm"].strings == norms
    assert got["orth"].strings == words and got["lower"].strings == [w.lower() for w in words]
    assert all(got["orth"].strings[i] == w for w, where in got["orth"].positions.items() for i in where)


# ------------------------------------------------------------------ the stage's Doc handling

PATTERN_ATTRS = [
    # token patterns, the attributes read; whether the Docs need tags and morphology
    ([{"LOWER": "between"}, {"ENT_TYPE": {"IN": ["GPE"]}, "OP": "+"}], {"LOWER", "ENT_TYPE", "OP"}, False),
    ([{"lemma": "friend"}, {"TAG": "NNP"}], {"LEMMA", "TAG"}, True),
    ([{"MORPH": {"IS_SUPERSET": ["Number=Plur"]}}], {"MORPH"}, True),
    ([{"NORM": "tax"}], {"NORM"}, False),
]


@pytest.mark.parametrize("pattern,attrs,fine_grained", PATTERN_ATTRS)
def test_pattern_attrs_say_what_the_docs_need(pattern, attrs, fine_grained, no_model):
    config = {"taxonomy": {"id": "t", "label": "T"},
              "scoring": {"threshold": 1.0, "context_weight": 0.5, "weak_weight": 0.5},
              "topic": [{"id": "t:1", "label": "One", "phrases": ["inflation"],
                         "token_patterns": [{"id": "p", "pattern": pattern}]}]}
    tagger = build_tagger(config, "t.toml")
    assert tagger.pattern_attrs == attrs
    assert bool(tagger.pattern_attrs & {"TAG", "MORPH"}) is fine_grained


def test_a_norm_pattern_sees_the_lemma(no_model):
    config = {"taxonomy": {"id": "t", "label": "T"},
              "scoring": {"threshold": 1.0, "context_weight": 0.5, "weak_weight": 0.5},
              "topic": [{"id": "t:1", "label": "One", "token_patterns": [{"id": "p", "pattern": [{"NORM": "tax"}]}]}]}
    tagger = build_tagger(config, "t.toml")
    doc = Doc(shared_vocab(), words=["Taxes", "rose"], lemmas=["tax", "rise"])
    assert [(k, s, e) for k, s, e in tagger.matches(doc, 0, 2)] == [("t:1\tp", 0, 1)]
    doc = Doc(shared_vocab(), words=["Texas", "rose"], lemmas=["Texas", "rise"])
    assert tagger.matches(doc, 0, 2) == []


@pytest.mark.parametrize("enabled_before", [True, False])
def test_the_cycle_collector_is_restored(enabled_before):
    import gc

    from pipeline.steps.topics import _cycle_collector_paused
    (gc.enable if enabled_before else gc.disable)()
    try:
        with _cycle_collector_paused():
            assert not gc.isenabled()
        assert gc.isenabled() is enabled_before
        with pytest.raises(RuntimeError):
            with _cycle_collector_paused():
                raise RuntimeError("a failing document")
        assert gc.isenabled() is enabled_before
    finally:
        gc.enable()


@pytest.mark.slow     # the seed outputs (the whole pipeline)
def test_docs_without_fine_grained_tags_keep_everything_topics_reads(seed_outputs):
    from pipeline.steps.docs import iter_parsed_docs

    full = list(iter_parsed_docs(seed_outputs))
    lean = list(iter_parsed_docs(seed_outputs, fine_grained=False))
    assert [p.doc_id for p in full] == [p.doc_id for p in lean] and full
    read = lambda t: (t.text, t.whitespace_, t.lemma_, t.pos_, t.dep_, t.head.i, t.ent_iob_, t.ent_type_,  # noqa: E731
                      t.is_sent_start, t.is_stop)
    for a, b in zip(full, lean):
        assert [read(t) for t in a.doc] == [read(t) for t in b.doc]
        assert (a.token_starts == b.token_starts).all()
        assert all(t.tag_ == "" and not str(t.morph) for t in b.doc)
    assert any(t.tag_ for p in full for t in p.doc)          # the full rebuild has them


@pytest.mark.parametrize("n_keys", [1, 2, 3, 4, 5, 9, 20])
def test_keys_of_one_span_come_in_phrasematchers_order(n_keys):
    """Several keys on the same words (a phrase in several topics, a lemma shared by two phrases):
    PhraseTable reports them as PhraseMatcher does, which a rule keeping the first of equal hits sees."""
    vocab = shared_vocab()
    matcher, table = PhraseMatcher(vocab, attr="LOWER"), PhraseTable()
    keys = [f"t:{i}\tinterest rate" for i in range(n_keys)]
    for key in keys:
        matcher.add(key, [Doc(vocab, words=["interest", "rate"])])
        table.add(key, ("interest", "rate"))
    doc = Doc(vocab, words=["the", "interest", "rate"])
    expected = [(vocab.strings[k], s, e) for k, s, e in matcher(doc)]
    assert table.find(token_words(doc)["lower"], 0, len(doc)) == expected
    assert sorted(k for k, _, _ in expected) == sorted(keys)
