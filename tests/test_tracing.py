"""One OpenTelemetry trace from the REST request through the gRPC hop, and its id in problem documents."""

from __future__ import annotations

from pathlib import Path

from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from overstap_common.telemetry import configure_tracing

from .conftest import bearer, gateway_settings, serve_gateway
from .known import CASHIER

EXPORTER = InMemorySpanExporter()


async def test_one_trace_from_rest_through_grpc_and_in_problems(
    taxonomy_target: str, passport_target: str, matcher_target: str, dev_keys_dir: Path, mint
) -> None:  # type: ignore[no-untyped-def]
    provider = configure_tracing("overstap-test")
    assert provider is not None
    if EXPORTER not in [getattr(p, "span_exporter", None) for p in provider._active_span_processor._span_processors]:
        configure_tracing("overstap-test", extra_processor=SimpleSpanProcessor(EXPORTER))
    EXPORTER.clear()
    settings = gateway_settings(taxonomy_target, passport_target, dev_keys_dir, matcher_target)
    token = bearer(mint("tracer", "person", ["match:read", "taxonomy:read"]))
    async with serve_gateway(settings, token) as client:
        reply = await client.post("/v1/matches/occupations", json={"occupations": [CASHIER], "limit": 1})
        assert reply.status_code == 200
        spans = EXPORTER.get_finished_spans()
        rpc = [s for s in spans if "MatchOccupations" in s.name]
        assert {s.kind.name for s in rpc} >= {"CLIENT", "SERVER"}, [(s.name, s.kind.name) for s in spans]
        http = [s for s in spans if s.kind.name == "SERVER" and "/v1/matches/occupations" in s.name]
        assert http, [s.name for s in spans]
        trace_ids = {s.context.trace_id for s in rpc + http}
        assert len(trace_ids) == 1  # the REST request and both ends of the gRPC call: one trace

        problem = await client.get("/v1/taxonomy/concepts/nope")
        assert problem.status_code == 404
        trace_id = problem.json()["trace_id"]
        assert len(trace_id) == 32
        assert any(format(s.context.trace_id, "032x") == trace_id for s in EXPORTER.get_finished_spans())
