"""`overstap passport ...` commands (also `python -m overstap_passport.cli ...`): migrate, bench."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import typer

app = typer.Typer(help="Passport service: database migrations and benchmarks.", no_args_is_help=True)


@app.command("migrate")
def migrate(
    revision: str = typer.Option("head", help="Alembic revision to upgrade to"),
    database_url: str | None = typer.Option(None, help="Passport database (default: settings)"),
    keystore_url: str | None = typer.Option(None, help="Key store database (default: settings)"),
) -> None:
    """Upgrade the passport database and the key store (what the service does at start)."""
    from overstap_storage.database import create_engine

    from overstap_passport.migrations import current_revision, upgrade
    from overstap_passport.settings import PassportSettings
    from overstap_passport.storage import APPLICATION_NAME

    settings = PassportSettings()

    async def run() -> None:
        for target, url in (
            ("passport", database_url or settings.database_url),
            ("keystore", keystore_url or settings.keystore_url),
        ):
            engine = create_engine(url, application_name=APPLICATION_NAME)
            try:
                await upgrade(engine, target, revision)  # type: ignore[arg-type]
                typer.echo(f"{target}: at revision {await current_revision(engine, target)}")  # type: ignore[arg-type]
            finally:
                await engine.dispose()

    asyncio.run(run())


@app.command("bench")
def bench(
    database_url: str | None = typer.Option(
        None,
        help="PostgreSQL server to create throw-away bench databases on (default: OVERSTAP_TEST_DATABASE_URL "
        "or postgresql+asyncpg://postgres@127.0.0.1:5432/postgres)",
    ),
    skills: int = typer.Option(200, min=1, max=3000, help="Skills in the passport that is read"),
    reads: int = typer.Option(3000, min=10, help="Sequential reads measured"),
    write_rate: float = typer.Option(300.0, min=1, help="Target writes per second for the sustained phase"),
    write_seconds: float = typer.Option(15.0, min=1, help="Length of the sustained write phase"),
    writers: int = typer.Option(32, min=1, help="Concurrent writers (each on its own passport)"),
    client_processes: int = typer.Option(2, min=1, max=64, help="Processes generating the write load"),
    output: Path | None = typer.Option(None, help="Also write the JSON result here (e.g. bench/results/passport.json)"),
) -> None:
    """Read p50/p99 of a 200-skill passport through gRPC on PostgreSQL, and writes/s sustained; one JSON line last."""
    from overstap_passport.bench import run

    result = asyncio.run(
        run(
            database_url=database_url,
            skills=skills,
            reads=reads,
            write_rate=write_rate,
            write_seconds=write_seconds,
            writers=writers,
            client_processes=client_processes,
            log=typer.echo,
        )
    )
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    typer.echo(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    app()
