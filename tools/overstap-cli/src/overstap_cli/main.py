"""`overstap`: one command for operators and evaluators. Each service contributes its own sub-commands."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import typer
from overstap_extractor import cli as extractor_cli
from overstap_matcher import cli as matcher_cli
from overstap_passport.cli import app as passport_app
from overstap_taxonomy.cli import app as taxonomy_app

from overstap_cli.token import token

app = typer.Typer(help="Overstap operator, import, evaluation and benchmark commands.", no_args_is_help=True)
app.add_typer(taxonomy_app, name="taxonomy")
app.add_typer(passport_app, name="passport")
app.add_typer(matcher_cli.app, name="matcher")

eval_app = typer.Typer(
    help="Evaluation on the ../shared/eval formats; each prints one JSON line last.", no_args_is_help=True
)
app.add_typer(eval_app, name="eval")
eval_app.command("matching")(matcher_cli.eval_matching)
eval_app.command("extraction")(extractor_cli.evaluate_file)
app.add_typer(extractor_cli.app, name="extractor")
app.command("token")(token)

stack_app = typer.Typer(help="Run the service stack on this machine.", no_args_is_help=True)
app.add_typer(stack_app, name="stack")


@stack_app.command("run")
def stack_run(
    gateway_port: int = typer.Option(8000, help="HTTP port of the gateway"),
    log_dir: Path | None = typer.Option(None, help="Write each service's log here instead of the terminal"),
) -> None:
    """Start every service and the gateway; stop them all cleanly on Ctrl-C or SIGTERM."""
    from overstap_cli.stack import Stack, default_services

    stack = Stack(default_services(gateway_port=gateway_port), log_dir=log_dir)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stack.start()
        gateway = stack.services[-1]
        typer.echo("\nOverstap is running:")
        for service in stack.services:
            typer.echo(f"  {service.name:<18} {service.address}")
        typer.echo(f"  {'API docs':<18} {gateway.address}/docs")
        typer.echo(f"  {'OpenAPI':<18} {gateway.address}/openapi.json")
        typer.echo(f"  {'a token':<18} TOKEN=$(uv run overstap token --subject alice --role person)")
        typer.echo("Press Ctrl-C to stop.\n")
        while not stop.wait(0.5):
            for service in stack.services:
                if service.process and service.process.poll() is not None:
                    typer.echo(f"{service.name} exited with code {service.process.returncode}; stopping", err=True)
                    stop.set()
    except KeyboardInterrupt:
        pass
    finally:
        typer.echo("\nstopping...")
        codes = stack.stop()
        typer.echo("stopped: " + ", ".join(f"{name} ({code})" for name, code in codes.items()))


bench_app = typer.Typer(help="Benchmarks; each prints its figures as one JSON line last.", no_args_is_help=True)
app.add_typer(bench_app, name="bench")


def _emit(results: dict[str, object], output: Path | None) -> None:
    import json

    line = json.dumps(results, ensure_ascii=False)
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    typer.echo(line)


bench_app.command("matcher")(matcher_cli.bench)
bench_app.command("extractor")(extractor_cli.bench)


@bench_app.command("gateway")
def bench_gateway(
    seconds: float = typer.Option(10.0, min=1, max=120, help="Length of the load phase"),
    concurrency: int = typer.Option(16, min=1, max=256, help="Connections of the load generator"),
    output: Path | None = typer.Option(None, help="Also write the figures to this JSON file"),
) -> None:
    """Real processes on loopback: REST overhead over the gRPC call, and match requests/s under load."""
    from overstap_cli.bench import gateway

    _emit(gateway.run(seconds=seconds, concurrency=concurrency), output)


@bench_app.command("taxonomy")
def bench_taxonomy(
    output: Path | None = typer.Option(None, help="Also write the figures to this JSON file"),
) -> None:
    """Label search on one core (queries/s, p50/p99) and taxonomy service start time."""
    import os

    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from overstap_cli.bench import taxonomy

    _emit(taxonomy.run(), output)


if __name__ == "__main__":
    app()
