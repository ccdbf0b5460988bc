"""Issue 16: escaping that keeps meaning.  The zero-width non-joiner and joiner are spelling inside
Persian words and emoji: kept as they are by every format and the CSV round trip, and never
warned about; where they only hide (next to Latin letters, at a word's end) they are escaped like
every invisible character.  Names are compared after NFC normalisation; look-alikes are warned about."""

from __future__ import annotations

import json
import unicodedata

import pytest

from iqtl.core.text import for_terminal, has_unsafe, one_line

from .conftest import MINI, run

PERSIAN = "خامنه\u200cای"  # Khamenei: the ZWNJ keeps the ه from joining the ا
EMOJI = "\U0001f469\u200d\U0001f4bb"  # woman technologist: one glyph made with a joiner


def _ledger(tmp_path, title: str, extra: str = ""):
    text = MINI.read_text(encoding="utf-8").replace('title = "Iran–Iraq war"',
                                                    "title = " + json.dumps(title, ensure_ascii=False), 1) + extra
    path = tmp_path / "l.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("word", [PERSIAN, EMOJI, "क्\u200dष"])
def test_joiners_inside_words_are_kept_everywhere(tmp_path, word):
    assert not has_unsafe(word) and for_terminal(word) == word and one_line(word) == word
    title = f"Visit of {word} to Baghdad"
    ledger = _ledger(tmp_path, title)
    assert run("check", "--strict", "--ledger", ledger).exit_code == 0
    for fmt in ("csv", "tsv", "json", "jsonl", "plain", "md"):
        out = run("list", "-F", fmt, "--ledger", ledger).stdout
        assert word in out and "\\u200" not in out, fmt
    # the round trip: the title comes back with its joiner, not six characters `\u200c`
    rows = run("list", "-F", "csv", "--ledger", ledger).stdout.replace("\nwar,", "\nwar-2,", 1)
    assert "\nwar-2," in rows
    csv_file = tmp_path / "rows.csv"
    csv_file.write_text(rows, encoding="utf-8", newline="")
    result = run("import", csv_file, "--ledger", ledger)
    assert result.exit_code == 0, result.stderr
    back = json.loads(run("list", "-F", "json", "--ledger", ledger).stdout)
    assert [e["title"] for e in back if e["id"] == "war-2"] == [title]


@pytest.mark.parametrize("text", ["ab\u200ccd", "\u200cword", "word\u200d", "a \u200c b", "x\u00ady",
                                  "flag\U000e0041", "\u202eevil"])
def test_invisible_characters_outside_words_are_escaped_and_warned_about(tmp_path, text):
    assert has_unsafe(text)
    shown = for_terminal(text)
    assert shown.isprintable() and shown != text
    ledger = _ledger(tmp_path, text)
    result = run("check", "--ledger", ledger)
    assert "invisible character" in result.stdout + result.stderr
    out = run("list", "-F", "json", "--ledger", ledger).stdout
    assert json.loads(out)[0]["title"] == text or any(e["title"] == text for e in json.loads(out))
    assert text not in out  # escaped in the JSON text, the same string once read


def test_an_add_keeps_a_persian_joiner_in_the_file(tmp_path):
    ledger = _ledger(tmp_path, "Iran–Iraq war")
    result = run("add", "event", "--date", "2007", "--title", f"{PERSIAN} speaks", "--summary", "s",
                 "--source", "paper-a", "--ledger", ledger)
    assert result.exit_code == 0, result.stderr
    assert PERSIAN.encode() in ledger.read_bytes()


def test_names_are_compared_after_nfc_and_look_alikes_are_warned_about(tmp_path):
    nfc = unicodedata.normalize("NFC", "Hosseini Khāmeneʾī")
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfc != nfd
    extra = (f'\n[[actor]]\nid = "khamenei"\nname = {json.dumps(nfc)}\nkind = "person"\n'
             f'\n[[actor]]\nid = "khamenei-2"\nname = {json.dumps(nfd)}\nkind = "person"\n'
             '\n[[actor]]\nid = "fullwidth"\nname = "ＳＡＤＲ"\nkind = "person"\n'
             '\n[[event]]\nid = "by-nfc"\ndate = "2009"\ntitle = "a"\nsummary = "s"\nsources = ["paper-a"]\n'
             'actors = ["khamenei"]\n'
             '\n[[event]]\nid = "by-nfd"\ndate = "2009"\ntitle = "b"\nsummary = "s"\nsources = ["paper-a"]\n'
             'actors = ["khamenei-2"]\n')
    ledger = _ledger(tmp_path, "Iran–Iraq war", extra)
    result = run("check", "--ledger", ledger)
    warned = [line for line in (result.stdout + result.stderr).splitlines() if "also names" in line]
    assert any("khamenei-2" in line for line in warned) and any("fullwidth" in line for line in warned)
    # a filter typed either way finds the events of both spellings
    for typed in (nfc, nfd):
        listed = run("list", "-F", "plain", "--actor", typed, "--ledger", ledger)
        assert listed.exit_code == 0, listed.stderr
        assert {line.split("\t")[1] for line in listed.stdout.splitlines()} == {"by-nfc", "by-nfd"}


def test_tags_and_places_match_in_either_normal_form(tmp_path):
    tag = unicodedata.normalize("NFC", "négociation")
    text = MINI.read_text(encoding="utf-8").replace('tags = ["war"]', f'tags = ["war", "{tag}"]\nplaces = ["{tag}"]', 1)
    ledger = tmp_path / "l.toml"
    ledger.write_text(text, encoding="utf-8")
    for option in ("--tag", "--place"):
        for typed in (tag, unicodedata.normalize("NFD", tag), unicodedata.normalize("NFD", tag).upper()):
            out = run("list", "-F", "plain", option, typed, "--ledger", ledger).stdout
            assert [line.split("\t")[1] for line in out.splitlines()] == ["war"], (option, typed)


# ---------------------------------------------------------------- properties of the escaping

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

TRICKY = st.sampled_from(["\u200c", "\u200d", "\u202e", "\u00ad", "\U000e0041", "\x1b", "ا", "ه", "a", " ", "\n",
                          "\U0001f469", "\ufe0f", "é", "\u0301"])


@settings(max_examples=400, deadline=None)
@given(st.lists(TRICKY | st.characters(), max_size=12).map("".join))
def test_escaped_text_is_safe_and_keeps_every_joiner_inside_a_word(text):
    for shown in (for_terminal(text), one_line(text)):
        assert not has_unsafe(shown)
        assert shown.count("\u200c") + shown.count("\u200d") <= text.count("\u200c") + text.count("\u200d")
    json_text = json.loads(json.dumps(text))
    from iqtl.formats.jsonfmt import dumps

    assert json.loads(dumps(text)) == json_text  # JSON escapes, and reads back the same
