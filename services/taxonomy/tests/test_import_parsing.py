"""Fast unit tests of the importer's readers on small inline inputs (no shared data needed)."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import pytest
from overstap_bundle import LabelSet
from overstap_taxonomy.importer.errors import ImportInputError
from overstap_taxonomy.importer.esco import (
    EscoDownload,
    read_occupation_skills,
    read_records,
    read_skills_hierarchy,
    record_from_row,
)
from overstap_taxonomy.importer.labels import clean_text, label_set, split_labels
from overstap_taxonomy.importer.soc import read_soc2018, soc_level
from overstap_taxonomy.importer.tables import read_csv_text, read_delimited_file, sniff_delimiter

OCC = "http://data.europa.eu/esco/occupation/"

OCCUPATIONS_CSV = (
    "\ufeffconceptType,conceptUri,iscoGroup,preferredLabel,altLabels,hiddenLabels,description,code\n"
    f'Occupation,{OCC}1,5230,cashier,"supermarket cashier\nshop cashier\n",,"Cashiers operate\nthe till.",5230.1\n'
    f'Occupation,{OCC}2,8344,forklift operator,"lift truck driver | forklift driver",fork lift,,8344.1\n'
)


def test_split_labels_on_line_breaks_and_bars() -> None:
    assert split_labels("a\nb\r\nc\rd") == ("a", "b", "c", "d")
    assert split_labels("a | b |c") == ("a", "b |c")
    assert split_labels("one\ntwo | three") == ("one", "two", "three")


def test_split_labels_cleans_whitespace_and_drops_empties_and_duplicates() -> None:
    assert split_labels("  green\u00a0coffee  coordinator \n\n | a\na") == ("green coffee coordinator", "a")
    assert split_labels("") == ()
    assert split_labels(None) == ()
    assert split_labels("TCP|IP") == ("TCP|IP",)


def test_clean_text_normalises_line_breaks_and_trims() -> None:
    assert clean_text("  First line.\r\nSecond line.  \n\t") == "First line.\nSecond line."


def test_label_set_removes_preferred_and_case_duplicates() -> None:
    labels = label_set(" Cashier ", ["cashier", "Till operator", "till operator"], ["CASHIER", "kassa"])
    assert labels == LabelSet("Cashier", ("Till operator",), ("kassa",))


def test_csv_with_bom_and_multiline_cells() -> None:
    table = read_csv_text(OCCUPATIONS_CSV, "occupations_en.csv", "ESCO occupations")
    assert table.columns[0] == "conceptType"
    assert len(table.rows) == 2
    record = record_from_row(table.rows[0])
    assert record.alt == ("supermarket cashier", "shop cashier")
    assert record.description == "Cashiers operate\nthe till."
    assert record_from_row(table.rows[1]).alt == ("lift truck driver", "forklift driver")


def test_record_tolerates_missing_optional_columns() -> None:
    table = read_csv_text(f"conceptUri,preferredLabel\n{OCC}9,baker\n", "occupations_xx.csv", "ESCO occupations")
    record = record_from_row(table.rows[0])
    assert (record.uri, record.preferred, record.alt, record.code, record.isco_group) == (
        OCC + "9",
        "baker",
        (),
        "",
        "",
    )


def test_missing_required_column_names_the_file_and_columns() -> None:
    table = read_csv_text("conceptUri,label\nx,y\n", "skills_en.csv", "ESCO skills")
    with pytest.raises(ImportInputError, match=r"skills_en\.csv \(ESCO skills\): missing column\(s\) 'preferredLabel'"):
        table.require("conceptUri", "preferredLabel")


def test_missing_file_names_file_and_what_it_is(tmp_path: Path) -> None:
    with pytest.raises(ImportInputError, match=r"O\*NET job zones not found: .*nope\.txt"):
        read_delimited_file(tmp_path / "nope.txt", "O*NET job zones")


def test_sniff_delimiter() -> None:
    assert sniff_delimiter("a;b;c") == ";"
    assert sniff_delimiter("a\tb\tc") == "\t"
    assert sniff_delimiter("a,b") == ","


def test_header_found_below_metadata_lines(tmp_path: Path) -> None:
    path = tmp_path / "mapping.csv"
    path.write_text("Mapping project name,X,,\n,,,\nURI,Label,Relation,Note\nu1,l1,skos:exactMatch,\n", "utf-8")
    table = read_delimited_file(path, "mapping", delimiter=",", required=("URI", "Relation"))
    assert table.rows == [{"URI": "u1", "Label": "l1", "Relation": "skos:exactMatch", "Note": ""}]


def _write_download(folder: Path, language: str) -> None:
    (folder / f"occupations_{language}.csv").write_text(OCCUPATIONS_CSV, "utf-8")
    (folder / "occupationSkillRelations.csv").write_text(
        f"occupationUri,relationType,skillType,skillUri\n{OCC}1,essential,skill/competence,s1\n", "utf-8"
    )


def test_download_from_folder_detects_language_and_reads_by_name(tmp_path: Path) -> None:
    folder = tmp_path / "esco-v1.2.0-nl"
    folder.mkdir()
    _write_download(folder, "nl")
    download = EscoDownload([folder])
    assert (download.language, download.version) == ("nl", "1.2.0")
    assert set(read_records(download, "occupations", "occupations")) == {OCC + "1", OCC + "2"}
    assert read_occupation_skills(download)[0].relation == "essential"


def test_download_from_zip_with_subfolder(tmp_path: Path) -> None:
    folder = tmp_path / "src"
    folder.mkdir()
    _write_download(folder, "en")
    archive = tmp_path / "esco-v1.1.1-en-csv.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for f in folder.iterdir():
            zf.write(f, f"ESCO dataset - v1.1.1/{f.name}")
    download = EscoDownload([archive])
    assert download.language == "en"
    assert read_records(download, "occupations", "occupations")[OCC + "2"].hidden == ("fork lift",)
    assert download.used == {archive}


def test_download_missing_table_error(tmp_path: Path) -> None:
    _write_download(tmp_path, "en")
    with pytest.raises(ImportInputError, match=r"skills\.csv or skills_en\.csv \(ESCO skills\) not found"):
        EscoDownload([tmp_path]).table("skills", "ESCO skills")


def test_download_with_two_languages_needs_a_choice(tmp_path: Path) -> None:
    _write_download(tmp_path, "en")
    _write_download(tmp_path, "nl")
    with pytest.raises(ImportInputError, match="several languages"):
        EscoDownload([tmp_path])
    assert EscoDownload([tmp_path], language="nl").language == "nl"


def test_duplicate_rows_keep_the_latest_modified(tmp_path: Path) -> None:
    rows = [
        ["conceptUri", "preferredLabel", "modifiedDate"],
        [OCC + "1", "new", "2025-11-26T10:02:16Z"],
        [OCC + "1", "old", "2025-07-31T09:38:59Z"],
    ]
    with open(tmp_path / "occupations_nl.csv", "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    records = read_records(EscoDownload([tmp_path]), "occupations", "occupations")
    assert records[OCC + "1"].preferred == "new"


def test_skills_hierarchy_nodes_and_parents(tmp_path: Path) -> None:
    header = (
        "Level 0 URI,Level 0 preferred term,Level 1 URI,Level 1 preferred term,Description,Level 0 code,Level 1 code"
    )
    body = "u0,skills,,,Top.,S,\nu0,skills,u1,communication,Talking.,S,S1\n"
    (tmp_path / "skillsHierarchy_en.csv").write_text(f"{header}\n{body}", "utf-8")
    nodes = read_skills_hierarchy(EscoDownload([tmp_path]))
    assert (nodes["u0"].level, nodes["u0"].parent, nodes["u0"].description, nodes["u0"].code) == (0, "", "Top.", "S")
    assert (nodes["u1"].level, nodes["u1"].parent, nodes["u1"].description, nodes["u1"].code) == (
        1,
        "u0",
        "Talking.",
        "S1",
    )


def test_soc2018_structure_levels_and_broader(tmp_path: Path) -> None:
    path = tmp_path / "structure.csv"
    path.write_text(
        "Major Group,Minor Group,Broad Occupation,Detailed Occupation,Detailed O*NET-SOC,SOC or O*NET-SOC 2019 Title\n"
        "11-0000,,,,,Management Occupations\n,11-1000,,,,Top Executives\n,,11-1010,,,Chief Executives\n"
        ",,,11-1011,,Chief Executives\n,,,,11-1011.03,Chief Sustainability Officers\n,11-2000,,,,Advertising\n",
        "utf-8",
    )
    concepts = read_soc2018(path)
    assert sorted(concepts) == ["11-0000", "11-1000", "11-1010", "11-1011", "11-2000"]
    assert concepts["11-1011"].broader == ("soc2018:11-1010",)
    assert concepts["11-2000"].broader == ("soc2018:11-0000",)
    assert concepts["11-1010"].attributes == {"level": "broad"}
    assert [soc_level(c) for c in ("11-0000", "11-1000", "11-1010", "11-1011")] == [
        "major",
        "minor",
        "broad",
        "detailed",
    ]
