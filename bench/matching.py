"""How well the partner rankings find partnerships they were not shown: `python -m bench.matching`.

Partners are held out of live projects (bench.holdout), and each ranking is asked to find
them again, beside the baselines (bench.baselines) computed in the same run on the same
cases. Two tasks:

- activity: candidates-for-activity for one of the project's activities (the activity alone:
  its topics, objective, Task Force and the organisations already at work on it);
- project: candidates-for-project, completing the project's team (its lead, the partners
  that stay, its activities and countries).

Usage (one of the sources):
  python -m bench.matching --generate S --affinity topic=0.45,region=0.15,past=0.25
  python -m bench.matching --generate S                      # uniform teams: the null case
  python -m bench.matching --workbook data/reference
  python -m bench.matching --store path/to/store             # or --endpoint URL
  python -m bench.matching --iati /work/shared/data/iati     # real partnerships (bench.iati_cases)

Prints a table of recall@5, recall@10, MRR and nDCG@10 with 95% bootstrap intervals, and the
paired difference of ours against each baseline; `--json FILE` keeps the figures.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.baselines import BASELINES, Target, rank_in_list, rank_of
from bench.metrics import Estimate, paired_difference, summarise
from graph.base import GraphStore
from queries.holdout import Case, HeldOut, draw_cases
from queries.learned import Learned, activity_of, learn
from queries.matching import ActivityContext, ActivityMatcher, Candidate
from queries.network import projections
from queries.team import ProjectMatcher, project_context

HERE = Path(__file__).resolve().parent
OURS = "ours (hand-set)"
LEARNED = "ours (learned)"


@dataclass
class Task:
    """One ranking task: its cases and the rank each method gave each case's partner."""

    name: str
    cases: list[Case]
    ranks: dict[str, list[float]]
    seconds: dict[str, float]
    fit: Learned | None = None


def evaluate(
    store: GraphStore,
    *,
    cases: int,
    seed: int,
) -> list[Task]:
    """Hold out up to `cases` partnerships and rank them back with ours and every baseline."""
    full = projections(store)
    drawn = draw_cases(full, cases, seed)
    net = HeldOut(store, [(c.partner, c.group) for c in drawn], base=full)
    universe = sorted(net.organisations)
    contexts: dict[str, ActivityContext] = {}
    kept_out = frozenset(c.project for c in drawn)
    fits = {
        kind: learn(store, net, kind, seed=seed + 1, exclude=kept_out)
        for kind in ("activity", "project")
    }

    def context(key: str) -> ActivityContext:
        if key not in contexts:
            contexts[key] = activity_of(store, net, key)
        return contexts[key]

    def keys(candidates: Sequence[Candidate]) -> list[str]:
        return [c.organisation.key for c in candidates]

    def activity_target(case: Case) -> tuple[Target, dict[str, list[str]]]:
        assert case.activity is not None
        ctx = context(case.activity)
        ours = {
            OURS: keys(ActivityMatcher(net, ctx).candidates()),
            LEARNED: keys(ActivityMatcher(net, ctx, fits["activity"].weights).candidates()),
        }
        return Target(frozenset(ctx.team), frozenset(ctx.topics)), ours

    def project_target(case: Case) -> tuple[Target, dict[str, list[str]]]:
        topics_of = {a: context(a).topics for a in case.activities}
        ctx = project_context(store, net, case.project, topics_of=topics_of)
        ours = {
            OURS: keys(ProjectMatcher(net, ctx).candidates()),
            LEARNED: keys(ProjectMatcher(net, ctx, fits["project"].weights).candidates()),
        }
        return Target(frozenset(ctx.team), frozenset(ctx.topics)), ours

    tasks = [
        ("activity", [c for c in drawn if c.activity is not None], activity_target),
        ("project", drawn, project_target),
    ]
    out: list[Task] = []
    for name, task_cases, target_of in tasks:
        if not task_cases:
            continue
        task = Task(name, task_cases, {LEARNED: [], OURS: [], **{b: [] for b in BASELINES}}, {})
        task.fit = fits[name]
        for i, case in enumerate(task_cases):
            started = time.perf_counter()
            target, ours = target_of(case)
            task.seconds[OURS] = task.seconds.get(OURS, 0.0) + time.perf_counter() - started
            size = len(universe) - len(target.team)
            for method, ranking in ours.items():
                task.ranks[method].append(rank_in_list(case.partner, ranking, size, seed + i))
            for baseline, score in BASELINES.items():
                started = time.perf_counter()
                scores = score(net, target)
                rank = rank_of(case.partner, scores, universe, target.team, seed + i)
                task.ranks[baseline].append(rank)
                task.seconds[baseline] = (
                    task.seconds.get(baseline, 0.0) + time.perf_counter() - started
                )
        out.append(task)
    return out


def report(tasks: Sequence[Task], *, seed: int) -> dict[str, Any]:
    """Every metric with its interval, and ours minus each baseline on recall@10 (paired)."""
    figures: dict[str, Any] = {}
    for task in tasks:
        summary = summarise(task.ranks, seed=seed)
        differences = {
            b: paired_difference(task.ranks[LEARNED], task.ranks[b], seed=seed)
            for b in task.ranks
            if b != LEARNED
        }
        figures[task.name] = {
            "cases": len(task.cases),
            "metrics": {m: {k: e.as_dict() for k, e in v.items()} for m, v in summary.items()},
            "learned minus other, recall@10": {b: d.as_dict() for b, d in differences.items()},
            "learned weights": dict(task.fit.weights) if task.fit else {},
            "fit": {
                "cases": task.fit.cases if task.fit else 0,
                "seconds": round(task.fit.seconds, 2) if task.fit else 0,
                "fitted": bool(task.fit and task.fit.fitted),
            },
            "ms per case": {
                m: round(1000 * s / len(task.cases), 2) for m, s in task.seconds.items()
            },
        }
    return figures


def print_table(figures: dict[str, Any]) -> None:
    for task, data in figures.items():
        print(f"\n{task}: {data['cases']} held-out partnerships")
        names = ["recall@5", "recall@10", "MRR", "nDCG@10"]
        print(f"  {'method':<18}" + "".join(f"{n:>24}" for n in names) + f"{'ms/case':>10}")
        for method, metrics in data["metrics"].items():
            cells = "".join(f"{Estimate(**metrics[n])!s:>24}" for n in names)
            print(f"  {method:<18}{cells}{data['ms per case'].get(method, 0):>10}")
        differences = data["learned minus other, recall@10"].items()
        print(
            "  learned - other (recall@10): "
            + "; ".join(f"{b} {Estimate(**d)}" for b, d in differences)
        )
        fit = data["fit"]
        weights = ", ".join(f"{k} {v:.2f}" for k, v in data["learned weights"].items() if v)
        print(f"  fit on {fit['cases']} cases in {fit['seconds']} s: {weights}")


def latency(store: GraphStore, *, keys: int = 20) -> dict[str, Any]:
    """The two ranking questions timed warm, as a service answers them after the first call
    of a store version (projections built, weights fitted: both timed too), on `keys`
    activities and projects each. Answers are kept per version, so every call asks anew
    (`top` differs). Prints and returns milliseconds."""
    from queries.catalogue import run
    from queries.learned import learned

    started = time.perf_counter()
    net = projections(store)
    for part in ("memberships", "organisations", "collaborators", "topics", "seats"):
        getattr(net, part)
    figures: dict[str, Any] = {"projections s": round(time.perf_counter() - started, 2)}
    for kind in ("activity", "project"):
        fit = learned(store, net, kind)
        figures[f"fit {kind} s"] = round(fit.seconds, 2)
    activities = sorted({a for pairs in net.group_activities.values() for a, _ in pairs})
    projects = sorted(g[1] for g in net.members_of if g[0] == "project")
    for name, param, pool in (
        ("candidates-for-activity", "activity", activities),
        ("candidates-for-project", "project", projects),
    ):
        times = []
        for i, key in enumerate(pool[:: max(1, len(pool) // keys)][:keys]):
            begun = time.perf_counter()
            run(store, name, {param: key, "top": str(10 + i)})
            times.append(1000 * (time.perf_counter() - begun))
        times.sort()
        figures[name] = {
            "median ms": round(times[len(times) // 2], 1),
            "max ms": round(times[-1], 1),
        }
    print(json.dumps(figures, indent=2))
    return figures


def _open(args: argparse.Namespace, scratch: Path) -> GraphStore:
    from graph.bootstrap import load_with_ontology
    from graph.factory import open_store
    from loaders.source import read_source

    if args.endpoint or args.store:
        return open_store(args.store, endpoint=args.endpoint)
    workbook = args.workbook
    if args.generate:
        from bench.generate import SIZES, generate_workbook

        workbook = scratch / "workbook"
        generate_workbook(SIZES[args.generate], workbook, args.seed, args.affinity)
    store = open_store(None)
    load_with_ontology(store, read_source(workbook, base=store.base), command="bench.matching")
    return store


def main(argv: Sequence[str] | None = None) -> None:
    from bench.generate import SIZES, Affinity

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--generate", choices=sorted(SIZES), help="a generated workbook")
    source.add_argument("--workbook", type=Path, help="a workbook folder or .xlsx")
    source.add_argument("--store", type=Path, help="an embedded store folder")
    source.add_argument("--endpoint", help="a remote SPARQL 1.1 query endpoint")
    source.add_argument(
        "--iati", type=Path, metavar="DIR", help="real partnerships: an IATI sample folder"
    )
    parser.add_argument("--affinity", type=Affinity.parse, default=None)
    parser.add_argument("--cases", type=int, default=300, help="held-out partnerships")
    parser.add_argument("--seed", type=int, default=4_1000)
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument(
        "--latency", action="store_true", help="time the two questions warm instead"
    )
    parser.add_argument(
        "--keep",
        metavar="LABEL",
        help="keep the figures as bench/matching-LABEL.json and rewrite bench/RESULTS.md",
    )
    args = parser.parse_args(argv)
    if args.iati:
        run_iati(args.iati, seed=args.seed, out=args.json)
        return
    with tempfile.TemporaryDirectory() as scratch:
        started = time.perf_counter()
        store = _open(args, Path(scratch))
        loaded = time.perf_counter() - started
        if args.latency:
            latency(store)
            return
        tasks = evaluate(store, cases=args.cases, seed=args.seed)
        figures = report(tasks, seed=args.seed)
    print(f"store ready in {loaded:.1f} s")
    print_table(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    if args.keep:
        keep(args, figures, loaded)


def run_iati(folder: Path, *, seed: int, out: Path | None) -> dict[str, Any]:
    """The held-out cases of a real IATI sample (bench.iati_cases), loaded with the reference
    workbook as `sic serve` loads them; recall@10 and MRR per role, ours against each
    baseline paired on the same cases."""
    from bench.iati_cases import OURS as IATI_OURS
    from bench.iati_cases import by_role, evaluate_iati, sample_files
    from graph.bootstrap import load_with_ontology
    from graph.factory import open_store
    from loaders.source import read_source
    from queries.reconciliation import known_organisations
    from sic.paths import reference_workbook

    started = time.perf_counter()
    store = open_store(None)
    load_with_ontology(store, read_source(reference_workbook(), base=store.base), command="bench")
    files = sample_files(folder)
    for path in files:
        source = read_source(path, base=store.base, known=known_organisations(store))
        load_with_ontology(store, source, command="bench.matching --iati")
    print(f"{len(files)} IATI files loaded in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    ranked = evaluate_iati(store, seed=seed)
    print(f"{len(ranked.cases)} cases ranked in {time.perf_counter() - started:.1f} s")
    figures: dict[str, Any] = {}
    for role, part in by_role(ranked).items():
        if not part.cases:
            continue
        summary = summarise(part.ranks, seed=seed)
        figures[role] = {
            "cases": len(part.cases),
            "metrics": {
                m: {k: summary[m][k].as_dict() for k in ("recall@10", "MRR")} for m in summary
            },
            "ours minus baseline": {
                b: {
                    k: paired_difference(
                        part.ranks[IATI_OURS], part.ranks[b], k, seed=seed
                    ).as_dict()
                    for k in ("recall@10", "MRR")
                }
                for b in part.ranks
                if b != IATI_OURS
            },
        }
        print(f"\n{role}: {len(part.cases)} held-out participations")
        print(f"  {'method':<18}{'recall@10':>24}{'MRR':>24}")
        for method, metrics in figures[role]["metrics"].items():
            cells = "".join(f"{Estimate(**metrics[k])!s:>24}" for k in ("recall@10", "MRR"))
            print(f"  {method:<18}{cells}")
        for b, d in figures[role]["ours minus baseline"].items():
            print(
                f"  ours - {b}: recall@10 {Estimate(**d['recall@10'])}, MRR {Estimate(**d['MRR'])}"
            )
    if out:
        out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return figures


def keep(args: argparse.Namespace, figures: dict[str, Any], loaded: float) -> None:
    """bench/matching-LABEL.json, with what was measured, then RESULTS.md again."""
    from bench.measure import machine
    from bench.report import write_report

    source = (
        f"generated {args.generate} workbook, "
        + (f"affinity teams ({args.affinity})" if args.affinity else "uniform teams")
        if args.generate
        else f"workbook {args.workbook}"
        if args.workbook
        else f"store {args.store or args.endpoint}"
    )
    command = "python -m bench.matching " + " ".join(_argv_of(args))
    about = (
        f"{source}; seed {args.seed}; store ready in {loaded:.0f} s; "
        f"{time.strftime('%Y-%m-%d')} on {machine().get('cpu')}. `{command}`"
    )
    record = {"label": args.keep, "about": about, "figures": figures}
    out = HERE / f"matching-{args.keep}.json"
    out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    write_report(HERE)


def _argv_of(args: argparse.Namespace) -> list[str]:
    parts: list[str] = []
    for name in ("generate", "workbook", "store", "endpoint"):
        if getattr(args, name):
            parts += [f"--{name}", str(getattr(args, name))]
    if args.affinity:
        a = args.affinity
        parts += ["--affinity", f"topic={a.topic},region={a.region},past={a.past}"]
    return [*parts, "--cases", str(args.cases), "--seed", str(args.seed)]


if __name__ == "__main__":
    main()
