"""Small helpers for the gRPC tests."""

from __future__ import annotations

from collections.abc import Awaitable

import grpc
import pytest
from overstap.passport.v1 import passport_pb2 as pb


async def fails(code: grpc.StatusCode, call: Awaitable[object], match: str = "") -> str:
    """Await ``call`` and assert it fails with ``code`` (and ``match`` in the details); return the details."""
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    assert caught.value.code() == code, f"{caught.value.code()}: {caught.value.details()}"
    details = caught.value.details() or ""
    assert match in details, details
    return details


def evidence(kind: int = pb.EVIDENCE_TYPE_SELF_ASSESSMENT, **fields: str) -> pb.EvidenceInput:
    return pb.EvidenceInput(type=kind, **fields)


def skill(uri: str, *pieces: pb.EvidenceInput) -> pb.SkillInput:
    return pb.SkillInput(skill_uri=uri, evidence=list(pieces) or [evidence()])
