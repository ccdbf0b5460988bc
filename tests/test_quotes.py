"""iqtl.core.quotes: a claim's quote checked against the archived text of its source."""

from __future__ import annotations

import random
import re
import time
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iqtl.core.quotes import (
    ANNO_CONTEXT,
    JOIN,
    Archive,
    Outcome,
    Span,
    TextPositionSelector,
    TextQuoteSelector,
    annotation,
    found_elsewhere,
    locate_quote,
    normalise,
    paraphrase_hints,
    position_is_stale,
    quote_context,
    selectors_for,
    sentence_spans,
    sha256_hex,
)

ROOT = Path(__file__).resolve().parents[1]
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"

ARTICLE = (
    "Border control was nonexistent, says Wayne White. “The Iranians could just drive across…. "
    "They would come in convoys, ten trucks at a time.” Mr. Smith of the U.S. embassy disagreed. "
    "“It’s debatable,” he said."
)


# --- verified --------------------------------------------------------------------------


def test_exact_quote_is_verified_with_its_position():
    quote = "They would come in convoys, ten trucks at a time."
    m = locate_quote(ARTICLE, quote)
    assert m.outcome is Outcome.VERIFIED and m.found
    assert len(m.spans) == 1
    assert m.spans[0].of(ARTICLE) == quote
    assert m.spans[0].start == ARTICLE.index("They would")
    assert m.differences == () and m.position_stale is None


def test_an_ellipsis_that_is_in_the_article_matches_literally_first():
    text = "He said “wait … and see” and left. Later: wait, then see."
    m = locate_quote(text, "wait … and see")
    assert m.outcome is Outcome.VERIFIED
    assert m.spans == (Span(9, 23),)  # one span: the ellipsis is the article's own


def test_joined_parts_are_found_in_order():
    quote = "Border control was nonexistent" + JOIN + "The Iranians could just drive across…."
    m = locate_quote(ARTICLE, quote)
    assert m.outcome is Outcome.VERIFIED and m.joined
    assert [s.of(ARTICLE) for s in m.spans] == [
        "Border control was nonexistent",
        "The Iranians could just drive across….",
    ]
    assert m.envelope == Span(0, m.spans[1].end)


def test_joined_parts_out_of_order_are_not_found():
    quote = "ten trucks at a time" + JOIN + "Border control was nonexistent"
    m = locate_quote(ARTICLE, quote)
    assert m.outcome is Outcome.NOT_FOUND and not m.found
    assert "not in this order" in m.detail
    assert m.spans == ()


def test_a_missing_part_of_a_joined_quote_is_named_with_its_closest_passage():
    quote = "Border control was nonexistent" + JOIN + "They would come in trucks, ten convoys at a time."
    m = locate_quote(ARTICLE, quote)
    assert m.outcome is Outcome.NOT_FOUND
    assert m.detail.startswith("part 2 of 2")
    assert m.closest is not None and m.closest.part == 1
    assert "convoys" in m.closest.text


# --- normalised only ---------------------------------------------------------------------


def test_straight_apostrophe_against_curly_names_the_character_and_offset():
    text = "He said: “The Badrists’ men are everywhere,” and left."
    quote = "The Badrists' men are everywhere"
    m = locate_quote(text, quote)
    assert m.outcome is Outcome.NORMALISED and m.found
    assert m.spans[0].of(text) == "The Badrists’ men are everywhere"
    assert [d.describe() for d in m.differences] == ["’ in the archive, ' in the quote at offset 12"]
    d = m.differences[0]
    assert (d.quote_chars, d.archive_chars, text[d.archive_offset]) == ("'", "’", "’")


@pytest.mark.parametrize(
    ("archive_piece", "quote_piece", "described"),
    [
        ("a\u00a0b", "a b", "U+00A0 in the archive, space in the quote"),
        ("a — b", "a—b", "space — space in the archive, — in the quote"),
        ("a -- b", "a–b", None),  # two hyphens fold to one dash only after the spaces go
        ("a\n   b", "a b", "U+000A space space space in the archive, space in the quote"),
        ("the \ufb01rst", "the first", "ﬁ in the archive, fi in the quote"),
        ("wait…", "wait...", "… in the archive, ... in the quote"),
        ("“so”", '"so"', '“ in the archive, " in the quote'),
        ("co\u00adoperate", "cooperate", "o U+00AD in the archive, o in the quote"),
        ("it\u00b4s", "it's", "´ in the archive, ' in the quote"),
    ],
)
def test_typographic_differences_are_normalised_and_named(archive_piece, quote_piece, described):
    text = f"Before. He said {archive_piece} today. After."
    quote = f"said {quote_piece} today"
    m = locate_quote(text, quote)
    if described is None:
        assert m.outcome is Outcome.NOT_FOUND  # a double hyphen is not a dash
        return
    assert m.outcome is Outcome.NORMALISED, m
    assert described in [d.describe().rsplit(" at offset", 1)[0] for d in m.differences]
    assert m.spans[0].of(text).startswith("said ") and m.spans[0].of(text).endswith(" today")
    for d in m.differences:
        assert quote[d.quote_offset : d.quote_offset + len(d.quote_chars)] == d.quote_chars
        assert text[d.archive_offset : d.archive_offset + len(d.archive_chars)] == d.archive_chars


def test_normalised_join_reports_offsets_in_the_whole_quote():
    text = "“It’s a transition country,” he said. “It’s a bridge.”"
    quote = "It's a transition country" + JOIN + "It's a bridge."
    m = locate_quote(text, quote)
    assert m.outcome is Outcome.NORMALISED and len(m.spans) == 2
    assert [d.quote_offset for d in m.differences] == [2, quote.rindex("'")]


def test_normalise_is_idempotent_and_folds_the_usual_suspects():
    s = "“It’s  here”\u00a0— now…"
    assert normalise(s) == '"It\'s here"-now...'
    assert normalise(normalise(s)) == normalise(s)


_TYPO = {"'": "’", '"': "“", "-": "—", " ": "\u00a0"}


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet="ab '\"-.\n", min_size=1, max_size=60),
    st.data(),
)
def test_any_slice_dressed_typographically_is_found_where_it_was(plain, data):
    start = data.draw(st.integers(0, len(plain) - 1))
    end = data.draw(st.integers(start + 1, len(plain)))
    quote = plain[start:end]
    if JOIN in quote or not normalise(quote).strip():
        return
    archive = "".join(_TYPO.get(c, c) if data.draw(st.booleans()) else c for c in plain)
    m = locate_quote(archive, quote, closest=False)
    assert m.outcome is not Outcome.NOT_FOUND
    if m.found:
        assert normalise(m.spans[0].of(archive)).strip(" ") == normalise(quote).strip(" ")
        for d in m.differences:
            assert normalise(d.quote_chars) == normalise(d.archive_chars) or d.quote_chars.isspace()
            assert archive[d.archive_offset :].startswith(d.archive_chars)
            assert quote[d.quote_offset :].startswith(d.quote_chars)
    else:
        assert all(normalise(c[0].of(archive)).strip(" ") == normalise(quote).strip(" ") for c in m.candidates)


def test_an_empty_archive_finds_nothing_and_does_not_fail():
    m = locate_quote("", "anything at all")
    assert m.outcome is Outcome.NOT_FOUND and m.closest is None
    assert sentence_spans("") == () and paraphrase_hints("", "anything at all said here today") == ()
    assert locate_quote("text", "").outcome is Outcome.NOT_FOUND


# --- ambiguous and selectors --------------------------------------------------------------

TWICE = "First, the minister said “we will act” at noon. Later the aide said “we will act” at dusk."


def test_a_quote_found_twice_is_ambiguous_with_both_candidates():
    m = locate_quote(TWICE, "we will act")
    assert m.outcome is Outcome.AMBIGUOUS and not m.found
    assert [c[0].of(TWICE) for c in m.candidates] == ["we will act", "we will act"]
    assert m.candidates[0][0].start < m.candidates[1][0].start
    assert "2 times" in m.detail
    with pytest.raises(ValueError):
        selectors_for(TWICE, m)


@pytest.mark.parametrize(
    ("prefix", "suffix", "which"),
    [("minister said “", None, 0), ("aide said “", None, 1), (None, "” at dusk", 1), ("said “", "” at noon", 0)],
)
def test_a_stored_prefix_or_suffix_picks_the_occurrence(prefix, suffix, which):
    both = locate_quote(TWICE, "we will act").candidates
    m = locate_quote(TWICE, "we will act", prefix=prefix, suffix=suffix)
    assert m.outcome is Outcome.VERIFIED
    assert m.spans == both[which]


def test_context_that_matches_neither_better_stays_ambiguous():
    m = locate_quote(TWICE, "we will act", prefix="said “")
    assert m.outcome is Outcome.AMBIGUOUS


def test_selectors_made_for_one_occurrence_find_it_again():
    second = locate_quote(TWICE, "we will act").candidates[1]
    ((tq, tp),) = selectors_for(TWICE, second, context=12)
    assert tq == TextQuoteSelector("we will act", " aide said “", "” at dusk.")  # the text ends 10 after
    assert (tp.start, tp.end) == (second[0].start, second[0].end)
    again = locate_quote(TWICE, tq.exact, prefix=tq.prefix, suffix=tq.suffix)
    assert again.spans == second and again.outcome is Outcome.VERIFIED


def test_a_joined_quote_placed_two_ways_is_ambiguous_until_its_context_chooses():
    text = "A: “one” he said “two”. B: “one” she said “three”. “two”."
    quote = "one" + JOIN + "two"
    m = locate_quote(text, quote)
    assert m.outcome is Outcome.AMBIGUOUS
    assert len(m.candidates) == 2 and m.candidates[0] != m.candidates[1]
    # The prefix fixes the first part, but "two" still occurs twice after it.
    assert locate_quote(text, quote, prefix="A: “").outcome is Outcome.AMBIGUOUS
    chosen = locate_quote(text, quote, prefix="A: “", suffix="”. B")
    assert chosen.outcome is Outcome.VERIFIED
    assert [s.start for s in chosen.spans] == [text.index("one"), text.index("two")]


def test_a_position_selector_picks_an_occurrence_and_a_stale_one_is_reported():
    second = locate_quote(TWICE, "we will act").candidates[1][0]
    pos = TextPositionSelector(second.start, second.end)
    m = locate_quote(TWICE, "we will act", position=pos)
    assert m.outcome is Outcome.VERIFIED and m.spans == (second,) and m.position_stale is False

    edited = "Note: " + TWICE  # the archive gained six characters in front
    moved = locate_quote(edited, "we will act", position=pos, prefix="aide said “")
    assert moved.outcome is Outcome.VERIFIED and moved.position_stale is True
    assert moved.spans[0].start == second.start + 6
    assert position_is_stale(edited, pos, "we will act")
    assert not position_is_stale(TWICE, pos, "we will act")
    assert position_is_stale(TWICE, TextPositionSelector(0, 10_000), "we will act")


def test_a_unique_quote_with_an_outdated_position_is_verified_but_stale():
    quote = "It’s debatable"
    m = locate_quote(ARTICLE, quote, position=TextPositionSelector(0, len(quote)))
    assert m.outcome is Outcome.VERIFIED and m.position_stale is True


def test_selector_json_round_trip():
    tq = TextQuoteSelector("act", "will ", "”")
    assert tq.to_json() == {"type": "TextQuoteSelector", "exact": "act", "prefix": "will ", "suffix": "”"}
    assert TextQuoteSelector.from_json(tq.to_json()) == tq
    assert TextQuoteSelector("x").to_json() == {"type": "TextQuoteSelector", "exact": "x"}
    tp = TextPositionSelector(3, 9)
    assert tp.to_json() == {"type": "TextPositionSelector", "start": 3, "end": 9}
    assert TextPositionSelector.from_json(tp.to_json()) == tp


def test_positions_count_code_points_not_utf16_units():
    text = "Emoji \U0001f600 then “quote here” end."
    m = locate_quote(text, "quote here")
    ((_, tp),) = selectors_for(text, m)
    assert tp.start == 14  # the emoji counts one (in UTF-16 it would be two, and this 15)


def test_web_annotation_shape():
    m = locate_quote(ARTICLE, "They would come in convoys, ten trucks at a time.")
    anno = annotation(ARTICLE, m, "https://example.org/archive/001", body="checked")
    assert anno["@context"] == ANNO_CONTEXT == "http://www.w3.org/ns/anno.jsonld"
    assert anno["type"] == "Annotation"
    assert anno["id"].startswith("urn:uuid:")
    assert anno["body"] == {"type": "TextualBody", "value": "checked", "format": "text/plain"}
    target = anno["target"]
    assert target["source"] == "https://example.org/archive/001"
    quote_sel, pos_sel = target["selector"]
    assert quote_sel["type"] == "TextQuoteSelector" and quote_sel["exact"] == m.spans[0].of(ARTICLE)
    assert ARTICLE[m.spans[0].start - len(quote_sel["prefix"]) : m.spans[0].start] == quote_sel["prefix"]
    assert pos_sel == {"type": "TextPositionSelector", "start": m.spans[0].start, "end": m.spans[0].end}
    assert annotation(ARTICLE, m, "https://example.org/archive/001")["id"] == anno["id"]  # stable
    assert "body" not in annotation(ARTICLE, m, "urn:x")


def test_web_annotation_of_a_joined_quote_has_a_target_per_part_and_the_archive_text():
    text = "“It’s a transition country,” he said. “It’s a bridge.”"
    m = locate_quote(text, "It's a transition country" + JOIN + "It's a bridge.")
    anno = annotation(text, m, "urn:x", annotation_id="urn:a")
    assert anno["id"] == "urn:a"
    assert [t["selector"][0]["exact"] for t in anno["target"]] == ["It’s a transition country", "It’s a bridge."]


# --- not found and found elsewhere --------------------------------------------------------


def test_not_found_gives_the_closest_passage_and_a_similarity():
    m = locate_quote(ARTICLE, "The Iranians could simply drive across the border")
    assert m.outcome is Outcome.NOT_FOUND
    assert m.closest is not None
    assert m.closest.text.startswith("The Iranians could just drive across")
    assert m.closest.span.of(ARTICLE) == m.closest.text
    assert 0.6 < m.closest.similarity < 1


def test_not_found_with_no_word_in_common_has_no_closest_passage():
    m = locate_quote(ARTICLE, "zebra quantum marmalade")
    assert m.outcome is Outcome.NOT_FOUND and m.closest is None


def test_found_only_in_another_source():
    others = {"a": "Nothing relevant here.", "b": ARTICLE, "c": "“It's debatable,” he said again. " * 2}
    own = locate_quote("An unrelated article.", "It’s debatable", closest=False)
    assert own.outcome is Outcome.NOT_FOUND and own.closest is None
    hits = dict(found_elsewhere("It’s debatable", others))
    assert list(hits) == ["b", "c"]
    assert hits["b"].outcome is Outcome.VERIFIED
    assert hits["c"].outcome is Outcome.AMBIGUOUS  # normalised, and twice


def test_each_outcome_describes_itself_in_one_line():
    assert locate_quote(ARTICLE, "It’s debatable").describe() == "verified"
    joined = locate_quote(ARTICLE, "Border control" + JOIN + "It’s debatable")
    assert joined.describe() == "verified (2 parts, in order)"
    assert locate_quote(ARTICLE, "It's debatable").describe() == (
        "found only after normalisation: ’ in the archive, ' in the quote at offset 2"
    )
    assert locate_quote(TWICE, "we will act").describe().startswith("ambiguous: occurs 2 times")
    missing = locate_quote(ARTICLE, "The Iranians could simply drive across the border").describe()
    assert missing.startswith("not found: not in the archive") and "alike): 'The Iranians could just" in missing


# --- context sentences ----------------------------------------------------------------------


def test_sentences_survive_abbreviations_and_closing_quotes():
    text = (
        "Mr. Smith flew to the U.S. embassy. He said “it is over.” Then Gen. Jones spoke.\n"
        "The U.S. The end? “Yes!” she said. George W. Bush agreed."
    )
    got = [s.of(text) for s in sentence_spans(text)]
    assert got == [
        "Mr. Smith flew to the U.S. embassy.",
        "He said “it is over.”",
        "Then Gen. Jones spoke.",
        "The U.S.",
        "The end?",
        "“Yes!” she said.",
        "George W. Bush agreed.",
    ]


def test_context_gives_the_sentence_and_its_neighbours_as_offsets():
    m = locate_quote(ARTICLE, "ten trucks at a time")
    ctx = quote_context(ARTICLE, m)
    assert ctx.quote == m.spans[0]
    assert ctx.sentence.of(ARTICLE) == "They would come in convoys, ten trucks at a time.”"
    assert ctx.before.of(ARTICLE) == "“The Iranians could just drive across…."
    assert ctx.after.of(ARTICLE) == "Mr. Smith of the U.S. embassy disagreed."
    assert ctx.sentence.start <= ctx.quote.start and ctx.quote.end <= ctx.sentence.end


def test_context_at_the_edges_and_across_sentences():
    first = quote_context(ARTICLE, locate_quote(ARTICLE, "Border control"))
    assert first.before is None
    last = quote_context(ARTICLE, locate_quote(ARTICLE, "he said."))
    assert last.after is None
    joined = locate_quote(ARTICLE, "Border control was nonexistent" + JOIN + "ten trucks at a time")
    ctx = quote_context(ARTICLE, joined)
    assert ctx.sentence.start == 0 and ctx.sentence.of(ARTICLE).endswith("at a time.”")


# --- paraphrase hint --------------------------------------------------------------------------


def test_a_paraphrase_with_a_long_verbatim_stretch_is_flagged():
    text = "Officials said that Iran has supplied at least some of the weapons used by the militias in the south."
    hints = paraphrase_hints(text, "Iran has supplied at least some of the weapons used by militias, officials say")
    assert hints and hints[0].words == 11
    assert hints[0].text == "Iran has supplied at least some of the weapons used by"
    assert not hints[0].quoted


def test_a_paraphrase_that_is_a_whole_short_sentence_is_flagged_and_a_real_one_is_not():
    text = "He arrived late. “The border is closed.” Nobody believed him."
    hints = paraphrase_hints(text, "The border is closed, he said")
    assert len(hints) == 1 and hints[0].whole_sentence and hints[0].quoted
    assert hints[0].text == "The border is closed"
    assert paraphrase_hints(text, "He said the frontier had been shut") == ()


# --- hash ---------------------------------------------------------------------------------------


def test_sha256_hex():
    assert sha256_hex(b"abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


# --- speed: grows like a linear baseline, measured in the same run ------------------------------


def _prose(words: int, seed: int) -> str:
    rng = random.Random(seed)
    vocab = ["".join(rng.choice("abcdefghijklmnoprstuw") for _ in range(rng.randint(2, 9))) for _ in range(3000)]
    out = []
    for k in range(words):
        w = rng.choice(vocab)
        out.append(w.capitalize() if k % 12 == 0 else w)
        if k % 12 == 11:
            out[-1] += rng.choice([".", ".", "?", ".”"])
        elif k % 5 == 0:
            out[-1] = "“" + out[-1] + "’s"
    return " ".join(out)


def _best_of(fn, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _baseline(text: str) -> None:
    # A plain per-character Python pass: what "linear" costs in this interpreter, right now.
    k = 0
    for ch in text:
        if ch.isalpha():
            k += 1
    for _ in re.finditer(r"\w+", text):
        k += 1


def _warm(text: str) -> Archive:
    arch = Archive(text)
    arch.norm, arch.words, arch.word_index, arch.sentences  # noqa: B018 - computed once, outside the timing
    return arch


def _tail_quote(text: str) -> str:
    """Words from the end of the text, typed with straight quotes: found only after normalising."""
    return text[-400:].split(" ", 1)[1].replace("’", "'").replace("“", '"')[:120]


def _step(name: str, text: str):
    """One step on its own, so that a quadratic step cannot hide behind a big linear one."""
    if name == "normalised match":
        quote = _tail_quote(text)
        return lambda: locate_quote(Archive(text), quote)
    if name == "words":
        return lambda: Archive(text).words
    if name == "sentences":
        return lambda: sentence_spans(text)
    if name == "closest passage":
        arch, quote = _warm(text), "zq " + _tail_quote(text)[:80] + " zq qz"
        return lambda: locate_quote(arch, quote)
    if name == "paraphrase hints":
        arch, paraphrase = _warm(text), _tail_quote(text)
        return lambda: paraphrase_hints(arch, paraphrase)
    if name == "many occurrences":
        crowded = "ab " * (len(text) // 3)
        return lambda: locate_quote(crowded, "ab ab", prefix="zz")
    raise AssertionError(name)


def _ratios(name: str, small: str, large: str) -> tuple[float, float]:
    """Growth of one step and of the baseline, measured alternately so that a change in
    the machine's load (five other workers share it) falls on both alike."""
    ours, base = {}, {}
    for text, label in ((small, "n"), (large, "4n")):
        step = _step(name, text)
        ours[label] = base[label] = float("inf")
        for _ in range(5):
            ours[label] = min(ours[label], _best_of(step, 1))
            base[label] = min(base[label], _best_of(lambda t=text: _baseline(t), 1))
    return ours["4n"] / ours["n"], base["4n"] / base["n"]


@pytest.mark.parametrize(
    "name", ["normalised match", "words", "sentences", "closest passage", "paraphrase hints", "many occurrences"]
)
@pytest.mark.hardening
def test_time_grows_linearly_with_the_archive(name):
    # Cheap steps get longer texts, where a quadratic term would stand out further.
    words = 32_000 if name == "sentences" else 8_000
    small, large = _prose(words, 1), _prose(4 * words, 1)
    assert 3.5 < len(large) / len(small) < 4.5
    assert locate_quote(small, _tail_quote(small)).outcome is Outcome.NORMALISED
    # Linear code grows like the baseline (both about 4); quadratic would grow about 16.
    # One second measurement is allowed for a noisy machine; a quadratic step fails both.
    ratio_ours, ratio_base = _ratios(name, small, large)
    if ratio_ours >= 2.5 * ratio_base:
        ratio_ours, ratio_base = _ratios(name, small, large)
    assert ratio_ours < 2.5 * ratio_base, (ratio_ours, ratio_base)


def test_a_crowded_quote_keeps_a_count_not_every_span():
    m = locate_quote("ab " * 1000, "ab ab")
    assert m.outcome is Outcome.AMBIGUOUS
    assert len(m.candidates) == 100 and "occurs 999 times" in m.detail


# --- the real articles ----------------------------------------------------------------------------


def _seed_archives() -> tuple[dict, dict[str, Archive]]:
    """The seed ledger and its sources' archives (data/sources/, byte copies of the seed articles)."""
    ledger = tomllib.loads((ROOT / "data" / "events.toml").read_text(encoding="utf-8"))
    archives = {}
    for source in ledger["source"]:
        m = re.search(r"Seed file (\d{3}_[0-9a-f]+\.txt)", source.get("note", ""))
        assert m, f"source {source['id']} names no seed file"
        data = (ROOT / "data" / source["archive"]).read_bytes()
        if SEEDS.is_dir():  # the archive is the article, byte for byte
            assert data == (SEEDS / m.group(1)).read_bytes(), source["id"]
        archives[source["id"]] = Archive(data.decode("utf-8"))
    return ledger, archives


def _stored_selector(claim: dict) -> dict:
    """The W3C selector a claim may store: its prefix and suffix, and its position."""
    position = None
    if "quote_start" in claim:
        position = TextPositionSelector(claim["quote_start"], claim["quote_end"])
    return {"prefix": claim.get("quote_prefix"), "suffix": claim.get("quote_suffix"), "position": position}


def test_every_quote_of_the_seed_ledger_is_in_its_own_article():
    ledger, archives = _seed_archives()
    quotes = [c for c in ledger["claim"] if c["kind"] == "quote"]
    assert quotes
    failures = []
    for claim in quotes:
        m = locate_quote(archives[claim["source"]], claim["text"], **_stored_selector(claim))
        if m.position_stale:
            failures.append((claim["id"], "stale position"))
        if m.outcome not in (Outcome.VERIFIED, Outcome.NORMALISED):
            near = m.closest.text[:80] if m.closest else None
            failures.append((claim["id"], str(m.outcome), m.detail, near))
    assert not failures, failures


def test_seed_quotes_round_trip_through_their_selectors_and_sit_in_their_sentence():
    ledger, archives = _seed_archives()
    for claim in (c for c in ledger["claim"] if c["kind"] == "quote"):
        arch = archives[claim["source"]]
        m = locate_quote(arch, claim["text"], **_stored_selector(claim))
        if not m.found:
            continue  # reported by the test above
        pairs = selectors_for(arch, m)
        again = locate_quote(
            arch,
            claim["text"],
            prefix=pairs[0][0].prefix,
            suffix=pairs[-1][0].suffix,
            position=TextPositionSelector(pairs[0][1].start, pairs[-1][1].end),
        )
        assert again.spans == m.spans and again.position_stale is False, claim["id"]
        ctx = quote_context(arch, m)
        assert ctx.sentence.start <= m.spans[0].start and m.spans[-1].end <= ctx.sentence.end, claim["id"]
        assert ctx.before is None or ctx.before.end <= ctx.sentence.start, claim["id"]
