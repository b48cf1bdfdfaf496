"""Conditional and repeatable requests: ETag / If-Match (optimistic concurrency) and Idempotency-Key headers,
shared by the routes of versioned resources (passports, vacancies)."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Header
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from overstap_gateway.problems import ProblemError

IfMatch = Annotated[
    str | None,
    Header(alias="If-Match", max_length=200, description='The ETag you read, e.g. `"3"`'),
]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=255,
        description="Any unique string (e.g. a UUID): a retry with the same key and body gets the first response "
        "instead of being done twice (kept 24 h)",
    ),
]
_ETAG = re.compile(r'^"([1-9][0-9]{0,17})"$')


def respond(
    model: BaseModel | None, status: int = 200, version: int | None = None, location: str | None = None
) -> Response:
    """A JSON answer that is never cached, with the resource's version as its ETag."""
    headers = {"Cache-Control": "no-store"}
    if version:
        headers["ETag"] = f'"{version}"'
    if location:
        headers["Location"] = location
    if model is None:
        return Response(status_code=204, headers=headers)
    return JSONResponse(model.model_dump(mode="json"), status_code=status, headers=headers)


def version_from_if_match(if_match: str | None, resource: str, required: bool = False) -> int:
    """The version an If-Match header names; 0 (no check) when it is absent and not required."""
    if if_match is None:
        if required:
            raise ProblemError(
                428, f'If-Match is required: send the ETag of the {resource} you read (e.g. If-Match: "3")'
            )
        return 0
    tags = [t.strip() for t in if_match.split(",") if t.strip()]
    if tags == ["*"]:
        raise ProblemError(428, f'If-Match: * is not enough here: send the ETag of the {resource} you read (e.g. "3")')
    if len(tags) != 1:
        raise ProblemError(400, "If-Match: send exactly one ETag")
    match = _ETAG.match(tags[0])
    if match is None:  # a weak or foreign tag never matches (strong comparison)
        raise ProblemError(412, f"If-Match {tags[0]} does not match the {resource}'s current ETag")
    return int(match.group(1))
