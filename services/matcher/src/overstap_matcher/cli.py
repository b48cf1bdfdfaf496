"""`overstap eval matching FILE` and the matcher benchmarks (`bench`: occupations; `bench-vacancies`: stored vacancies).

All pin OpenBLAS to one thread (set before numpy is imported, if it is not yet): on the shared 2-core machines
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

DEV_SKILLS = Path("/work/shared/eval/matching-onet-related-skills-dev.jsonl")
DEV_OCCUPATIONS = Path("/work/shared/eval/matching-onet-related-dev.jsonl")


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
    list_limit: int = typer.Option(
        0, min=0, help="shortage and surplus skills listed per result (0: all; the REST default explain=top: 5)"
    ),
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
    limit = list_limit or None
    for p in people[:20]:
        rank(index, p, k=k, list_limit=limit)  # warm-up
    wall, cpu = [], []
    for _ in range(repeat):
        for p in people:
            t0, c0 = time.perf_counter(), time.thread_time()
            rank(index, p, k=k, list_limit=limit)
            wall.append(time.perf_counter() - t0)
            cpu.append(time.thread_time() - c0)
    w, c = np.percentile(wall, [50, 99]) * 1e3, np.percentile(cpu, [50, 99]) * 1e3
    pin = os.environ.get("OPENBLAS_NUM_THREADS")
    note = " (numpy was loaded before the pin: it may not apply)" if _NUMPY_PRELOADED else ""
    typer.echo(f"OPENBLAS_NUM_THREADS={pin}{note}; load average {os.getloadavg()[0]:.2f}; one process, one thread")
    lists = f"lists of {list_limit}" if list_limit else "complete lists"
    typer.echo(f"{len(wall)} rankings of {index.n_occupations} occupations, top {k} explained ({lists})")
    typer.echo(f"wall ms p50 {w[0]:.3f} p99 {w[1]:.3f}   cpu ms p50 {c[0]:.3f} p99 {c[1]:.3f}")
    figures = {"p50_ms": w[0], "p99_ms": w[1], "cpu_p50_ms": c[0], "cpu_p99_ms": c[1], "k": k}
    figures |= {"list_limit": list_limit, "rankings": len(wall)}
    typer.echo(json.dumps({**figures, "openblas_num_threads": pin}))


def _percentiles(values: list[float], scale: float = 1e3) -> tuple[float, float]:
    import numpy as np

    p50, p99 = np.percentile(values, [50, 99]) * scale
    return float(p50), float(p99)


def _timed_ranks(vacancy_index, people, k: int, repeat: int) -> tuple[list[float], list[float]]:
    wall, cpu = [], []
    for _ in range(repeat):
        for p in people:
            t0, c0 = time.perf_counter(), time.thread_time()
            vacancy_index.rank(p, k=k)
            wall.append(time.perf_counter() - t0)
            cpu.append(time.thread_time() - c0)
    return wall, cpu


@app.command("bench-vacancies")
def bench_vacancies(
    vacancies: int = typer.Option(100_000, help="synthetic vacancies drawn from the bundle's occupations"),
    persons: int = typer.Option(300, help="persons, taken evenly from the query files"),
    file: list[Path] = typer.Option([DEV_SKILLS, DEV_OCCUPATIONS], help="query files to take persons from"),
    k: int = typer.Option(20, help="explained results per person"),
    repeat: int = typer.Option(2, help="passes over the persons"),
    upserts: int = typer.Option(5000, help="timed upserts (half new ids, half replacing stored ones)"),
    hard_share: float = typer.Option(0.2, help="share of each person's skills upgraded to hard evidence"),
    seed: int = typer.Option(1, help="seed of the synthetic vacancies and persons"),
    bundle: Path | None = typer.Option(None, help="taxonomy bundle (default: the shipped one)"),
) -> None:
    """Stored vacancies: build cost, p50/p99 of ranking them all for a person with explanations of the top k,
    upsert/remove costs, and rankings each right after an upsert (a non-empty delta), in process (last line:
    JSON)."""
    import gc
    import random

    import numpy as np

    from overstap_matcher.domain.evaluation import load_queries, person_for_query
    from overstap_matcher.domain.model import Evidence, OfferedSkill, Person
    from overstap_matcher.domain.vacancies import VacancyIndex
    from overstap_matcher.testing import synthetic_vacancies

    index = load_index(bundle)
    rng = random.Random(seed)
    start = time.perf_counter()
    stored = synthetic_vacancies(index, vacancies, seed=seed)
    changes = synthetic_vacancies(index, upserts + persons, seed=seed + 1, prefix="new:")
    generated = time.perf_counter() - start
    demands = [len(v.demands) for v in stored] or [0]
    typer.echo(
        f"{len(stored)} synthetic vacancies ({generated:.1f} s to generate): demands p5/p50/p95 "
        f"{' / '.join(f'{x:.0f}' for x in np.percentile(demands, [5, 50, 95]))}, "
        f"{sum(1 for v in stored if v.occupation_id is None)} without occupation",
        err=True,
    )
    gc.collect()
    start = time.perf_counter()
    vacancy_index = VacancyIndex(index, stored)
    build_s = time.perf_counter() - start
    n_stored = len(stored)
    del stored  # the index keeps arrays, not the vacancies' objects

    files = [f for f in file if f.exists()]
    per_file = -(-persons // max(len(files), 1))
    people = []
    for f in files:
        queries = load_queries(f)
        for q in rng.sample(queries, min(per_file, len(queries))):
            p = person_for_query(index, q)
            skills = [
                OfferedSkill(s.skill_id, Evidence.HARD, s.weight) if rng.random() < hard_share else s for s in p.skills
            ]
            people.append(Person(skills, p.occupations))
    people = people[:persons]
    if not people:
        raise typer.BadParameter("no persons: none of the query files exists")
    gc.collect()
    gc.freeze()  # as the service does after loading: later collections do not walk the loaded objects
    for p in people[:20]:
        vacancy_index.rank(p, k=k)  # warm-up
    wall, cpu = _timed_ranks(vacancy_index, people, k, repeat)

    ids = vacancy_index.ids()
    upsert_times = []
    changes, mixed_changes = changes[:upserts], changes[upserts:]
    for i, v in enumerate(changes):
        if i % 2 and ids:
            v = type(v)(rng.choice(ids), v.occupation_id, v.demands)  # replace a stored vacancy
        t0 = time.perf_counter()
        vacancy_index.upsert(v)
        upsert_times.append(time.perf_counter() - t0)
    stats = vacancy_index.stats
    remove_times = []
    for vid in rng.sample(vacancy_index.ids(), min(upserts // 2, len(vacancy_index))):
        t0 = time.perf_counter()
        vacancy_index.remove(vid)
        remove_times.append(time.perf_counter() - t0)
    delta_stats = vacancy_index.stats
    delta_wall = []
    for p, v in zip(people, mixed_changes, strict=False):  # each read right after a change
        vacancy_index.upsert(v)
        t0 = time.perf_counter()
        vacancy_index.rank(p, k=k)
        delta_wall.append(time.perf_counter() - t0)
    start = time.perf_counter()
    vacancy_index.compact()
    compact_s = time.perf_counter() - start

    w, c, dw = _percentiles(wall), _percentiles(cpu), _percentiles(delta_wall)
    up = _percentiles(upsert_times, 1e6) if upsert_times else (0.0, 0.0)
    pin = os.environ.get("OPENBLAS_NUM_THREADS")
    note = " (numpy was loaded before the pin: it may not apply)" if _NUMPY_PRELOADED else ""
    load = os.getloadavg()[0]
    typer.echo(f"OPENBLAS_NUM_THREADS={pin}{note}; load average {load:.2f}; one process, one thread")
    typer.echo(f"build of {n_stored} vacancies from plain data: {build_s:.2f} s")
    typer.echo(
        f"{len(wall)} rankings of {n_stored} vacancies, top {k} explained: "
        f"wall ms p50 {w[0]:.2f} p99 {w[1]:.2f}   cpu ms p50 {c[0]:.2f} p99 {c[1]:.2f}"
    )
    upsert_mean = float(np.mean(upsert_times) * 1e6) if upsert_times else 0.0
    remove_mean = float(np.mean(remove_times) * 1e6) if remove_times else 0.0
    typer.echo(
        f"{len(upsert_times)} upserts: mean {upsert_mean:.0f} us (amortised, {stats['compactions']} compactions), "
        f"p50 {up[0]:.0f} us, p99 {up[1]:.0f} us, max {max(upsert_times, default=0) * 1e3:.0f} ms; "
        f"{len(remove_times)} removes: mean {remove_mean:.1f} us"
    )
    typer.echo(
        f"each right after an upsert, with a delta of {delta_stats['delta_rows']}+ rows and "
        f"{delta_stats['dead_rows']} dead rows: wall ms p50 {dw[0]:.2f} p99 {dw[1]:.2f}; "
        f"then a compaction: {compact_s:.2f} s"
    )
    figures = {
        "vacancies": n_stored,
        "persons": len(people),
        "rankings": len(wall),
        "k": k,
        "build_s": build_s,
        "p50_ms": w[0],
        "p99_ms": w[1],
        "cpu_p50_ms": c[0],
        "cpu_p99_ms": c[1],
        "delta_p50_ms": dw[0],
        "delta_p99_ms": dw[1],
        "upserts": len(upsert_times),
        "upsert_mean_us": upsert_mean,
        "upsert_p50_us": up[0],
        "upsert_p99_us": up[1],
        "upsert_max_ms": max(upsert_times, default=0) * 1e3,
        "compactions": stats["compactions"],
        "remove_mean_us": remove_mean,
        "compact_s": compact_s,
        "load_average": load,
    }
    typer.echo(json.dumps({**figures, "openblas_num_threads": pin}))


if __name__ == "__main__":  # pragma: no cover
    app(sys.argv[1:])
