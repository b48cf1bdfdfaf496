"""Validation of a skill through the EVC phases: identification -> documentation -> assessment -> certification.

Rules (checked before anything is stored):
- a phase can only be recorded once the phase before it has been reached (identification may start anywhere);
  recording a phase again (e.g. a re-assessment) is allowed;
- from documentation on, the step must name at least one piece of evidence of the same skill;
- assessment and certification are done by someone other than the owner (no self-assessment of a
  validation; the owner's own view goes in as soft evidence);
- certification rests on at least one piece of hard evidence (a diploma, certificate or registration,
  e.g. the ervaringscertificaat itself);
- the day a step was performed is not in the future and not before the day of the phase it builds on.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import IntEnum

from overstap_passport.domain.errors import InvalidInput
from overstap_passport.domain.evidence import EvidenceKind


class ValidationPhase(IntEnum):
    IDENTIFICATION = 1
    DOCUMENTATION = 2
    ASSESSMENT = 3
    CERTIFICATION = 4

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class PriorStep:
    phase: ValidationPhase
    performed_on: date


def highest_level(phases: Iterable[int]) -> int:
    """The highest phase reached (0: not validated)."""
    return max((int(p) for p in phases), default=0)


def check_step(
    phase: ValidationPhase,
    performed_on: date,
    today: date,
    prior: Sequence[PriorStep],
    evidence_kinds: Sequence[EvidenceKind],
    by_owner: bool,
) -> None:
    """Raise :class:`InvalidInput` unless a step of ``phase`` may be recorded now.

    ``evidence_kinds`` are the kinds of the evidence the step names (already checked to belong to the skill).
    """
    if performed_on > today:
        raise InvalidInput(f"{performed_on.isoformat()} is in the future", "performed_on")
    if phase > ValidationPhase.IDENTIFICATION:
        previous = [p for p in prior if p.phase == phase - 1]
        if not previous:
            raise InvalidInput(
                f"{phase.label} needs {ValidationPhase(phase - 1).label} first "
                f"(highest phase reached: {_level_name(highest_level(p.phase for p in prior))})",
                "phase",
            )
        earliest = min(p.performed_on for p in previous)
        if performed_on < earliest:
            raise InvalidInput(
                f"{performed_on.isoformat()} is before the {ValidationPhase(phase - 1).label} "
                f"it builds on ({earliest.isoformat()})",
                "performed_on",
            )
    if phase >= ValidationPhase.DOCUMENTATION and not evidence_kinds:
        raise InvalidInput(f"{phase.label} must name the evidence it rests on", "evidence_ids")
    if phase >= ValidationPhase.ASSESSMENT and by_owner:
        raise InvalidInput(f"{phase.label} must be done by someone other than the passport's owner", "phase")
    if phase == ValidationPhase.CERTIFICATION and EvidenceKind.HARD not in evidence_kinds:
        raise InvalidInput(
            "certification must rest on hard evidence (diploma, certificate or registration)", "evidence_ids"
        )


def _level_name(level: int) -> str:
    return ValidationPhase(level).label if level else "none"
