"""Plain JSON views of extraction results (for the CLI; the gRPC/REST layers will map the dataclasses)."""

from __future__ import annotations

from typing import Any

from overstap_extractor.model.extract import AdResult, SkillHit


def _hit_json(hit: SkillHit, text_of: str) -> dict[str, Any]:
    return {
        "skill": hit.skill_id,
        "label": hit.label,
        "confidence": round(hit.confidence, 3),
        "span": [hit.span.start, hit.span.end],
        "span_text": text_of[hit.span.start : hit.span.end],
        "requirement": hit.requirement.value,
    }


def ad_result_json(result: AdResult, text: str) -> dict[str, Any]:
    """Sentences with their hits and the per-skill aggregate; offsets index ``text`` (the ad)."""
    sentences = []
    for s in result.sentences:
        sentences.append({"span": [s.sentence.start, s.sentence.end], "text": s.text,
                          "requirement": s.requirement.value, "skills": [_hit_json(h, text) for h in s.hits]})
    skills = [{"skill": a.skill_id, "label": a.label, "confidence": round(a.confidence, 3),
               "requirement": a.requirement.value, "mentions": len(a.mentions)} for a in result.skills]
    return {"language": result.language, "skills": skills, "sentences": sentences}
