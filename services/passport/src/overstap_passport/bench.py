"""The passport benchmark: the real service process on PostgreSQL, called over gRPC from this process.

1. read: one passport with ``skills`` skills (two pieces of evidence each, validation steps, a work history entry),
   read ``reads`` times one after another by its owner (GetPassport, full view): p50/p99 latency;
2. write: ``writers`` owners write to their own passports (AddEvidence, AddSkills, UpdatePassport with
   expected_version) paced at ``write_rate`` per second for ``write_seconds``: writes/s achieved, errors, latency;
   then the same without pacing for a few seconds: the ceiling.

The taxonomy is a stand-in answering GetConcepts for every ESCO skill URI, so that the figures are the passport
service's (it caches known skills anyway). Throw-away databases are created and dropped on the PostgreSQL server.
"""

from __future__ import annotations

import asyncio
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any

import asyncpg
import grpc
from google.protobuf.field_mask_pb2 import FieldMask
from grpc_health.v1 import health_pb2, health_pb2_grpc
from overstap.passport.v1 import passport_pb2 as pb
from overstap.passport.v1 import passport_pb2_grpc as pb_grpc
from overstap.taxonomy.v1 import taxonomy_pb2 as tpb
from overstap.taxonomy.v1 import taxonomy_pb2_grpc as tpb_grpc
from overstap_common.grpc_client import create_channel
from overstap_common.principal import DEVELOPMENT_KEY, Principal, encode_principal

from overstap_passport.domain.inputs import ESCO_SKILL_PREFIX

DEFAULT_SERVER = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
SKILL = ESCO_SKILL_PREFIX + "bench-{:05d}"
OCCUPATION = "http://data.europa.eu/esco/occupation/bench-occupation"


class StandInTaxonomy(tpb_grpc.TaxonomyServiceServicer):
    """Knows every ESCO skill URI, and one occupation with 20 skills."""

    async def GetConcepts(self, request: tpb.GetConceptsRequest, context: Any) -> tpb.GetConceptsResponse:
        concepts, missing = [], []
        for ref in request.ids:
            if ref.startswith(ESCO_SKILL_PREFIX):
                label = tpb.Label(text=ref.rsplit("/", 1)[-1], language="nl")
                concepts.append(tpb.Concept(id=ref, type=tpb.CONCEPT_TYPE_SKILL, preferred_label=label))
            elif ref == OCCUPATION:
                label = tpb.Label(text="bench occupation", language="nl")
                concepts.append(tpb.Concept(id=ref, type=tpb.CONCEPT_TYPE_OCCUPATION, preferred_label=label))
            else:
                missing.append(ref)
        return tpb.GetConceptsResponse(concepts=concepts, not_found=missing, bundle_version="bench")

    async def GetOccupationSkills(
        self, request: tpb.GetOccupationSkillsRequest, context: Any
    ) -> tpb.GetOccupationSkillsResponse:
        links = [
            tpb.SkillLink(
                skill=tpb.ConceptRef(id=SKILL.format(i), type=tpb.CONCEPT_TYPE_SKILL, label=tpb.Label(text=f"s{i}")),
                relation=tpb.SKILL_RELATION_ESSENTIAL if i < 10 else tpb.SKILL_RELATION_OPTIONAL,
            )
            for i in range(20)
        ]
        return tpb.GetOccupationSkillsResponse(
            occupation=tpb.ConceptRef(id=OCCUPATION), skills=links, bundle_version="bench"
        )


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), cpu)
    except OSError:
        pass
    memory = None
    try:
        with open("/proc/meminfo") as fh:
            kb = int(next(line.split()[1] for line in fh if line.startswith("MemTotal")))
            memory = round(kb / 1024 / 1024, 1)
    except (OSError, StopIteration, ValueError):
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": memory, "python": platform.python_version()}


def percentiles(seconds: list[float]) -> dict[str, float]:
    ms = sorted(s * 1000 for s in seconds)
    if not ms:
        return {}

    def at(q: float) -> float:
        return round(ms[min(len(ms) - 1, int(round(q * (len(ms) - 1))))], 3)

    return {
        "p50_ms": at(0.50),
        "p90_ms": at(0.90),
        "p99_ms": at(0.99),
        "max_ms": round(ms[-1], 3),
        "mean_ms": round(statistics.fmean(ms), 3),
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _wait_serving(target: str, within: float = 60) -> None:
    deadline = time.monotonic() + within
    async with grpc.aio.insecure_channel(target) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        while time.monotonic() < deadline:
            try:
                reply = await stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=1)
                if reply.status == health_pb2.HealthCheckResponse.SERVING:
                    return
            except grpc.aio.AioRpcError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"passport service at {target} did not become SERVING")


class Caller:
    def __init__(self, stub: pb_grpc.PassportServiceStub, principal: Principal) -> None:
        self.stub = stub
        self.principal = principal
        self._meta: list[tuple[str, str]] = []
        self._signed_at = 0.0

    @property
    def meta(self) -> list[tuple[str, str]]:
        if time.monotonic() - self._signed_at > 60:  # re-sign well before the 5-minute freshness limit
            self._meta = encode_principal(self.principal, DEVELOPMENT_KEY)
            self._signed_at = time.monotonic()
        return self._meta


def person() -> Principal:
    return Principal(f"bench-{uuid.uuid4().hex}", None, "person", ("passport:read", "passport:write"))


async def _big_passport(stub: pb_grpc.PassportServiceStub, skills: int) -> tuple[Caller, str]:
    owner = Caller(stub, person())
    created = await stub.CreatePassport(
        pb.CreatePassportRequest(
            contact=pb.Contact(name="Bench Persoon", email="bench@example.nl"),
            wishes=pb.Wishes(
                desired_fields=["logistiek"], region="Utrecht", min_hours_per_week=24, max_hours_per_week=36
            ),
            languages=[pb.LanguageSkill(language="nl", level="native")],
        ),
        metadata=owner.meta,
    )
    pid = created.passport.id
    inputs = [
        pb.SkillInput(
            skill_uri=SKILL.format(i),
            evidence=[
                pb.EvidenceInput(type=pb.EVIDENCE_TYPE_SELF_ASSESSMENT, issued_on="2024-01-01"),
                pb.EvidenceInput(
                    type=pb.EVIDENCE_TYPE_EMPLOYER_STATEMENT, source="Werkgever BV", issued_on="2023-06-30"
                ),
            ],
        )
        for i in range(20, 20 + skills)
    ]
    for start in range(0, len(inputs), 500):
        await stub.AddSkills(
            pb.AddSkillsRequest(passport_id=pid, skills=inputs[start : start + 500]), metadata=owner.meta
        )
    for i in range(20, 20 + min(skills, 20)):
        await stub.AddValidationStep(
            pb.AddValidationStepRequest(
                passport_id=pid, skill_uri=SKILL.format(i), phase=pb.VALIDATION_PHASE_IDENTIFICATION
            ),
            metadata=owner.meta,
        )
    return owner, pid


async def _reads(owner: Caller, pid: str, count: int) -> dict[str, Any]:
    request = pb.GetPassportRequest(passport_id=pid)
    for _ in range(min(200, count)):  # warm-up: connections, prepared statements, caches
        await owner.stub.GetPassport(request, metadata=owner.meta)
    timings, size, skills = [], 0, 0
    for _ in range(count):
        started = time.perf_counter()
        reply = await owner.stub.GetPassport(request, metadata=owner.meta)
        timings.append(time.perf_counter() - started)
        size, skills = reply.ByteSize(), len(reply.passport.skills)
    return {"count": count, "skills": skills, "response_bytes": size, **percentiles(timings)}


async def _cold_reads(env: dict[str, str], owner: Caller, pid: str, count: int) -> dict[str, Any]:
    """The same reads on a second service process with the view cache off: every read rebuilds the view."""
    port = free_port()
    cold_env = {**env, "OVERSTAP_PASSPORT_GRPC_PORT": str(port), "OVERSTAP_PASSPORT_VIEW_CACHE_SIZE": "0"}
    process = subprocess.Popen([sys.executable, "-m", "overstap_passport.server"], env=cold_env)  # noqa: ASYNC220
    try:
        target = f"127.0.0.1:{port}"
        await _wait_serving(target)
        channel = create_channel(target, deadline_seconds=30, max_message_bytes=16 * 1024 * 1024)
        try:
            cold_owner = Caller(pb_grpc.PassportServiceStub(channel), owner.principal)
            return await _reads(cold_owner, pid, count)
        finally:
            await channel.close()
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)  # noqa: ASYNC101
        except subprocess.TimeoutExpired:
            process.kill()


async def _writes(
    stub: pb_grpc.PassportServiceStub, writers: int, rate: float | None, seconds: float
) -> dict[str, Any]:
    callers = [Caller(stub, person()) for _ in range(writers)]
    states: list[dict[str, Any]] = []
    for caller in callers:
        created = await stub.CreatePassport(pb.CreatePassportRequest(), metadata=caller.meta)
        pid = created.passport.id
        added = await stub.AddSkills(
            pb.AddSkillsRequest(
                passport_id=pid,
                skills=[
                    pb.SkillInput(
                        skill_uri=SKILL.format(0), evidence=[pb.EvidenceInput(type=pb.EVIDENCE_TYPE_SELF_ASSESSMENT)]
                    )
                ],
            ),
            metadata=caller.meta,
        )
        states.append({"pid": pid, "version": added.version, "next_skill": 1})
    timings: list[float] = []
    errors: dict[str, int] = {}
    interval = 1.0 / rate if rate else 0.0
    begin = time.perf_counter()
    end = begin + seconds
    slot = [begin]

    async def next_slot() -> float | None:
        if not interval:
            return time.perf_counter() if time.perf_counter() < end else None
        at = slot[0]
        slot[0] += interval
        if at >= end:
            return None
        delay = at - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        return at

    async def writer(caller: Caller, state: dict[str, Any]) -> None:
        n = 0
        while (scheduled := await next_slot()) is not None:
            n += 1
            pid = state["pid"]
            try:
                if n % 10 == 0:
                    reply = await stub.UpdatePassport(
                        pb.UpdatePassportRequest(
                            passport_id=pid,
                            expected_version=state["version"],
                            wishes=pb.Wishes(region=f"regio {n}"),
                            update_mask=FieldMask(paths=["wishes"]),
                        ),
                        metadata=caller.meta,
                    )
                    state["version"] = reply.passport.version
                elif n % 5 == 0:
                    uri = SKILL.format(1000 + state["next_skill"] % 2000)
                    state["next_skill"] += 1
                    added = await stub.AddSkills(
                        pb.AddSkillsRequest(
                            passport_id=pid,
                            skills=[
                                pb.SkillInput(
                                    skill_uri=uri, evidence=[pb.EvidenceInput(type=pb.EVIDENCE_TYPE_TIMESHEET)]
                                )
                            ],
                        ),
                        metadata=caller.meta,
                    )
                    state["version"] = added.version
                else:
                    evidence = await stub.AddEvidence(
                        pb.AddEvidenceRequest(
                            passport_id=pid,
                            skill_uri=SKILL.format(0),
                            evidence=pb.EvidenceInput(type=pb.EVIDENCE_TYPE_SELF_ASSESSMENT, note=f"week {n}"),
                        ),
                        metadata=caller.meta,
                    )
                    state["version"] = evidence.version
            except grpc.aio.AioRpcError as exc:
                errors[exc.code().name] = errors.get(exc.code().name, 0) + 1
                continue
            # latency from the scheduled moment: queueing behind a slow server counts (no coordinated omission)
            timings.append(time.perf_counter() - scheduled)

    await asyncio.gather(*(writer(c, s) for c, s in zip(callers, states, strict=True)))
    elapsed = time.perf_counter() - begin
    result: dict[str, Any] = {
        "writers": writers,
        "seconds": round(elapsed, 2),
        "writes": len(timings),
        "writes_per_s": round(len(timings) / elapsed, 1),
        "errors": sum(errors.values()),
        "error_codes": errors,
        **percentiles(timings),
    }
    if rate:
        result["target_per_s"] = rate
    return result


async def run(
    *,
    database_url: str | None,
    skills: int,
    reads: int,
    write_rate: float,
    write_seconds: float,
    writers: int,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    server_url = database_url or os.environ.get("OVERSTAP_TEST_DATABASE_URL", DEFAULT_SERVER)
    if not server_url.startswith("postgresql+asyncpg://"):
        raise SystemExit("the benchmark runs on PostgreSQL: give a postgresql+asyncpg:// URL")
    admin_dsn = server_url.replace("postgresql+asyncpg://", "postgresql://")
    base = server_url.rpartition("/")[0]
    suffix = uuid.uuid4().hex[:8]
    names = [f"overstap_passport_bench_{suffix}", f"overstap_passport_bench_keys_{suffix}"]
    admin = await asyncpg.connect(admin_dsn)
    try:
        for name in names:
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()

    taxonomy = grpc.aio.server()
    tpb_grpc.add_TaxonomyServiceServicer_to_server(StandInTaxonomy(), taxonomy)
    taxonomy_port = taxonomy.add_insecure_port("127.0.0.1:0")
    await taxonomy.start()
    port = free_port()
    env = {
        **os.environ,
        "OVERSTAP_PASSPORT_ENVIRONMENT": "test",
        "OVERSTAP_PASSPORT_GRPC_PORT": str(port),
        "OVERSTAP_PASSPORT_DATABASE_URL": f"{base}/{names[0]}",
        "OVERSTAP_PASSPORT_KEYSTORE_URL": f"{base}/{names[1]}",
        "OVERSTAP_PASSPORT_TAXONOMY_TARGET": f"127.0.0.1:{taxonomy_port}",
        "OVERSTAP_PASSPORT_LOG_LEVEL": "WARNING",
        "OVERSTAP_PASSPORT_DB_POOL_SIZE": "20",
        "OTEL_SDK_DISABLED": "true",
    }
    # started once, before any measurement
    process = subprocess.Popen([sys.executable, "-m", "overstap_passport.server"], env=env)  # noqa: ASYNC220
    target = f"127.0.0.1:{port}"
    try:
        await _wait_serving(target)
        channel = create_channel(target, deadline_seconds=30, max_message_bytes=16 * 1024 * 1024)
        stub = pb_grpc.PassportServiceStub(channel)
        log(f"passport service up at {target} (PostgreSQL); building a {skills}-skill passport")
        owner, pid = await _big_passport(stub, skills)
        log(f"reading it {reads} times")
        read = await _reads(owner, pid, reads)
        log(f"read p50 {read['p50_ms']} ms, p99 {read['p99_ms']} ms (view cache on)")
        cold = await _cold_reads(env, owner, pid, reads)
        log(f"cold read p50 {cold['p50_ms']} ms, p99 {cold['p99_ms']} ms (view cache off)")
        log(f"writing at {write_rate}/s for {write_seconds} s")
        sustained = await _writes(stub, writers, write_rate, write_seconds)
        log(
            f"sustained {sustained['writes_per_s']} writes/s, {sustained['errors']} errors, "
            f"p99 {sustained.get('p99_ms')} ms"
        )
        ceiling = await _writes(stub, writers, None, min(write_seconds, 8.0))
        log(f"ceiling {ceiling['writes_per_s']} writes/s")
        await channel.close()
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        await taxonomy.stop(0)
        admin = await asyncpg.connect(admin_dsn)
        try:
            for name in names:
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()
    return {
        "bench": "passport",
        "database": "postgresql",
        "machine": machine(),
        "read_200_skill_passport": read,
        "read_200_skill_passport_cold": cold,
        "writes_sustained": sustained,
        "writes_ceiling": ceiling,
        "targets": {
            "read_p99_under_5_ms": read["p99_ms"] < 5.0,
            "cold_read_p99_under_5_ms": cold["p99_ms"] < 5.0,
            "writes_300_per_s_without_errors": sustained["errors"] == 0
            and sustained["writes_per_s"] >= 0.98 * write_rate,
        },
    }
