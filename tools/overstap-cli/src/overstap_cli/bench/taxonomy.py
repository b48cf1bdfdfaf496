"""Taxonomy benchmarks: label search throughput and latency in process (one core), and service start time."""

from __future__ import annotations

import gc
import time

from overstap_taxonomy.domain.taxonomy import Taxonomy

from overstap_cli.bench.stats import latency_summary, machine
from overstap_cli.stack import Stack, default_services, free_port

# Realistic queries: Dutch and English, job titles and skills, unfinished words and typos.
QUERIES = [
    "kassamedewerker",
    "verpleegkundige",
    "heftruckchauffeur",
    "software developer",
    "vrachtwagenchauffeur",
    "timmerman",
    "elektricien",
    "schoonmaker",
    "magazijnmedewerker",
    "kok",
    "bakker",
    "administratief medewerker",
    "klantenservice",
    "boekhouder",
    "loodgieter",
    "lasser",
    "metselaar",
    "verkoopmedewerker",
    "receptionist",
    "data scientist",
    "nurse",
    "cashier",
    "forklift operator",
    "truck driver",
    "welder",
    "accountant",
    "project manager",
    "teacher",
    "leraar basisonderwijs",
    "kinderopvang",
    "zorgmedewerker",
    "beveiliger",
    "python",
    "excel",
    "spreadsheet software",
    "customer service",
    "communicate with customers",
    "teamwork",
    "leidinggeven",
    "plannen",
    "operate cash register",
    "handle cash",
    "veiligheidsvoorschriften",
    "kassa bedienen",
    "heftruck besturen",
    "verplegen",
    "programmeren",
    "java",
    "sql",
    "stage builder",
    "mijnwerker",
    "bankmedewerker",
    "bank teller",
    "podiumbouwer",
    "verpleegkundge",
    "sofware developer",
    "kassamedewerkr",
    "heftruk",
    "magazijn",
    "logistiek medewerker",
    "chauffeur",
    "onderhoudsmonteur",
]


def bench_search(taxonomy: Taxonomy, rounds: int = 20) -> dict[str, object]:
    index = taxonomy.search_index
    for query in QUERIES:  # warm-up
        index.search(query, limit=10)
    gc.collect()
    timings: list[float] = []
    started = time.perf_counter()
    for _ in range(rounds):
        for query in QUERIES:
            t0 = time.perf_counter()
            index.search(query, limit=10)
            timings.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - started
    return {
        "queries": len(timings),
        "qps_one_core": round(len(timings) / elapsed, 1),
        **latency_summary(timings),
        "label_entries": index.entry_count,
    }


def bench_load() -> dict[str, float]:
    taxonomy, seconds = Taxonomy.load()
    del taxonomy
    return {"load_and_index_s": round(seconds, 3)}


def bench_service_start(repeats: int = 3) -> dict[str, float]:
    """Wall time from spawning the taxonomy process to its health check answering SERVING."""
    times = []
    for _ in range(repeats):
        taxonomy = default_services(taxonomy_port=free_port())[0]
        stack = Stack([taxonomy])
        t0 = time.perf_counter()
        with stack:
            times.append(time.perf_counter() - t0)
    return {"service_start_s_min": round(min(times), 3), "service_start_s_max": round(max(times), 3)}


def run() -> dict[str, object]:
    taxonomy, _ = Taxonomy.load()
    results: dict[str, object] = {"benchmark": "taxonomy", "bundle_version": taxonomy.version}
    results["search"] = bench_search(taxonomy)
    del taxonomy
    results.update(bench_load())
    results.update(bench_service_start())
    results["machine"] = machine()
    return results
