"""The TOML parser iqtl uses (iqtl.ledgerfile.tomlparse: toml-rs refereed by tomli) gives tomli's
verdict and tomli's tables on the toml-test corpus, on every fixture and on generated documents;
and text nested deep enough to crash toml-rs never reaches it."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
import tomli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iqtl.ledgerfile import tomlparse

from .conftest import FIXTURES, ROOT, SEED

CORPUS = ROOT.parent / "shared" / "toml-test" / "tests"  # read in place, never copied into the project


def canon(value):
    """Tables with NaN made comparable (NaN != NaN) and floats told from ints (1.0 == 1)."""
    if isinstance(value, dict):
        return {k: canon(v) for k, v in value.items()}
    if isinstance(value, list):
        return [canon(v) for v in value]
    if isinstance(value, float):
        return ("float", "nan" if math.isnan(value) else value)
    return (type(value).__name__, value)


def verdict(loads, text: str):
    try:
        return ("ok", canon(loads(text)))
    except tomli.TOMLDecodeError:
        return ("refused", None)
    except (ValueError, RecursionError) as exc:  # tomli's own limits (huge integers, deep nesting)
        return ("refused", type(exc).__name__)


def corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    names = [n.strip() for n in (CORPUS / "files-toml-1.0.0").read_text().splitlines() if n.strip().endswith(".toml")]
    return [CORPUS / n for n in names]


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the toml-test corpus is read from ../shared/toml-test")
def test_the_toml_test_corpus_gets_tomlis_verdict_and_tables():
    files = corpus_files()
    assert len(files) > 600
    differ = []
    for path in files:
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue  # refused by the loader's decoding, before any parser
        text = text.removeprefix("\ufeff")  # as the loader's decoding does
        if verdict(tomlparse.loads, text) != verdict(tomli.loads, text):
            differ.append(path.relative_to(CORPUS).as_posix())
    assert differ == []


def fixture_texts():
    for path in sorted(FIXTURES.rglob("*.toml")) + [SEED]:
        try:
            yield path, path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError:
            continue


@pytest.mark.parametrize(("path", "text"), list(fixture_texts()), ids=lambda v: getattr(v, "name", ""))
def test_every_fixture_parses_as_tomli_parses_it(path, text):
    assert verdict(tomlparse.loads, text) == verdict(tomli.loads, text)


ALPHABET = st.sampled_from(list('[]{}="\'.,#\n\r\t \\abcxyz019-+_:TZ\ufeff\u00e9\u200c\x00\x7f') + [
    "[[event]]\n", 'id = "a"\n', "schema = 1\n", '"""', "'''", "1979-05-27T07:32:00Z", "0x1F", "inf", "nan",
    "true", "1e3", "[a.b]\n", "x.y = 1\n", "{ a = 1 }"])


@pytest.mark.hardening
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ALPHABET, max_size=40).map("".join))
def test_generated_documents_get_tomlis_verdict(text):
    assert verdict(tomlparse.loads, text) == verdict(tomli.loads, text)


@pytest.mark.parametrize("opening", ["[", "{b="])
def test_deep_nesting_never_reaches_the_compiled_parser(opening):
    """toml-rs overflows the C stack at a few thousand levels (a segfault): the gate sends such text
    to tomli, which refuses it with a RecursionError that the loader locates."""
    closing = "]" if opening == "[" else "}"
    code = ("import sys; from iqtl.ledgerfile import tomlparse\n"
            f"text = 'a = ' + {opening!r} * 20000 + {closing!r} * 20000\n"
            "try:\n    tomlparse.loads(text)\nexcept RecursionError:\n    print('refused')\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0 and done.stdout.strip() == "refused", (done.returncode, done.stderr[-300:])
