"""`overstap`: one command for operators and evaluators. Each service contributes its own sub-commands."""

from __future__ import annotations

import typer

from overstap_taxonomy.cli import app as taxonomy_app

app = typer.Typer(help="Overstap operator, import, evaluation and benchmark commands.", no_args_is_help=True)
app.add_typer(taxonomy_app, name="taxonomy")

if __name__ == "__main__":
    app()
