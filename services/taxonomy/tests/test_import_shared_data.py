"""The importer against the real downloads in ../shared/data (skipped when that folder is absent)."""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from overstap_bundle import Concept, ConceptType, MatchType, Relation, TaxonomyBundle, load_bundle
from overstap_bundle.io import content_digest, default_bundle_path
from overstap_taxonomy.cli import app
from overstap_taxonomy.importer import ImportPaths, build_bundle, default_data_dir
from overstap_taxonomy.importer.esco import EscoDownload, read_esco
from typer.testing import CliRunner

DATA = default_data_dir()
pytestmark = [
    pytest.mark.shared_data,
    pytest.mark.skipif(
        not DATA.is_dir(),
        reason=f"shared data folder {DATA} not found (../shared/data next to the repository, or "
        "$OVERSTAP_SHARED_DATA): the importer tests need the official downloads",
    ),
]

OCC = "http://data.europa.eu/esco/occupation/"
SKILL = "http://data.europa.eu/esco/skill/"
ISCO = "http://data.europa.eu/esco/isco/C"
CASHIER = OCC + "2b871272-bd61-4206-bd1a-0b96d7023098"
HASKELL = SKILL + "000f1d3d-220f-4789-9c0a-cc742521fb02"
ADVISE_OTHERS = SKILL + "045f71e6-0699-4169-8a54-9c6b96f3174d"  # v1.2: anderen adviseren; v1.0.3 differs
DIPLOMATIC_PRINCIPLES = SKILL + "0023e7a5-43da-4b68-bee3-726ef21f986d"  # Dutch only in the v1.0.3 list
ANIMAL_PHYSIOLOGY = SKILL + "60e0ed61-6340-4372-984a-416d1fe0010c"  # VDAB exactMatch "Dierlijke fysiologie"
PROTECTED_AREAS = SKILL + "e2bb641f-f647-4229-a48e-9a5ef3526c23"  # VDAB narrowMatch only
DIGITAL_DATA_PROCESSING = SKILL + "629685b8-5f9e-4522-8cff-b3e2c4ec625a"  # empty skillType


@pytest.fixture(scope="module")
def bundle() -> TaxonomyBundle:
    return build_bundle(ImportPaths.under(DATA))


@pytest.fixture(scope="module")
def concepts(bundle: TaxonomyBundle) -> dict[str, Concept]:
    return {c.id: c for c in bundle.concepts}


def _types(bundle: TaxonomyBundle) -> Counter[ConceptType]:
    return Counter(c.type for c in bundle.concepts)


def _mapping(bundle: TaxonomyBundle, source: str, target: str) -> tuple[MatchType, str]:
    found = [(m.match, m.provenance) for m in bundle.mappings if m.source_id == source and m.target_id == target]
    assert len(found) == 1, found
    return found[0]


def test_esco_counts(bundle: TaxonomyBundle) -> None:
    types = _types(bundle)
    assert types[ConceptType.OCCUPATION] == 3007
    assert types[ConceptType.SKILL] + types[ConceptType.KNOWLEDGE] == 13896
    assert types[ConceptType.KNOWLEDGE] == 3059
    assert types[ConceptType.ISCO_GROUP] == 619
    assert types[ConceptType.SKILL_GROUP] == 647  # 640 skill groups + 7 nodes only in the skills hierarchy
    relations = Counter(r.relation for r in bundle.occupation_skills)
    assert len(bundle.occupation_skills) == 123855
    assert relations == {Relation.ESSENTIAL: 64946, Relation.OPTIONAL: 58909}


def test_esco_occupation(concepts: dict[str, Concept]) -> None:
    cashier = concepts[CASHIER]
    assert cashier.code == "5230.1"
    assert cashier.attributes == {"isco_code": "5230"}
    assert cashier.labels["en"].preferred == "cashier"
    assert "supermarket cashier" in cashier.labels["en"].alt
    assert cashier.broader == (ISCO + "5230",)
    assert cashier.descriptions["en"].startswith("Cashiers operate")


def test_esco_skills_and_groups(concepts: dict[str, Concept]) -> None:
    haskell = concepts[HASKELL]
    assert haskell.type is ConceptType.KNOWLEDGE
    assert haskell.attributes == {
        "skill_type": "knowledge",
        "reuse_level": "sector-specific",
        "collections": ["digital"],
    }
    assert ISCO not in "".join(haskell.broader)
    assert "http://data.europa.eu/esco/isced-f/0613" in haskell.broader
    untyped = concepts[DIGITAL_DATA_PROCESSING]
    assert untyped.type is ConceptType.SKILL and untyped.attributes["skill_type"] == ""
    isced = concepts["http://data.europa.eu/esco/isced-f/0613"]
    assert (isced.type, isced.code, isced.broader) == (
        ConceptType.SKILL_GROUP,
        "0613",
        ("http://data.europa.eu/esco/isced-f/061",),
    )


def test_isco_groups(concepts: dict[str, Concept]) -> None:
    groups = [c for c in concepts.values() if c.type is ConceptType.ISCO_GROUP]
    assert Counter(c.attributes["level"] for c in groups) == {1: 10, 2: 43, 3: 130, 4: 436}
    unit = concepts[ISCO + "5230"]
    assert (unit.code, unit.attributes, unit.broader) == ("5230", {"code": "5230", "level": 4}, (ISCO + "523",))
    assert unit.labels["nl"].preferred == "Kassabedienden en kaartverkopers"


def test_dutch_occupation_labels(concepts: dict[str, Concept]) -> None:
    nl = concepts[CASHIER].labels["nl"]
    assert nl.preferred == "kassamedewerker"
    assert {"kassamedewerkster", "caissière"} <= set(nl.alt)
    assert "caissiere" in nl.hidden
    assert concepts[CASHIER].descriptions["nl"].startswith("Kassamedewerkers")


def test_dutch_skill_label_sources(concepts: dict[str, Concept]) -> None:
    assert concepts[HASKELL].labels["nl"].preferred == "Haskell"
    assert concepts[HASKELL].descriptions["nl"].startswith("De technieken")
    advise = concepts[ADVISE_OTHERS].labels["nl"]
    assert advise.preferred == "anderen adviseren"  # the v1.2 label wins
    assert "advies aan anderen geven" in advise.alt  # the v1.0.3 label stays as an alternative
    assert concepts[DIPLOMATIC_PRINCIPLES].labels["nl"].preferred == "diplomatieke beginselen toepassen"
    physiology = concepts[ANIMAL_PHYSIOLOGY].labels["nl"]
    assert (physiology.preferred, "Dierlijke fysiologie" in physiology.alt) == ("fysiologie van dieren", True)
    protected = concepts[PROTECTED_AREAS].labels["nl"]
    assert "Reglementering van beschermde gebieden en soorten" not in protected.alt


def test_label_coverage_in_manifest(bundle: TaxonomyBundle) -> None:
    coverage = bundle.manifest["label_coverage"]
    assert coverage["occupations"]["nl"]["preferred"] == 3004  # 3 v1.1.1 occupations are not in v1.2
    assert coverage["skills"]["en"]["preferred"] == 13896
    assert coverage["skills"]["nl"]["preferred"] >= 6900
    assert coverage["isco_groups"]["nl"]["preferred"] == 619
    ignored = bundle.manifest["dutch_labels"]["ignored_not_in_main_esco"]
    assert ignored["esco-nl:occupations"] == 35  # v1.2-only occupations


def test_onet(bundle: TaxonomyBundle, concepts: dict[str, Concept]) -> None:
    types = _types(bundle)
    assert (types[ConceptType.ONET_OCCUPATION], types[ConceptType.ONET_SKILL]) == (1016, 35)
    ceo = concepts["onet:11-1011.00"]
    assert (ceo.code, ceo.labels["en"].preferred, ceo.attributes["job_zone"]) == ("11-1011.00", "Chief Executives", 5)
    assert "CEO (Chief Executive Officer)" in ceo.labels["en"].alt  # a reported title
    reading = concepts["onet-skill:2.A.1.a"]
    assert (reading.labels["en"].preferred, reading.attributes["category"]) == ("Reading Comprehension", "Content")
    assert len(bundle.onet_skill_ratings) == 879 * 35
    key = ("onet:11-1011.00", "onet-skill:2.A.1.a")
    rating = next(r for r in bundle.onet_skill_ratings if (r.onet_id, r.skill_id) == key)
    assert (rating.importance, rating.level) == (4.12, 4.62)


def test_soc_and_brc(bundle: TaxonomyBundle, concepts: dict[str, Concept]) -> None:
    soc2018 = [c for c in bundle.concepts if c.type is ConceptType.SOC_2018]
    assert Counter(c.attributes["level"] for c in soc2018) == {"major": 23, "minor": 98, "broad": 459, "detailed": 867}
    assert concepts["soc2018:11-1011"].broader == ("soc2018:11-1010",)
    assert concepts["soc2010:11-1011"].labels["en"].preferred == "Chief Executives"
    brc = [c for c in bundle.concepts if c.type is ConceptType.BRC_GROUP]
    assert Counter(c.attributes["level"] for c in brc) == {
        "beroepsklasse": 13,
        "beroepssegment": 41,
        "beroepsgroep": 114,
    }
    militairen = concepts["brc2014:0634"]
    assert (militairen.labels["nl"].preferred, militairen.broader) == ("Militaire beroepen", ("brc2014:063",))
    assert concepts["brc2014:063"].broader == ("brc2014:06",)


def test_crosswalks_and_match_types(bundle: TaxonomyBundle) -> None:
    assert _mapping(bundle, CASHIER, ISCO + "5230") == (MatchType.BROAD, "esco")
    assert _mapping(bundle, CASHIER, "onet:41-2011.00") == (MatchType.BROAD, "onet-esco")
    assert _mapping(bundle, ISCO + "5230", "soc2010:41-2011") == (MatchType.NARROW, "bls-isco-soc2010")
    assert _mapping(bundle, "onet2010:11-1011.00", "onet:11-1011.00") == (MatchType.EXACT, "onet-soc-2010-2019")
    assert _mapping(bundle, "onet2010:11-1011.03", "soc2010:11-1011") == (MatchType.BROAD, "onet-soc2010")
    assert _mapping(bundle, "onet2010:11-1011.00", "soc2010:11-1011") == (MatchType.EXACT, "onet-soc2010")
    assert _mapping(bundle, "onet:11-1011.00", "soc2018:11-1011") == (MatchType.EXACT, "onet-soc-2019-structure")
    assert _mapping(bundle, "onet:11-1011.03", "soc2018:11-1011") == (MatchType.BROAD, "onet-soc-2019-structure")
    assert _mapping(bundle, ISCO + "5230", "brc2014:0333") == (MatchType.EXACT, "cbs-brc2014")
    assert _mapping(bundle, ISCO + "1", "brc2014:0551") == (MatchType.RELATED, "cbs-brc2014")  # "Managers z.n.d."
    assert _mapping(bundle, CASHIER, "onet2010:41-2011.00") == (MatchType.BROAD, "nesta-esco-onet2010")
    by_provenance: dict[str, set[MatchType]] = {}
    for m in bundle.mappings:
        by_provenance.setdefault(m.provenance, set()).add(m.match)
    assert by_provenance == {
        "esco": {MatchType.BROAD},
        "onet-esco": {MatchType.CLOSE, MatchType.BROAD, MatchType.NARROW, MatchType.RELATED},
        "bls-isco-soc2010": {MatchType.EXACT, MatchType.BROAD, MatchType.NARROW, MatchType.RELATED},
        "onet-soc-2010-2019": {MatchType.EXACT, MatchType.CLOSE, MatchType.BROAD, MatchType.NARROW, MatchType.RELATED},
        "onet-soc2010": {MatchType.EXACT, MatchType.BROAD},
        "onet-soc-2019-structure": {MatchType.EXACT, MatchType.BROAD},
        "cbs-brc2014": {MatchType.EXACT, MatchType.BROAD, MatchType.RELATED},
        "nesta-esco-onet2010": {MatchType.CLOSE, MatchType.BROAD, MatchType.RELATED},
    }
    counts = bundle.manifest["counts"]
    assert counts["mappings.esco"] == 3007
    assert counts["mappings.onet-soc-2019-structure"] == 1016
    assert counts["mappings.onet-esco"] > 8500


def test_mapping_ends_and_provenance_are_known(bundle: TaxonomyBundle, concepts: dict[str, Concept]) -> None:
    sources = bundle.manifest["sources"]
    for m in bundle.mappings:
        assert m.provenance in sources
        for end in (m.source_id, m.target_id):
            assert end in concepts or end.startswith("onet2010:"), end
    for key, source in sources.items():
        assert re.fullmatch(r"[0-9a-f]{64}", source["sha256"]), key
        assert source["licence"] and source["attribution"] and source["files"], key
    assert all(not Path(name).is_absolute() for s in sources.values() for name in s["files"])


def test_version_is_deterministic(bundle: TaxonomyBundle) -> None:
    digest = content_digest(bundle)
    assert bundle.version == f"esco-1.1.1+nl-1.2_onet-29.1_{digest[:10]}"
    assert bundle.manifest["versions"] == {"esco": "1.1.1", "esco_nl": "1.2", "onet": "29.1"}


def test_extracted_folder_reads_like_the_zips(tmp_path: Path) -> None:
    zips = sorted((DATA / "esco" / "v1.1.1").glob("*.zip"))
    for archive in zips:
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(tmp_path / archive.stem)
    from_zips = read_esco(EscoDownload(zips))
    from_folder = read_esco(EscoDownload([tmp_path]))
    assert from_folder == from_zips


@pytest.mark.slow
def test_committed_bundle_equals_a_rebuild() -> None:
    """`overstap taxonomy import --check`: the committed bundle is exactly what the importer builds."""
    result = CliRunner().invoke(app, ["import", "--data-dir", str(DATA), "--check"])
    assert result.exit_code == 0, result.output
    assert "is up to date" in result.output


def test_committed_bundle_loads(bundle: TaxonomyBundle) -> None:
    committed = load_bundle(default_bundle_path())
    assert committed.manifest["counts"] == bundle.manifest["counts"]
