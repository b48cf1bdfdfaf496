"""Reading and writing the bundle file: gzip-compressed JSON, deterministic byte for byte."""

from __future__ import annotations

import gc
import gzip
import hashlib
import os
from collections import defaultdict
from pathlib import Path
from typing import Any

import orjson

from overstap_bundle.model import (
    BUNDLE_FORMAT,
    Concept,
    ConceptType,
    LabelSet,
    Mapping,
    MatchType,
    OccupationSkill,
    OnetSkillRating,
    Relation,
    TaxonomyBundle,
)

BUNDLE_FILENAME = "taxonomy-bundle.json.gz"
BUNDLE_PATH_ENV = "OVERSTAP_TAXONOMY_BUNDLE"
# Plain dict look-ups: calling the enum classes costs ~1.5 µs each, and a bundle has ~170k enum fields.
_CONCEPT_TYPES = {t.value: t for t in ConceptType}
_RELATIONS = {r.value: r for r in Relation}
_MATCH_TYPES = {m.value: m for m in MatchType}


def default_bundle_path() -> Path:
    """The bundle shipped inside this package, unless OVERSTAP_TAXONOMY_BUNDLE points elsewhere."""
    override = os.environ.get(BUNDLE_PATH_ENV)
    if override:
        return Path(override)
    return Path(__file__).parent / "bundled" / BUNDLE_FILENAME


def _labels_to_json(labels: LabelSet) -> dict[str, Any]:
    out: dict[str, Any] = {"p": labels.preferred}
    if labels.alt:
        out["a"] = list(labels.alt)
    if labels.hidden:
        out["h"] = list(labels.hidden)
    return out


def _concept_to_json(concept: Concept) -> dict[str, Any]:
    out: dict[str, Any] = {"id": concept.id, "t": concept.type.value}
    if concept.code is not None:
        out["c"] = concept.code
    if concept.labels:
        out["l"] = {lang: _labels_to_json(ls) for lang, ls in sorted(concept.labels.items())}
    if concept.descriptions:
        out["d"] = dict(sorted(concept.descriptions.items()))
    if concept.broader:
        out["b"] = list(concept.broader)
    if concept.attributes:
        out["x"] = dict(sorted(concept.attributes.items()))
    return out


def _concept_from_json(raw: dict[str, Any]) -> Concept:
    return Concept(
        id=raw["id"],
        type=_CONCEPT_TYPES[raw["t"]],
        code=raw.get("c"),
        labels={
            lang: LabelSet(v["p"], tuple(v.get("a", ())), tuple(v.get("h", ()))) for lang, v in raw.get("l", {}).items()
        },
        descriptions=raw.get("d", {}),
        broader=tuple(raw.get("b", ())),
        attributes=raw.get("x", {}),
    )


def bundle_payload(bundle: TaxonomyBundle) -> dict[str, Any]:
    """The JSON document of a bundle; everything sorted so equal content gives equal bytes."""
    relations: dict[str, dict[str, list[str]]] = defaultdict(lambda: {"essential": [], "optional": []})
    for rel in bundle.occupation_skills:
        relations[rel.occupation_id][rel.relation.value].append(rel.skill_id)
    return {
        "format": BUNDLE_FORMAT,
        "version": bundle.version,
        "manifest": bundle.manifest,
        "concepts": [_concept_to_json(c) for c in sorted(bundle.concepts, key=lambda c: c.id)],
        "occupation_skills": {
            occ: {kind: sorted(skills) for kind, skills in rels.items()} for occ, rels in sorted(relations.items())
        },
        "mappings": sorted([m.source_id, m.target_id, m.match.value, m.provenance] for m in bundle.mappings),
        "onet_skill_ratings": sorted([r.onet_id, r.skill_id, r.importance, r.level] for r in bundle.onet_skill_ratings),
    }


def content_digest(bundle: TaxonomyBundle) -> str:
    """SHA-256 over the bundle content, version and manifest excluded (they may quote the digest)."""
    payload = bundle_payload(bundle)
    payload.pop("version")
    payload.pop("manifest")
    return hashlib.sha256(orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)).hexdigest()


def encode_bundle(bundle: TaxonomyBundle) -> bytes:
    """The uncompressed JSON bytes that ``write_bundle`` stores (compare these to check a rebuild)."""
    return orjson.dumps(bundle_payload(bundle), option=orjson.OPT_SORT_KEYS)


def write_bundle(bundle: TaxonomyBundle, path: Path) -> None:
    data = encode_bundle(bundle)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0, filename="") as gz:
        gz.write(data)
    tmp.replace(path)


def load_bundle(path: Path | None = None) -> TaxonomyBundle:
    path = path or default_bundle_path()
    with gzip.open(path, "rb") as fh:
        raw = orjson.loads(fh.read())
    if raw.get("format") != BUNDLE_FORMAT:
        raise ValueError(f"{path}: bundle format {raw.get('format')!r}, this code reads {BUNDLE_FORMAT}")
    # The cyclic GC would run dozens of times over the growing object graph while nothing here is garbage.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _bundle_from_json(raw)
    finally:
        if gc_was_enabled:
            gc.enable()


def _bundle_from_json(raw: dict[str, Any]) -> TaxonomyBundle:
    try:
        occupation_skills = [
            OccupationSkill(occ, skill, _RELATIONS[kind])
            for occ, rels in raw["occupation_skills"].items()
            for kind, skills in rels.items()
            for skill in skills
        ]
        mappings = [Mapping(s, t, _MATCH_TYPES[m], p) for s, t, m, p in raw["mappings"]]
        concepts = [_concept_from_json(c) for c in raw["concepts"]]
    except KeyError as exc:
        raise ValueError(f"malformed bundle or unknown concept type, relation or match type: {exc}") from None
    return TaxonomyBundle(
        version=raw["version"],
        manifest=raw["manifest"],
        concepts=concepts,
        occupation_skills=occupation_skills,
        mappings=mappings,
        onet_skill_ratings=[OnetSkillRating(o, s, im, lv) for o, s, im, lv in raw["onet_skill_ratings"]],
    )
