"""Where the importer finds its inputs: the shared data folder next to the repository, file by file."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path

DATA_DIR_ENV = "OVERSTAP_SHARED_DATA"
WORKSPACE_MARKER = "[tool.uv.workspace]"


def repository_root(start: Path | None = None) -> Path:
    """The uv workspace root above ``start`` (this file by default)."""
    here = (start or Path(__file__)).resolve()
    for folder in here.parents:
        project = folder / "pyproject.toml"
        if project.is_file() and WORKSPACE_MARKER in project.read_text(encoding="utf-8"):
            return folder
    raise RuntimeError(f"no uv workspace root (pyproject.toml with {WORKSPACE_MARKER}) above {here}")


def default_data_dir() -> Path:
    """``$OVERSTAP_SHARED_DATA`` if set, else ``../shared/data`` relative to the repository root."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override)
    return repository_root().parent / "shared" / "data"


@dataclass(frozen=True, slots=True)
class ImportPaths:
    """Every input of the import. ``esco`` lists ESCO downloads (zips or folders) read together."""

    data_dir: Path
    esco: tuple[Path, ...]
    esco_nl: Path
    esco_nl_labels: Path
    vdab_mapping: Path
    onet: Path
    onet_skills: Path
    esco_onet_crosswalk: Path
    isco_soc_crosswalk: Path
    onet_soc2010: Path
    onet_2010_2019: Path
    soc2019_structure: Path
    brc2014: Path
    isco_brc_crosswalk: Path
    nesta_crosswalk: Path | None

    @classmethod
    def under(cls, data_dir: Path) -> ImportPaths:
        """The layout of the shared data folder (see its SOURCES.md)."""
        d = data_dir
        return cls(
            data_dir=d,
            esco=(d / "esco" / "v1.1.1",),
            esco_nl=d / "esco" / "v1.2-nl",
            esco_nl_labels=d / "esco" / "esco-skills-nl-labels-v1.0.3.csv",
            vdab_mapping=d / "esco" / "vdab-competent-nl" / "esco-vdab-competences-mapping-dev.csv",
            onet=d / "onet" / "29.1",
            onet_skills=d / "onet" / "29.1-xlsx" / "Skills.xlsx",
            esco_onet_crosswalk=d / "crosswalks" / "ESCO_to_ONET-SOC.xlsx",
            isco_soc_crosswalk=d / "crosswalks" / "ISCO_SOC_Crosswalk.xls",
            onet_soc2010=d / "crosswalks" / "ONET_to_US2010SOC.xlsx",
            onet_2010_2019=d / "crosswalks" / "onet-soc-2010-to-2019.csv",
            soc2019_structure=d / "crosswalks" / "onet-soc-2019-structure.csv",
            brc2014=d / "cbs" / "brc2014.xls",
            isco_brc_crosswalk=d / "cbs" / "brc2014_isco08_brc_crosswalk.csv",
            nesta_crosswalk=d / "crosswalks" / "nesta-career-causeways" / "esco_onet_crosswalk_Nov2020.csv",
        )

    def with_overrides(self, **overrides: object) -> ImportPaths:
        """Replace the paths given (``None`` values are ignored, except ``nesta_crosswalk=False`` to skip it)."""
        names = {f.name for f in fields(self)}
        unknown = set(overrides) - names
        if unknown:
            raise TypeError(f"unknown input(s): {', '.join(sorted(unknown))}")
        changes = {k: v for k, v in overrides.items() if v is not None}
        if changes.get("nesta_crosswalk") is False:
            changes["nesta_crosswalk"] = None
        return replace(self, **changes)  # type: ignore[arg-type]

    def display(self, path: Path) -> str:
        """A path as written into the manifest: relative to the data folder when inside it (no machine paths)."""
        try:
            return path.resolve().relative_to(self.data_dir.resolve()).as_posix()
        except ValueError:
            return path.name
