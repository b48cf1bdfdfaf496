"""Dutch labels of ESCO concepts: the ESCO v1.2 Dutch download, the ESCO v1.0.3 Dutch skill labels and the
VDAB Competent competence names mapped to ESCO skills.

Precedence for the preferred label: the v1.2 files, then the v1.0.3 labels. A different older label and
the names of VDAB competences that are an exact or close match of the skill become alternative labels.
Concepts absent from the main download are not added; they are counted in ``LabelOverlay.ignored``.
"""

from __future__ import annotations

from pathlib import Path

from overstap_taxonomy.importer.esco import COLLECTIONS, EscoDownload, read_records, read_skills_hierarchy
from overstap_taxonomy.importer.overlay import LabelOverlay
from overstap_taxonomy.importer.tables import read_delimited_file

ESCO_SKILL_URI = "http://data.europa.eu/esco/skill/"
VDAB_LABEL_MATCHES = frozenset({"skos:exactMatch", "skos:closeMatch", "exactMatch", "closeMatch"})

# Concept tables of a download that can carry labels, in order of precedence.
LABEL_TABLES = {
    "occupations": "occupations",
    "skills": "skills",
    "ISCOGroups": "ISCO-08 groups",
    "skillGroups": "skill groups",
    **{table: f"{name} skills collection" for table, name in COLLECTIONS.items()},
}


def add_download_labels(overlay: LabelOverlay, download: EscoDownload, source: str) -> None:
    """Labels and descriptions from every concept table the (translated) download has."""
    for table, what in LABEL_TABLES.items():
        if not download.has(table):
            continue
        for uri, record in read_records(download, table, f"ESCO {download.language} {what}").items():
            if overlay.accepts(uri, f"{source}:{table}"):
                overlay.add(uri, source, record.preferred, record.alt, record.hidden, record.description)
    if download.has("skillsHierarchy"):
        add_hierarchy_labels(overlay, download, source)


def add_hierarchy_labels(overlay: LabelOverlay, download: EscoDownload, source: str) -> None:
    """Skills hierarchy node names, for nodes without a label yet. Descriptions are not taken: translated
    hierarchy files carry them in English."""
    for uri, node in read_skills_hierarchy(download).items():
        if uri not in overlay.preferred and overlay.accepts(uri, f"{source}:skillsHierarchy"):
            overlay.add(uri, source, node.label)


def add_preferred_label_list(overlay: LabelOverlay, path: Path, source: str) -> None:
    """A two-column list ``conceptUri,preferredLabel_<lang>``."""
    what = "ESCO Dutch skill labels (conceptUri, preferredLabel_nl)"
    table = read_delimited_file(path, what, delimiter=",")
    label_column = next((c for c in table.columns if c.startswith("preferredLabel")), "preferredLabel")
    table.require("conceptUri", label_column)
    for row in table.rows:
        uri = row["conceptUri"].strip()
        if uri and overlay.accepts(uri, source):
            overlay.add(uri, source, row[label_column])


def add_vdab_labels(overlay: LabelOverlay, path: Path, source: str) -> dict[str, int]:
    """VDAB competence names (Dutch) as alternative labels of exactly or closely matching ESCO skills.

    Returns the number of mapping rows per relation type, and how many were used.
    """
    what = "ESCO-VDAB competences mapping"
    required = ("Classification 1 URI", "Classification 2 PrefLabel NL", "Mapping Relation")
    table = read_delimited_file(path, what, delimiter=",", required=required)
    counts: dict[str, int] = {}
    for row in table.rows:
        relation = row["Mapping Relation"].strip()
        counts[relation] = counts.get(relation, 0) + 1
        if relation not in VDAB_LABEL_MATCHES:
            continue
        uri = row.get("Classification 1 URL", "").strip() or ESCO_SKILL_URI + row["Classification 1 URI"].strip()
        if overlay.accepts(uri, source):
            overlay.add(uri, source, row.get("Classification 1 PrefLabel", ""), [row["Classification 2 PrefLabel NL"]])
            counts["used"] = counts.get("used", 0) + 1
    return counts
