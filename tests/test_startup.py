"""What a start-up loads: `iqtl list` on the seed ledger, cold (the bytes changed: parse, check,
verify the quotes, fill the cache) and warm (answered by the cache), imports only what it uses.
Start-up time is mostly imports (README, Performance); these guard the ones taken out of the way."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from tests.conftest import ROOT, SEED, subprocess_env

# Run the program as `iqtl` does, then print the modules it loaded (the program leaves by os._exit).
PROBE = """
import os, sys
exit_now = os._exit
def leave(code):
    sys.stderr.write("\\nMODULES " + " ".join(sorted(sys.modules)) + "\\n")
    sys.stderr.flush()
    exit_now(code)
os._exit = leave
sys.argv = ["iqtl", *sys.argv[1:]]
from iqtl.cli import main
main()
"""


def _list(ledger, cache) -> tuple[str, set[str]]:
    env = subprocess_env() | {"PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(cache)}
    out = subprocess.run([sys.executable, "-c", PROBE, "list", "--ledger", str(ledger), "-F", "plain"],
                         capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    modules = out.stderr.rpartition("MODULES ")[2].split()
    assert modules, out.stderr
    return out.stdout, set(modules)


def _seed_copy(tmp_path):
    shutil.copytree(SEED.parent, tmp_path / "data")
    return tmp_path / "data" / "events.toml"


def test_a_cold_and_a_warm_list_import_only_what_they_use(tmp_path):
    ledger, cache = _seed_copy(tmp_path), tmp_path / "cache"
    cold_out, cold = _list(ledger, cache)
    warm_out, warm = _list(ledger, cache)
    assert cold_out == warm_out and cold_out.count("\n") == sum(
        line.strip() == "[[event]]" for line in ledger.read_text(encoding="utf-8").splitlines())
    # The cold run parsed, checked and verified: toml-rs read the ledger, so its referee (tomli)
    # had nothing to do; the quotes were located.
    assert {"toml_rs", "iqtl.core.quotes", "iqtl.checks"} <= cold
    assert "tomli" not in cold
    # The warm run parsed nothing and searched no quote; nothing drew a table.
    assert not {"toml_rs", "tomli", "iqtl.ledgerfile.tomlparse", "iqtl.core.quotes", "iqtl.verify"} & warm
    assert not {m for m in warm | cold if m.split(".")[0] in ("rich", "click")}
    # The seed, its entry and its archives are small: hashed without loading OpenSSL (iqtl.core.sha).
    assert not {"hashlib", "_hashlib"} & (warm | cold)


def test_small_and_large_inputs_get_the_same_digests():
    """iqtl.core.sha picks an implementation by size; the digest is SHA-256's whichever it picks."""
    import hashlib

    from iqtl.core import sha

    for data in (b"", b"abc", bytes(range(256)) * 2049):  # the last is over SMALL
        expected = hashlib.sha256(data).hexdigest()
        assert sha.sha256(data).hexdigest() == expected
        small, large = sha.sha256(size=len(data)), sha.sha256(size=sha.SMALL + 1)
        for part in (data[: len(data) // 3], data[len(data) // 3:]):
            small.update(part)
            large.update(part)
        assert small.hexdigest() == large.hexdigest() == expected


def test_a_ledger_toml_rs_refuses_still_gets_tomlis_message(tmp_path):
    """The referee, imported only when needed, still has the last word on a syntax error."""
    ledger = _seed_copy(tmp_path)
    with open(ledger, "a", encoding="utf-8") as f:
        f.write("\n[[event]]\nid = \"x\"\ntitle = \"unclosed\n")
    lines = ledger.read_text(encoding="utf-8").count("\n")
    env = subprocess_env() | {"PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    out = subprocess.run([sys.executable, "-m", "iqtl", "list", "--ledger", str(ledger)], capture_output=True,
                         text=True, env=env, timeout=120, cwd=os.fspath(tmp_path))
    assert out.returncode == 1
    assert f"events.toml:{lines}:" in out.stderr and "TOML syntax" in out.stderr, out.stderr
