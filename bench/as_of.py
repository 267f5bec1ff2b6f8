"""What time travel costs: the change records' size and the time to rebuild a past moment.

`python -m bench.as_of --size S [--runs R] [--json FILE]` loads a generated workbook of that
size (bench.generate) into a store on disk read from its in-memory copy, as `sic serve` holds
one, then makes the writes a store lives through and measures:

- the size of the change record each leaves (its delta literals as stored: N-Quads text,
  gzipped and base64-encoded above graph.history.GZIP_ABOVE): the first load, a `--replace`
  with the same workbook (nothing changes), a `--replace` of the next edition (a project more
  for every tenth), and a one-project write (a SPARQL update moving one project to
  another stage);
- the time to build the snapshot of a past moment (graph.as_of.build: the quads, the
  bookkeeping, the in-memory store) with 1 and with 2 changes undone; and the quads alone,
  undone from the present (graph.as_of.undo) against replayed forwards from nothing
  (graph.as_of.replay).
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from bench.generate import FUNDED_STAGES, SIZES, generate_workbook
from bench.measure import machine, timed
from graph import as_of
from graph.embedded import EmbeddedStore
from graph.history import ADDED_QUADS, REMOVED_QUADS
from loaders.source import read_source
from sic.iris import changes_graph


def record_sizes(store: EmbeddedStore) -> dict[int, dict[str, Any]]:
    """Per change: its label, the triples it moved and the bytes of its delta literals."""
    book = ox.NamedNode(str(changes_graph(store.base)))
    found: dict[str, dict[str, Any]] = {}
    for q in store.raw.quads_for_pattern(None, None, None, book):
        entry = found.setdefault(q.subject.value, {"bytes": 0})
        if q.predicate in (ADDED_QUADS, REMOVED_QUADS):
            assert isinstance(q.object, ox.Literal)
            entry["bytes"] += len(q.object.value.encode("utf-8"))
            entry["gzipped"] = entry.get("gzipped", False) or q.object.datatype.value.endswith(
                "base64Binary"
            )
        elif q.predicate.value.endswith("#sequence"):
            entry["sequence"] = int(q.object.value)
        elif q.predicate.value.endswith("#label"):
            entry["command"] = q.object.value
        elif q.predicate.value.endswith("Count"):
            entry["triples"] = entry.get("triples", 0) + int(q.object.value)
    return {e["sequence"]: e for e in found.values() if "sequence" in e}


def _edited(workbook: Path, out: Path) -> None:
    """A copy of `workbook` with a project more for every tenth one (a copy under a new id,
    at a stage that needs no funding): the next edition of a workbook, loaded again."""
    shutil.copytree(workbook, out)
    path = out / "projects.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    fields = list(rows[0])
    rows += [
        {**row, "id": row["id"] + "b", "title": row["title"] + " (second phase)"}
        for i, row in enumerate(rows)
        if i % 10 == 0 and row["stage"] not in FUNDED_STAGES
    ]
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


MOVE_ONE_PROJECT = Path(__file__).with_name("move-one-project.rq")


def _move_one_project(store: EmbeddedStore) -> None:
    """One project's stage changed: the smallest write a person makes through the pages."""
    store.update(MOVE_ONE_PROJECT.read_text(encoding="utf-8"), command="bench: a one-project write")


def measure(size: str, runs: int) -> dict[str, Any]:
    root = Path(tempfile.mkdtemp(prefix="sic-bench-as-of-"))
    try:
        # one folder name: a workbook's source is named after its folder
        first, second = root / "first" / "workbook", root / "second" / "workbook"
        generate_workbook(SIZES[size], first)
        _edited(first, second)
        store = EmbeddedStore(root / "store")

        def load(folder: Path, replace: bool, what: str) -> None:
            # as bench.load loads it (the generated categories are not the ontology's)
            source = read_source(folder, base=store.base)
            store.load_source(source, replace=replace, command=what)

        load(first, False, "first load")
        load(first, True, "--replace, same workbook")
        load(second, True, "--replace, with more projects")
        store.hold_in_memory(50_000_000)  # as `sic serve` reads it (and snapshots copy it)
        _move_one_project(store)
        sizes = record_sizes(store)
        last = max(sizes)
        triples = sum(s.triples for s in store.sources())
        timings = {
            "snapshot, 1 change undone": timed(
                lambda: as_of.build(store, last - 1, max_triples=10**9), runs
            ),
            "snapshot, 2 changes undone": timed(
                lambda: as_of.build(store, last - 2, max_triples=10**9), runs
            ),
            "undo 1 change, the quads only": timed(lambda: as_of.undo(store, last - 1), runs),
            "replay forwards to 1 before the last": timed(
                lambda: as_of.replay(store, last - 1), runs
            ),
        }
        store.close()
        return {
            "size": size,
            "triples": triples,
            "machine": machine(),
            "records": [sizes[n] for n in sorted(sizes)],
            "seconds": {k: t.as_dict() for k, t in timings.items()},
        }
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="S")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    figures = measure(args.size, args.runs)
    print(f"{args.size}: {figures['triples']:,} triples published")
    for r in figures["records"]:
        packed = " (gzipped)" if r.get("gzipped") else ""
        print(
            f"  change {r['sequence']:>2} {r.get('command', ''):<32} "
            f"{r.get('triples', 0):>9,} triples  {r['bytes']:>12,} bytes{packed}"
        )
    for name, t in figures["seconds"].items():
        print(f"  {name:<40} {t['median']:.2f} s (min {t['low']:.2f}, max {t['high']:.2f})")
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
