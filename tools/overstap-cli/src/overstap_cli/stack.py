"""Run the Overstap service stack on this machine: every service as its own process, plus the gateway.

Used by `make run` (through `overstap stack run`) and by the end-to-end tests, which start the same processes.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc


@dataclass
class ServiceProcess:
    name: str
    module: str  # python -m <module>
    env: dict[str, str] = field(default_factory=dict)
    grpc_port: int | None = None
    http_port: int | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        if self.http_port is not None:
            return f"http://127.0.0.1:{self.http_port}"
        return f"127.0.0.1:{self.grpc_port}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def default_services(
    base_env: Mapping[str, str] | None = None,
    gateway_port: int = 8000,
    taxonomy_port: int = 50051,
    passport_port: int = 50052,
    matcher_port: int = 50053,
    vacancy_port: int = 50054,
    var_dir: Path | None = None,
) -> list[ServiceProcess]:
    """The processes of the stack, wired to each other through their settings' environment variables.

    The gateway and the services share the key that signs the caller's identity: the one the environment gives
    (OVERSTAP_GATEWAY_PRINCIPAL_KEY or OVERSTAP_PASSPORT_PRINCIPAL_KEY), else the development key. With ``var_dir``
    the passport's and the vacancy service's SQLite files and the gateway's development keys go there instead of the
    default var/. The vacancy service starts before the matcher, which follows its change feed.
    """
    from overstap_common.principal import DEVELOPMENT_KEY

    env = dict(base_env or {})
    lookup = {**os.environ, **env}
    principal_key = (
        lookup.get("OVERSTAP_GATEWAY_PRINCIPAL_KEY") or lookup.get("OVERSTAP_PASSPORT_PRINCIPAL_KEY") or DEVELOPMENT_KEY
    )
    taxonomy_target = f"127.0.0.1:{taxonomy_port}"
    taxonomy = ServiceProcess(
        "taxonomy",
        "overstap_taxonomy.server",
        {**env, "OVERSTAP_TAXONOMY_GRPC_PORT": str(taxonomy_port)},
        grpc_port=taxonomy_port,
    )
    passport_env = {
        **env,
        "OVERSTAP_PASSPORT_GRPC_PORT": str(passport_port),
        "OVERSTAP_PASSPORT_TAXONOMY_TARGET": taxonomy_target,
        "OVERSTAP_PASSPORT_PRINCIPAL_KEY": principal_key,
    }
    vacancy_target = f"127.0.0.1:{vacancy_port}"
    vacancy_env = {
        **env,
        "OVERSTAP_VACANCY_GRPC_PORT": str(vacancy_port),
        "OVERSTAP_VACANCY_PRINCIPAL_KEY": principal_key,
    }
    matcher = ServiceProcess(
        "matcher",
        "overstap_matcher.server",
        {
            **env,
            "OVERSTAP_MATCHER_GRPC_PORT": str(matcher_port),
            "OVERSTAP_MATCHER_PRINCIPAL_KEY": principal_key,
            "OVERSTAP_MATCHER_VACANCY_TARGET": vacancy_target,
            "OVERSTAP_MATCHER_PASSPORT_TARGET": f"127.0.0.1:{passport_port}",
        },
        grpc_port=matcher_port,
    )
    gateway_env = {
        **env,
        "OVERSTAP_GATEWAY_PORT": str(gateway_port),
        "OVERSTAP_GATEWAY_MATCHER_TARGET": f"127.0.0.1:{matcher_port}",
        "OVERSTAP_GATEWAY_TAXONOMY_TARGET": taxonomy_target,
        "OVERSTAP_GATEWAY_PASSPORT_TARGET": f"127.0.0.1:{passport_port}",
        "OVERSTAP_GATEWAY_VACANCY_TARGET": vacancy_target,
        "OVERSTAP_GATEWAY_PRINCIPAL_KEY": principal_key,
    }
    if var_dir is not None:
        # Otherwise the services' own defaults: var/passport.db, var/passport-keys.db, var/vacancy.db (SQLite).
        passport_env["OVERSTAP_PASSPORT_DATABASE_URL"] = f"sqlite+aiosqlite:///{var_dir / 'passport.db'}"
        passport_env["OVERSTAP_PASSPORT_KEYSTORE_URL"] = f"sqlite+aiosqlite:///{var_dir / 'passport-keys.db'}"
        vacancy_env["OVERSTAP_VACANCY_DATABASE_URL"] = f"sqlite+aiosqlite:///{var_dir / 'vacancy.db'}"
        gateway_env["OVERSTAP_GATEWAY_DEV_KEYS_DIR"] = str(var_dir / "dev-keys")
    passport = ServiceProcess("passport", "overstap_passport.server", passport_env, grpc_port=passport_port)
    vacancy = ServiceProcess("vacancy", "overstap_extractor.server", vacancy_env, grpc_port=vacancy_port)
    gateway = ServiceProcess("gateway", "overstap_gateway.server", gateway_env, http_port=gateway_port)
    return [taxonomy, passport, vacancy, matcher, gateway]


def _grpc_serving(port: int) -> bool:
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        try:
            reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=""), timeout=0.5)
        except grpc.RpcError:
            return False
    return reply.status == health_pb2.HealthCheckResponse.SERVING


def _http_up(port: int) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=0.5) as reply:
            return bool(reply.status == 200)
    except OSError:
        return False


class Stack:
    def __init__(self, services: list[ServiceProcess], log_dir: Path | None = None) -> None:
        self.services = services
        self.log_dir = log_dir

    def start(self, timeout: float = 60.0) -> None:
        """Start the processes in order, each once the previous one is ready."""
        for service in self.services:
            self._spawn(service)
            self._wait_ready(service, timeout)

    def _spawn(self, service: ServiceProcess) -> None:
        env = {**os.environ, **service.env}
        out = None
        if self.log_dir is not None:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            out = open(self.log_dir / f"{service.name}.log", "ab")  # noqa: SIM115 - lives as long as the process
        service.process = subprocess.Popen(
            [sys.executable, "-m", service.module], env=env, stdout=out, stderr=subprocess.STDOUT if out else None
        )

    def _wait_ready(self, service: ServiceProcess, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert service.process is not None
            if service.process.poll() is not None:
                raise RuntimeError(f"{service.name} exited with code {service.process.returncode} while starting")
            if service.http_port is not None and _http_up(service.http_port):
                return
            if service.grpc_port is not None and service.http_port is None and _grpc_serving(service.grpc_port):
                return
            time.sleep(0.1)
        raise TimeoutError(f"{service.name} was not ready within {timeout:.0f} s")

    def stop(self, grace: float = 10.0) -> dict[str, int | None]:
        """SIGTERM every process (gateway first), wait up to ``grace`` seconds, then kill what is left."""
        for service in reversed(self.services):
            if service.process and service.process.poll() is None:
                service.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace
        codes: dict[str, int | None] = {}
        for service in reversed(self.services):
            if not service.process:
                continue
            try:
                codes[service.name] = service.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                service.process.kill()
                codes[service.name] = service.process.wait()
        return codes

    def __enter__(self) -> Stack:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
