"""The matchmaking harness: metrics, baselines, the generator's affinity mode, a whole run."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest

from bench.baselines import rank_in_list, rank_of
from bench.generate import SIZES, Affinity, generate_workbook
from bench.matching import LEARNED, OURS, evaluate, report
from bench.metrics import paired_difference, summarise
from graph.bootstrap import load_with_ontology
from graph.embedded import EmbeddedStore
from loaders.source import read_source

REFERENCE = Path(__file__).resolve().parents[2] / "data" / "reference"


@pytest.fixture(scope="module")
def reference() -> EmbeddedStore:
    store = EmbeddedStore(None)
    load_with_ontology(store, read_source(REFERENCE, base=store.base))
    return store


def test_metrics_of_known_ranks() -> None:
    figures = summarise({"m": [1.0, 2.0, 10.0, 11.0]}, rounds=200)["m"]
    assert figures["recall@5"].mean == pytest.approx(0.5)
    assert figures["recall@10"].mean == pytest.approx(0.75)
    assert figures["MRR"].mean == pytest.approx((1 + 1 / 2 + 1 / 10 + 1 / 11) / 4)
    ndcg = (1 + 1 / math.log2(3) + 1 / math.log2(11)) / 4
    assert figures["nDCG@10"].mean == pytest.approx(ndcg)
    for estimate in figures.values():
        assert estimate.low <= estimate.mean <= estimate.high
    same = paired_difference([1.0, 20.0, 3.0], [1.0, 20.0, 3.0])
    assert (same.low, same.mean, same.high) == (0, 0, 0)


def test_ties_are_broken_at_random_never_by_key() -> None:
    universe = [f"o{i:03d}" for i in range(100)]
    # everyone ties: the rank is anywhere, not the key's position
    ranks = {rank_of("o000", {}, universe, (), seed) for seed in range(40)}
    assert len(ranks) > 10 and max(ranks) > 50
    assert rank_of("o050", {"o050": 2.0, "o001": 3.0}, universe, (), 0) == 2
    assert rank_of("o050", {"o050": 2.0, "o001": 3.0}, universe, ("o001",), 0) == 1
    assert rank_in_list("b", ["a", "b"], 100, 0) == 2
    missing = rank_in_list("z", ["a", "b"], 100, 0)
    assert 3 <= missing <= 100


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_affinity_teams_share_topics_uniform_ones_do_not(tmp_path: Path) -> None:
    def shared(workbook: Path) -> float:
        topics = {
            r["id"]: set(r["topics"].split(";")) for r in _rows(workbook / "organisations.csv")
        }
        wanted = {
            r["code"]: set(r["topics"].split(";")) for r in _rows(workbook / "activities.csv")
        }
        hits = seats = 0
        for project in _rows(workbook / "projects.csv"):
            asked = set().union(*(wanted[a] for a in project["activities"].split(";")))
            for partner in filter(None, project["partners"].split(";")):
                seats += 1
                hits += bool(topics[partner] & asked)
        return hits / seats

    generate_workbook(SIZES["XS"], tmp_path / "uniform")
    generate_workbook(SIZES["XS"], tmp_path / "again")
    generate_workbook(
        SIZES["XS"], tmp_path / "affinity", affinity=Affinity(topic=0.8, region=0, past=0)
    )
    for name in ("projects.csv", "organisations.csv"):
        assert (tmp_path / "uniform" / name).read_bytes() == (
            tmp_path / "again" / name
        ).read_bytes()
    assert shared(tmp_path / "affinity") > shared(tmp_path / "uniform") + 0.2
    with pytest.raises(ValueError, match="add up"):
        Affinity(topic=0.8, region=0.3, past=0)
    assert Affinity.parse("topic=0.2,past=0.5") == Affinity(topic=0.2, region=0.15, past=0.5)


def test_a_whole_run_on_the_reference_data(reference: EmbeddedStore) -> None:
    tasks = evaluate(reference, cases=40, seed=5)
    assert [t.name for t in tasks] == ["activity", "project"]
    figures = report(tasks, seed=5)
    for task in tasks:
        data = figures[task.name]
        assert data["cases"] == len(task.cases) > 0
        methods = set(data["metrics"])
        assert {OURS, LEARNED, "random", "popularity", "shared topics"} <= methods
        assert {"common neighbours", "Adamic-Adar"} <= methods
        organisations = 100  # at most: ranks stay within the list of organisations
        assert all(1 <= r <= organisations for rs in task.ranks.values() for r in rs)
        assert data["fit"]["fitted"] is False  # the reference history is thin
    ours = figures["project"]["metrics"][OURS]["recall@10"]["mean"]
    chance = figures["project"]["metrics"]["random"]["recall@10"]["mean"]
    assert ours > chance


def test_kept_figures_become_a_section_of_the_results(
    reference: EmbeddedStore, tmp_path: Path
) -> None:
    from bench.report import _matching_section

    figures = report(evaluate(reference, cases=20, seed=2), seed=2)
    record = {"label": "reference", "about": "the reference workbook", "figures": figures}
    (tmp_path / "matching-reference.json").write_text(json.dumps(record), encoding="utf-8")
    text = "\n".join(_matching_section(tmp_path))
    assert "### reference" in text and "**project** task" in text
    assert "| Adamic-Adar |" in text and "hand-set weights" in text


def test_latency_times_both_questions(reference: EmbeddedStore) -> None:
    from bench.matching import latency

    figures = latency(reference, keys=3)
    for name in ("candidates-for-activity", "candidates-for-project"):
        assert 0 < figures[name]["median ms"] <= figures[name]["max ms"]
    assert figures["fit activity s"] >= 0 and figures["projections s"] >= 0
