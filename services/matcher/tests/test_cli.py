"""The CLI on a tiny bundle: metrics lines, then one JSON object as the last line."""

from __future__ import annotations

import json
from pathlib import Path

from overstap_bundle import write_bundle
from overstap_matcher.cli import app
from overstap_matcher.testing import ESCO_OCCUPATION, ESCO_SKILL, tiny_bundle
from typer.testing import CliRunner


def test_eval_matching_prints_json_last(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle.json.gz"
    write_bundle(tiny_bundle(), bundle)
    queries = tmp_path / "q.jsonl"
    rows = [
        {"id": "a", "occupations": [f"{ESCO_OCCUPATION}0"], "relevant": {f"{ESCO_OCCUPATION}1": 3}, "exclude": []},
        {"id": "b", "skills": [f"{ESCO_SKILL}c"], "relevant": {f"{ESCO_OCCUPATION}2": 1}, "exclude": []},
    ]
    queries.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    result = CliRunner().invoke(app, ["eval-matching", str(queries), "--bundle", str(bundle)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert any(line.startswith("reference: idf cosine") for line in lines)
    last = json.loads(lines[-1])
    assert set(last) == {"ndcg@10", "mrr", "recall@20", "queries"} and last["queries"] == 2
    assert 0.0 <= last["ndcg@10"] <= 1.0


def test_bench_reports_percentiles(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle.json.gz"
    write_bundle(tiny_bundle(), bundle)
    queries = tmp_path / "q.jsonl"
    queries.write_text(json.dumps({"id": "a", "skills": [f"{ESCO_SKILL}a"], "relevant": {}, "exclude": []}) + "\n")
    args = ["bench", "--file", str(queries), "--bundle", str(bundle), "--persons", "1", "--repeat", "2", "--k", "2"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    last = json.loads(result.stdout.strip().splitlines()[-1])
    assert last["rankings"] == 2 and last["p99_ms"] >= last["p50_ms"] > 0


def test_bench_vacancies_reports_percentiles_and_change_costs(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle.json.gz"
    write_bundle(tiny_bundle(), bundle)
    queries = tmp_path / "q.jsonl"
    rows = [
        {"id": "a", "skills": [f"{ESCO_SKILL}a"], "relevant": {}, "exclude": []},
        {"id": "b", "occupations": [f"{ESCO_OCCUPATION}0"], "relevant": {}, "exclude": []},
    ]
    queries.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    args = ["bench-vacancies", "--bundle", str(bundle), "--file", str(queries), "--vacancies", "40"]
    args += ["--persons", "2", "--repeat", "2", "--upserts", "10", "--k", "3"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    last = json.loads(result.stdout.strip().splitlines()[-1])
    assert last["vacancies"] == 40 and last["rankings"] == 4 and last["upserts"] == 10
    assert last["p99_ms"] >= last["p50_ms"] > 0 and last["build_s"] > 0 and last["upsert_mean_us"] > 0
