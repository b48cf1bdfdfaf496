"""Authentication wired into the gateway: settings that refuse development trust in production, the development
issuer, JWKS sources, 401/403 problem documents, the signed principal on every gRPC call, the idempotency store."""

from __future__ import annotations

import json
import os
import stat
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest
from fastapi import Response
from overstap.taxonomy.v1 import taxonomy_pb2 as tpb
from overstap.taxonomy.v1 import taxonomy_pb2_grpc
from overstap_common.principal import DEVELOPMENT_KEY, Principal, decode_principal
from overstap_gateway.app import create_app
from overstap_gateway.auth import InvalidToken, build_verifier
from overstap_gateway.auth.development import JWKS_FILE, PRIVATE_KEY_FILE, load_or_create
from overstap_gateway.auth.keys import KeysUnavailable, RemoteKeys
from overstap_gateway.dependencies import SignedStub
from overstap_gateway.idempotency import IdempotencyStore
from overstap_gateway.problems import ProblemError
from overstap_gateway.settings import DEVELOPMENT_ISSUER, GatewaySettings
from pydantic import ValidationError

from .conftest import ISSUER, SigningKey, claims, sign

PRODUCTION_KEY = "a-long-random-principal-key-from-the-secret-store"


# --- settings ------------------------------------------------------------------------------------------------------


def production(**overrides: Any) -> GatewaySettings:
    values: dict[str, Any] = {
        "environment": "production",
        "issuer": ISSUER,
        "jwks_url": "https://login.example.org/realms/overstap/protocol/openid-connect/certs",
        "principal_key": PRODUCTION_KEY,
    }
    values.update(overrides)
    return GatewaySettings(**values)


def test_production_with_a_real_identity_provider_is_accepted() -> None:
    settings = production()
    assert not settings.trusts_development_issuer


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"trust_development_issuer": True}, "trust_development_issuer"),
        ({"issuer": DEVELOPMENT_ISSUER}, "development issuer"),
        ({"principal_key": DEVELOPMENT_KEY}, "principal_key"),
        ({"jwks_url": "http://login.example.org/certs"}, "https"),
        ({"jwks_url": None, "issuer": None}, "identity provider"),
        ({"jwks_url": None, "jwks_file": Path("var/dev-keys/jwks.json").resolve()}, "development key"),
    ],
)
def test_production_refuses_development_trust(overrides: dict[str, Any], match: str) -> None:
    with pytest.raises(ValidationError, match=match):
        production(**overrides)


def test_production_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OVERSTAP_GATEWAY_ENVIRONMENT", "production")
    with pytest.raises(ValidationError, match="principal_key"):
        GatewaySettings()
    monkeypatch.setenv("OVERSTAP_GATEWAY_PRINCIPAL_KEY", PRODUCTION_KEY)
    with pytest.raises(ValidationError, match="identity provider"):
        GatewaySettings()
    monkeypatch.setenv("OVERSTAP_GATEWAY_ISSUER", ISSUER)
    monkeypatch.setenv("OVERSTAP_GATEWAY_JWKS_URL", "https://login.example.org/certs")
    assert GatewaySettings().environment == "production"


@pytest.mark.parametrize("algorithms", [["none"], ["HS256"], ["RS256", "hs512"], ["XS999"], []])
def test_only_asymmetric_algorithms(algorithms: list[str]) -> None:
    with pytest.raises(ValidationError):
        GatewaySettings(jwt_algorithms=algorithms)


def test_one_jwks_source_with_an_issuer() -> None:
    with pytest.raises(ValidationError, match="one of"):
        GatewaySettings(issuer=ISSUER, jwks_url="https://a/certs", jwks_json='{"keys": []}')
    with pytest.raises(ValidationError, match="issuer is required"):
        GatewaySettings(jwks_url="https://a/certs")
    with pytest.raises(ValidationError, match="JWKS"):
        GatewaySettings(issuer=ISSUER)
    with pytest.raises(ValidationError, match="JWKS"):
        GatewaySettings(issuer=ISSUER, jwks_json='["not", "a", "jwks"]')


def test_development_trusts_the_development_issuer_by_default(tmp_path: Path) -> None:
    assert GatewaySettings().trusts_development_issuer
    assert not GatewaySettings(environment="test").trusts_development_issuer
    with pytest.raises(ValueError, match="no token issuer"):
        build_verifier(GatewaySettings(environment="test", dev_keys_dir=tmp_path))


# --- the development issuer ----------------------------------------------------------------------------------------


def test_development_keys_are_made_once_and_private(tmp_path: Path) -> None:
    directory = tmp_path / "dev-keys"
    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(load_or_create(directory).kid)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 1
    assert stat.S_IMODE(os.stat(directory / PRIVATE_KEY_FILE).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700
    public = json.loads((directory / JWKS_FILE).read_text())
    assert [k["kid"] for k in public["keys"]] == results[:1] and "d" not in public["keys"][0]
    assert sorted(p.name for p in directory.iterdir()) == [PRIVATE_KEY_FILE, JWKS_FILE]


async def test_a_gateway_picks_up_regenerated_development_keys(tmp_path: Path) -> None:
    settings = GatewaySettings(dev_keys_dir=tmp_path)
    verifier = build_verifier(settings)
    first = load_or_create(tmp_path)
    assert (await verifier.verify(first.mint("alice", "person", ["passport:read"]))).subject == "alice"
    (tmp_path / PRIVATE_KEY_FILE).unlink()
    second = load_or_create(tmp_path)
    assert second.kid != first.kid
    assert (await verifier.verify(second.mint("bob", "person"))).subject == "bob"
    with pytest.raises(InvalidToken):
        await verifier.verify(first.mint("alice", "person"))


# --- JWKS over https ------------------------------------------------------------------------------------------------


class FakeProvider:
    def __init__(self, jwks: dict[str, Any]) -> None:
        self.jwks = jwks
        self.calls = 0
        self.down = False

    def __call__(self, url: str, timeout: float) -> Any:
        self.calls += 1
        if self.down:
            raise OSError("connection refused")
        return self.jwks


async def test_remote_keys_are_cached_and_refreshed_sparingly(keys: dict[str, SigningKey]) -> None:
    provider = FakeProvider({"keys": [keys["RS256"].public_jwk()]})
    now = [0.0]
    source = RemoteKeys(
        "https://idp/certs", cache_seconds=600, min_refresh_seconds=30, fetch=provider, clock=lambda: now[0]
    )
    assert await source.key_for("rsa-1", "RS256") is not None
    assert await source.key_for("rsa-1", "RS256") is not None
    assert provider.calls == 1
    # Unknown kids right after a fetch: no refresh. Later: one refresh, then none for 30 s however many arrive.
    assert await source.key_for("made-up", "RS256") is None
    assert provider.calls == 1
    now[0] = 31
    for i in range(50):
        assert await source.key_for(f"made-up-{i}", "RS256") is None
    assert provider.calls == 2
    # Rotation: the provider publishes a new key; after the quiet period an unknown kid fetches it.
    provider.jwks = {"keys": [keys["RS256"].public_jwk(), keys["ES256"].public_jwk()]}
    now[0] = 62
    assert await source.key_for("ec-1", "ES256") is not None
    assert provider.calls == 3
    # The provider goes down: the cached keys keep working past their cache time.
    provider.down = True
    now[0] = 10_000
    assert await source.key_for("rsa-1", "RS256") is not None


async def test_remote_keys_unavailable_at_first_use(keys: dict[str, SigningKey]) -> None:
    provider = FakeProvider({"keys": []})
    provider.down = True
    source = RemoteKeys("https://idp/certs", fetch=provider, clock=lambda: 0.0)
    with pytest.raises(KeysUnavailable):
        await source.key_for("rsa-1", "RS256")
    with pytest.raises(KeysUnavailable):
        await source.key_for("rsa-1", "RS256")
    assert provider.calls == 1


# --- over HTTP ------------------------------------------------------------------------------------------------------


class RecordingTaxonomy(taxonomy_pb2_grpc.TaxonomyServiceServicer):
    def __init__(self) -> None:
        self.metadata: list[tuple[tuple[str, str], ...]] = []

    async def SearchConcepts(self, request: tpb.SearchConceptsRequest, context: Any) -> tpb.SearchConceptsResponse:
        self.metadata.append(tuple(context.invocation_metadata()))
        return tpb.SearchConceptsResponse(bundle_version="test")


@pytest.fixture
async def taxonomy_stub_server() -> AsyncIterator[tuple[str, RecordingTaxonomy]]:
    servicer = RecordingTaxonomy()
    server = grpc.aio.server()
    taxonomy_pb2_grpc.add_TaxonomyServiceServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    yield f"127.0.0.1:{port}", servicer
    await server.stop(0)


@pytest.fixture
async def http(
    tmp_path: Path, jwks: dict[str, Any], taxonomy_stub_server: tuple[str, RecordingTaxonomy]
) -> AsyncIterator[httpx.AsyncClient]:
    settings = GatewaySettings(
        issuer=ISSUER,
        jwks_json=json.dumps(jwks),
        dev_keys_dir=tmp_path,
        taxonomy_target=taxonomy_stub_server[0],
        passport_target="127.0.0.1:9",  # nothing there: the calls that reach it answer 503
        principal_key="key-shared-with-the-services",
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as client:
            yield client


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_401_and_403_are_problem_documents_with_a_bearer_challenge(
    http: httpx.AsyncClient, keys: dict[str, SigningKey], tmp_path: Path
) -> None:
    search = "/v1/taxonomy/search?q=kassa"
    missing = await http.get(search)
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == 'Bearer realm="overstap"'
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert missing.json()["type"].endswith("/unauthenticated")
    basic = await http.get(search, headers={"Authorization": "Basic YTpi"})
    assert basic.status_code == 401 and 'error="invalid_request"' in basic.headers["www-authenticate"]
    expired = await http.get(search, headers=auth(sign(keys["RS256"], claims(exp=1_000_000, iat=999_000))))
    assert expired.status_code == 401
    assert 'error="invalid_token"' in expired.headers["www-authenticate"]
    assert expired.json()["detail"] == "the access token has expired"
    no_scope = await http.get(search, headers=auth(sign(keys["ES256"], claims(scope="passport:read"))))
    assert no_scope.status_code == 403
    assert no_scope.headers["www-authenticate"] == (
        'Bearer realm="overstap", error="insufficient_scope", scope="taxonomy:read"'
    )
    assert no_scope.json()["type"].endswith("/forbidden")
    # In development the gateway trusts its own development issuer next to the identity provider; a development
    # key from another machine (another directory) is just an unknown key.
    local = load_or_create(tmp_path).mint("alice", "person", ["taxonomy:read"])
    assert (await http.get(search, headers=auth(local))).status_code == 200
    stranger = load_or_create(tmp_path / "elsewhere").mint("alice", "person", ["taxonomy:read"])
    assert (await http.get(search, headers=auth(stranger))).status_code == 401
    for public in ("/healthz", "/openapi.json", "/docs"):
        assert (await http.get(public)).status_code == 200


async def test_every_call_carries_the_signed_principal(
    http: httpx.AsyncClient, keys: dict[str, SigningKey], taxonomy_stub_server: tuple[str, RecordingTaxonomy]
) -> None:
    _, servicer = taxonomy_stub_server
    token = sign(keys["EdDSA"], claims(sub="uwv-client", role="organisation", org="uwv", scope="taxonomy:read"))
    reply = await http.get("/v1/taxonomy/search?q=kassa", headers=auth(token))
    assert reply.status_code == 200, reply.text
    principal = decode_principal(servicer.metadata[-1], "key-shared-with-the-services")
    assert principal == Principal("uwv-client", "uwv", "organisation", ("taxonomy:read",))
    with pytest.raises(ValueError):
        decode_principal(servicer.metadata[-1], DEVELOPMENT_KEY)
    # Authenticated and in scope, but the passport service is not there: 503, not 401.
    person = sign(keys["EdDSA"], claims(scope="passport:read"))
    down = await http.get("/v1/passports/me", headers=auth(person))
    assert down.status_code == 503 and down.headers["retry-after"]


async def test_signed_stub_adds_fresh_metadata_to_each_call() -> None:
    seen: list[Any] = []

    class Stub:
        def Method(self, request: Any, metadata: Any = None, timeout: Any = None) -> str:
            seen.append((request, list(metadata), timeout))
            return "called"

    principal = Principal("alice", None, "person", ("passport:read",))
    signed = SignedStub(Stub(), principal, "k")
    assert signed.Method("req", timeout=3, metadata=[("x-trace", "1")]) == "called"
    request, metadata, timeout = seen[0]
    assert request == "req" and timeout == 3 and ("x-trace", "1") in metadata
    assert decode_principal(metadata, "k") == principal


# --- the idempotency store -------------------------------------------------------------------------------------------


def test_idempotency_store_lifecycle() -> None:
    now = [0.0]
    store = IdempotencyStore(ttl_seconds=100, max_entries=2, clock=lambda: now[0])
    key = ("person", "", "alice", "k1")
    assert store.begin(key, "fp") is None
    with pytest.raises(ProblemError) as running:
        store.begin(key, "fp")
    assert running.value.status == 409
    store.finish(key, Response(b'{"ok":1}', status_code=201, headers={"ETag": '"2"', "X-Other": "no"}))
    replay = store.begin(key, "fp")
    assert replay is not None and replay.status == 201 and replay.body == b'{"ok":1}'
    assert replay.headers == {"etag": '"2"'}
    with pytest.raises(ProblemError) as mismatch:
        store.begin(key, "another request")
    assert mismatch.value.status == 422
    # Not stored: outcomes a retry may change.
    for status in (403, 404, 409, 412, 500, 503):
        other = ("person", "", "alice", f"s{status}")
        assert store.begin(other, "fp") is None
        store.finish(other, Response(status_code=status))
        assert store.begin(other, "fp") is None
        store.abandon(other)
    # Expiry after the ttl, and at most max_entries kept.
    now[0] = 101
    assert store.begin(key, "another request") is None
    store.finish(key, Response(status_code=200))
    for i in range(3):
        k = ("person", "", "bob", f"b{i}")
        store.begin(k, "fp")
        store.finish(k, Response(status_code=200))
    assert len(store) == 2
