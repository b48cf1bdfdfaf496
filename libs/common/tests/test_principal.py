import pytest
from hypothesis import given
from hypothesis import strategies as st
from overstap_common.principal import (
    PRINCIPAL_HEADER,
    SIGNATURE_HEADER,
    InvalidPrincipal,
    Principal,
    decode_principal,
    encode_principal,
)

KEY = "k" * 32
text = st.text(min_size=1, max_size=40)


@given(text, st.none() | text, st.sampled_from(["person", "coach", "organisation"]), st.lists(text, max_size=5))
def test_round_trip(subject: str, organisation: str | None, role: str, scopes: list[str]) -> None:
    principal = Principal(subject, organisation, role, tuple(scopes))
    assert decode_principal(encode_principal(principal, KEY, now=1000), KEY, now=1010) == principal


def test_rejects_missing_forged_tampered_and_expired() -> None:
    meta = encode_principal(Principal("p1", scopes=("passport:read",)), KEY, now=1000)
    with pytest.raises(InvalidPrincipal):
        decode_principal([], KEY)
    with pytest.raises(InvalidPrincipal):
        decode_principal(meta, "another-key", now=1000)
    forged = encode_principal(Principal("p1", scopes=("passport:write",)), "another-key", now=1000)
    # a principal with more scopes, presented with the signature of the original one
    with pytest.raises(InvalidPrincipal):
        decode_principal([(PRINCIPAL_HEADER, forged[0][1]), (SIGNATURE_HEADER, meta[1][1])], KEY, now=1000)
    with pytest.raises(InvalidPrincipal):
        decode_principal(meta, KEY, now=1000 + 3600)
