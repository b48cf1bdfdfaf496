"""Per-client rate limits through the gateway: 429 with Retry-After as a problem document, per calling party."""

from __future__ import annotations

from pathlib import Path

from .conftest import bearer, gateway_settings, serve_gateway


async def test_a_client_over_its_limit_gets_429_and_others_do_not(
    taxonomy_target: str, passport_target: str, dev_keys_dir: Path, mint
) -> None:  # type: ignore[no-untyped-def]
    settings = gateway_settings(taxonomy_target, passport_target, dev_keys_dir).model_copy(
        update={"rate_limit_per_minute": 60, "rate_limit_burst": 3}
    )
    busy = bearer(mint("busy-client", "organisation", ["taxonomy:read"], org="busy-org"))
    calm = bearer(mint("calm-client", "organisation", ["taxonomy:read"], org="calm-org"))
    async with serve_gateway(settings) as client:
        statuses = [
            (await client.get("/v1/taxonomy/search", params={"q": "kassa"}, headers=busy)).status_code for _ in range(3)
        ]
        assert statuses == [200, 200, 200]
        refused = await client.get("/v1/taxonomy/search", params={"q": "kassa"}, headers=busy)
        assert refused.status_code == 429
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert int(refused.headers["retry-after"]) >= 1
        assert refused.json()["status"] == 429
        assert (await client.get("/v1/taxonomy/search", params={"q": "kassa"}, headers=calm)).status_code == 200
        assert (await client.get("/healthz")).status_code == 200  # public probes are not limited
