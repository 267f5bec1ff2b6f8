"""bench/RESULTS.md and plots from the JSON files the runs kept (`python -m bench.report`).

Every table puts ours beside the peer and the floor measured in the same run, with the ratios,
so that a figure always comes with what it should be compared to.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from queries.weights import MIN_CASES

ORDER = ["XS", "S", "M", "L"]


def _ms(t: dict[str, Any] | None) -> str:
    if not t:
        return "n/a"
    return f"{t['median'] * 1000:,.1f} ms ({t['low'] * 1000:,.1f}-{t['high'] * 1000:,.1f}, n={t['runs']})"


def _s(t: dict[str, Any] | None) -> str:
    if not t:
        return "n/a"
    return f"{t['median']:,.2f} s ({t['low']:,.2f}-{t['high']:,.2f}, n={t['runs']})"


def _ratio(x: float | None) -> str:
    return "n/a" if x is None else f"{x:,.2f}x"


def _load_table(r: dict[str, Any]) -> list[str]:
    load = r["load"]
    rows = [
        f"Data: {load['triples']:,} triples of N-Triples.",
        "",
        "| operation | ours | floor (pyoxigraph) | naive (rdflib) | ours/floor |",
        "|---|---|---|---|---|",
        f"| parse and store, default-graph floor | {_s(load['ours_store_phase'])} | {_s(load['floor_bulk_load'])} | {_s(load['naive_rdflib_parse'])} | {_ratio(load['ours_store_over_floor'])} |",
        f"| parse and store, named-graph floor | {_s(load['ours_store_phase'])} | {_s(load.get('floor_bulk_load_named_graph'))} | | {_ratio(load.get('ours_store_over_named_floor'))} |",
        f"| load throughput | {load['triples_per_second_ours']:,.0f} triples/s | {load['triples_per_second_floor']:,.0f} triples/s | | |",
    ]
    if "ours_validation_phase" in load:
        rows += [
            f"| whole-graph SHACL validation of the load (pyshacl) | {load['ours_validation_phase']:,.1f} s | | | |",
            f"| validate + commit a one-project change ({load['change_triples']} triples) | {_ms(load['ours_one_project_change'])} | | whole graph: {load['ours_validation_phase']:,.1f} s | |",
            f"| invalid one-project change refused | {load['invalid_change_refused']} | | | |",
        ]
    return rows


def _naive_ratio(q: dict[str, Any]) -> str:
    if "naive_over_ours" in q:
        return _ratio(q["naive_over_ours"])
    if "naive_over_budget" in q:
        return f"> {q['naive_over_budget'] / q.get('ours_cold', q['ours'])['median']:,.0f}x"
    return "n/a"


def _queries_table(r: dict[str, Any]) -> list[str]:
    rows = [
        "ours: projections warm, answer computed; cold: after a write, everything rebuilt;"
        " cached: the same call again. naive/ours compares the naive stack with ours cold.",
        "",
        "| question | ours | ours cold | ours cached | floor (same SPARQL, pyoxigraph) | naive (rdflib graph) | ours/floor | naive/ours cold |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, q in sorted(r["queries"].items()):
        if "naive" in q:
            naive = _ms(q["naive"])
        elif "naive_over_budget" in q:
            naive = f"> {q['naive_over_budget']:,.0f} s (stopped)"
        else:
            naive = q.get("naive_error", "not run")
        rows.append(
            f"| {name} | {_ms(q['ours'])} | {_ms(q.get('ours_cold'))} | {_ms(q.get('ours_cached'))} "
            f"| {_ms(q.get('floor')) if 'floor' in q else 'analysis'} | {naive} "
            f"| {_ratio(q.get('ours_over_floor'))} | {_naive_ratio(q)} |"
        )
    return rows


def _http_table(r: dict[str, Any]) -> list[str]:
    http = r["http"]
    if "skipped" in http:
        return [f"Skipped: {http['skipped']}"]
    # (key in the results, column title): the configurations of ours this run measured
    ours = [
        (key, title)
        for key, title in (
            ("ours", "ours"),
            ("ours_uncached", "ours computed"),
            ("ours_disk", "computed from disk"),
            ("ours_one_process", "computed, one HTTP process"),
        )
        if key in http
    ]
    rows = [
        f"wrk on loopback, {http['duration_s']} s per cell; req/s and p50/p95/p99 latency in ms.",
    ]
    if len(ours) > 1:
        rows.append(
            "ours: as configured by default (wrk repeats one query, so after the first request "
            "the answer kept for this store version is served again); ours computed: "
            "SIC_ANSWER_CACHE_MB=0, every request runs the query"
            + (
                "; computed from disk: also SIC_MEMORY_COPY_LIMIT=0, no in-memory copy"
                if "ours_disk" in http
                else ""
            )
            + (
                "; computed, one HTTP process: also SIC_HTTP_PROCESSES=0, the service process "
                "answers HTTP and hands every request to a query worker (as before)."
                if "ours_one_process" in http
                else "."
            )
        )
    started = [
        f"{title} {http[key]['startup_s']:.1f} s, {http[key]['memory_mb']:,.0f} MB"
        for key, title in ours
        if "startup_s" in http[key]
    ]
    if started:
        rows.append(
            "Start-up until the first answer, and memory (PSS of the service and its query "
            "workers, after the run): " + "; ".join(started) + "."
        )
    titles = " | ".join(title for _, title in ours)
    computed = "ours_uncached" in http
    bare = "python_floor" in http
    if bare:
        rows.append(
            "Python floor: a bare ASGI app under the same uvicorn answering a fixed result "
            "(bench/bare_asgi.py), the most one Python HTTP process answers here."
        )
    rows += [
        "",
        f"| query | connections | {titles} | peer (rdflib-endpoint) | floor (Oxigraph server) "
        + ("| Python floor (bare uvicorn) " if bare else "")
        + "| ours/peer |"
        + (" computed/peer | computed/floor |" if computed else "")
        + (" Python floor/floor |" if bare else ""),
        "|---|---|" + "---|" * (len(ours) + 3 + (2 if computed else 0) + (2 if bare else 0)),
    ]

    def cell(x: dict[str, Any] | None) -> str:
        if x is None:
            return ""
        return f"{x['rps']:,.0f} req/s, {x['p50']:.1f}/{x['p95']:.1f}/{x['p99']:.1f}" + (
            f", {x['non2xx']} non-2xx" if x.get("non2xx") else ""
        )

    for kind in ("point", "engine"):
        for c in http["connections"]:
            ratio = http["ratios"][f"{kind}@{c}"]
            floor = http["floor"][kind][str(c)]
            ours_cells = " | ".join(cell(http[key][kind][str(c)]) for key, _ in ours)
            python_cell = f"| {cell(http['python_floor'][kind][str(c)])} " if bare else ""
            row = (
                f"| {kind} | {c} | {ours_cells} | {cell(http['peer'][kind][str(c)])} "
                f"| {cell(floor)} {python_cell}| {_ratio(ratio['ours_over_peer'])} |"
            )
            if computed:
                rps = http["ours_uncached"][kind][str(c)]["rps"]
                row += (
                    f" {_ratio(ratio.get('uncached_over_peer'))} "
                    f"| {_ratio(rps / max(floor['rps'], 1e-9))} |"
                )
            if bare:
                row += f" {_ratio(ratio.get('python_floor_over_floor'))} |"
            rows.append(row)
    blank = " |" * (3 + (2 if computed else 0) + (2 if bare else 0))
    for c in http["connections"]:
        # /id lookups of every organisation in turn: under each configuration that ran them
        ids = " | ".join(
            cell(http[key]["id_lookup"][str(c)]) if "id_lookup" in http[key] else ""
            for key, _ in ours
        )
        rows.append(f"| /id lookup (Turtle) | {c} | {ids} |{blank}")
    return rows


def _plot(results: list[dict[str, Any]], folder: Path) -> list[str]:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return []
    with_load = [r for r in results if "load" in r]
    if len(with_load) < 1:
        return []
    sizes = [r["load"]["triples"] for r in with_load]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for label, key in (
        ("ours: parse and store", "ours_store_phase"),
        ("floor: pyoxigraph bulk_load", "floor_bulk_load"),
        ("naive: rdflib parse", "naive_rdflib_parse"),
    ):
        ax.plot(sizes, [r["load"][key]["median"] for r in with_load], marker="o", label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("triples")
    ax.set_ylabel("seconds")
    ax.set_title("Loading N-Triples: time against size")
    ax.legend()
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(folder / "load.png", dpi=110)
    plt.close(fig)
    names = ["load.png"]
    with_queries = [r for r in results if "queries" in r]
    if with_queries:
        fig, ax = plt.subplots(figsize=(8, 5))
        for r in with_queries:
            qs = sorted(r["queries"])
            xs = [r["queries"][q]["ours"]["median"] * 1000 for q in qs]
            ax.scatter(xs, qs, label=f"ours, {r['size']}")
            fx = [
                (r["queries"][q]["floor"]["median"] * 1000, q)
                for q in qs
                if "floor" in r["queries"][q]
            ]
            if fx:
                ax.scatter(
                    [x for x, _ in fx], [q for _, q in fx], marker="x", label=f"floor, {r['size']}"
                )
            nx = [
                (r["queries"][q]["naive"]["median"] * 1000, q)
                for q in qs
                if "naive" in r["queries"][q]
            ]
            if nx:
                ax.scatter(
                    [x for x, _ in nx], [q for _, q in nx], marker="^", label=f"naive, {r['size']}"
                )
        ax.set_xscale("log")
        ax.set_xlabel("milliseconds (log)")
        ax.set_title("Question catalogue: ours, floor and naive")
        ax.legend(fontsize=8)
        ax.grid(True, which="both", alpha=0.3)
        fig.tight_layout()
        fig.savefig(folder / "queries.png", dpi=110)
        plt.close(fig)
        names.append("queries.png")
    return names


def _when(r: dict[str, Any], section: str) -> list[str]:
    """A line saying when a section was measured, if not in the run the heading names."""
    measured = r.get("measured") or {}
    date = measured.get(section) or (r.get("load_rerun") if section == "load" else None)
    return [f"Measured {date}.", ""] if date and date != r["started"] else []


MATCHING_METRICS = ("recall@5", "recall@10", "MRR", "nDCG@10")


def _matching_section(folder: Path) -> list[str]:
    """Matchmaking on held-out partnerships, from the matching-*.json `bench.matching` kept."""
    runs = [json.loads(p.read_text()) for p in sorted(folder.glob("matching-*.json"))]
    if not runs:
        return []
    lines = [
        "## Matchmaking on held-out partnerships",
        "",
        "Written from `python -m bench.matching ... --keep LABEL` (bench/matching-LABEL.json).",
        "A partner is taken off a live project; each method ranks every organisation for the",
        "project's activity (activity task) or for the project's team (project task), and we",
        "look where the partner comes. Means with 95% bootstrap intervals over the cases; the",
        "last column is ours (learned) minus the method on recall@10, paired on the same cases",
        "(an interval above 0 says ours is really better). Chance at recall@10 is about",
        "10 / number of organisations.",
        "",
    ]
    for run in runs:
        lines += [f"### {run['label']}", "", run["about"], ""]
        for task, data in run["figures"].items():
            fit = data["fit"]
            learned = ", ".join(f"{k} {v:.2f}" for k, v in data["learned weights"].items() if v)
            if fit["fitted"]:
                how = f"weights fitted on {fit['cases']} held-out cases of other projects in {fit['seconds']} s"
            elif fit["cases"] < MIN_CASES:
                how = f"only {fit['cases']} usable cases to learn from: the hand-set weights"
            else:
                how = (
                    f"no fit on {fit['cases']} held-out cases ranked the held-back ones better"
                    " than the hand-set weights, which are kept"
                )
            lines += [
                f"**{task}** task, {data['cases']} held-out partnerships; {how}.",
                "",
                "| method | " + " | ".join(MATCHING_METRICS) + " | learned - method, recall@10 |",
                "|---|" + "---|" * (len(MATCHING_METRICS) + 1),
            ]
            differences = data["learned minus other, recall@10"]
            for method, metrics in data["metrics"].items():
                cells = [_estimate(metrics[m]) for m in MATCHING_METRICS]
                diff = _estimate(differences[method]) if method in differences else ""
                lines.append(f"| {method} | " + " | ".join(cells) + f" | {diff} |")
            lines += ["", f"Learned weights: {learned}.", ""]
    return lines


def _estimate(e: dict[str, float]) -> str:
    return f"{e['mean']:.3f} [{e['low']:.3f}, {e['high']:.3f}]"


def _matching_plot(folder: Path) -> list[str]:
    """recall@10 with its interval per method, one panel per run and task."""
    runs = [json.loads(p.read_text()) for p in sorted(folder.glob("matching-*.json"))]
    panels = [(r["label"], t, d) for r in runs for t, d in r["figures"].items()]
    if not panels:
        return []
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return []
    tasks = sorted({t for _, t, _ in panels})
    labels = list(dict.fromkeys(label for label, _, _ in panels))
    fig, axes = plt.subplots(
        len(tasks), len(labels), figsize=(3.4 * len(labels), 3.2 * len(tasks)), squeeze=False
    )
    for ax in axes.flat:
        ax.set_visible(False)
    for label, task, data in panels:
        ax = axes[tasks.index(task)][labels.index(label)]
        ax.set_visible(True)
        methods = list(data["metrics"])
        means = [data["metrics"][m]["recall@10"]["mean"] for m in methods]
        lows = [means[i] - data["metrics"][m]["recall@10"]["low"] for i, m in enumerate(methods)]
        highs = [data["metrics"][m]["recall@10"]["high"] - means[i] for i, m in enumerate(methods)]
        colours = ["tab:green" if m.startswith("ours") else "tab:gray" for m in methods]
        ax.barh(methods, means, xerr=[lows, highs], color=colours)
        ax.invert_yaxis()
        ax.set_title(f"{label}\n{task} task", fontsize=8)
        ax.set_xlabel("recall@10", fontsize=8)
        ax.tick_params(labelsize=7)
    fig.tight_layout()
    fig.savefig(folder / "matching.png", dpi=110)
    plt.close(fig)
    return ["matching.png"]


BACKENDS = (("embedded", "embedded"), ("remote", "Oxigraph server, remote backend"))


def _step(step: dict[str, Any] | None, key: str, server: bool = False) -> str:
    """`wall s (CPU s)` of one bench.large step, or why there is no figure."""
    if step is None:
        return "not run"
    if key in step:
        cpu = step["cpu_s"] + (step.get("server_cpu_s", 0.0) if server else 0.0)
        return f"{step[key]:,.1f} s (CPU {cpu:,.{1 if cpu < 10 else 0}f} s)"
    if "over_budget_s" in step:
        return f"over {step['over_budget_s']:,.0f} s (stopped)"
    if "over_memory_mb" in step:
        return f"stopped at {step['over_memory_mb']:,} MiB held (client + server), {step['wall_s']:,.0f} s in"
    return f"failed: {step.get('error', 'no figure')[:120]}"


def _large_rows(runs: list[dict[str, Any]]) -> list[str]:
    cols = [(r, b) for r in runs for b, _ in BACKENDS if b in r]
    head = " | ".join(f"{r['size']} {dict(BACKENDS)[b]}" for r, b in cols)
    lines = [f"| | {head} |", "|---" * (len(cols) + 1) + "|"]

    def row(label: str, cell: Any) -> None:
        lines.append(f"| {label} | " + " | ".join(cell(r[b]) for r, b in cols) + " |")

    def phases(x: dict[str, Any]) -> str:
        found = x["load"].get("phases") or {}
        return " / ".join(f"{found[p]:,.1f}" for p in ("stage", "validate", "commit") if p in found)

    def catalogue(x: dict[str, Any], run: str) -> str:
        qs = (x.get("catalogue") or {}).get("questions") or {}
        done = [q[run] for q in qs.values() if run in q]
        return f"{sum(done):,.1f} s ({len(done)} questions)" if done else "none"

    def keep_up(x: dict[str, Any]) -> str:
        c = x.get("catalogue") or {}
        if "keep_up_s" not in c:
            return _step(x.get("catalogue"), "keep_up_s")
        cpu = f" (CPU {c['keep_up_cpu_s']:,.0f} s here)" if "keep_up_cpu_s" in c else ""
        return f"{c['keep_up_s']:,.1f} s{cpu}"

    def peak(step: str) -> Any:
        return lambda x: f"{x[step]['peak_rss_mb']:,} MiB" if step in x else ""

    row("`oxigraph load` of the file (floor)",
        lambda x: _step(x["floor"], "load_s") if "floor" in x else "")  # fmt: skip
    row("`sic load` (CPU: client + server)", lambda x: _step(x["load"], "load_s", True))
    row("of which stage / validate / commit, s", phases)
    row("peak memory of the loading process", peak("load"))
    row("move: `sic export` of the embedded store",
        lambda x: _step(x["export"], "export_s") + f", {x['export'].get('dump_mb', 0):,} MiB"
        if "export" in x else "")  # fmt: skip
    row("move: `oxigraph load` of the dump",
        lambda x: _step(x["bulk_load_dump"], "load_s") if "bulk_load_dump" in x else "")  # fmt: skip
    row("`sic validate` (whole graph)", lambda x: _step(x.get("validate"), "validate_s", True))
    row("peak memory of the validating process", peak("validate"))
    row("projections built (`keep_up`)", keep_up)
    row("catalogue, every question cold", lambda x: catalogue(x, "cold"))
    row("catalogue, every question warm", lambda x: catalogue(x, "warm"))
    row("catalogue step in all (CPU: client + server)",
        lambda x: _step(x.get("catalogue"), "wall_s", True))  # fmt: skip
    row("peak memory of the catalogue process", peak("catalogue"))
    row("server's peak memory (`sic load`)",
        lambda x: f"{x['server_peak_rss_mb']:,} MiB" if "server_peak_rss_mb" in x else "")  # fmt: skip
    row("on disk (`sic load`)", lambda x: f"{x.get('disk_mb', 0):,} MiB")
    row("server's peak memory, on disk (moved)",
        lambda x: f"{x['moved']['server_peak_rss_mb']:,} MiB, {x['moved']['disk_mb']:,} MiB"
        if "server_peak_rss_mb" in x.get("moved", {}) else "")  # fmt: skip
    return lines


def _large_questions(runs: list[dict[str, Any]]) -> list[str]:
    cols = [(r, b) for r in runs for b, _ in BACKENDS if b in r]
    names = sorted(
        {n for r, b in cols for n in ((r[b].get("catalogue") or {}).get("questions") or {})}
    )
    head = " | ".join(f"{r['size']} {b}" for r, b in cols)
    lines = [f"| question (cold / warm, ms) | {head} |", "|---" * (len(cols) + 1) + "|"]
    for name in names:
        cells = []
        for r, b in cols:
            q = ((r[b].get("catalogue") or {}).get("questions") or {}).get(name)
            if q is None:
                cells.append("not reached")
            elif "error" in q:
                cells.append(f"failed: {q['error'][:80]}")
            else:
                cells.append(f"{q['cold'] * 1000:,.0f} / {q['warm'] * 1000:,.0f}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def _large_section(folder: Path) -> list[str]:
    """Size L, embedded or remote: the large-*.json files `python -m bench.large` wrote."""
    runs = [json.loads(p.read_text()) for p in folder.glob("large-*.json")]
    runs.sort(key=lambda r: ORDER.index(r["size"]) if r["size"] in ORDER else 99)
    if not runs:
        return []
    lines = [
        "## Size L: embedded or remote",
        "",
        "Measured once per step (no medians), by hand, one run per size on the same file:",
        "`python -m bench.generate L --out /tmp/L` (M: `python -m bench.generate M --out /tmp/Mnt",
        "--ntriples`), then `python -m bench.large FILE --size L|M --out bench/large-L|M.json",
        "--budget S`. Each step runs in its own process, stopped after the budget. Embedded: the",
        "embedded store on disk. Remote: Oxigraph server on 127.0.0.1 reached through the remote",
        "backend (SPARQL protocol, Graph Store Protocol for the load), the client's and the",
        "server's CPU added; its validation and catalogue ran on the server filled by the move",
        "(`sic export` of the embedded store, `oxigraph load` of the dump, `oxigraph serve`).",
        "Cold: a question's first call once the projections are built; warm:",
        "the same call again with the kept answers forgotten. Peak memory includes the parent",
        "benchmark process the step was forked from (about 110 MiB).",
        "",
    ]
    for r in runs:
        m = r["machine"]
        lines.append(
            f"- {r['size']}: {r['lines']:,} triples; {m.get('cpu')} ({m.get('cores')} cores shared "
            f"with other work, {m.get('memory')}), pyoxigraph {m.get('pyoxigraph')}."
        )
        for b, label in BACKENDS:
            if b in r:
                x = r[b]
                before = ", ".join(f"{v:.2f}" for v in x["load_average"])
                after = ", ".join(f"{v:.2f}" for v in x.get("load_average_after", []))
                lines.append(
                    f"  - {label}: run {x['started']}, load average {before} before and {after} "
                    f"after, {x['budget_s']:,.0f} s per step: `{x['command']}`"
                    + (f". {x['note']}" if "note" in x else "")
                )
    return [*lines, "", *_large_rows(runs), "", *_large_questions(runs), ""]


def write_report(folder: Path) -> Path:
    """Rewrite RESULTS.md from every results-*.json in `folder`."""
    results = [json.loads(p.read_text()) for p in folder.glob("results-*.json")]
    results.sort(key=lambda r: ORDER.index(r["size"]) if r["size"] in ORDER else 99)
    lines = [
        "# Benchmark results",
        "",
        "Written by `python -m bench.run` (`make bench SIZE=S|M`); every figure is the median of",
        "repeated runs with its spread (min-max, n runs), measured in one run beside what it is",
        "compared with. Regenerate rather than edit.",
        "",
        "Measured apart, each with its own command: large writes against the floor in",
        "[WRITES.md](WRITES.md) (`python -m bench.writes`); point queries while runaway queries",
        "and large uploads run, and uvloop against asyncio, in [SERVICE.md](SERVICE.md)",
        "(`python -m bench.under_load`, `python -m bench.loops`); every question right after a",
        "write, through the worker pool, in [AFTER_WRITE.md](AFTER_WRITE.md)",
        "(`python -m bench.after_write`). Matchmaking quality is at the end",
        "(`python -m bench.matching`).",
        "",
    ]
    for r in results:
        m = r["machine"]
        lines += [
            f"## Size {r['size']}",
            "",
            f"Run {r['started']} on {m.get('cpu')} ({m.get('cores')} cores, {m.get('memory')}), "
            f"Python {m.get('python')}, pyoxigraph {m.get('pyoxigraph')}, rdflib {m.get('rdflib')}, "
            f"pyshacl {m.get('pyshacl')}. Peak memory of the benchmark process: {r.get('peak_memory_mb', 0):,.0f} MiB.",
            "",
        ]
        if "load" in r:
            lines += ["### Load, validation, one-project write", "", *_when(r, "load")]
            lines += [*_load_table(r), ""]
        if "queries" in r:
            lines += ["### Question catalogue", "", *_when(r, "queries"), *_queries_table(r), ""]
        if "http" in r:
            lines += ["### HTTP service", "", *_when(r, "http"), *_http_table(r), ""]
    for name in _plot(results, folder):
        lines += [f"![{name}]({name})", ""]
    lines += _matching_section(folder)
    for name in _matching_plot(folder):
        lines += [f"![{name}]({name})", ""]
    lines += _large_section(folder)
    out = folder / "RESULTS.md"
    out.write_text("\n".join(lines))
    return out


if __name__ == "__main__":  # rewrite RESULTS.md from the JSON files kept in bench/
    print(write_report(Path(__file__).resolve().parent))
