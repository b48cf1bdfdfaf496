"""`overstap taxonomy import`: error handling without the shared data."""

from __future__ import annotations

from pathlib import Path

from overstap_taxonomy.cli import app
from typer.testing import CliRunner


def test_missing_data_folder_names_the_file_and_what_it_is(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder"
    result = CliRunner().invoke(app, ["import", "--data-dir", str(missing), "--output", str(tmp_path / "b.json.gz")])
    assert result.exit_code == 2
    assert "ESCO CSV download (zip or extracted folder) not found" in result.output
    assert str(missing / "esco" / "v1.1.1") in result.output
    assert "pass --data-dir" in result.output
    assert not (tmp_path / "b.json.gz").exists()


def test_incomplete_esco_download_is_reported(tmp_path: Path) -> None:
    esco = tmp_path / "esco"
    esco.mkdir()
    (esco / "occupations_en.csv").write_text("conceptUri,preferredLabel\n", "utf-8")
    result = CliRunner().invoke(app, ["import", "--data-dir", str(tmp_path), "--esco", str(esco), "--check"])
    assert result.exit_code == 2
    assert "table skills.csv or skills_en.csv (ESCO skills) not found" in result.output
