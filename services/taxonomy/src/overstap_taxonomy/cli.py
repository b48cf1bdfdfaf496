"""`overstap taxonomy ...` commands."""

from __future__ import annotations

import typer

app = typer.Typer(help="Taxonomy bundle: import from the official downloads, inspect.", no_args_is_help=True)


@app.command("info")
def info() -> None:
    """Print the version and counts of the bundle in use."""
    from overstap_bundle import default_bundle_path, load_bundle

    bundle = load_bundle(default_bundle_path())
    typer.echo(f"version {bundle.version}: {len(bundle.concepts)} concepts, "
               f"{len(bundle.occupation_skills)} occupation-skill relations, {len(bundle.mappings)} mappings")
