"""`overstap taxonomy ...` commands."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Taxonomy bundle: import from the official downloads, inspect.", no_args_is_help=True)

_INPUTS = "Inputs (default: under --data-dir)"


def _path_option(help_text: str) -> object:
    return typer.Option(help=help_text, rich_help_panel=_INPUTS, show_default=False)


@app.command("info")
def info() -> None:
    """Print the version and counts of the bundle in use."""
    from overstap_bundle import default_bundle_path, load_bundle

    bundle = load_bundle(default_bundle_path())
    typer.echo(
        f"version {bundle.version}: {len(bundle.concepts)} concepts, "
        f"{len(bundle.occupation_skills)} occupation-skill relations, {len(bundle.mappings)} mappings"
    )


@app.command("import")
def import_(
    data_dir: Annotated[
        Path | None,
        typer.Option(
            help="Root of the shared data folder (default: $OVERSTAP_SHARED_DATA, else ../shared/data "
            "next to the repository)",
            show_default=False,
        ),
    ] = None,
    esco: Annotated[
        list[Path] | None,
        _path_option(
            "ESCO CSV download(s) defining the concepts: zip(s) or folder(s), any version and language; repeat for "
            "the classification and relations zips (default: esco/v1.1.1)"
        ),
    ] = None,
    esco_nl: Annotated[
        Path | None, _path_option("ESCO Dutch CSV download (zip or folder) (default: esco/v1.2-nl)")
    ] = None,
    esco_nl_labels: Annotated[
        Path | None, _path_option("Dutch ESCO v1.0.3 skill labels CSV (default: esco/esco-skills-nl-labels-v1.0.3.csv)")
    ] = None,
    vdab_mapping: Annotated[
        Path | None,
        _path_option(
            "ESCO-VDAB competences mapping CSV (default: esco/vdab-competent-nl/esco-vdab-competences-mapping-dev.csv)"
        ),
    ] = None,
    onet: Annotated[
        Path | None, _path_option("O*NET database folder (tab-separated .txt) (default: onet/29.1)")
    ] = None,
    onet_skills: Annotated[Path | None, _path_option("O*NET Skills.xlsx (default: onet/29.1-xlsx/Skills.xlsx)")] = None,
    esco_onet_crosswalk: Annotated[
        Path | None,
        _path_option("O*NET Center ESCO to O*NET-SOC 2019 crosswalk (default: crosswalks/ESCO_to_ONET-SOC.xlsx)"),
    ] = None,
    isco_soc_crosswalk: Annotated[
        Path | None, _path_option("BLS ISCO-08 / SOC 2010 crosswalk (default: crosswalks/ISCO_SOC_Crosswalk.xls)")
    ] = None,
    onet_soc2010: Annotated[
        Path | None, _path_option("O*NET-SOC 2010 to SOC 2010 crosswalk (default: crosswalks/ONET_to_US2010SOC.xlsx)")
    ] = None,
    onet_2010_2019: Annotated[
        Path | None, _path_option("O*NET-SOC 2010 to 2019 crosswalk (default: crosswalks/onet-soc-2010-to-2019.csv)")
    ] = None,
    soc2019_structure: Annotated[
        Path | None,
        _path_option("O*NET-SOC 2019 structure (SOC 2018 groups) (default: crosswalks/onet-soc-2019-structure.csv)"),
    ] = None,
    brc2014: Annotated[Path | None, _path_option("CBS BRC 2014 workbook (default: cbs/brc2014.xls)")] = None,
    isco_brc_crosswalk: Annotated[
        Path | None, _path_option("CBS ISCO-08 to BRC 2014 table (default: cbs/brc2014_isco08_brc_crosswalk.csv)")
    ] = None,
    nesta_crosswalk: Annotated[
        Path | None,
        _path_option(
            "Nesta ESCO to O*NET-SOC 2010 crosswalk "
            "(default: crosswalks/nesta-career-causeways/esco_onet_crosswalk_Nov2020.csv)"
        ),
    ] = None,
    nesta: Annotated[bool, typer.Option(help="Include Nesta's ESCO to O*NET-SOC 2010 crosswalk.")] = True,
    output: Annotated[
        Path | None,
        typer.Option(
            help="Bundle file to write (default: the committed bundle of overstap-taxonomy-bundle)", show_default=False
        ),
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Build in memory; exit 1 if it differs from --output; write nothing.")
    ] = False,
) -> None:
    """Build the taxonomy bundle from the official downloads and print the import summary."""
    from overstap_bundle.io import default_bundle_path, write_bundle

    from overstap_taxonomy.importer import ImportInputError, ImportPaths, build_bundle, default_data_dir
    from overstap_taxonomy.importer.check import compare_with_file
    from overstap_taxonomy.importer.report import summary

    root = data_dir or default_data_dir()
    paths = ImportPaths.under(root).with_overrides(
        esco=tuple(esco) if esco else None,
        esco_nl=esco_nl,
        esco_nl_labels=esco_nl_labels,
        vdab_mapping=vdab_mapping,
        onet=onet,
        onet_skills=onet_skills,
        esco_onet_crosswalk=esco_onet_crosswalk,
        isco_soc_crosswalk=isco_soc_crosswalk,
        onet_soc2010=onet_soc2010,
        onet_2010_2019=onet_2010_2019,
        soc2019_structure=soc2019_structure,
        brc2014=brc2014,
        isco_brc_crosswalk=isco_brc_crosswalk,
        nesta_crosswalk=nesta_crosswalk if nesta else False,
    )
    target = output or default_bundle_path()
    started = time.perf_counter()
    try:
        bundle = build_bundle(paths)
    except ImportInputError as exc:
        typer.echo(f"error: {exc}", err=True)
        if not root.is_dir():
            typer.echo(
                f"note: the data folder {root} does not exist; pass --data-dir or set $OVERSTAP_SHARED_DATA", err=True
            )
        raise typer.Exit(2) from None
    typer.echo(summary(bundle))
    typer.echo(f"Built in {time.perf_counter() - started:.1f} s")
    if check:
        result = compare_with_file(bundle, target)
        typer.echo(result.message, err=not result.same)
        raise typer.Exit(0 if result.same else 1)
    write_bundle(bundle, target)
    typer.echo(f"Wrote {target} ({target.stat().st_size / 1e6:.1f} MB)")
