"""Loading, whole-graph validation and a one-project write, ours against the floor and the naive
stack, on the same N-Triples file in the same run.

- floor: plain pyoxigraph `bulk_load` into an on-disk store, nothing of ours;
- ours: `EmbeddedStore.load_source` of the file as `loaders.rdf.read_rdf` reads it
  (parse-and-store into an unpublished graph, count, publish), timed by phase; validation is
  the same load's SHACL phase;
- naive: an rdflib in-memory Graph parsing the file, and pyshacl over it.

`workbook_section` (and `python -m bench.load S|M`) measures a workbook load end to end, as
`sic load` does it, phase by phase (read, map, stage, validate, commit: sic.progress), beside
pyoxigraph's bulk load of the same triples into a named graph of a fresh on-disk store, in the
same run, each as a ratio to that floor. Read, map, stage and commit are the loader's part;
validation is whatever the validator costs.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from bench.measure import summarise, timed
from graph.bootstrap import ensure_ontology
from graph.embedded import EmbeddedStore
from graph.update import Delta
from graph.validation import WriteChecker
from loaders.rdf import read_rdf
from loaders.source import read_source
from sic.iris import graph_iri, mint
from sic.progress import PHASES, Step
from sic.vocab import SCHEMA, SIC


class _NoValidation(WriteChecker):
    """Skips SHACL so the store phase can be repeated without repeating a long validation."""

    def check_new_graphs(self, store: ox.Store, new: Any, others: Any) -> None:
        return None


def _fresh_dir(root: Path, name: str) -> Path:
    path = root / name
    shutil.rmtree(path, ignore_errors=True)
    return path


def load_section(nt: Path, runs: int, validate: bool = True) -> dict[str, Any]:
    """Load timings; leaves nothing behind but returns the figures."""
    triples = sum(1 for _ in nt.open("rb"))
    root = Path(tempfile.mkdtemp(prefix="sic-bench-"))
    try:

        def floor() -> None:
            store = ox.Store(str(_fresh_dir(root, "floor")))
            store.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
            store.flush()
            del store

        floor_t = timed(floor, runs)

        def floor_named() -> None:
            # the same engine call into a named graph, which is what a source is: pyoxigraph
            # keeps three more indexes for named graphs, so this is the floor for our layer
            store = ox.Store(str(_fresh_dir(root, "floor-named")))
            store.bulk_load(
                path=str(nt), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode("urn:x:g")
            )
            store.flush()
            del store

        floor_named_t = timed(floor_named, runs)

        store_phase: list[float] = []
        totals: list[float] = []
        for _ in range(runs):
            ours = EmbeddedStore(_fresh_dir(root, "ours"), checker=_NoValidation())
            start = time.perf_counter()
            ours.load_source(read_rdf(nt, name="bench"))
            totals.append(time.perf_counter() - start)
            store_phase.append(ours.last_timings["store"])
            ours.close()
        ours_store = summarise(store_phase)
        ours_total = summarise(totals)

        def naive() -> None:
            g = Graph()
            g.parse(str(nt), format="nt")

        naive_t = timed(naive, max(1, runs // 2))
        out: dict[str, Any] = {
            "triples": triples,
            "floor_bulk_load": floor_t.as_dict(),
            "floor_bulk_load_named_graph": floor_named_t.as_dict(),
            "ours_store_phase": ours_store.as_dict(),
            "ours_load_without_validation": ours_total.as_dict(),
            "naive_rdflib_parse": naive_t.as_dict(),
            "ours_store_over_floor": ours_store.median / floor_t.median,
            "ours_store_over_named_floor": ours_store.median / floor_named_t.median,
            "triples_per_second_ours": triples / ours_store.median,
            "triples_per_second_floor": triples / floor_t.median,
        }
        if validate:
            ours = EmbeddedStore(_fresh_dir(root, "validated"))
            start = time.perf_counter()
            ours.load_source(read_rdf(nt, name="bench"))
            out["ours_load_with_validation"] = time.perf_counter() - start
            out["ours_validation_phase"] = ours.last_timings["validate"]
            out.update(change_section(ours, runs=max(5, runs * 5)))
            ours.close()
        return out
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _project_delta(store: EmbeddedStore, n: int) -> Delta:
    """A new project idea with two pledges: about 30 triples, as POST /api/projects makes."""
    base = store.base
    pid = f"bench-project-{n}"
    project = mint("project", pid, base)
    # a different lead, funder and activity each time, as real submissions would have
    org = mint("organisation", f"org{(7 * n + 1) % 1000:06d}", base)
    funder_key = f"org{(11 * n + 2) % 1000:06d}"
    funder = mint("organisation", funder_key, base)
    activity = mint("activity", f"A1.{1 + n % 8:03d}", base)
    triples = {
        (project, RDF.type, SIC.Project),
        (project, DCTERMS.identifier, Literal(pid)),
        (project, RDFS.label, Literal(f"Benchmark project {n}", lang="en")),
        (
            project,
            DCTERMS.description,
            Literal("A one-project write for the benchmark.", lang="en"),
        ),
        (project, SIC.stage, SIC.StageProposal),
        (project, SIC.lead, org),
        (project, SIC.partner, funder),
        (project, SIC.addresses, activity),
        (project, SIC.country, Literal("SN")),
        (project, SIC.country, Literal("ML")),
        (project, SCHEMA.startDate, Literal("2027-01-01", datatype=XSD.date)),
        (project, SCHEMA.endDate, Literal("2029-12-31", datatype=XSD.date)),
        (project, SIC.budget, Literal("750000", datatype=XSD.decimal)),
        (project, SCHEMA.currency, Literal("EUR")),
    }
    for i, status in enumerate((SIC.FundingPledged, SIC.FundingPledged)):
        key = f"{pid}.{funder_key}.pledged{'' if i == 0 else '.2'}"
        f = mint("funding", key, base)
        triples |= {
            (f, RDF.type, SIC.Funding),
            (f, DCTERMS.identifier, Literal(key)),
            (f, SCHEMA.fundedItem, project),
            (f, SCHEMA.funder, funder),
            (f, SCHEMA.amount, Literal(str(100000 + i), datatype=XSD.decimal)),
            (f, SCHEMA.currency, Literal("EUR")),
            (f, SIC.fundingStatus, status),
            (f, DCTERMS.date, Literal("2026-06-01", datatype=XSD.date)),
        }
    return Delta(added={str(graph_iri("bench-writes", base)): set(triples)})  # type: ignore[arg-type]


def change_section(store: EmbeddedStore, runs: int) -> dict[str, Any]:
    """Validate and commit a one-project change against the loaded store, `runs` times."""
    samples = []
    size = 0
    for n in range(runs):
        delta = _project_delta(store, n)
        size = sum(len(t) for t in delta.added.values())
        start = time.perf_counter()
        store.apply(delta, command="bench")
        samples.append(time.perf_counter() - start)
    bad = _project_delta(store, runs + 1)
    (graph,) = bad.added
    bad.added[graph] = {t for t in bad.added[graph] if t[1] != SIC.lead}
    refused = False
    try:
        store.apply(bad)
    except Exception:
        refused = True
    return {
        "change_triples": size,
        "ours_one_project_change": summarise(samples).as_dict(),
        "invalid_change_refused": refused,
        "change_probe_iri": str(URIRef(mint("project", "bench-project-0", store.base))),
    }


def workbook_section(workbook: Path, validate: bool = True) -> dict[str, Any]:
    """One `sic load` of a workbook into a fresh on-disk store (the ontology loaded first, not
    timed), phase by phase, and pyoxigraph's bulk load of the same triples, as ratios."""
    root = Path(tempfile.mkdtemp(prefix="sic-bench-wb-"))
    try:
        checker = None if validate else _NoValidation()
        ours = EmbeddedStore(_fresh_dir(root, "ours"), checker=checker)
        ensure_ontology(ours)
        steps: dict[str, Step] = {}
        # CPU seconds (user + sys, every thread) beside the wall clock: on a shared machine
        # the wall clock also counts the time others' work holds the cores
        cpu_began: dict[str, float] = {}
        cpu: dict[str, float] = {}

        def seen(step: Step) -> None:
            cpu_began.setdefault(step.phase, time.process_time())
            if step.finished:
                steps[step.phase] = step
                cpu[step.phase] = time.process_time() - cpu_began[step.phase]

        start = time.perf_counter()
        cpu_start = time.process_time()
        source = read_source(workbook, base=ours.base, progress=seen)
        (info,) = ours.load_source(source, progress=seen)
        total = time.perf_counter() - start
        total_cpu = time.process_time() - cpu_start
        nt = root / "same.nt"
        with nt.open("wb") as out:
            ox.serialize(
                (
                    q.triple
                    for q in ours.raw.quads_for_pattern(None, None, None, ox.NamedNode(info.graph))
                ),
                out,
                format=ox.RdfFormat.N_TRIPLES,
            )
        ours.close()
        del ours

        floor_store = ox.Store(str(_fresh_dir(root, "floor")))
        floor_start = time.perf_counter()
        floor_cpu_start = time.process_time()
        floor_store.bulk_load(
            path=str(nt), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode("urn:x:g")
        )
        floor_store.flush()
        floor = time.perf_counter() - floor_start
        floor_cpu = time.process_time() - floor_cpu_start
        del floor_store

        phases = {name: steps[name].elapsed for name in PHASES if name in steps}
        loader = sum(t for name, t in phases.items() if name != "validate")
        return {
            "workbook": str(workbook),
            "triples": info.triples,
            "rows": steps["map"].done,
            "phases_s": phases,
            "phases_over_floor": {name: t / floor for name, t in phases.items()},
            "phases_cpu_s": {name: cpu[name] for name in PHASES if name in cpu},
            "floor_bulk_load_named_graph_s": floor,
            "floor_bulk_load_named_graph_cpu_s": floor_cpu,
            "loader_s": loader,
            "loader_over_floor": loader / floor,
            "end_to_end_s": total,
            "end_to_end_over_floor": total / floor,
            "end_to_end_cpu_s": total_cpu,
            "end_to_end_cpu_over_floor_cpu": total_cpu / floor_cpu,
            "validated": validate,
        }
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _print_workbook(result: dict[str, Any]) -> None:
    floor = result["floor_bulk_load_named_graph_s"]
    cpu = result["phases_cpu_s"]
    print(f"{result['workbook']}: {result['rows']:,} rows, {result['triples']:,} triples")
    print(f"  {'':<30} {'wall':>8}   {'':>5}  {'CPU':>8}")
    floor_cpu = result["floor_bulk_load_named_graph_cpu_s"]
    print(f"  {'pyoxigraph bulk_load (floor)':<30} {floor:8.2f} s   1.0x {floor_cpu:8.2f} s")
    for name, seconds in result["phases_s"].items():
        print(f"  {name:<30} {seconds:8.2f} s {seconds / floor:5.1f}x {cpu[name]:8.2f} s")
    print(
        f"  {'loader (all but validate)':<30} {result['loader_s']:8.2f} s "
        f"{result['loader_over_floor']:5.1f}x"
    )
    print(
        f"  {'end to end':<30} {result['end_to_end_s']:8.2f} s "
        f"{result['end_to_end_over_floor']:5.1f}x {result['end_to_end_cpu_s']:8.2f} s "
        f"{result['end_to_end_cpu_over_floor_cpu']:5.1f}x"
    )


def main() -> None:
    """`python -m bench.load S [--workbook DIR] [--no-validate] [--json FILE]`."""
    from bench.generate import SIZES, generate_workbook

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("size", choices=sorted(SIZES), help="generated workbook size")
    parser.add_argument("--workbook", type=Path, help="an existing workbook instead")
    parser.add_argument("--no-validate", action="store_true", help="skip the SHACL phase")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    workbook = args.workbook
    scratch = None
    if workbook is None:
        scratch = Path(tempfile.mkdtemp(prefix="sic-bench-gen-"))
        workbook = scratch / "workbook"
        generate_workbook(SIZES[args.size], workbook)
    try:
        result = workbook_section(workbook, validate=not args.no_validate)
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    _print_workbook(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
