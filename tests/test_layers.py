"""The package's shape: each layer imports only the layers below it, Rich only in the terminal
layer, Typer only in the CLI, and every module imports first in a fresh interpreter (no cycles)."""

from __future__ import annotations

import ast
import os
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "iqtl"

# Lowest first.  A module may import its own layer and the layers before it in this list; the
# layers on one line are side by side and may not import each other.
LAYERS: list[tuple[str, ...]] = [
    ("core",),
    ("checks",),
    ("verify",),  # the quote checks, given the archived texts
    ("ledgerfile",),
    ("query",),
    ("reports",),
    ("ingest", "formats", "terminal"),
    ("cli",),
    ("__main__",),  # `python -m iqtl`
]
RANK = {name: i for i, names in enumerate(LAYERS) for name in names}
ONLY_IN = {"rich": "terminal", "typer": "cli", "click": "cli"}


def modules() -> list[str]:
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None  # iqtl itself (the version) belongs to none


def imports(module: str) -> set[str]:
    """Every module named by an import statement anywhere in the file (lazy imports included)."""
    path = PACKAGE.parent / (module.replace(".", "/") + ".py")
    if not path.exists():
        path = PACKAGE.parent / module.replace(".", "/") / "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names if node.module == "iqtl")
    return found


def test_every_module_is_in_a_layer():
    assert {layer(m) for m in modules()} - {None} <= set(RANK), "a new top-level module or package needs a layer"


@pytest.mark.parametrize("module", modules())
def test_imports_go_down_the_layers(module):
    own = layer(module)
    for name in imports(module):
        top = name.split(".")[0]
        if top in ONLY_IN:
            assert own == ONLY_IN[top], f"{module} imports {top}, which belongs to iqtl.{ONLY_IN[top]} only"
        if top != "iqtl" or name in ("iqtl", "iqtl.__version__") or own is None:
            continue
        other = layer(name)
        if other == own:
            continue
        assert RANK[other] < RANK[own], f"{module} imports {name}: {other} is not below {own}"


def test_every_module_imports_first_in_a_fresh_interpreter():
    """Each module imported before any other iqtl module (a cycle shows up as an ImportError), in a
    forked child of an interpreter that has imported nothing of iqtl; and a module below the
    terminal and CLI layers leaves Rich and Typer unloaded."""
    failures = []
    for module in modules():
        if module == "iqtl.__main__":  # importing it runs the program
            continue
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: a clean slate of iqtl modules, then one import
            os.close(read)
            for name in [m for m in sys.modules if m == "iqtl" or m.startswith("iqtl.")]:
                del sys.modules[name]
            for name in [m for m in sys.modules if m.split(".")[0] in ("rich", "typer", "click")]:
                del sys.modules[name]
            message = b""
            try:
                __import__(module)
                heavy = sorted({m.split(".")[0] for m in sys.modules} & {"rich", "typer", "click"})
                own = layer(module)
                allowed = {t for t, home in ONLY_IN.items() if home == own}
                if own in ("cli",):
                    allowed |= {"rich"}  # the CLI may import the terminal layer lazily, never at import time
                if set(heavy) - allowed:
                    message = f"{module} loads {', '.join(sorted(set(heavy) - allowed))}".encode()
            except BaseException as exc:  # noqa: BLE001 - reported to the parent; the child must not go on
                message = f"{module}: {type(exc).__name__}: {exc}".encode()
            finally:
                os.write(write, message)
                os._exit(0)
        os.close(write)
        with os.fdopen(read, "rb") as pipe:
            message = pipe.read().decode()
        os.waitpid(pid, 0)
        if message:
            failures.append(message)
    assert not failures, failures


def test_exports_that_write_json_load_no_rich():
    """The issue's own case: `import iqtl.formats.csl` loaded 45 Rich modules."""
    import subprocess

    for module in ("iqtl.formats.csl", "iqtl.formats.timelinejs", "iqtl.formats.html", "iqtl.formats.jsonfmt"):
        code = f"import sys, {module}; print(sum(m.split('.')[0] == 'rich' for m in sys.modules))"
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                             cwd=PACKAGE.parent, env={**os.environ, "PYTHONPATH": str(PACKAGE.parent)})
        assert out.returncode == 0 and out.stdout.strip() == "0", (module, out.stdout, out.stderr)
