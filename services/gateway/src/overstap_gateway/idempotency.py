"""Idempotency-Key on POST: a retried request gets the response of the first one instead of being done twice.

Per caller (role, organisation, subject) and key: the first request's fingerprint (method, path, body as canonical
JSON) and its response are kept for ``ttl`` (24 h by default). The same key with the same request answers the stored
response (header ``Idempotent-Replayed: true``); with a different request 422; while the first is still running 409.
Stored are successes and the deterministic client errors (400, 422); anything else (403, 404, 409, 412, 5xx, ...)
may turn out differently on a retry and is not stored.

The store lives in this gateway process's memory, bounded by entry count and bytes: a retry that reaches another
replica, or comes after a restart, is done again. (A shared store belongs in front of several replicas.) Stored
responses may hold personal data; they never leave this process and are dropped when they expire.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import grpc
from fastapi import Request
from fastapi.responses import Response
from overstap_common.principal import Principal

from overstap_gateway.problems import ProblemError, problem_from_rpc_error, problem_response

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
STORED_STATUSES = frozenset({400, 422})
REPLAY_HEADERS = ("content-type", "etag", "location", "cache-control")


@dataclass
class _Entry:
    fingerprint: str
    expires: float
    status: int | None = None  # None: still running
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.body) + sum(len(k) + len(v) for k, v in self.headers.items()) + 200


class IdempotencyStore:
    def __init__(
        self,
        ttl_seconds: float = 24 * 3600,
        max_entries: int = 10_000,
        max_bytes: int = 64 * 1024 * 1024,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl_seconds
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._clock = clock
        self._entries: OrderedDict[tuple[str, ...], _Entry] = OrderedDict()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    def _drop(self, key: tuple[str, ...]) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._bytes -= entry.size

    def _evict(self) -> None:
        now = self._clock()
        # Entries expire in the order they were made (one ttl for all), so the expired ones are at the front.
        while self._entries and next(iter(self._entries.values())).expires <= now:
            self._drop(next(iter(self._entries)))
        while self._entries and (len(self._entries) > self.max_entries or self._bytes > self.max_bytes):
            oldest = next(iter(self._entries))
            if self._entries[oldest].status is None and len(self._entries) == 1:
                break
            self._drop(oldest)

    def begin(self, key: tuple[str, ...], fingerprint: str) -> _Entry | None:
        """None: go ahead (the key is now reserved). An entry: replay it. Raises ProblemError on misuse."""
        self._evict()
        entry = self._entries.get(key)
        if entry is not None:
            if entry.fingerprint != fingerprint:
                raise ProblemError(
                    422, f"this {HEADER} was already used for a different request; use a new key for a new request"
                )
            if entry.status is None:
                raise ProblemError(
                    409, f"a request with this {HEADER} is still being processed; retry shortly", {"Retry-After": "1"}
                )
            return entry
        if self.max_entries == 0:
            return None
        entry = _Entry(fingerprint, self._clock() + self.ttl)
        self._entries[key] = entry
        self._bytes += entry.size
        return None

    def finish(self, key: tuple[str, ...], response: Response) -> None:
        entry = self._entries.get(key)
        if entry is None:
            return
        if response.status_code not in STORED_STATUSES and not 200 <= response.status_code < 300:
            self._drop(key)
            return
        self._bytes -= entry.size
        entry.status = response.status_code
        entry.body = bytes(response.body)
        entry.headers = {k: v for k, v in response.headers.items() if k.lower() in REPLAY_HEADERS}
        self._bytes += entry.size
        self._evict()

    def abandon(self, key: tuple[str, ...]) -> None:
        self._drop(key)


def _valid_key(value: str) -> str:
    if not 1 <= len(value) <= MAX_KEY_LENGTH or not all(33 <= ord(c) <= 126 for c in value):
        raise ProblemError(400, f"{HEADER} must be 1..{MAX_KEY_LENGTH} visible ASCII characters (e.g. a UUID)")
    return value


async def _fingerprint(request: Request) -> str:
    raw = await request.body()
    try:
        canonical = json.dumps(json.loads(raw or b"null"), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        canonical = raw
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.url.path.encode(), canonical):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


async def idempotent(request: Request, principal: Principal, handler: Callable[[], Awaitable[Response]]) -> Response:
    """Run ``handler`` once per (caller, Idempotency-Key); without the header, just run it."""
    header = request.headers.get(HEADER)
    if header is None:
        return await handler()
    store: IdempotencyStore = request.app.state.idempotency
    key = (principal.role, principal.organisation or "", principal.subject, _valid_key(header))
    stored = store.begin(key, await _fingerprint(request))
    if stored is not None:
        assert stored.status is not None
        return Response(
            stored.body, status_code=stored.status, headers={**stored.headers, "Idempotent-Replayed": "true"}
        )
    try:
        try:
            response = await handler()
        except ProblemError as exc:
            response = problem_response(request, exc.status, exc.detail, exc.headers)
        except grpc.aio.AioRpcError as exc:
            response = problem_from_rpc_error(request, exc)
    except BaseException:
        store.abandon(key)
        raise
    store.finish(key, response)
    return response
