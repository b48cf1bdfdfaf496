"""Bearer token verification: what is accepted, and every way a token is refused."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from overstap_gateway.auth import InvalidToken, TokenVerifier, TrustedIssuer
from overstap_gateway.auth.keys import StaticKeys, fits, parse_jwks
from overstap_gateway.auth.verifier import principal_from_claims

from .conftest import AUDIENCE, ISSUER, SigningKey, b64, claims, sign, unsigned

FIXTURES = [HealthCheck.function_scoped_fixture]


async def refused(verifier: TokenVerifier, token: str, match: str = "") -> str:
    with pytest.raises(InvalidToken) as caught:
        await verifier.verify(token)
    assert match in caught.value.public, caught.value.public
    return caught.value.public


@pytest.mark.parametrize("algorithm", ["RS256", "ES256", "EdDSA"])
async def test_each_accepted_algorithm(verifier: TokenVerifier, keys: dict[str, SigningKey], algorithm: str) -> None:
    principal = await verifier.verify(sign(keys[algorithm], claims()))
    assert principal.subject == "alice" and principal.role == "person"
    assert principal.scopes == ("passport:read", "passport:write") and principal.organisation is None


async def test_organisation_client_credentials(verifier: TokenVerifier, keys: dict[str, SigningKey]) -> None:
    token = sign(
        keys["RS256"], claims(sub="uwv-matching-client", role="organisation", org="uwv", scope="passport:read")
    )
    principal = await verifier.verify(token)
    assert (principal.subject, principal.organisation, principal.role, principal.party) == (
        "uwv-matching-client",
        "uwv",
        "organisation",
        "uwv",
    )


async def test_a_persons_organisation_is_not_forwarded(verifier: TokenVerifier, keys: dict[str, SigningKey]) -> None:
    """Signing in through UWV's portal must not make a person party to consents granted to UWV."""
    principal = await verifier.verify(sign(keys["EdDSA"], claims(org="uwv")))
    assert principal.organisation is None and principal.party == "alice"


async def test_scp_list_and_audience_list(verifier: TokenVerifier, keys: dict[str, SigningKey]) -> None:
    token = sign(keys["ES256"], claims(scope=None, scp=["taxonomy:read"], aud=["other", AUDIENCE]))
    assert (await verifier.verify(token)).scopes == ("taxonomy:read",)


async def test_expiry_with_leeway(verifier: TokenVerifier, keys: dict[str, SigningKey]) -> None:
    now = int(time.time())
    assert await verifier.verify(sign(keys["RS256"], claims(exp=now - 10)))  # within 30 s of leeway
    await refused(verifier, sign(keys["RS256"], claims(exp=now - 60, iat=now - 600)), "expired")
    await refused(verifier, sign(keys["RS256"], claims(nbf=now + 120)), "not valid yet")
    await refused(verifier, sign(keys["RS256"], claims(iat=now + 120)), "not valid yet")
    await refused(verifier, sign(keys["RS256"], claims(exp=None)), "'exp'")


async def test_wrong_audience_or_issuer(verifier: TokenVerifier, keys: dict[str, SigningKey]) -> None:
    await refused(verifier, sign(keys["RS256"], claims(aud="another-api")), "not meant for this API")
    await refused(verifier, sign(keys["RS256"], claims(aud=None)), "'aud'")
    await refused(verifier, sign(keys["RS256"], claims(iss="https://evil.example/realms/overstap")), "trusted issuer")
    await refused(verifier, sign(keys["RS256"], claims(iss=None)), "trusted issuer")


async def test_alg_none_is_refused(verifier: TokenVerifier, keys: dict[str, SigningKey]) -> None:
    for alg in ("none", "None", "NONE"):
        await refused(verifier, unsigned({"alg": alg, "kid": "rsa-1"}, claims()), "algorithm")
    await refused(verifier, unsigned({"kid": "rsa-1"}, claims()), "algorithm")


async def test_hs256_signed_with_the_public_key_is_refused(
    verifier: TokenVerifier, keys: dict[str, SigningKey]
) -> None:
    """The classic key-confusion attack: HMAC with the RSA public key (PEM) as the shared secret."""
    public_pem = (
        keys["RS256"]
        .private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    header, payload = {"alg": "HS256", "kid": "rsa-1", "typ": "JWT"}, claims(sub="admin")
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    await refused(verifier, f"{signing_input}.{b64(mac)}", "algorithm")
    # Even a verifier told to accept HS256 would not find an HMAC key: the JWKS never yields one.
    lenient = TokenVerifier(
        [TrustedIssuer(ISSUER, StaticKeys({"keys": [keys["RS256"].public_jwk()]}))], AUDIENCE, ["HS256"]
    )
    await refused(lenient, f"{signing_input}.{b64(mac)}", "unknown key")


async def test_key_must_fit_the_algorithm(verifier: TokenVerifier, keys: dict[str, SigningKey]) -> None:
    # An ES256 token naming the RSA key, an RS256 token naming the EC key: refused before any signature check.
    es_token_with_rsa_kid = sign(keys["ES256"], claims(), kid="rsa-1")
    await refused(verifier, es_token_with_rsa_kid, "unknown key")
    rs_token_with_ed_kid = sign(keys["RS256"], claims(), kid="ed-1")
    await refused(verifier, rs_token_with_ed_kid, "unknown key")
    assert fits({"kty": "RSA"}, "PS256") and not fits({"kty": "RSA", "alg": "RS512"}, "RS256")
    assert not fits({"kty": "RSA", "use": "enc"}, "RS256") and not fits({"kty": "oct"}, "HS256")
    assert fits({"kty": "EC", "crv": "P-384"}, "ES384") and not fits({"kty": "EC", "crv": "P-384"}, "ES256")
    assert not fits({"kty": "RSA", "key_ops": ["encrypt"]}, "RS256")


async def test_unknown_or_missing_kid(verifier: TokenVerifier, keys: dict[str, SigningKey]) -> None:
    await refused(verifier, sign(keys["RS256"], claims(), kid="rotated-away"), "unknown key")
    no_kid = jwt.encode(claims(), keys["RS256"].private, algorithm="RS256")
    await refused(verifier, no_kid, "kid")
    # A key the attacker made, announced through jku/jwk headers, is never fetched or used.
    attacker = ed25519.Ed25519PrivateKey.generate()
    forged = jwt.encode(
        claims(sub="admin"),
        attacker,
        algorithm="EdDSA",
        headers={"kid": "attacker", "jku": "https://evil.example/jwks.json"},
    )
    await refused(verifier, forged, "unknown key")
    same_kid = jwt.encode(claims(sub="admin"), attacker, algorithm="EdDSA", headers={"kid": "ed-1"})
    await refused(verifier, same_kid, "not valid")


async def test_tampered_tokens(verifier: TokenVerifier, keys: dict[str, SigningKey]) -> None:
    token = sign(keys["EdDSA"], claims())
    header, payload, signature = token.split(".")
    other_payload = b64(json.dumps(claims(sub="mallory", scope="passport:candidates")).encode())
    await refused(verifier, f"{header}.{other_payload}.{signature}", "not valid")
    await refused(verifier, f"{header}.{payload}.{signature[::-1]}")
    await refused(verifier, f"{header}.{payload}.")
    await refused(verifier, f"{header}.{payload}", "malformed")
    await refused(verifier, "x" * 9000, "too long")
    await refused(verifier, sign(keys["EdDSA"], claims(), crit=["exp"]))  # PyJWT or the gateway: refused


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"sub": None}, "'sub'"),
        ({"sub": "*"}, "subject"),
        ({"sub": "alice smith"}, "subject"),
        ({"sub": 42}, "not valid"),
        ({"role": None}, "role"),
        ({"role": "service"}, "role"),
        ({"role": "admin"}, "role"),
        ({"role": "organisation"}, "org"),
        ({"role": "coach"}, "org"),
        ({"role": "organisation", "org": "*"}, "org"),
        ({"role": "organisation", "org": ""}, "org"),
        ({"role": "coach", "org": ["uwv"]}, "org"),
        ({"scope": 7}, "scope"),
        ({"scope": "a b\u0000"}, "scope"),
        ({"scope": " ".join(f"s:{i}" for i in range(65))}, "scope"),
    ],
)
async def test_claims_the_gateway_needs(
    verifier: TokenVerifier, keys: dict[str, SigningKey], overrides: dict[str, Any], match: str
) -> None:
    await refused(verifier, sign(keys["RS256"], claims(**overrides)), match)


def test_jwks_parsing_skips_what_cannot_be_used(keys: dict[str, SigningKey]) -> None:
    good = keys["EdDSA"].public_jwk()
    parsed = parse_jwks(
        {
            "keys": [
                good,
                {**good, "kid": None},
                {"kty": "oct", "k": "c2VjcmV0", "kid": "hmac"},
                {**good, "kid": "private", "d": "AAAA"},
                {**good, "x": "different"},  # duplicate kid: the first wins
                "not a key",
            ]
        },
        "test",
    )
    assert list(parsed) == [good["kid"]] and parsed[good["kid"]]["x"] == good["x"]
    with pytest.raises(ValueError):
        parse_jwks({"keys": "nope"}, "test")


# --- properties ----------------------------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None, suppress_health_check=FIXTURES)
@given(token=st.text(max_size=300) | st.binary(max_size=300).map(lambda b: b64(b) + "." + b64(b[::-1]) + "."))
async def test_garbage_is_only_ever_invalid(verifier: TokenVerifier, token: str) -> None:
    with pytest.raises(InvalidToken):
        await verifier.verify(token)


@settings(max_examples=150, deadline=None, suppress_health_check=FIXTURES)
@given(position=st.integers(min_value=0), replacement=st.sampled_from("AQgw_-9zZ."))
async def test_a_changed_character_never_yields_another_identity(
    verifier: TokenVerifier, keys: dict[str, SigningKey], position: int, replacement: str
) -> None:
    token = sign(keys["ES256"], claims(sub="alice", scope="passport:read"))
    position %= len(token)
    assume(token[position] != replacement)
    changed = token[:position] + replacement + token[position + 1 :]
    try:
        principal = await verifier.verify(changed)
    except InvalidToken:
        return
    # Only a change in base64 padding bits can survive, and then it decodes to the very same token.
    assert (principal.subject, principal.scopes) == ("alice", ("passport:read",))


@settings(max_examples=100, deadline=None, suppress_health_check=FIXTURES)
@given(offset=st.integers(min_value=-7200, max_value=7200))
async def test_accepted_exactly_until_expiry_plus_leeway(
    verifier: TokenVerifier, keys: dict[str, SigningKey], offset: int
) -> None:
    assume(abs(offset + 30) > 2)  # stay clear of the boundary second, which the clock may cross mid-test
    now = int(time.time())
    token = sign(keys["EdDSA"], claims(iat=min(now, now + offset - 60), exp=now + offset))
    if offset > -30:
        assert (await verifier.verify(token)).subject == "alice"
    else:
        await refused(verifier, token, "expired")


ROLE = st.sampled_from(["person", "coach", "organisation", "service", "admin", "", "Person"]) | st.text(max_size=12)
IDENT = st.sampled_from(["uwv", "gemeente-utrecht", "*", "", " ", "a b", "x" * 120]) | st.text(max_size=30)


@settings(max_examples=300, deadline=None)
@given(subject=IDENT, role=ROLE, org=st.none() | IDENT, scopes=st.lists(st.text(max_size=20), max_size=5))
def test_claims_become_a_principal_only_when_coherent(
    subject: str, role: str, org: str | None, scopes: list[str]
) -> None:
    payload: dict[str, Any] = {"sub": subject, "role": role, "scope": " ".join(scopes)}
    if org is not None:
        payload["org"] = org
    try:
        principal = principal_from_claims(payload)
    except InvalidToken:
        return
    assert principal.role in ("person", "coach", "organisation")
    assert principal.subject == subject and principal.subject.strip() and principal.subject != "*"
    if principal.role == "person":
        assert principal.organisation is None
    else:
        assert principal.organisation == org and org not in ("*", "") and " " not in org
    assert principal.party != "*"
    assert all(s and not any(c.isspace() for c in s) for s in principal.scopes)


class CountingKeys:
    """A key source that counts signature checks (each one looks its key up)."""

    def __init__(self, inner: StaticKeys) -> None:
        self.inner = inner
        self.lookups = 0

    async def key_for(self, kid: str, algorithm: str) -> Any:
        self.lookups += 1
        return await self.inner.key_for(kid, algorithm)


async def test_a_verified_token_is_remembered_but_never_past_its_expiry(
    jwks: dict[str, Any], keys: dict[str, SigningKey]
) -> None:
    source = CountingKeys(StaticKeys(jwks))
    verifier = TokenVerifier([TrustedIssuer(ISSUER, source)], AUDIENCE, ["EdDSA"], leeway_seconds=0)
    token = sign(keys["EdDSA"], claims(exp=int(time.time()) + 2))
    first = await verifier.verify(token)
    assert await verifier.verify(token) == first and source.lookups == 1
    # A token differing in one signature character is checked on its own, and refused.
    head, body, signature = token.split(".")
    forged = ".".join((head, body, ("A" if signature[0] != "A" else "B") + signature[1:]))
    await refused(verifier, forged)
    await asyncio.sleep(max(0.0, int(time.time()) + 2 - time.time()) + 1.1)
    await refused(verifier, token, "expired")


async def test_remembered_tokens_are_checked_again_after_the_cache_time(
    jwks: dict[str, Any], keys: dict[str, SigningKey]
) -> None:
    source = CountingKeys(StaticKeys(jwks))
    verifier = TokenVerifier([TrustedIssuer(ISSUER, source)], AUDIENCE, ["EdDSA"], cache_seconds=0.2, cache_entries=2)
    tokens = [sign(keys["EdDSA"], claims(sub=f"user-{i}")) for i in range(3)]
    for token in tokens:
        await verifier.verify(token)
    await verifier.verify(tokens[0])  # pushed out by the third: at most two are remembered
    assert source.lookups == 4
    await asyncio.sleep(0.25)
    await verifier.verify(tokens[0])
    assert source.lookups == 5
