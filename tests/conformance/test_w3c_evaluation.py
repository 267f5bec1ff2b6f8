"""The W3C SPARQL 1.1 query and update evaluation suites, on the engine and on the service.

Every case runs once per session on both targets (the `w3c_outcomes` fixture): pyoxigraph
directly, and a real `sic serve --empty` reached over HTTP as any client reaches it. The rule
held here is relative: what the engine passes, the service passes, since the service is that
engine behind a protocol and must not lose anything on the way. A case the engine fails too is
skipped with the engine's reason (pyoxigraph's own limits are not the service's to fix), and
the summary test prints both counts so that the absolute standing stays visible.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

EXPECTED_CASES = {
    # query evaluation (mf:QueryEvaluationTest; csv-tsv-res also mf:CSVResultFormatTest)
    "aggregates": 42, "bind": 10, "bindings": 11, "cast": 6, "construct": 5, "csv-tsv-res": 6,
    "exists": 6, "functions": 75, "grouping": 4, "json-res": 4, "negation": 12,
    "project-expression": 7, "property-path": 33, "subquery": 14,
    # update evaluation (mf:UpdateEvaluationTest)
    "add": 8, "basic-update": 13, "clear": 4, "copy": 6, "delete-data": 6, "delete-insert": 9,
    "delete-where": 6, "delete": 19, "drop": 4, "move": 6, "update-silent": 13,
}  # fmt: skip
"""Cases per folder, counted once from the manifests (rdf-tests ad541a5f) and pinned."""

NOT_RUN = {"aggregates": 5, "construct": 2, "delete-insert": 8, "grouping": 2}
"""Entries of a type no runner here handles: all mf:NegativeSyntaxTest11 (syntax, not
evaluation), listed in the summary."""


def test_the_suites_are_all_there(w3c_suites: Any) -> None:
    per_folder = Counter(case.folder for case in w3c_suites.cases)
    assert dict(per_folder) == EXPECTED_CASES
    assert Counter(case.kind for case in w3c_suites.cases) == {"query": 235, "update": 94}
    assert dict(Counter(n.id.split("/")[0] for n in w3c_suites.not_run)) == NOT_RUN
    assert {n.type for n in w3c_suites.not_run} == {"NegativeSyntaxTest11"}


def test_the_service_passes_what_the_engine_passes(w3c_case: Any, w3c_outcomes: Any) -> None:
    engine = w3c_outcomes.engine[w3c_case.id]
    service = w3c_outcomes.service[w3c_case.id]
    if not engine.passed:
        pytest.skip(f"the engine fails it too: {engine.detail.splitlines()[0]}")
    if not service.passed:
        print(f"{w3c_case.id} ({w3c_case.name}) on the service:\n{service.detail}")
    assert service.passed, f"{w3c_case.id} ({w3c_case.name}):\n{service.detail}"


def test_summary(
    w3c_suites: Any,
    w3c_outcomes: Any,
    harness: Any,
    summary_lines: list[str],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Both counts per suite kind, printed and written to w3c-evaluation.json (tmp path).

    The summary passes whatever the counts: the per-case tests carry the verdicts. It also
    says how many failures differ only in numbers' lexical forms (pyoxigraph gives numbers
    back in its own canonical form; see harness.by_value), which are counted as failures.
    """
    report: dict[str, Any] = {"seconds": w3c_outcomes.seconds, "not_run": []}
    lines = []
    for kind in ("query", "update"):
        cases = [c for c in w3c_suites.cases if c.kind == kind]
        entry: dict[str, Any] = {"cases": len(cases)}
        for target in ("service", "engine"):
            outcomes = getattr(w3c_outcomes, target)
            failed = [c for c in cases if not outcomes[c.id].passed]
            entry[target] = {
                "passed": len(cases) - len(failed),
                "failed": {c.id: outcomes[c.id].detail for c in failed},
                "numbers_only": [c.id for c in failed if outcomes[c.id].numbers_only],
            }
        engine_passes = {c.id for c in cases if w3c_outcomes.engine[c.id].passed}
        entry["service_fails_engine_passes"] = sorted(
            set(entry["service"]["failed"]) & engine_passes
        )
        report[kind] = entry
        lines.append(
            f"W3C {kind} evaluation: service {entry['service']['passed']}/{len(cases)}, "
            f"engine {entry['engine']['passed']}/{len(cases)}"
        )
        for target in ("service", "engine"):
            failed = entry[target]["failed"]
            if failed:
                numbers = len(entry[target]["numbers_only"])
                lines.append(
                    f"  {target} fails {len(failed)} ({numbers} only in numbers' lexical forms): "
                    + ", ".join(failed)
                )
    for item in w3c_suites.not_run:
        report["not_run"].append({"id": item.id, "type": item.type, "name": item.name})
    lines.append(
        f"not run (type not handled): {len(w3c_suites.not_run)} "
        + ", ".join(f"{n.id} ({n.type})" for n in w3c_suites.not_run)
    )
    report["slow_service_requests"] = w3c_outcomes.slow
    if w3c_outcomes.slow:
        lines.append(
            f"slow service requests (> {harness.SLOW:g} s): {len(w3c_outcomes.slow)}: "
            + "; ".join(w3c_outcomes.slow)
        )
    seconds = w3c_outcomes.seconds
    lines.append(f"time: engine {seconds['engine']:.1f} s, service {seconds['service']:.1f} s")
    path = tmp_path_factory.mktemp("w3c-summary") / "w3c-evaluation.json"
    path.write_text(json.dumps(report, indent=2, sort_keys=True), encoding="utf-8")
    lines.append(f"written to {path}")
    print("\n".join(lines))
    summary_lines.extend(lines)
    assert report["query"]["cases"] == 235 and report["update"]["cases"] == 94
