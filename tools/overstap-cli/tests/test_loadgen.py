"""The benchmark load generators against a real HTTP server on loopback: counts, errors and refusals."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from overstap_cli.bench.loadgen import LoadSpec, run_load


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the generators expect

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        ok = self.headers.get("Authorization") == "Bearer t" and body == b'{"x": 1}'
        reply = b'{"ok": true}' if ok else b'{"ok": false}'
        self.send_response(200 if ok else 400)
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/echo"
    httpd.shutdown()


GENERATORS = ["python", pytest.param("wrk", marks=pytest.mark.skipif(not shutil.which("wrk"), reason="no wrk"))]


def spec(url: str, generator: str, token: str = "t") -> LoadSpec:
    headers = (("Authorization", f"Bearer {token}"), ("Content-Type", "application/json"))
    return LoadSpec(url, "POST", b'{"x": 1}', headers, concurrency=2, seconds=1, generator=generator)


@pytest.mark.parametrize("generator", GENERATORS)
def test_requests_are_sent_as_given_and_counted(server: str, generator: str) -> None:
    figures = run_load(spec(server, generator))
    assert figures["requests"] > 10 and figures["ok"] == figures["requests"] and figures["errors"] == 0
    assert figures["rps"] > 0 and 0 < figures["p50_ms"] <= figures["p99_ms"] <= figures["max_ms"]
    assert generator in figures["generator"]


@pytest.mark.parametrize("generator", GENERATORS)
def test_error_responses_are_counted_as_errors(server: str, generator: str) -> None:
    figures = run_load(spec(server, generator, token="wrong"))
    assert figures["requests"] > 0 and figures["ok"] == 0 and figures["errors"] == figures["requests"]


def test_only_loopback_is_a_target() -> None:
    with pytest.raises(ValueError, match="loopback"):
        run_load(LoadSpec("http://example.org/", seconds=1))
