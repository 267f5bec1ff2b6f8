"""`sic load` on IATI files and `sic reconcile`: proposals listed, accepted, rejected."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from api.cli import app

DATA = Path(__file__).resolve().parents[1] / "data" / "iati"
runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_load_recognises_iati_and_says_what_it_kept_out(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    code, out = run("load", "--store", store, str(DATA / "mapping-v2.xml"))
    assert code == 0, out
    assert "loaded mapping-v2" in out
    assert "1 × a transaction of zero or negative value: not kept" in out
    code, out = run(
        "sparql", "--store", store, "--format", "csv",
        "SELECT ?p FROM <https://w3id.org/4p1000/graph/sources> "
        "WHERE { ?s <http://purl.org/dc/terms/publisher> ?p }",
    )  # fmt: skip
    assert code == 0, out
    assert "Inter-American Foundation (US-GOV-21)" in out


def test_a_refused_file_exits_1_with_its_lines(tmp_path: Path) -> None:
    code, out = run("load", "--store", str(tmp_path / "store"), str(DATA / "bad-activities.xml"))
    assert code == 1, out
    assert "line 13: activity 'XX-TEST-1-B': unknown activity-status '9'" in out


def test_a_second_file_is_matched_against_the_store(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    assert run("load", "--store", store, str(DATA / "mapping-v2.xml"))[0] == 0
    code, out = run("load", "--store", store, str(DATA / "mapping-v1.xml"))
    assert code == 0, out
    code, out = run(
        "sparql", "--store", store, "--format", "csv",
        "PREFIX sic: <https://w3id.org/4p1000/ontology#> "
        "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o sic:iatiIdentifier 'US-GOV-21' }",
    )  # fmt: skip
    assert out.splitlines()[1] == "1"


def test_review_accept_and_reject(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    assert run("load", "--store", store, str(DATA / "proposals.xml"))[0] == 0
    code, out = run("reconcile", "--review", "--store", store)
    assert code == 0, out
    assert "2 proposal(s) waiting" in out
    assert "Syria" in out and "Sudan" in out and "0.87" in out  # the table may wrap names

    code, out = run(
        "reconcile", "--store", store,
        "--reject", "iati:XM-OCHA-CBPF-SUD15", "iati:XM-OCHA-CBPF-SYR62",
    )  # fmt: skip
    assert code == 0, out
    assert "are two organisations" in out
    code, out = run(
        "reconcile", "--store", store,
        "--accept", "iati:XT-IATI-EC_INTPA", "iati:XI-IATI-EC_INTPA",
    )  # fmt: skip
    assert code == 0, out
    assert "are one organisation" in out
    code, out = run("reconcile", "--review", "--store", store)
    assert "0 proposal(s) waiting" in out

    code, out = run(
        "sparql", "--store", store, "--format", "csv",
        "SELECT ?a ?b WHERE { ?a <http://www.w3.org/2002/07/owl#sameAs> ?b }",
    )  # fmt: skip
    assert "iati:XT-IATI-EC_INTPA" in out and "iati:XI-IATI-EC_INTPA" in out


def test_only_a_pending_proposal_can_be_decided(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    assert run("load", "--store", store, str(DATA / "proposals.xml"))[0] == 0
    code, out = run(
        "reconcile", "--store", store, "--accept", "iati:XM-OCHA-CBPF-SUD15", "iati:nobody"
    )
    assert code != 0
    assert "no pending proposal links" in out
    code, out = run("reconcile", "--store", store)
    assert code == 2 and "give one of --review" in out
