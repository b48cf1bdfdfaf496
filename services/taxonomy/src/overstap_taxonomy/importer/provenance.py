"""The sources of the bundle: what each is, where it comes from, its licence and attribution, and the
SHA-256 of the exact input files read. Mapping provenance keys are keys of this table."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from overstap_taxonomy.importer.paths import ImportPaths

ESCO_LICENCE = "© European Union, free reuse with attribution (Commission Decision 2011/833/EU)"
ESCO_ATTRIBUTION = "This product uses the ESCO classification of the European Commission."
ONET_LICENCE = "CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)"
ONET_ATTRIBUTION = (
    "This product includes information from the O*NET {version} Database by the U.S. Department of Labor, "
    "Employment and Training Administration (USDOL/ETA). Used under the CC BY 4.0 license. O*NET® is a "
    "trademark of USDOL/ETA. Overstap has modified all or some of this information. USDOL/ETA has not "
    "approved, endorsed, or tested these modifications."
)


@dataclass(frozen=True, slots=True)
class SourceInfo:
    description: str
    origin: str
    licence: str
    attribution: str


SOURCES: dict[str, SourceInfo] = {
    "esco": SourceInfo(
        "ESCO classification download (occupations, skills, ISCO-08 groups, skill groups and hierarchy, "
        "broader relations, occupation-skill relations); also the ESCO occupation -> ISCO-08 group mappings",
        "European Commission ESCO portal (esco.ec.europa.eu)",
        ESCO_LICENCE,
        ESCO_ATTRIBUTION,
    ),
    "esco-nl": SourceInfo(
        "ESCO download in Dutch: preferred, alternative and hidden labels and descriptions of occupations, "
        "ISCO-08 groups, skill groups and the skills of the digital/green/language/transversal/research/"
        "DigComp collections",
        "European Commission ESCO portal",
        ESCO_LICENCE,
        ESCO_ATTRIBUTION,
    ),
    "esco-nl-labels-v1.0.3": SourceInfo(
        "Dutch preferred labels of ESCO v1.0.3 skills (taken from the ESCO-VDAB mapping)",
        "ESCO - VDAB Competences mapping (Nalantis nv for VDAB and the European Commission)",
        ESCO_LICENCE,
        ESCO_ATTRIBUTION,
    ),
    "vdab-esco": SourceInfo(
        "ESCO - VDAB Competences mapping v1.0: names of VDAB Competent 3.8 competences that are an exact or "
        "close match of an ESCO skill, used as Dutch alternative labels of that skill",
        "VDAB / European Commission (mapping by Nalantis nv)",
        ESCO_LICENCE,
        "ESCO - VDAB Competences mapping, VDAB and the European Commission. " + ESCO_ATTRIBUTION,
    ),
    "onet": SourceInfo(
        "O*NET database: occupations, descriptions, alternate and reported titles, job zones, content model",
        "O*NET Resource Center (www.onetcenter.org), US DOL/ETA",
        ONET_LICENCE,
        ONET_ATTRIBUTION,
    ),
    "onet-skills": SourceInfo(
        "O*NET Skills: importance (IM) and level (LV) of the 35 skills per occupation",
        "O*NET Resource Center, US DOL/ETA",
        ONET_LICENCE,
        ONET_ATTRIBUTION,
    ),
    "onet-esco": SourceInfo(
        "ESCO to O*NET-SOC 2019 crosswalk (keyed on ESCO occupation and ISCO-08 codes, ESCO v1.1.0)",
        "O*NET Resource Center, US DOL/ETA",
        ONET_LICENCE,
        ONET_ATTRIBUTION + " This publication uses the ESCO classification of the European Commission.",
    ),
    "bls-isco-soc2010": SourceInfo(
        "ISCO-08 to 2010 SOC crosswalk (August 2012, updated June 2015), with SOC 2010 titles",
        "US Bureau of Labor Statistics, on behalf of the SOC Policy Committee",
        "US public domain (work of the US federal government)",
        "Source: US Bureau of Labor Statistics.",
    ),
    "onet-soc2010": SourceInfo(
        "O*NET-SOC 2010 to SOC 2010 crosswalk, with SOC 2010 titles",
        "O*NET Resource Center / BLS",
        ONET_LICENCE,
        ONET_ATTRIBUTION,
    ),
    "onet-soc-2010-2019": SourceInfo(
        "O*NET-SOC 2010 to O*NET-SOC 2019 crosswalk",
        "O*NET Resource Center, US DOL/ETA",
        ONET_LICENCE,
        ONET_ATTRIBUTION,
    ),
    "onet-soc-2019-structure": SourceInfo(
        "O*NET-SOC 2019 taxonomy structure: SOC 2018 major/minor/broad/detailed groups; also the "
        "O*NET-SOC 2019 -> SOC 2018 mappings",
        "O*NET Resource Center, US DOL/ETA",
        ONET_LICENCE,
        ONET_ATTRIBUTION,
    ),
    "cbs-brc2014": SourceInfo(
        "Beroepenindeling ROA-CBS 2014 (BRC 2014) and the Schakelschema ISCO2008 - BRC2014",
        "Centraal Bureau voor de Statistiek (CBS, Statistics Netherlands) and ROA",
        "CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)",
        "Source: CBS (Centraal Bureau voor de Statistiek), BRC 2014.",
    ),
    "nesta-esco-onet2010": SourceInfo(
        "Nesta Mapping Career Causeways: ESCO (level-5) occupation to O*NET-SOC 2010 crosswalk (Nov 2020)",
        "Nesta, github.com/nestauk/mapping-career-causeways",
        "MIT License, Copyright (c) 2021 Nesta",
        "ESCO-O*NET crosswalk by Nesta (Kanders, Djumalieva, Sleeman and Orlik, Mapping Career Causeways, 2020).",
    ),
}


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def source_entry(key: str, files: Iterable[Path], paths: ImportPaths, version: str = "") -> dict[str, Any]:
    """The manifest entry of a source. ``sha256`` is the file's digest, or for several files the digest of
    their ``sha256sum``-style listing (sorted by path), so each source has one checksum."""
    info = SOURCES[key]
    digests = {paths.display(f): sha256_file(f) for f in sorted(set(files))}
    if len(digests) == 1:
        combined = next(iter(digests.values()))
    else:
        listing = "".join(f"{digest}  {name}\n" for name, digest in sorted(digests.items()))
        combined = hashlib.sha256(listing.encode()).hexdigest()
    entry: dict[str, Any] = {
        "description": info.description,
        "origin": info.origin,
        "licence": info.licence,
        "attribution": info.attribution.format(version=version or "").replace("  ", " "),
        "files": digests,
        "sha256": combined,
    }
    if version:
        entry["version"] = version
    return entry
