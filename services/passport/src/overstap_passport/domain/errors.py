"""Errors of the passport domain; the API layer maps each to one gRPC status code."""

from __future__ import annotations


class PassportError(Exception):
    """Base class; ``str(error)`` is the precise message the caller sees."""


class InvalidInput(PassportError):
    """Bad input: nothing was changed (INVALID_ARGUMENT)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field


class NotFound(PassportError):
    """No such passport, skill, evidence, entry or consent (NOT_FOUND)."""


class AccessDenied(PassportError):
    """Neither ownership nor a consent in force allows this (PERMISSION_DENIED)."""


class Unauthenticated(PassportError):
    """No valid caller identity (UNAUTHENTICATED)."""


class StaleVersion(PassportError):
    """expected_version does not match: someone else changed the passport first (ABORTED)."""

    def __init__(self, expected: int, actual: int) -> None:
        super().__init__(
            f"passport was changed by someone else: expected version {expected}, current version {actual}; "
            "read it again and retry"
        )
        self.expected = expected
        self.actual = actual


class AlreadyExists(PassportError):
    """A second passport for the same person, or a skill already present (ALREADY_EXISTS)."""


class FailedPrecondition(PassportError):
    """The request is valid but the passport is not in a state that allows it (FAILED_PRECONDITION)."""


class DependencyUnavailable(PassportError):
    """A service the passport needs (the taxonomy) cannot be reached (UNAVAILABLE)."""
