"""`overstap eval matching FILE` and the matcher benchmark.

Both pin OpenBLAS to one thread (set before numpy is imported, if it is not yet): on the shared 2-core machines
BLAS thread pools fight with everything else, and the scorer itself does not need BLAS.
"""

from __future__ import annotations

import os
import sys

_NUMPY_PRELOADED = "numpy" in sys.modules  # then the pin below comes too late for this process
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import json  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import TYPE_CHECKING  # noqa: E402

import typer  # noqa: E402

if TYPE_CHECKING:
    from overstap_matcher.domain.evaluation import Metrics
    from overstap_matcher.domain.index import MatcherIndex

app = typer.Typer(help="Matcher: evaluation and benchmark commands.", no_args_is_help=True)


def load_index(bundle_path: Path | None) -> MatcherIndex:
    from overstap_matcher.adapters.default_index import load_index as load

    start = time.perf_counter()
    index, source = load(bundle_path)
    typer.echo(
        f"index from {source}: {index.n_occupations} occupations, {index.n_skills} skills "
        f"({time.perf_counter() - start:.2f} s with loading)",
        err=True,
    )
    return index


def _line(name: str, metrics: Metrics) -> str:
    return f"{name:<28} NDCG@10 {metrics.ndcg10:.4f}  MRR {metrics.mrr:.4f}  Recall@20 {metrics.recall20:.4f}"


@app.command("eval-matching")
def eval_matching(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="matching-*.jsonl evaluation file"),
    bundle: Path | None = typer.Option(None, help="taxonomy bundle (default: the shipped one)"),
    limit: int | None = typer.Option(None, help="only the first N queries"),
    references: bool = typer.Option(True, help="also score the README's reference rankers"),
) -> None:
    """Rank all occupations for each query and print NDCG@10, MRR and Recall@20 (last line: JSON)."""
    from overstap_matcher.domain.evaluation import (
        evaluate,
        idf_cosine_scorer,
        jaccard_essential_scorer,
        load_queries,
        person_for_query,
    )
    from overstap_matcher.domain.model import ScoringConfig
    from overstap_matcher.domain.ranking import scores

    index = load_index(bundle)
    queries = load_queries(file, limit)
    if references:
        typer.echo(_line("reference: Jaccard essential", evaluate(index, queries, jaccard_essential_scorer(index))))
        typer.echo(_line("reference: idf cosine", evaluate(index, queries, idf_cosine_scorer(index))))
    config = ScoringConfig()
    start = time.perf_counter()
    metrics = evaluate(index, queries, lambda q: scores(index, person_for_query(index, q), config))
    typer.echo(_line("overstap matcher", metrics) + f"  ({time.perf_counter() - start:.1f} s)")
    typer.echo(json.dumps(metrics.as_json()))


@app.command("bench")
def bench(
    file: Path = typer.Option(
        Path("/work/shared/eval/matching-onet-related-skills-dev.jsonl"), help="queries to take persons from"
    ),
    persons: int = typer.Option(300, help="number of persons sampled from the file"),
    k: int = typer.Option(20, help="explained results per person"),
    repeat: int = typer.Option(3, help="passes over the sample"),
    bundle: Path | None = typer.Option(None, help="taxonomy bundle (default: the shipped one)"),
) -> None:
    """p50/p99 latency of ranking all occupations with explanations of the top k, in process."""
    import random

    import numpy as np

    from overstap_matcher.domain.evaluation import load_queries, person_for_query
    from overstap_matcher.domain.ranking import rank

    index = load_index(bundle)
    queries = load_queries(file)
    sample = random.Random(7).sample(queries, min(persons, len(queries)))
    people = [person_for_query(index, q) for q in sample]
    for p in people[:20]:
        rank(index, p, k=k)  # warm-up
    wall, cpu = [], []
    for _ in range(repeat):
        for p in people:
            t0, c0 = time.perf_counter(), time.thread_time()
            rank(index, p, k=k)
            wall.append(time.perf_counter() - t0)
            cpu.append(time.thread_time() - c0)
    w, c = np.percentile(wall, [50, 99]) * 1e3, np.percentile(cpu, [50, 99]) * 1e3
    pin = os.environ.get("OPENBLAS_NUM_THREADS")
    note = " (numpy was loaded before the pin: it may not apply)" if _NUMPY_PRELOADED else ""
    typer.echo(f"OPENBLAS_NUM_THREADS={pin}{note}; load average {os.getloadavg()[0]:.2f}; one process, one thread")
    typer.echo(f"{len(wall)} rankings of {index.n_occupations} occupations, top {k} explained")
    typer.echo(f"wall ms p50 {w[0]:.3f} p99 {w[1]:.3f}   cpu ms p50 {c[0]:.3f} p99 {c[1]:.3f}")
    figures = {"p50_ms": w[0], "p99_ms": w[1], "cpu_p50_ms": c[0], "cpu_p99_ms": c[1], "k": k, "rankings": len(wall)}
    typer.echo(json.dumps({**figures, "openblas_num_threads": pin}))


if __name__ == "__main__":  # pragma: no cover
    app(sys.argv[1:])
