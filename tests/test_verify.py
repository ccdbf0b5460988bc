"""Verified sources (issue 15): archives on [[source]], every quote checked against its article by
`iqtl check`, the evidence shown by `show`, tallied by `sources --verify`, exported as W3C Web
Annotations, and `add claim` refusing a quote that is not in the text."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
import tomllib
from pathlib import Path

from iqtl.core.quotes import Archive, locate_quote
from iqtl.ledgerfile import loader

from .conftest import ROOT, SEED, run

ARTICLE_A = (
    "The war began in the spring. “The Iranians could just drive across,” says Wayne White. "
    "“They would come in convoys, ten trucks at a time.” Mr. Smith disagreed.\n"
    "Later the army said it had “no evidence of that.” Officials called it “a rogue unit.” "
    "A year on, officials again blamed “a rogue unit.”\n"
    "He said Iran’s agents were everywhere. “It is a hidden war,” Abedin says.\n"
)
ARTICLE_B = "In another paper an officer said “the border is wide open” to reporters.\n"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def toml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def make_ledger(tmp_path: Path, claims: list[dict], *, a: str | None = ARTICLE_A, b: str | None = ARTICLE_B,
                pin_a: str | None = "auto", pin_b: str | None = "auto") -> Path:
    """A ledger with two archived sources (a, b) and the given claims; None leaves an archive unwritten."""
    folder = tmp_path / "sources"
    folder.mkdir(exist_ok=True)
    lines = ["schema = 1", ""]
    for sid, text, pin in (("a", a, pin_a), ("b", b, pin_b)):
        if text is not None:
            (folder / f"{sid}.txt").write_text(text, encoding="utf-8", newline="")
        lines += ["[[source]]", f'id = "{sid}"', f'title = "Paper {sid}"', 'publisher = "P"', 'date = "2008"',
                  f'archive = "sources/{sid}.txt"']
        pinned = sha(text or "") if pin == "auto" else pin
        if pinned:
            lines.append(f'archive_sha256 = "{pinned}"')
        lines.append("")
    lines += ["[[actor]]", 'id = "white"', 'name = "Wayne White"', "", "[[event]]", 'id = "e"', 'date = "2007"',
              'title = "t"', 'summary = "s"', 'sources = ["a"]', 'actors = ["white"]', ""]
    for i, claim in enumerate(claims):
        rec = {"id": f"c{i}", "speaker": "white", "source": "a", "about": ["e"], **claim}
        lines.append("[[claim]]")
        for key, value in rec.items():
            lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
        lines.append("")
    path = tmp_path / "events.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def problems(path: Path, **kw):
    return loader.load(path, use_cache=False, **kw).problems


def codes(path: Path) -> list[tuple[str, str]]:
    return [(p.severity, p.code) for p in problems(path)]


def line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


# --------------------------------------------------------------------------- each outcome


def test_a_quote_in_its_article_verifies_and_check_is_silent(tmp_path):
    path = make_ledger(tmp_path, [{"text": "They would come in convoys, ten trucks at a time."}])
    assert problems(path) == []
    result = run("check", "--strict", "-L", path)
    assert result.exit_code == 0 and result.stdout == ""


def test_a_quote_not_in_the_article_is_an_error_with_the_closest_passage(tmp_path):
    path = make_ledger(tmp_path, [{"text": "They would come in columns, ten lorries at a time."}])
    (p,) = problems(path)
    assert (p.severity, p.code) == ("error", "quote-not-found")
    assert p.line == line_of(path, "ten lorries")
    assert "closest passage" in p.message and "They would come in" in p.message and "% alike" in p.message
    result = run("check", "-L", path)
    assert result.exit_code == 1 and "quote-not-found" not in result.stdout and "not found" in result.stdout


def test_a_quote_found_only_in_another_source_is_misattributed(tmp_path):
    path = make_ledger(tmp_path, [{"text": "the border is wide open"}])
    (p,) = problems(path)
    assert (p.severity, p.code) == ("error", "quote-misattributed")
    assert "'b'" in p.message and "misattributed" in p.message


def test_a_quote_printed_twice_is_ambiguous_until_a_selector_says_which(tmp_path):
    path = make_ledger(tmp_path, [{"text": "a rogue unit."}])
    (p,) = problems(path)
    assert (p.severity, p.code) == ("warning", "quote-ambiguous")
    assert "occurs 2 times" in p.message
    assert run("check", "-L", path).exit_code == 0
    assert run("check", "--strict", "-L", path).exit_code == 1
    # A prefix alone tells them apart; so does a stored position.
    assert problems(make_ledger(tmp_path, [{"text": "a rogue unit.", "quote_prefix": "again blamed “"}])) == []
    second = ARTICLE_A.rindex("a rogue unit.")
    chosen = make_ledger(tmp_path, [{"text": "a rogue unit.", "quote_start": second, "quote_end": second + 13}])
    assert problems(chosen) == []


def test_a_stale_stored_position_is_reported_on_its_line(tmp_path):
    quote = "They would come in convoys"
    at = ARTICLE_A.index(quote)
    path = make_ledger(tmp_path, [{"text": quote, "quote_start": at + 3, "quote_end": at + 3 + len(quote)}])
    (p,) = problems(path)
    assert (p.severity, p.code) == ("warning", "quote-position-stale")
    assert p.line == line_of(path, "quote_start")
    assert f"{at}–{at + len(quote)}" in p.message  # where it is now


def test_a_quote_found_only_after_normalisation_is_a_warning_naming_the_characters(tmp_path):
    path = make_ledger(tmp_path, [{"text": "He said Iran's agents were everywhere."}])
    (p,) = problems(path)
    assert (p.severity, p.code) == ("warning", "quote-normalised")
    assert "’ in the archive, ' in the quote" in p.message


def test_parts_joined_with_an_ellipsis_are_found_in_order_and_not_out_of_order(tmp_path):
    joined = "The Iranians could just drive across … They would come in convoys"
    assert problems(make_ledger(tmp_path, [{"text": joined}])) == []
    backwards = "They would come in convoys … The Iranians could just drive across"
    (p,) = problems(make_ledger(tmp_path, [{"text": backwards}]))
    assert p.code == "quote-not-found" and "not in this order" in p.message


def test_a_missing_archive_is_an_error_on_the_source(tmp_path):
    path = make_ledger(tmp_path, [{"text": "They would come in convoys"}], a=None, pin_a=None)
    (p,) = problems(path)
    assert (p.severity, p.code) == ("error", "archive-missing")
    assert p.line == line_of(path, 'archive = "sources/a.txt"') and "1 quote(s) are not verified" in p.message


def test_an_archive_changed_since_it_was_pinned_is_an_error(tmp_path):
    path = make_ledger(tmp_path, [{"text": "They would come in convoys"}])
    (tmp_path / "sources" / "a.txt").write_text(ARTICLE_A.replace("spring", "autumn"), encoding="utf-8")
    (p,) = problems(path)
    assert (p.severity, p.code) == ("error", "archive-changed")
    assert p.line == line_of(path, "archive_sha256") and sha(ARTICLE_A) in p.message


def test_an_unpinned_archive_is_a_warning_giving_its_hash(tmp_path):
    path = make_ledger(tmp_path, [], pin_a=None)
    (p,) = problems(path)
    assert (p.severity, p.code) == ("warning", "archive-not-pinned") and sha(ARTICLE_A) in p.message


def test_archive_fields_are_checked_without_reading_files(tmp_path):
    path = make_ledger(tmp_path, [], pin_a="abc")
    assert ("error", "bad-sha256") in codes(path)
    for outside in ("/etc/hostname", "../outside.txt", "sources/../../outside.txt", "https://example.org/a"):
        (tmp_path.parent / "outside.txt").write_text(ARTICLE_B, encoding="utf-8")
        text = re.sub(r'archive = "[^"]*"\n(?=archive_sha256 = "' + sha(ARTICLE_B) + ')',
                      f"archive = {toml_str(outside)}\n", path.read_text(encoding="utf-8"))
        path.write_text(text, encoding="utf-8")
        found = problems(path)
        assert [p.code for p in found if p.code.startswith("archive")] == ["archive-path"], (outside, found)


def test_a_paraphrase_that_is_a_whole_quoted_sentence_gets_a_hint(tmp_path):
    path = make_ledger(tmp_path, [
        {"text": "They would come in convoys, ten trucks at a time.", "kind": "paraphrase"},
        # Quoted words reused inside another sentence's paraphrase: ordinary, no hint.
        {"text": "White says the Iranians could just drive across the border, he claims.", "kind": "paraphrase"},
        # The article's own reported speech: what a paraphrase is.
        {"text": "He said Iran's agents were everywhere.", "kind": "paraphrase"},
    ])
    (p,) = problems(path)
    assert (p.severity, p.code) == ("warning", "paraphrase-is-quote")
    assert "'c0'" in p.message and p.line == line_of(path, 'kind = "paraphrase"')


def test_selector_fields_have_types_and_go_together(tmp_path):
    path = make_ledger(tmp_path, [{"text": "a rogue unit.", "quote_start": 5}])
    assert ("error", "bad-selector") in codes(path)
    text = path.read_text(encoding="utf-8").replace("quote_start = 5", 'quote_start = "5"')
    path.write_text(text, encoding="utf-8")
    assert ("error", "wrong-type") in codes(path)


# --------------------------------------------------------------------------- the cache


def test_an_edited_archive_is_never_answered_from_the_cache(tmp_path):
    path = make_ledger(tmp_path, [{"text": "They would come in convoys"}], pin_a=None)
    archive = tmp_path / "sources" / "a.txt"
    assert [p.code for p in loader.load(path).problems] == ["archive-not-pinned"]
    assert [p.code for p in loader.load(path).problems] == ["archive-not-pinned"]  # a hit
    st = archive.stat()
    archive.write_text(ARTICLE_A.replace("convoys", "columns"), encoding="utf-8")
    os.utime(archive, ns=(st.st_atime_ns, st.st_mtime_ns))  # same size, same mtime: only the bytes tell
    assert [p.code for p in loader.load(path).problems] == ["archive-not-pinned", "quote-not-found"]
    archive.unlink()
    assert [p.code for p in loader.load(path).problems] == ["archive-missing"]
    archive.write_text(ARTICLE_A, encoding="utf-8")
    assert [p.code for p in loader.load(path).problems] == ["archive-not-pinned"]


# --------------------------------------------------------------------------- the bundled ledger


def test_check_strict_verifies_every_quote_of_the_bundled_ledger():
    result = run("check", "--strict", "-L", SEED)
    assert result.exit_code == 0, result.stdout
    raw = tomllib.loads(SEED.read_text(encoding="utf-8"))
    archived = {s["id"] for s in raw["source"] if s.get("archive")}
    assert archived == {s["id"] for s in raw["source"]}
    quotes = [c for c in raw["claim"] if c.get("kind", "quote") == "quote"]
    out = run("sources", "--verify", "-L", SEED, "-F", "json")
    assert out.exit_code == 0
    rows = json.loads(out.stdout)
    assert sum(r["verified"] for r in rows) == len(quotes)
    assert all(r["not_found"] == r["ambiguous"] == r["misattributed"] == 0 for r in rows)


def test_a_copy_of_the_ledger_without_its_archives_fails_check(tmp_path):
    copy = tmp_path / "events.toml"
    shutil.copy(SEED, copy)
    result = run("check", "-L", copy)
    assert result.exit_code == 1
    assert result.stdout.count("is missing") == len(tomllib.loads(SEED.read_text(encoding="utf-8"))["source"])


def test_verification_grows_linearly_with_the_archive(tmp_path):
    """n vs 4n: quotes × archive length, each archive normalised once."""
    def ledger_of(paragraphs: int) -> Path:
        folder = tmp_path / f"n{paragraphs}"
        folder.mkdir()
        text = "".join(f"Paragraph {k}: “Quote number {k} is here,” he said.\n" for k in range(paragraphs))
        quotes = [{"text": f"Quote number {k} is here,"} for k in range(0, paragraphs, max(1, paragraphs // 20))]
        return make_ledger(folder, quotes, a=text)

    small, large = ledger_of(500), ledger_of(2000)

    def best(path: Path) -> float:
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            assert problems(path) == []
            times.append(time.perf_counter() - t0)
        return min(times)

    ratio = best(large) / best(small)
    assert ratio < 4 * 2.5, ratio


# --------------------------------------------------------------------------- show, sources --verify, export


def test_show_prints_the_quote_in_its_context_with_its_position(tmp_path):
    path = make_ledger(tmp_path, [{"text": "They would come in convoys, ten trucks at a time."}])
    out = run("show", "c0", "-L", path, "-F", "plain").stdout
    assert "Evidence" in out and "verified" in out
    at = ARTICLE_A.index("They would come")
    assert f"{at}–{at + 49}" in out
    assert "The Iranians could just drive across" in out  # the sentence before
    assert "Mr. Smith disagreed." in out  # the sentence after


def test_show_escapes_archive_text(tmp_path):
    hostile = "Intro [bold]x[/bold] \x1b[31m. “Quoted words here,” he said. After [red]y[/red].\n"
    path = make_ledger(tmp_path, [{"text": "Quoted words here,"}], a=hostile)
    out = run("show", "c0", "-L", path, "-F", "table", "--color", "always").stdout
    assert "\x1b[31m" not in out and "\\x1b" in out
    assert "[bold]x[/bold]" in re.sub(r"\x1b\[[0-9;]*m", "", out)  # shown as text, not applied


def test_show_json_has_the_verification_and_the_context(tmp_path):
    quote = "They would come in convoys, ten trucks at a time."
    path = make_ledger(tmp_path, [{"text": quote}])
    (rec,) = json.loads(run("show", "c0", "-L", path, "-F", "json").stdout)
    v = rec["verification"]
    assert v["status"] == "verified" and v["archive"] == "sources/a.txt"
    assert v["spans"] == [[ARTICLE_A.index(quote), ARTICLE_A.index(quote) + len(quote)]]
    assert v["context"]["quote"] == quote and "drive across" in v["context"]["before"]
    assert v["selector"]["quote_start"] == ARTICLE_A.index(quote)


def test_sources_verify_counts_and_fails_on_a_quote_not_found(tmp_path):
    path = make_ledger(tmp_path, [{"text": "They would come in convoys"}, {"text": "a rogue unit."},
                                  {"text": "not in any article at all"}, {"text": "He said Iran's agents"}])
    result = run("sources", "--verify", "-L", path, "-F", "json")
    assert result.exit_code == 1
    a = next(r for r in json.loads(result.stdout) if r["id"] == "a")
    assert (a["verified"], a["ambiguous"], a["not_found"], a["normalised_only"]) == (1, 1, 1, 1)
    plain = run("sources", "--verify", "-L", path, "-F", "plain")
    assert plain.exit_code == 1 and plain.stdout.splitlines()[0].startswith("a\t")


def test_export_annotations_is_w3c_json_ld_for_verified_quotes(tmp_path):
    quote = "They would come in convoys, ten trucks at a time."
    path = make_ledger(tmp_path, [{"text": quote}, {"text": "The Iranians could just drive across … ten trucks"},
                                  {"text": "a rogue unit."}])
    doc = json.loads(run("export", "annotations", "-L", path).stdout)
    assert doc["@context"] == "http://www.w3.org/ns/anno.jsonld" and doc["type"] == "AnnotationCollection"
    items = doc["first"]["items"]
    assert len(items) == doc["total"] == 2  # the ambiguous one is left out
    first = items[0]
    assert first["type"] == "Annotation" and first["body"]["value"].startswith("c0")
    selectors = {s["type"]: s for s in first["target"]["selector"]}
    start = ARTICLE_A.index(quote)
    assert selectors["TextQuoteSelector"]["exact"] == quote
    assert (selectors["TextPositionSelector"]["start"], selectors["TextPositionSelector"]["end"]) == (
        start, start + len(quote))
    assert isinstance(items[1]["target"], list) and len(items[1]["target"]) == 2  # a target per part


# --------------------------------------------------------------------------- add


def add_claim(path: Path, text: str, *extra: str):
    return run("add", "claim", "-L", path, "--text", text, "--speaker", "white", "--source", "a", "--about", "e",
               *extra)


def test_add_refuses_a_quote_not_in_the_archive_and_shows_the_closest_passage(tmp_path):
    path = make_ledger(tmp_path, [])
    before = path.read_bytes()
    result = add_claim(path, "They would come in columns, ten lorries at a time.")
    assert result.exit_code == 1 and path.read_bytes() == before
    assert "not found" in result.stderr and "They would come in" in result.stderr
    # As a paraphrase it may be added.
    assert add_claim(path, "They would come in columns, ten lorries at a time.", "--kind", "paraphrase").exit_code == 0


def test_add_stores_an_ambiguous_quote_with_its_selector(tmp_path):
    path = make_ledger(tmp_path, [])
    result = add_claim(path, "a rogue unit.", "--occurrence", "2")
    assert result.exit_code == 0, result.stderr
    claim = tomllib.loads(path.read_text(encoding="utf-8"))["claim"][-1]
    second = ARTICLE_A.rindex("a rogue unit.")
    assert (claim["quote_start"], claim["quote_end"]) == (second, second + len("a rogue unit."))
    assert claim["quote_prefix"] and claim["quote_suffix"]
    assert problems(path) == []
    m = locate_quote(Archive(ARTICLE_A), claim["text"], prefix=claim["quote_prefix"], suffix=claim["quote_suffix"])
    assert m.spans[0].start == second  # the context alone finds it too


def test_add_verifies_a_plain_quote_and_stores_no_selector(tmp_path):
    path = make_ledger(tmp_path, [])
    assert add_claim(path, "They would come in convoys").exit_code == 0
    claim = tomllib.loads(path.read_text(encoding="utf-8"))["claim"][-1]
    assert "quote_start" not in claim


def test_readme_documents_the_fields_and_the_codes():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for word in ("archive_sha256", "quote_prefix", "quote_start", "sources --verify", "export annotations"):
        assert word in readme, word


def _dressed(sentence: str) -> str:
    """The same words typed differently: straight quotes and apostrophes, a ligature, a soft hyphen."""
    out = sentence.replace("’", "'").replace("“", '"').replace("”", '"').replace("fi", "\ufb01", 1)
    return out.replace("e", "e\u00ad", 1)


def test_the_paraphrase_prefilter_never_hides_a_hint():
    """verify.py skips the word-by-word search when no whole sentence of the article can be in a
    paraphrase; every paraphrase the full search flags must pass that test, typed any way."""
    from iqtl.core.quotes import paraphrase_hints
    from iqtl.verify import _may_hold_a_sentence, _sentence_index

    texts = [ARTICLE_A] + [p.read_text(encoding="utf-8") for p in sorted((SEED.parent / "sources").glob("*.txt"))]
    flagged = 0
    for text in texts:
        arch = Archive(text)
        index = _sentence_index(arch)
        for span in arch.sentences[::7]:
            for paraphrase in (span.of(text), _dressed(span.of(text)), "He said that " + span.of(text).lower()):
                full = any(h.whole_sentence for h in paraphrase_hints(arch, paraphrase))
                flagged += full
                assert not full or _may_hold_a_sentence(paraphrase, index), paraphrase
    assert flagged > 20


def test_show_still_shows_a_quote_that_fails_with_its_closest_passage(tmp_path):
    path = make_ledger(tmp_path, [{"text": "They would come in columns, ten lorries at a time."}])
    assert run("list", "-L", path).exit_code == 1  # a reading command refuses the ledger ...
    result = run("show", "c0", "-L", path, "-F", "plain")  # ... show is where to look into it
    assert result.exit_code == 0, result.stderr
    assert "not-found" in result.stdout and "closest passage" in result.stdout
    assert "They would come in convoys" in result.stdout.replace("\n", " ")


def test_a_warm_read_checks_the_archives_without_the_quote_machinery(tmp_path):
    """A run answered by the cache reads and hashes the archives but imports no quote search."""
    import subprocess
    import sys

    path = make_ledger(tmp_path, [{"text": "They would come in convoys"}])
    code = ("import sys; from iqtl.ledgerfile import loader; r = loader.load(sys.argv[1]); "
            "print(len(r.problems), 'iqtl.core.quotes' in sys.modules)")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    cold = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, env=env)
    warm = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, env=env)
    assert cold.stdout.split() == ["0", "True"], cold.stderr
    assert warm.stdout.split() == ["0", "False"], warm.stderr


def test_retrieved_is_an_edtf_date_kept_as_written(tmp_path):
    path = make_ledger(tmp_path, [])
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('archive = "sources/a.txt"', 'archive = "sources/a.txt"\nretrieved = "2008-02-30"'),
                    encoding="utf-8")
    (p,) = problems(path)
    assert p.code == "bad-date" and "retrieved" in p.message
    path.write_text(text.replace('archive = "sources/a.txt"', 'archive = "sources/a.txt"\nretrieved = "2008-03-01"'),
                    encoding="utf-8")
    result = loader.load(path, use_cache=False)
    assert result.problems == [] and result.ledger.get("source", "a").retrieved == "2008-03-01"


def test_the_paraphrase_prefilter_tokens_are_the_normalised_words():
    """verify._tokens skips the work that cannot change ASCII text: the same tokens as normalising
    every text (dropping the invisible characters, NFKC, lower case), on text that needs each step."""
    import unicodedata

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from iqtl import verify

    pieces = st.sampled_from(["Word", "ﬁne", "２０07", "ｆｕｌｌ", "soft\u00adhyphen", "zero\u200bwidth", "\ufeff",
                              "ÉCOLE", "İstanbul", "Straße", "don’t", "it's", " ", "\n", "—", "“q”", "ΣΑΣ"])

    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.one_of(pieces, st.text(max_size=5)), max_size=12).map("".join))
    def same(text):
        drop = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
        expected = re.findall(r"\w+", unicodedata.normalize("NFKC", text.translate(drop)).lower())
        assert verify._tokens(text) == expected

    same()
