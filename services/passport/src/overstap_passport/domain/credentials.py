"""W3C Verifiable Credentials 2.0 / Open Badges 3.0: one OpenBadgeCredential per skill, aligned to its ESCO URI.

Secured with a Data Integrity proof, cryptosuite ``eddsa-jcs-2022``: the document and the proof configuration are
canonicalised with JCS (RFC 8785), hashed with SHA-256, and ``SHA256(proofConfig) || SHA256(document)`` is signed
with the deployment's Ed25519 key. The issuer is the ``did:key`` of that key, so a verifier needs nothing else.
The signing itself is passed in (see ``overstap_passport.crypto.signing``); this module stays pure.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

from overstap_passport.domain.audit import utc
from overstap_passport.domain.evidence import EvidenceKind
from overstap_passport.domain.model import SkillRecord
from overstap_passport.domain.validation import ValidationPhase

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_V3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_V3_SCHEMA = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
CRYPTOSUITE = "eddsa-jcs-2022"
ESCO_FRAMEWORK = "ESCO"
VALIDATION_RESULT_ID = "urn:overstap:result:validation-phase"
EVIDENCE_RESULT_ID = "urn:overstap:result:evidence-kind"
_ED25519_MULTICODEC = b"\xed\x01"
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

Signer = Callable[[bytes], bytes]
Verifier = Callable[[bytes, bytes, bytes], bool]  # (public key, signature, data)


# --- encodings -------------------------------------------------------------------------------------------


def b58encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = []
    while number:
        number, rem = divmod(number, 58)
        out.append(_B58[rem])
    leading = len(data) - len(data.lstrip(b"\0"))
    return "1" * leading + "".join(reversed(out))


def b58decode(text: str) -> bytes:
    number = 0
    for char in text:
        index = _B58.find(char)
        if index < 0:
            raise ValueError(f"not base58: {char!r}")
        number = number * 58 + index
    leading = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * leading + body


def did_key(public_key: bytes) -> str:
    return "did:key:z" + b58encode(_ED25519_MULTICODEC + public_key)


def public_key_of_did(did: str) -> bytes:
    """The Ed25519 public key in a ``did:key`` (with or without a ``#fragment``)."""
    did = did.split("#", 1)[0]
    if not did.startswith("did:key:z"):
        raise ValueError("not a base58btc did:key")
    raw = b58decode(did[len("did:key:z") :])
    if not raw.startswith(_ED25519_MULTICODEC) or len(raw) != 34:
        raise ValueError("not an Ed25519 did:key")
    return raw[2:]


def jcs(value: Any) -> bytes:
    """JSON Canonicalization Scheme (RFC 8785) for the values these credentials hold (no non-integral numbers)."""

    def check(node: Any) -> None:
        if isinstance(node, float) and not (node.is_integer() and math.isfinite(node)):
            raise ValueError("JCS here supports integral numbers only")
        if isinstance(node, dict):
            for key, item in node.items():
                if not isinstance(key, str):
                    raise ValueError("JSON object keys must be strings")
                check(item)
        elif isinstance(node, list):
            for item in node:
                check(item)

    check(value)
    # RFC 8785 sorts keys by UTF-16 code units; Python sorts by code points. They differ only for
    # characters outside the BMP, which keys here never contain.
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def timestamp(moment: datetime) -> str:
    return utc(moment).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- building -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Issuer:
    did: str
    name: str

    @property
    def verification_method(self) -> str:
        return f"{self.did}#{self.did.removeprefix('did:key:')}"

    def profile(self) -> dict[str, Any]:
        return {"id": self.did, "type": ["Profile"], "name": self.name}


_EVIDENCE_NAMES = {
    "diploma": "Diploma",
    "certificate": "Certificate",
    "registration": "Registration",
    "work_experience": "Work experience",
    "timesheet": "Timesheets",
    "employer_statement": "Employer statement",
    "self_assessment": "Self-assessment",
}


def achievement_id(skill_uri: str) -> str:
    """A stable id for "has the ESCO skill X" as an achievement of this deployment."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'overstap:achievement:' + skill_uri)}"


def skill_credential(passport_id: str, skill: SkillRecord, issuer: Issuer, issued_at: datetime) -> dict[str, Any]:
    """An unsigned OpenBadgeCredential stating the skill, its evidence and the validation phase reached."""
    label = skill.label or skill.uri
    level = skill.validation_level
    level_name = ValidationPhase(level).label if level else "none"
    best = skill.best_kind
    best_name = best.label if best else "none"
    evidence = []
    for piece in skill.evidence:
        parts = [f"{piece.kind.label} evidence"]
        if piece.source:
            parts.append(f"source: {piece.source}")
        if piece.issued_on:
            parts.append(f"date: {piece.issued_on.isoformat()}")
        if piece.derived:
            parts.append(
                "derived from work history" + (" (confirmed by the holder)" if piece.confirmed else " (not confirmed)")
            )
        evidence.append(
            {
                "id": f"urn:uuid:{piece.id}",
                "type": ["Evidence"],
                "name": _EVIDENCE_NAMES.get(piece.type.value, piece.type.value),
                "description": "; ".join(parts),
                "genre": piece.type.value,
            }
        )
    return {
        "@context": [VC_V2_CONTEXT, OB_V3_CONTEXT],
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"Skill: {label}",
        "description": f"The holder's skills passport records the ESCO skill '{label}' with {best_name} evidence, "
        f"validation phase reached: {level_name}.",
        "issuer": issuer.profile(),
        "validFrom": timestamp(issued_at),
        "credentialSchema": [{"id": OB_V3_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
        "credentialSubject": {
            "id": f"urn:uuid:{passport_id}",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": achievement_id(skill.uri),
                "type": ["Achievement"],
                "achievementType": "Competency",
                "name": label,
                "description": f"Has the ESCO skill '{label}'.",
                "criteria": {
                    "narrative": "Recorded in an Overstap skills passport with evidence (hard: diploma, certificate "
                    "or registration; semi-hard: work experience, timesheets or employer statement; soft: "
                    "self-assessment) and validated through identification, documentation, assessment and "
                    "certification."
                },
                "alignment": [
                    {
                        "type": ["Alignment"],
                        "targetName": label,
                        "targetUrl": skill.uri,
                        "targetCode": skill.uri,
                        "targetFramework": ESCO_FRAMEWORK,
                        "targetType": "ceasn:Competency",
                    }
                ],
                "resultDescription": [
                    {
                        "id": VALIDATION_RESULT_ID,
                        "type": ["ResultDescription"],
                        "name": "Validation phase reached",
                        "resultType": "PerformanceLevel",
                        "allowedValue": ["none", *(p.label for p in ValidationPhase)],
                    },
                    {
                        "id": EVIDENCE_RESULT_ID,
                        "type": ["ResultDescription"],
                        "name": "Strongest evidence",
                        "resultType": "PerformanceLevel",
                        "allowedValue": ["none", *(k.label for k in EvidenceKind)],
                    },
                ],
            },
            "result": [
                {"type": ["Result"], "resultDescription": VALIDATION_RESULT_ID, "value": level_name},
                {"type": ["Result"], "resultDescription": EVIDENCE_RESULT_ID, "value": best_name},
            ],
        },
        "evidence": evidence,
    }


# --- securing -------------------------------------------------------------------------------------------


def _hash_data(document: dict[str, Any], proof_config: dict[str, Any]) -> bytes:
    return hashlib.sha256(jcs(proof_config)).digest() + hashlib.sha256(jcs(document)).digest()


def add_proof(document: dict[str, Any], sign: Signer, issuer: Issuer, created: datetime) -> dict[str, Any]:
    """``document`` with a DataIntegrityProof (eddsa-jcs-2022) by ``issuer``."""
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    proof: dict[str, Any] = {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": timestamp(created),
        "verificationMethod": issuer.verification_method,
        "proofPurpose": "assertionMethod",
    }
    config = {**proof, "@context": unsecured["@context"]}
    signature = sign(_hash_data(unsecured, config))
    return {**unsecured, "proof": {**proof, "proofValue": "z" + b58encode(signature)}}


def verify_proof(document: dict[str, Any], verify: Verifier, trusted_dids: Sequence[str] | None = None) -> bool:
    """True when the proof is a valid eddsa-jcs-2022 signature by the issuer's did:key over the document."""
    try:
        proof = dict(document["proof"])
        if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != CRYPTOSUITE:
            return False
        if proof.get("proofPurpose") != "assertionMethod":
            return False
        method = str(proof["verificationMethod"])
        issuer = document["issuer"]
        issuer_id = issuer["id"] if isinstance(issuer, dict) else issuer
        if method.split("#", 1)[0] != issuer_id:
            return False
        if trusted_dids is not None and issuer_id not in trusted_dids:
            return False
        value = str(proof.pop("proofValue"))
        if not value.startswith("z"):
            return False
        signature = b58decode(value[1:])
        unsecured = {k: v for k, v in document.items() if k != "proof"}
        config = {**proof, "@context": unsecured["@context"]}
        return verify(public_key_of_did(method), signature, _hash_data(copy.deepcopy(unsecured), config))
    except (KeyError, TypeError, ValueError):
        return False


# --- shape ----------------------------------------------------------------------------------------------


@cache
def _validator() -> Any:
    from jsonschema import Draft202012Validator

    schema = json.loads(resources.files("overstap_passport.domain.schemas").joinpath("ob3_credential.json").read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def shape_errors(credential: dict[str, Any]) -> list[str]:
    """Where ``credential`` departs from the VC 2.0 / OB 3.0 AchievementCredential shape (empty: it conforms)."""
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"
        for error in _validator().iter_errors(credential)
    ]
