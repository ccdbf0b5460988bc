"""SHA-256 without loading OpenSSL for small inputs: the same digests, chosen for speed by size.

`import hashlib` loads OpenSSL's libcrypto, about 2.5 ms of a process, which is a tenth of
iqtl's own share of a start on the seed ledger; hashing that ledger, its cache entry and its
archives (half a megabyte in all) with the interpreter's built-in SHA-256 takes about 1.3 ms.
OpenSSL's is five times faster per byte, so anything larger than SMALL goes to hashlib, once it
is worth loading.  Which implementation is used never changes a digest, only the time taken.
"""

from __future__ import annotations

from functools import lru_cache

SMALL = 1 << 19  # bytes: up to here the built-in hash finishes before OpenSSL would have loaded


@lru_cache(maxsize=1)
def _builtin():
    try:
        from _sha2 import sha256  # Python 3.12 on
    except ImportError:
        try:
            from _sha256 import sha256  # Python 3.11
        except ImportError:  # a build without the built-in hashes (some FIPS builds): OpenSSL's
            from hashlib import sha256
    return sha256


def sha256(data: bytes = b"", *, size: int | None = None):
    """A SHA-256 hash object (update, digest, hexdigest) fed `data`.  `size`: how many bytes it
    will be fed in all, when more will come by update(); None means as many as `data` has, or,
    for an empty start, a count not known (then OpenSSL's, which a large stream wants)."""
    if size is None:
        size = len(data) if data else SMALL + 1
    if size <= SMALL:
        return _builtin()(data)
    import hashlib

    return hashlib.sha256(data)
