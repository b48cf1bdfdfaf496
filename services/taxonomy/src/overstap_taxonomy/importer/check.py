"""Comparing a freshly built bundle with a bundle file (the committed one), byte for byte of content."""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

import orjson
from overstap_bundle import TaxonomyBundle
from overstap_bundle.io import encode_bundle


@dataclass(frozen=True, slots=True)
class CheckResult:
    same: bool
    message: str


def compare_with_file(bundle: TaxonomyBundle, path: Path) -> CheckResult:
    """Equal when the file's uncompressed JSON equals the bundle's encoding (gzip framing is ignored)."""
    if not path.is_file():
        return CheckResult(False, f"no bundle file at {path}")
    with gzip.open(path, "rb") as fh:
        committed = fh.read()
    if committed == encode_bundle(bundle):
        return CheckResult(True, f"{path} is up to date ({bundle.version})")
    try:
        old = orjson.loads(committed)
        old_version, old_counts = old.get("version"), old.get("manifest", {}).get("counts", {})
    except orjson.JSONDecodeError:
        return CheckResult(False, f"{path} differs from the rebuild and is not valid JSON")
    changed = sorted(
        k
        for k in set(old_counts) | set(bundle.manifest["counts"])
        if old_counts.get(k) != bundle.manifest["counts"].get(k)
    )
    detail = f"; counts changed: {', '.join(changed)}" if changed else ""
    return CheckResult(False, f"{path} differs from the rebuild: {old_version} -> {bundle.version}{detail}")
