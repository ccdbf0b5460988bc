"""iqtl: a timeline and sourced-claim tracker for US–Iran–Iraq relations, over a TOML ledger.

The library is importable on its own: `iqtl.loader.load(path)` gives a Ledger and its
problems, `iqtl.query` selects from it, `iqtl.export` and `iqtl.render` print it.
"""

__version__ = "0.1.0"
