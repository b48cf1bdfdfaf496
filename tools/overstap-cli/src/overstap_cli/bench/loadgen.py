"""Closed-loop HTTP/1.1 load for loopback benchmarks (keep-alive, fixed concurrency).

``wrk`` drives the load when it is installed (Debian: ``apt-get install wrk``): written in C, it leaves the two cores
to the services. Otherwise a small Python generator runs in its own process (so it does not share the server's event
loop); it costs a few tenths of a millisecond of CPU per request, which on this 2-core machine the services miss.
Either sends the same request over ``concurrency`` persistent connections for ``seconds`` and reports throughput,
latency percentiles and errors, and names itself in ``generator``. Only loopback targets are allowed.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from overstap_cli.bench.stats import latency_summary

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class LoadSpec:
    url: str
    method: str = "GET"
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    concurrency: int = 16
    seconds: float = 10.0
    max_requests: int = 200_000
    generator: str = "auto"  # auto (wrk when installed), wrk, python


def _request_bytes(spec: LoadSpec, host: str, path: str) -> bytes:
    lines = [f"{spec.method} {path} HTTP/1.1", f"Host: {host}", "Connection: keep-alive"]
    lines += [f"{k}: {v}" for k, v in spec.headers]
    if spec.body:
        lines.append(f"Content-Length: {len(spec.body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + spec.body


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    chunked = False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
        elif name.strip().lower() == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    return status


async def _worker(spec: LoadSpec, payload: bytes, host: str, port: int, deadline: float, out: dict) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < deadline and out["sent"] < spec.max_requests:
            out["sent"] += 1
            started = time.perf_counter()
            writer.write(payload)
            await writer.drain()
            status = await _read_response(reader)
            out["latencies"].append(time.perf_counter() - started)
            out["statuses"][status] = out["statuses"].get(status, 0) + 1
    finally:
        writer.close()


def _target(spec: LoadSpec) -> tuple[str, int, bytes]:
    """Host, port and the request's bytes; only loopback hosts."""
    host = _check_loopback(spec.url)
    parts = urlsplit(spec.url)
    port = parts.port or 80
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return host, port, _request_bytes(spec, f"{host}:{port}", path)


async def sequential_latencies(spec: LoadSpec, rounds: int) -> list[float]:
    """One request at a time over one keep-alive connection, with a client as lean as the gRPC one it is
    compared with (an HTTP library would add its own parsing to every figure); any non-2xx status raises."""
    host, port, payload = _target(spec)
    reader, writer = await asyncio.open_connection(host, port)
    timings = []
    try:
        for _ in range(rounds):
            started = time.perf_counter()
            writer.write(payload)
            await writer.drain()
            status = await _read_response(reader)
            timings.append(time.perf_counter() - started)
            if not 200 <= status < 300:
                raise RuntimeError(f"{spec.method} {spec.url} answered {status}")
    finally:
        writer.close()
    return timings


async def _run(spec: LoadSpec) -> dict:
    host, port, payload = _target(spec)
    out: dict = {"sent": 0, "latencies": [], "statuses": {}}
    started = time.perf_counter()
    deadline = started + spec.seconds
    await asyncio.gather(*(_worker(spec, payload, host, port, deadline, out) for _ in range(spec.concurrency)))
    elapsed = time.perf_counter() - started
    ok = sum(n for s, n in out["statuses"].items() if 200 <= s < 300)
    return {
        "requests": len(out["latencies"]),
        "ok": ok,
        "errors": len(out["latencies"]) - ok,
        "statuses": {str(k): v for k, v in sorted(out["statuses"].items())},
        "rps": round(len(out["latencies"]) / elapsed, 1),
        "concurrency": spec.concurrency,
        "seconds": round(elapsed, 2),
        **latency_summary(out["latencies"]),
    }


def _child(spec: LoadSpec, conn) -> None:  # type: ignore[no-untyped-def]
    try:
        conn.send(asyncio.run(_run(spec)))
    except Exception as exc:  # reported to the parent, which raises
        conn.send({"error": repr(exc)})


def run_load(spec: LoadSpec) -> dict:
    """Run the load (wrk when installed and allowed, else the Python generator in its own process)."""
    _check_loopback(spec.url)
    wrk = shutil.which("wrk") if spec.generator in ("auto", "wrk") else None
    if spec.generator == "wrk" and wrk is None:
        raise RuntimeError("wrk is not installed (Debian: apt-get install wrk)")
    if wrk is not None:
        return _run_wrk(wrk, spec)
    return {"generator": "python asyncio (own process)", **_run_python(spec)}


def _check_loopback(url: str) -> str:
    """The URL's host, when it is a loopback one."""
    host = urlsplit(url).hostname or "127.0.0.1"
    if host not in LOOPBACK:
        raise ValueError(f"load tests only target loopback, not {host}")
    return host


def _lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string literal is a valid Lua string literal for this (escapes, no newlines)


_WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('\\nOVERSTAP {"requests": %d, "duration_us": %d, "socket_errors": %d, "non_2xx": %d, '
    .. '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"""


def _run_wrk(wrk: str, spec: LoadSpec) -> dict:
    lines = [f"wrk.method = {_lua_string(spec.method)}", f"wrk.body = {_lua_string(spec.body.decode())}"]
    lines += [f"wrk.headers[{_lua_string(k)}] = {_lua_string(v)}" for k, v in spec.headers]
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "request.lua"
        script.write_text("\n".join(lines) + "\n" + _WRK_REPORT)
        command = [wrk, "-t1", f"-c{spec.concurrency}", f"-d{max(1, round(spec.seconds))}s", "-s", str(script)]
        done = subprocess.run([*command, spec.url], capture_output=True, text=True, timeout=spec.seconds + 60)
    report = next((line for line in done.stdout.splitlines() if line.startswith("OVERSTAP ")), None)
    if done.returncode != 0 or report is None:
        raise RuntimeError(f"wrk failed: {done.stderr.strip() or done.stdout.strip()}")
    figures = json.loads(report.removeprefix("OVERSTAP "))
    version = subprocess.run([wrk, "-v"], capture_output=True, text=True).stdout.split(" [")[0].strip()
    seconds = figures["duration_us"] / 1e6
    errors = figures["socket_errors"] + figures["non_2xx"]
    return {
        "generator": version or "wrk",
        "requests": figures["requests"],
        "ok": figures["requests"] - figures["non_2xx"],
        "errors": errors,
        "rps": round(figures["requests"] / seconds, 1),
        "concurrency": spec.concurrency,
        "seconds": round(seconds, 2),
        **{f"{p}_ms": round(figures[f"{p}_us"] / 1000, 4) for p in ("p50", "p90", "p99", "max")},
    }


def _run_python(spec: LoadSpec) -> dict:
    """Run the Python generator in a separate process and return its figures."""
    parent, child = multiprocessing.Pipe(duplex=False)
    process = multiprocessing.get_context("spawn").Process(target=_child, args=(spec, child))
    process.start()
    result = parent.recv()
    process.join()
    if "error" in result:
        raise RuntimeError(f"load generator failed: {result['error']}")
    return result


if __name__ == "__main__":
    print(json.dumps(asyncio.run(_run(LoadSpec("http://127.0.0.1:8000/healthz", seconds=2)))))
