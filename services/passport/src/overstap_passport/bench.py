"""The passport benchmark: the real service process on PostgreSQL, called over gRPC by client processes.

1. read: one passport with ``skills`` skills (two pieces of evidence each, validation steps), read ``reads``
   times one after another by its owner (GetPassport, full view): p50/p99 latency, on the service as configured
   (view cache on: repeated reads of an unchanged passport) and on a second service process with the view cache
   off ("cold": every read fetches and renders the whole passport, as a read does that finds no view of the
   passport's current version in its process's cache: the first read on another replica, or after an eviction);
2. read after a change: on the service as configured, a passport's owner writes (AddEvidence 80 %, AddSkills
   10 %, UpdatePassport 10 %) and then reads it, ``AFTER_CHANGE_READS`` times (after 20 rounds of warm-up), on a
   new passport of ``skills`` skills every ``AFTER_CHANGE_ROUNDS`` rounds; only the reads are timed: each is the
   first read after a change (the hot-path writes bring the cached view along);
3. write: ``writers`` owners write to their own passports (AddEvidence 80 %, AddSkills 10 %, UpdatePassport with
   expected_version 10 %) paced at ``write_rate`` per second for ``write_seconds``: writes/s achieved, errors,
   latency measured from each write's scheduled moment (so queueing behind a slow server counts); then the same
   without pacing for a few seconds: the ceiling.

The load is generated in separate processes (``client_processes``, spawned), so that the client's own CPU use
is not charged to the server's event loop; on a 2-core machine they still share the cores with the server and
PostgreSQL, which is the honest setting for "on 2 cores". The load average is recorded before and after each
phase: other work on the machine shows there.

The taxonomy is a stand-in answering GetConcepts for every ESCO skill URI, served from this (otherwise idle)
process. Throw-away databases are created and dropped on the PostgreSQL server.
"""

from __future__ import annotations

import asyncio
import multiprocessing
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

import grpc
from google.protobuf.field_mask_pb2 import FieldMask
from grpc_health.v1 import health_pb2, health_pb2_grpc
from overstap.passport.v1 import passport_pb2 as pb
from overstap.passport.v1 import passport_pb2_grpc as pb_grpc
from overstap.taxonomy.v1 import taxonomy_pb2 as tpb
from overstap.taxonomy.v1 import taxonomy_pb2_grpc as tpb_grpc
from overstap_common.grpc_client import create_channel
from overstap_common.principal import DEVELOPMENT_KEY, Principal, encode_principal
from overstap_storage.scratch import fresh_databases

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


def load_average() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


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


AFTER_CHANGE_READS = 500
AFTER_CHANGE_ROUNDS = 50  # per passport: each a fresh one of ``skills`` skills, grown by ~10 % at most by its writes


async def _reads_after_writes(
    stub: pb_grpc.PassportServiceStub, skills: int, count: int, warm_up: int = 20
) -> dict[str, Any]:
    """``count`` rounds of a write by a passport's owner and then its read; only the reads are timed: each is the
    first read after a change. Every ``AFTER_CHANGE_ROUNDS`` rounds on a new passport of ``skills`` skills."""
    timings: list[float] = []
    sizes: list[int] = []
    counts: list[int] = []
    rounds = 0
    while rounds < warm_up + count:
        owner, pid = await _big_passport(stub, skills)
        read = pb.GetPassportRequest(passport_id=pid)
        version = (await stub.GetPassport(read, metadata=owner.meta)).passport.version
        for n in range(1, AFTER_CHANGE_ROUNDS + 1):
            if rounds >= warm_up + count:
                break
            if n % 10 == 0:
                reply = await stub.UpdatePassport(
                    pb.UpdatePassportRequest(
                        passport_id=pid, expected_version=version, wishes=pb.Wishes(region=f"regio {n}"),
                        update_mask=FieldMask(paths=["wishes"]),
                    ),
                    metadata=owner.meta,
                )  # fmt: skip
                version = reply.passport.version
            elif n % 10 == 5:
                evidence = [pb.EvidenceInput(type=pb.EVIDENCE_TYPE_TIMESHEET)]
                uri = SKILL.format(50_000 + n)  # new to the passport
                added = await stub.AddSkills(
                    pb.AddSkillsRequest(passport_id=pid, skills=[pb.SkillInput(skill_uri=uri, evidence=evidence)]),
                    metadata=owner.meta,
                )
                version = added.version
            else:
                piece = pb.EvidenceInput(type=pb.EVIDENCE_TYPE_SELF_ASSESSMENT, note=f"na wijziging {n}")
                uri = SKILL.format(20 + (n * 7) % skills)
                evidence_added = await stub.AddEvidence(
                    pb.AddEvidenceRequest(passport_id=pid, skill_uri=uri, evidence=piece), metadata=owner.meta
                )
                version = evidence_added.version
            started = time.perf_counter()
            reply = await stub.GetPassport(read, metadata=owner.meta)
            elapsed = time.perf_counter() - started
            if reply.passport.version != version:
                raise RuntimeError(f"read version {reply.passport.version} right after writing version {version}")
            rounds += 1
            if rounds > warm_up:
                timings.append(elapsed)
                sizes.append(reply.ByteSize())
                counts.append(len(reply.passport.skills))
    return {
        "count": count,
        "passports": -(-(warm_up + count) // AFTER_CHANGE_ROUNDS),
        "skills": [min(counts), max(counts)] if counts else [],
        "response_bytes": [min(sizes), max(sizes)] if sizes else [],
        **percentiles(timings),
    }


def _read_after_write_worker(target: str, skills: int, count: int, results: Any) -> None:
    """A client process: ``count`` reads, each right after a write of the passport's owner."""

    async def main() -> dict[str, Any]:
        channel = create_channel(target, deadline_seconds=30, max_message_bytes=16 * 1024 * 1024)
        try:
            return await _reads_after_writes(pb_grpc.PassportServiceStub(channel), skills, count)
        finally:
            await channel.close()

    results.put(asyncio.run(main()))


def _read_worker(target: str, principal: Principal, pid: str, count: int, results: Any) -> None:
    """A client process: ``count`` sequential reads (after a warm-up)."""

    async def main() -> dict[str, Any]:
        channel = create_channel(target, deadline_seconds=30, max_message_bytes=16 * 1024 * 1024)
        try:
            return await _reads(Caller(pb_grpc.PassportServiceStub(channel), principal), pid, count)
        finally:
            await channel.close()

    results.put(asyncio.run(main()))


def _in_process(target: Callable[..., None], *args: Any) -> Any:
    """Run ``target(*args, queue)`` in a spawned process and return what it put on the queue."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=target, args=(*args, queue), daemon=True)
    process.start()
    try:
        return queue.get(timeout=3600)
    finally:
        process.join(timeout=30)


async def _read_phase(target: str, owner: Caller, pid: str, count: int) -> dict[str, Any]:
    before = load_average()
    result = await asyncio.to_thread(_in_process, _read_worker, target, owner.principal, pid, count)
    return {**result, "load_average_before": before, "load_average_after": load_average()}


async def _cold_reads(env: dict[str, str], owner: Caller, pid: str, count: int) -> dict[str, Any]:
    """The same reads on a second service process with the view cache off: every read rebuilds the view."""
    port = free_port()
    cold_env = {**env, "OVERSTAP_PASSPORT_GRPC_PORT": str(port), "OVERSTAP_PASSPORT_VIEW_CACHE_SIZE": "0"}
    process = subprocess.Popen([sys.executable, "-m", "overstap_passport.server"], env=cold_env)  # noqa: ASYNC220
    try:
        target = f"127.0.0.1:{port}"
        await _wait_serving(target)
        return await _read_phase(target, owner, pid, count)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)  # noqa: ASYNC101
        except subprocess.TimeoutExpired:
            process.kill()


INITIAL_SKILLS = 10  # each writer's passport starts with these, and evidence is spread over all its skills


async def _writer_passports(stub: pb_grpc.PassportServiceStub, writers: int) -> list[dict[str, Any]]:
    states = []
    for _ in range(writers):
        caller = Caller(stub, person())
        created = await stub.CreatePassport(pb.CreatePassportRequest(), metadata=caller.meta)
        pid = created.passport.id
        uris = [SKILL.format(i) for i in range(INITIAL_SKILLS)]
        added = await stub.AddSkills(
            pb.AddSkillsRequest(
                passport_id=pid,
                skills=[
                    pb.SkillInput(skill_uri=u, evidence=[pb.EvidenceInput(type=pb.EVIDENCE_TYPE_SELF_ASSESSMENT)])
                    for u in uris
                ],
            ),  # fmt: skip
            metadata=caller.meta,
        )
        states.append({"principal": caller.principal, "pid": pid, "version": added.version, "skills": uris})
    return states


async def _write_load(
    target: str, states: list[dict[str, Any]], rate: float | None, seconds: float, start_at: float, tag: int
) -> dict[str, Any]:
    """One client process's writers: ``states`` (one passport each), sharing a schedule of ``rate`` writes/s."""
    channel = create_channel(target, deadline_seconds=30, max_message_bytes=16 * 1024 * 1024)
    stub = pb_grpc.PassportServiceStub(channel)
    callers = [Caller(stub, state["principal"]) for state in states]
    for caller, state in zip(callers, states, strict=True):  # warm-up: the connection, no change
        await stub.GetPassport(pb.GetPassportRequest(passport_id=state["pid"]), metadata=caller.meta)
    timings: list[float] = []
    errors: dict[str, int] = {}
    interval = 1.0 / rate if rate else 0.0
    delay = start_at - time.time()
    if delay > 0:
        await asyncio.sleep(delay)
    begin = time.perf_counter()
    end = begin + seconds
    slot = [begin]
    finished = [begin]

    async def next_slot() -> float | None:
        if not interval:
            return time.perf_counter() if time.perf_counter() < end else None
        at = slot[0]
        slot[0] += interval
        if at >= end:
            return None
        wait = at - time.perf_counter()
        if wait > 0:
            await asyncio.sleep(wait)
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
                    uri = SKILL.format(1000 + len(state["skills"]))  # new to the passport
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
                    state["skills"].append(uri)
                    state["version"] = added.version
                else:
                    # spread over the passport's skills: a skill holds at most 100 pieces of evidence
                    uri = state["skills"][n % len(state["skills"])]
                    evidence = await stub.AddEvidence(
                        pb.AddEvidenceRequest(
                            passport_id=pid,
                            skill_uri=uri,
                            evidence=pb.EvidenceInput(type=pb.EVIDENCE_TYPE_SELF_ASSESSMENT, note=f"week {n}"),
                        ),
                        metadata=caller.meta,
                    )
                    state["version"] = evidence.version
            except grpc.aio.AioRpcError as exc:
                errors[exc.code().name] = errors.get(exc.code().name, 0) + 1
                continue
            now = time.perf_counter()
            finished[0] = max(finished[0], now)
            timings.append(now - scheduled)

    await asyncio.gather(*(writer(c, s) for c, s in zip(callers, states, strict=True)))
    await channel.close()
    return {"timings": timings, "errors": errors, "elapsed": finished[0] - begin}


def _write_worker(
    target: str, states: list[dict[str, Any]], rate: float | None, seconds: float, start_at: float, tag: int,
    results: Any,
) -> None:  # fmt: skip
    results.put(asyncio.run(_write_load(target, states, rate, seconds, start_at, tag)))


async def _writes(
    target: str, states: list[dict[str, Any]], rate: float | None, seconds: float, processes: int
) -> dict[str, Any]:
    """The writers split over ``processes`` client processes, each with its share of the rate."""
    processes = max(1, min(processes, len(states)))
    shares = [states[i::processes] for i in range(processes)]
    start_at = time.time() + 3.0  # every process connected and warmed up by then
    before = load_average()
    share_rate = rate / processes if rate else None
    parts = await asyncio.gather(
        *(
            asyncio.to_thread(_in_process, _write_worker, target, share, share_rate, seconds, start_at, i)
            for i, share in enumerate(shares)
        )
    )
    after = load_average()
    timings = [t for part in parts for t in part["timings"]]
    errors: dict[str, int] = {}
    for part in parts:
        for code, n in part["errors"].items():
            errors[code] = errors.get(code, 0) + n
    elapsed = max(max(part["elapsed"] for part in parts), seconds if rate else 0.0)
    result: dict[str, Any] = {
        "writers": len(states),
        "client_processes": processes,
        "seconds": round(elapsed, 2),
        "writes": len(timings),
        "writes_per_s": round(len(timings) / elapsed, 1) if elapsed else 0.0,
        "errors": sum(errors.values()),
        "error_codes": errors,
        **percentiles(timings),
        "load_average_before": before,
        "load_average_after": after,
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
    client_processes: int = 2,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    server_url = database_url or os.environ.get("OVERSTAP_TEST_DATABASE_URL", DEFAULT_SERVER)
    if not server_url.startswith("postgresql+asyncpg://"):
        raise SystemExit("the benchmark runs on PostgreSQL: give a postgresql+asyncpg:// URL")
    databases = fresh_databases(server_url, "overstap_passport_bench", "overstap_passport_bench_keys")
    async with databases as (data_url, keys_url):
        taxonomy = grpc.aio.server()
        tpb_grpc.add_TaxonomyServiceServicer_to_server(StandInTaxonomy(), taxonomy)
        taxonomy_port = taxonomy.add_insecure_port("127.0.0.1:0")
        await taxonomy.start()
        port = free_port()
        env = {
            **os.environ,
            "OVERSTAP_PASSPORT_ENVIRONMENT": "test",
            "OVERSTAP_PASSPORT_GRPC_PORT": str(port),
            "OVERSTAP_PASSPORT_DATABASE_URL": data_url,
            "OVERSTAP_PASSPORT_KEYSTORE_URL": keys_url,
            "OVERSTAP_PASSPORT_TAXONOMY_TARGET": f"127.0.0.1:{taxonomy_port}",
            "OVERSTAP_PASSPORT_LOG_LEVEL": "WARNING",
            "OVERSTAP_PASSPORT_DB_POOL_SIZE": "20",
            "OVERSTAP_PASSPORT_DB_POOL_MIN_SIZE": "20",  # opened at start, as a deployment would
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
            log(f"reading it {reads} times from a client process (load average {load_average()})")
            read = await _read_phase(target, owner, pid, reads)
            log(f"read p50 {read['p50_ms']} ms, p99 {read['p99_ms']} ms (view cache on)")
            cold = await _cold_reads(env, owner, pid, reads)
            log(f"cold read p50 {cold['p50_ms']} ms, p99 {cold['p99_ms']} ms (view cache off)")
            count = min(reads, AFTER_CHANGE_READS)
            log(f"{count} times a write and then a read, by the owner, on {skills}-skill passports")
            before = load_average()
            after_write = await asyncio.to_thread(_in_process, _read_after_write_worker, target, skills, count)
            after_write.update(load_average_before=before, load_average_after=load_average())
            log(
                f"first read after a change p50 {after_write['p50_ms']} ms, p99 {after_write['p99_ms']} ms "
                f"(view cache on, brought along by the writes)"
            )
            log(f"writing at {write_rate}/s for {write_seconds} s from {client_processes} client processes")
            sustained = await _writes(target, await _writer_passports(stub, writers), write_rate, write_seconds,
                                      client_processes)  # fmt: skip
            log(
                f"sustained {sustained['writes_per_s']} writes/s, {sustained['errors']} errors, "
                f"p99 {sustained.get('p99_ms')} ms"
            )
            ceiling = await _writes(target, await _writer_passports(stub, writers), None, min(write_seconds, 8.0),
                                    client_processes)  # fmt: skip
            log(f"ceiling {ceiling['writes_per_s']} writes/s")
            await channel.close()
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
            await taxonomy.stop(0)
    return {
        "bench": "passport",
        "database": "postgresql",
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": machine(),
        "settings": {
            "skills": skills,
            "reads": reads,
            "write_rate": write_rate,
            "write_seconds": write_seconds,
            "writers": writers,
            "client_processes": client_processes,
        },  # fmt: skip
        "read_200_skill_passport": read,
        "read_200_skill_passport_cold": cold,
        "read_200_skill_passport_after_change": after_write,
        "writes_sustained": sustained,
        "writes_ceiling": ceiling,
        "targets": {
            "cold_read_p99_under_5_ms": cold["p99_ms"] < 5.0,
            "read_after_change_p99_under_5_ms": after_write["p99_ms"] < 5.0,
            "cached_read_p99_under_5_ms": read["p99_ms"] < 5.0,
            "writes_300_per_s_without_errors": sustained["errors"] == 0
            and sustained["writes_per_s"] >= 0.98 * write_rate,
        },
    }
