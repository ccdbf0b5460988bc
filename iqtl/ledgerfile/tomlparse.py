"""TOML text -> tables: toml-rs (compiled Rust) when it can, tomli for everything else.

Chosen on evidence (issue 19): on the benchmark's 100,000-event ledger in the loader's 4 MB
pieces, toml-rs parses in 1.5 s, rtoml in 2.8 s and tomli in 7.9 s (same machine, same run);
all three give the same verdict on the 709 TOML 1.0 files of the toml-test corpus
(tests/test_toml_parsers.py) and the same tables on every fixture; toml-rs ships wheels for
Linux (glibc and musl), macOS and Windows, where rtoml has none for musl.

tomli stays the referee: any text toml-rs refuses is parsed again by tomli, whose error
messages and positions the loader locates (and whose verdict is the one iqtl has always given),
and a text nested deeper than NEST_LIMIT never reaches toml-rs at all: its recursive descent
overflows the C stack (a segfault, not an exception) at a few thousand levels.  Without a
toml-rs wheel for the platform, tomli alone does the work.
"""

from __future__ import annotations

import re

try:
    import toml_rs as _fast
except ImportError:  # pragma: no cover - a platform without a wheel: tomli alone
    _fast = None

# tomli is imported when it has something to do (a text toml-rs refuses, or no toml-rs): a ledger
# toml-rs reads, the usual cold start, never needs it (1.3 ms of a 100 ms run on the seed).
# `TOMLDecodeError` is looked up only when an exception is being matched, so it can wait too.
_referee = None


def referee():
    """The pure-Python parser whose verdict and messages are iqtl's."""
    global _referee
    if _referee is None:
        try:
            import tomli as _referee
        except ImportError:  # pragma: no cover - tomli is a dependency; tomllib keeps a bare install working
            import tomllib as _referee
    return _referee


def __getattr__(name: str):
    if name == "TOMLDecodeError":
        return referee().TOMLDecodeError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


NEST_LIMIT = 64  # opening brackets in a row with no closing one between: the loader refuses 100 anyway
# Only the brackets of the text, by bytes.translate (7 ms for 4 MB, where a regex over the text
# took 190 ms), then a run of NEST_LIMIT openers.  Brackets inside strings count too: such a text
# merely goes to tomli.
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_DEEP_RUN = re.compile(rb"[\[{]{" + str(NEST_LIMIT).encode() + rb"}")


def _deep(text: str) -> bool:
    return _DEEP_RUN.search(text.encode("utf-8", "surrogatepass").translate(None, _NOT_BRACKETS)) is not None


def loads(text: str) -> dict:
    # toml-rs skips a byte-order mark that tomli refuses: the loader has removed the file's own
    # one already, so a second is an error (tests/fixtures: two BOMs).
    if _fast is not None and not text.startswith("\ufeff") and not _deep(text):
        try:
            return _fast.loads(text)
        except Exception:  # noqa: BLE001 - any refusal: the referee decides, and says where
            pass
    return referee().loads(text)
