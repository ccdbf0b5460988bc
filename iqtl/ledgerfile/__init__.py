"""The ledger as files: finding, reading, caching, appending, formatting and merging them."""

# Set by the command line (iqtl.cli.app.main): a big ledger's cache may then be written by a
# forked child while the command prints (iqtl.ledgerfile.cache.store).
BACKGROUND_CACHE = False
