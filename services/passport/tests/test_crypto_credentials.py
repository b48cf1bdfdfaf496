"""Envelope encryption, Ed25519 / did:key, and the VC 2.0 / OB 3.0 credentials (shape and signature)."""

from __future__ import annotations

import copy
import os
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from overstap_passport.crypto.envelope import DecryptionError, MasterKey
from overstap_passport.crypto.signing import SigningKey, verify_ed25519
from overstap_passport.domain.credentials import (
    add_proof,
    b58decode,
    b58encode,
    did_key,
    jcs,
    public_key_of_did,
    shape_errors,
    skill_credential,
    verify_proof,
)
from overstap_passport.domain.evidence import EvidenceKind, EvidenceType
from overstap_passport.domain.model import Actor, EvidenceRecord, SkillRecord, ValidationRecord

NOW = datetime(2025, 6, 1, 10, 30, tzinfo=UTC)
SKILL = "http://data.europa.eu/esco/skill/cash"


def test_envelope_round_trip_and_binding() -> None:
    master = MasterKey(os.urandom(32), "k1")
    key, wrapped = master.new_data_key("p1")
    ct = key.encrypt("contact", b"Anna")
    assert master.unwrap("p1", wrapped).decrypt("contact", ct) == b"Anna"
    with pytest.raises(DecryptionError):
        master.unwrap("p2", wrapped)  # a wrapped key belongs to one passport
    with pytest.raises(DecryptionError):
        key.decrypt("evidence.reference", ct)  # a ciphertext belongs to one field
    other, _ = master.new_data_key("p1")
    with pytest.raises(DecryptionError):
        other.decrypt("contact", ct)
    with pytest.raises(DecryptionError):
        MasterKey(os.urandom(32), "k1").unwrap("p1", wrapped)
    tampered = ct[:-1] + bytes([ct[-1] ^ 1])
    with pytest.raises(DecryptionError):
        key.decrypt("contact", tampered)


@given(st.binary(max_size=64))
def test_base58_round_trip(data: bytes) -> None:
    assert b58decode(b58encode(data)) == data


def test_did_key_of_ed25519() -> None:
    signer = SigningKey(bytes(range(32)), "test")
    assert signer.issuer.did.startswith("did:key:z6Mk")  # the multicodec prefix of Ed25519 public keys
    assert public_key_of_did(signer.issuer.verification_method) == signer.public_bytes
    assert did_key(signer.public_bytes) == signer.issuer.did


def test_jcs_is_canonical() -> None:
    assert jcs({"b": [1, {"d": "é", "c": None}], "a": True}) == '{"a":true,"b":[1,{"c":null,"d":"é"}]}'.encode()
    with pytest.raises(ValueError):
        jcs({"x": 0.5})


def _skill() -> SkillRecord:
    owner = Actor("owner-1")
    evidence = [
        EvidenceRecord(
            "e1", "s1", EvidenceType.DIPLOMA, EvidenceKind.HARD, "ROC Utrecht", "", date(2020, 6, 30), None, owner, NOW
        ),
        EvidenceRecord(
            "e2",
            "s1",
            EvidenceType.WORK_EXPERIENCE,
            EvidenceKind.SEMI_HARD,
            "work history: kassamedewerker",
            "",
            date(2022, 1, 1),
            None,
            owner,
            NOW,
            derived=True,
            confirmed=True,
        ),
    ]
    steps = [ValidationRecord("v1", "s1", 1, owner, date(2024, 1, 1), NOW, [])]
    return SkillRecord("s1", SKILL, "met contant geld omgaan", NOW, evidence, steps)


def test_credential_has_the_vc_ob3_shape_and_a_verifying_signature() -> None:
    signer = SigningKey(os.urandom(32), "Overstap test")
    credential = add_proof(skill_credential("p-1", _skill(), signer.issuer, NOW), signer.sign, signer.issuer, NOW)
    assert shape_errors(credential) == []
    assert credential["credentialSubject"]["achievement"]["alignment"][0]["targetUrl"] == SKILL
    assert credential["credentialSubject"]["result"][0]["value"] == "identification"
    assert credential["credentialSubject"]["result"][1]["value"] == "hard"
    assert verify_proof(credential, verify_ed25519)
    assert verify_proof(credential, verify_ed25519, [signer.issuer.did])
    assert not verify_proof(credential, verify_ed25519, ["did:key:z6MkSomeoneElse"])


@pytest.mark.parametrize(
    "tamper",
    [
        lambda c: c["credentialSubject"]["achievement"]["alignment"][0].update(targetUrl=SKILL + "x"),
        lambda c: c["credentialSubject"]["result"][0].update(value="certification"),
        lambda c: c.update(validFrom="2030-01-01T00:00:00Z"),
        lambda c: c["proof"].update(created="2030-01-01T00:00:00Z"),
        lambda c: c["proof"].update(proofValue="z" + b58encode(bytes(64))),
        lambda c: c["issuer"].update(id="did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"),
    ],
)
def test_any_change_breaks_the_signature(tamper) -> None:
    signer = SigningKey(os.urandom(32), "Overstap test")
    credential = add_proof(skill_credential("p-1", _skill(), signer.issuer, NOW), signer.sign, signer.issuer, NOW)
    changed = copy.deepcopy(credential)
    tamper(changed)
    assert not verify_proof(changed, verify_ed25519)


def test_shape_errors_are_reported() -> None:
    signer = SigningKey(os.urandom(32), "Overstap test")
    credential = skill_credential("p-1", _skill(), signer.issuer, NOW)
    del credential["credentialSubject"]["achievement"]["criteria"]
    credential["type"] = ["VerifiableCredential"]
    credential["@context"] = ["https://www.w3.org/2018/credentials/v1"]
    problems = " ".join(shape_errors(credential))
    assert "criteria" in problems and "@context" in problems and "type" in problems
