"""Runs the README's newcomer's walk, line for line, against the stack on real processes."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from overstap_cli.stack import Stack, default_services, free_port

pytestmark = pytest.mark.slow

README = Path(__file__).resolve().parent.parent / "README.md"


def walk_script() -> str:
    text = README.read_text()
    section = text.split("## A newcomer's walk", 1)[1]
    match = re.search(r"```bash\n(.*?)```", section, re.DOTALL)
    assert match, "the README has no newcomer's walk"
    return match.group(1)


def test_the_readme_walk_runs(tmp_path: Path) -> None:
    ports = {name: free_port() for name in ("gateway", "taxonomy", "passport", "matcher", "vacancy")}
    services = default_services(
        {"OVERSTAP_LOG_LEVEL": "WARNING"},
        gateway_port=ports["gateway"],
        taxonomy_port=ports["taxonomy"],
        passport_port=ports["passport"],
        matcher_port=ports["matcher"],
        vacancy_port=ports["vacancy"],
        var_dir=tmp_path,
    )
    script = walk_script().replace("http://localhost:8000", f"http://127.0.0.1:{ports['gateway']}")
    env = {**os.environ, "OVERSTAP_GATEWAY_DEV_KEYS_DIR": str(tmp_path / "dev-keys")}
    with Stack(services):
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            capture_output=True,
            text=True,
            timeout=300,
            env=env,
            cwd=README.parent,
        )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.split()
    assert lines[-2:] == ["found", "gone"], result.stdout
    assert "U heeft" in result.stdout
