"""The import summary printed by `overstap taxonomy import`, read from the bundle's manifest."""

from __future__ import annotations

from typing import Any

from overstap_bundle import TaxonomyBundle


def _counts(manifest: dict[str, Any]) -> list[str]:
    counts = manifest["counts"]
    lines = ["Concepts:"]
    lines += [f"  {k.removeprefix('concepts.'):<18} {v:>8,}" for k, v in counts.items() if k.startswith("concepts.")]
    lines.append(f"  {'total':<18} {counts['concepts']:>8,}")
    lines.append(f"Broader links: {counts['broader_links']:,}")
    lines.append(
        f"Occupation-skill relations: {counts['occupation_skills']:,} "
        f"({counts.get('occupation_skills.essential', 0):,} essential, "
        f"{counts.get('occupation_skills.optional', 0):,} optional)"
    )
    lines.append(f"O*NET skill ratings: {counts['onet_skill_ratings']:,}")
    return lines


def _mappings(manifest: dict[str, Any]) -> list[str]:
    lines = [f"Mappings: {manifest['counts']['mappings']:,}"]
    for provenance, matches in manifest["mapping_matches"].items():
        detail = ", ".join(f"{m} {n:,}" for m, n in matches.items())
        lines.append(f"  {provenance:<26} {sum(matches.values()):>6,}  ({detail})")
    return lines


def _coverage(manifest: dict[str, Any]) -> list[str]:
    lines = ["Label coverage (preferred label / description):"]
    for group, entry in manifest["label_coverage"].items():
        total = entry["total"]
        parts = [
            f"{lang} {entry[lang]['preferred']:,}/{total:,} ({_pct(entry[lang]['preferred'], total)})"
            f" desc {entry[lang]['description']:,}"
            for lang in ("en", "nl")
        ]
        lines.append(f"  {group:<18} " + "; ".join(parts))
    dutch = manifest["dutch_labels"]
    sources = ", ".join(f"{k} {v:,}" for k, v in dutch["preferred_label_from"].items())
    lines.append(f"Dutch preferred labels from: {sources}")
    ignored = ", ".join(f"{k} {v:,}" for k, v in dutch["ignored_not_in_main_esco"].items())
    lines.append(f"Dutch labels of concepts not in the main ESCO version (ignored): {ignored or 'none'}")
    return lines


def _pct(part: int, total: int) -> str:
    return f"{100 * part / total:.1f}%" if total else "-"


def _unmatched(manifest: dict[str, Any]) -> list[str]:
    rows = manifest["unmatched"]
    if not rows:
        return ["Unmatched rows: none"]
    return ["Unmatched or special rows:", *(f"  {n:>6,}  {what}" for what, n in rows.items())]


def summary(bundle: TaxonomyBundle) -> str:
    manifest = bundle.manifest
    versions = ", ".join(f"{k} {v}" for k, v in manifest["versions"].items())
    lines = [f"Bundle {bundle.version} (format {manifest['bundle_format']}; {versions})"]
    for section in (_counts, _mappings, _coverage, _unmatched):
        lines += section(manifest)
    return "\n".join(lines)
