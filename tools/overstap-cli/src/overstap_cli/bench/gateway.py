"""Gateway benchmarks over real processes on loopback: what the REST hop adds to the gRPC call it fronts, and
occupation-match throughput under load (the stack as `make run` starts it, a load generator in its own process)."""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
import time
from pathlib import Path

from overstap.matcher.v1 import matcher_pb2 as mpb
from overstap.matcher.v1 import matcher_pb2_grpc as mpb_grpc
from overstap_common.grpc_client import create_channel
from overstap_common.principal import DEVELOPMENT_KEY, Principal, encode_principal
from overstap_gateway.auth.development import load_or_create

from overstap_cli.bench.loadgen import LoadSpec, run_load, sequential_latencies
from overstap_cli.bench.stats import latency_summary, machine
from overstap_cli.stack import Stack, default_services, free_port

CASHIER = "http://data.europa.eu/esco/occupation/2b871272-bd61-4206-bd1a-0b96d7023098"
LIST_LIMITS = {"top": 5, "full": 0}  # what the gateway asks the matcher for with explain=top / full


def _body(explain: str) -> dict[str, object]:
    return {"occupations": [CASHIER], "limit": 10, "explain": explain}


async def _grpc_latencies(target: str, rounds: int, explain: str) -> list[float]:
    channel = create_channel(target, deadline_seconds=10)
    stub = mpb_grpc.MatcherServiceStub(channel)
    request = mpb.MatchOccupationsRequest(
        occupations=[CASHIER], limit=10, language="nl", list_limit=LIST_LIMITS[explain]
    )
    timings = []
    for _ in range(rounds):
        metadata = encode_principal(Principal("bench", scopes=("match:read",)), DEVELOPMENT_KEY)
        started = time.perf_counter()
        await stub.MatchOccupations(request, metadata=metadata)
        timings.append(time.perf_counter() - started)
    await channel.close()
    return timings


def _rest_latencies(url: str, token: str, rounds: int, explain: str) -> list[float]:
    return asyncio.run(sequential_latencies(_spec(url, token, explain), rounds))


def _spec(url: str, token: str, explain: str, seconds: float = 10, concurrency: int = 1) -> LoadSpec:
    return LoadSpec(
        url=url,
        method="POST",
        body=json.dumps(_body(explain)).encode(),
        headers=(("Authorization", f"Bearer {token}"), ("Content-Type", "application/json")),
        concurrency=concurrency,
        seconds=seconds,
    )


BLOCKS = 10


def _paired_latencies(url: str, matcher: str, token: str, rounds: int, explain: str) -> tuple[list[float], list[float]]:
    """Sequential timings of the gRPC call alone and through the gateway, in alternating blocks: this machine's
    speed drifts within minutes, and two runs one after the other would compare two different machines. The first
    call of each block (connection set-up) is left out."""
    direct: list[float] = []
    through: list[float] = []
    per_block = max(1, rounds // BLOCKS)
    for _ in range(BLOCKS):
        direct += asyncio.run(_grpc_latencies(matcher, per_block + 1, explain))[1:]
        through += _rest_latencies(url, token, per_block + 1, explain)[1:]
    return direct, through


def _measure(url: str, matcher: str, token: str, explain: str, seconds: float, concurrency: int, rounds: int) -> dict:
    _paired_latencies(url, matcher, token, 60, explain)  # warm-up
    direct, through = _paired_latencies(url, matcher, token, rounds, explain)
    grpc_direct, through_gateway = latency_summary(direct), latency_summary(through)
    load = run_load(_spec(url, token, explain, seconds, concurrency))
    return {
        "grpc_direct_sequential": grpc_direct,
        "rest_through_gateway_sequential": through_gateway,
        "gateway_added_p50_ms": round(through_gateway["p50_ms"] - grpc_direct["p50_ms"], 4),
        "load": load,
    }


def run(seconds: float = 10.0, concurrency: int = 16, rounds: int = 300) -> dict[str, object]:
    """Both explanation shapes: ``top`` (the default a partner gets) and ``full`` (every skill of every match)."""
    with tempfile.TemporaryDirectory() as tmp:
        var_dir = Path(tmp)
        services = default_services(
            {"OVERSTAP_LOG_LEVEL": "WARNING"},
            gateway_port=free_port(),
            taxonomy_port=free_port(),
            passport_port=free_port(),
            matcher_port=free_port(),
            var_dir=var_dir,
        )
        with Stack(services):
            gateway = next(s for s in services if s.name == "gateway")
            matcher = next(s for s in services if s.name == "matcher")
            token = load_or_create(var_dir / "dev-keys").mint("bench", "person", ["match:read"], ttl_seconds=3600)
            url = f"{gateway.address}/v1/matches/occupations"
            shapes = {
                explain: _measure(url, matcher.address, token, explain, seconds, concurrency, rounds)
                for explain in ("top", "full")
            }
    return {
        "benchmark": "gateway",
        "request": "POST /v1/matches/occupations, work history cashier, limit 10, explain=top (default) and full",
        "explain_top": shapes["top"],
        "explain_full": shapes["full"],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "machine": machine(),
    }
