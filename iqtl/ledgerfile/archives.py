"""Reading the archived texts of sources (the I/O half of issue 15; iqtl.verify does the rest).

A source's `archive` is a path relative to the folder of the ledger file.  Each is read whole,
hashed (SHA-256 of its bytes) and decoded as UTF-8; offsets are counted in the decoded text.
`stamps` describe what was read, so that the parse cache can tell an archive edited, replaced,
created or deleted since (iqtl.ledgerfile.cache keeps them with the entry).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from iqtl.checks import archive_path_ok
from iqtl.core.model import Ledger
from iqtl.core.sha import sha256

if TYPE_CHECKING:  # iqtl.verify imports the quote machinery: a warm run checking stamps needs none of it
    from iqtl.verify import ArchiveText

Stamp = tuple  # (real path, size, mtime_ns, inode, device, sha256 hex); (real path,) for a file that was absent


def base_of(ledger_path: str | os.PathLike) -> Path:
    return Path(ledger_path).parent


def wanted(ledger: Ledger) -> bool:
    return any(s.archive for s in ledger.sources)


def read_one(base: Path, archive: str) -> tuple[ArchiveText, Stamp]:
    from iqtl.verify import ArchiveText

    path = base / archive
    real = os.path.realpath(path)
    try:
        with open(path, "rb") as f:
            st = os.fstat(f.fileno())
            data = f.read()
    except FileNotFoundError:
        return ArchiveText(archive, None, problem=f"no such file: {path}", missing=True), (real,)
    except IsADirectoryError:
        return ArchiveText(archive, None, problem=f"{path} is a directory"), (real, "dir")
    except OSError as exc:
        return ArchiveText(archive, None, problem=f"{path}: {exc.strerror}"), (real, "error")
    sha = sha256(data).hexdigest()
    stamp = (real, st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev, sha)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return ArchiveText(archive, None, sha, f"not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})"), stamp
    return ArchiveText(archive, text, sha), stamp


def read(ledger: Ledger, base: str | os.PathLike | None = None) -> tuple[dict[str, ArchiveText], tuple[Stamp, ...]]:
    """source id -> its archive as read, for each source naming one by a relative path (an absolute
    one is an error of its own, never read); and the stamps of what was read."""
    base = base_of(ledger.path) if base is None else Path(base)
    texts: dict[str, ArchiveText] = {}
    stamps: list[Stamp] = []
    for src in ledger.sources:
        if not src.archive or not archive_path_ok(src.archive):
            continue
        if src.id in texts:
            continue  # a duplicate id: the first record wins, as everywhere
        texts[src.id], stamp = read_one(base, src.archive)
        stamps.append(stamp)
    return texts, tuple(stamps)


def unchanged(stamps: tuple[Stamp, ...]) -> bool:
    """Every archive read is as it was: the same file, size, mtime and bytes; an absent one still absent."""
    for stamp in stamps:
        real = stamp[0]
        try:
            with open(real, "rb") as f:
                st = os.fstat(f.fileno())
                if len(stamp) < 6 or (st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev) != tuple(stamp[1:5]):
                    return False
                if sha256(f.read()).hexdigest() != stamp[5]:
                    return False
        except FileNotFoundError:
            if len(stamp) != 1:
                return False
        except OSError:
            if len(stamp) == 6 or len(stamp) == 1:
                return False
    return True
