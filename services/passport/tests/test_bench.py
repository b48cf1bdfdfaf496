"""The benchmark itself, on a tiny scale: it starts the real service, drives it from client processes, and reports
what the README's figures are made of."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from overstap_passport.bench import percentiles, run
from overstap_passport.cli import app
from typer.testing import CliRunner


def test_percentiles() -> None:
    figures = percentiles([i / 1000 for i in range(1, 101)])
    assert figures["p50_ms"] == 51.0 and figures["p99_ms"] == 99.0 and figures["max_ms"] == 100.0


@pytest.mark.slow
async def test_bench_runs_end_to_end(postgres_url: str) -> None:
    result = await run(
        database_url=postgres_url, skills=5, reads=20, write_rate=20, write_seconds=1.5, writers=4,
        client_processes=2, log=lambda _: None,
    )  # fmt: skip
    assert result["read_200_skill_passport"]["skills"] == 5
    assert result["read_200_skill_passport_cold"]["count"] == 20
    after_change = result["read_200_skill_passport_after_change"]
    assert after_change["count"] == 20 and after_change["skills"][0] >= 5 and after_change["p99_ms"] > 0
    sustained = result["writes_sustained"]
    assert sustained["errors"] == 0 and sustained["writes"] > 0 and sustained["client_processes"] == 2
    assert sustained["load_average_before"] and result["writes_ceiling"]["errors"] == 0
    assert set(result["targets"]) == {
        "cold_read_p99_under_5_ms", "read_after_change_p99_under_5_ms", "cached_read_p99_under_5_ms",
        "writes_300_per_s_without_errors",
    }  # fmt: skip


def test_bench_command_writes_its_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async def fake_run(**kwargs: object) -> dict[str, object]:
        return {"bench": "passport", "settings": {k: v for k, v in kwargs.items() if k != "log"}}

    monkeypatch.setattr("overstap_passport.bench.run", fake_run)
    out = tmp_path / "results" / "passport.json"
    reply = CliRunner().invoke(app, ["bench", "--reads", "10", "--client-processes", "3", "--output", str(out)])
    assert reply.exit_code == 0, reply.output
    assert json.loads(out.read_text())["settings"]["client_processes"] == 3
    assert json.loads(reply.output.strip().splitlines()[-1])["bench"] == "passport"
