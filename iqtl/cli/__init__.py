"""The command line: the only package that imports Typer.  `iqtl.cli.main` is the entry point."""


def main() -> None:
    from iqtl.cli.app import main as run

    run()


def __getattr__(name: str):
    if name == "app":
        from iqtl.cli.app import app

        return app
    raise AttributeError(name)
