"""Opaque page and change tokens: base64url of "<kind>1.<numbers>". Anything else is refused clearly."""

from __future__ import annotations

import base64
import binascii

from overstap_extractor.domain.errors import InvalidInput


def encode(kind: str, *numbers: int) -> str:
    raw = f"{kind}1." + ".".join(str(n) for n in numbers)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(token: str, kind: str, count: int, field: str) -> list[int]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("ascii")
        head, *parts = raw.split(".")
        numbers = [int(p) for p in parts]
    except (binascii.Error, UnicodeDecodeError, ValueError):
        numbers, head = [], ""
    if head != f"{kind}1" or len(numbers) != count or any(n < 0 for n in numbers) or len(token) > 200:
        raise InvalidInput("is not a token this service issued", field)
    return numbers
