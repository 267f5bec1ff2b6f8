"""Deterministic SIC-shaped synthetic data, as a workbook and as N-Triples.

Sizes keep the reference workbook's proportions (organisations to projects to activities,
fundings per project, roles per objective) and scale them:

- S: about 100k triples (1,000 organisations, 2,000 projects, 200 activities)
- M: about 1M triples (10,000 organisations, 20,000 projects, 2,000 activities)
- L: about 10M triples (9.4M): ten tiles of M with disjoint keys, written straight as
  N-Triples (tile 0 is M itself)

Everything follows the workbook format and the shapes, so the data loads and conforms; the
same seed gives the same bytes. Usage: `python -m bench.generate M --out bench/out/M`.

Two ways of drawing a project's team:

- uniform (the default): lead and partners drawn at random. Nothing about an organisation
  predicts the projects it joins, so no ranking can beat chance on it: the null case that
  shows an evaluation has no leak.
- affinity (`--affinity topic=0.45,region=0.15,past=0.25`): each partner seat is filled, with
  those probabilities, by an organisation declaring one of the project's activity topics, one
  working in a region of the lead, or a past collaborator of the lead (projects are drawn in
  order, so "past" means an earlier row); the rest of the time at random. This is the
  structure real partnership data has (people team up by subject, place and history), so a
  ranking has something to learn. The lead is drawn among eligible organisations declaring an
  activity topic with probability `topic`.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "data" / "reference"

ORG_TYPES = ["state", "international", "donor", "producers", "research", "ngo", "company"]
ORG_TYPE_WEIGHTS = [8, 6, 6, 20, 30, 20, 10]
STAGES = [
    "idea",
    "team",
    "concept_note",
    "proposal",
    "funded",
    "implementation",
    "completed",
    "discontinued",
]
STAGE_WEIGHTS = [12, 4, 8, 16, 12, 24, 16, 8]
FUNDED_STAGES = {"funded", "implementation", "completed"}
CURRENCIES = ["EUR", "USD", "XOF", "BRL"]
COUNTRIES = [
    "FR", "DE", "SN", "BF", "ML", "NE", "KE", "ET", "TZ", "ZA", "MA", "EG", "IN", "BD", "VN",
    "TH", "ID", "PH", "CN", "JP", "BR", "AR", "PE", "CO", "MX", "US", "CA", "AU", "NZ", "FI",
    "CH", "NL", "ES", "IT", "GB", "CI", "GH", "NG", "CM", "MG",
]  # fmt: skip
REGIONS = [
    "011",
    "014",
    "017",
    "018",
    "015",
    "419",
    "021",
    "143",
    "030",
    "035",
    "034",
    "145",
    "150",
    "009",
]
QUESTIONS = ["problem", "root_causes", "actions", "success_factors", "obstacles"]


@dataclass(frozen=True)
class Size:
    organisations: int
    projects: int
    activities: int

    @property
    def people(self) -> int:
        return self.organisations

    @property
    def alliances(self) -> int:
        return self.organisations // 10

    @property
    def calls(self) -> int:
        return max(6, self.organisations // 30)

    @property
    def responses(self) -> int:
        return self.organisations


@dataclass(frozen=True)
class Affinity:
    """How a project's partner seats are filled: the probability of each pull; the rest random."""

    topic: float = 0.45
    region: float = 0.15
    past: float = 0.25

    def __post_init__(self) -> None:
        parts = (self.topic, self.region, self.past)
        if any(p < 0 for p in parts) or sum(parts) > 1 + 1e-9:
            raise ValueError("affinity probabilities must be >= 0 and add up to at most 1")

    @classmethod
    def parse(cls, text: str) -> Affinity:
        """`topic=0.45,region=0.15,past=0.25` (parts left out keep their default)."""
        values: dict[str, float] = {}
        for part in filter(None, (p.strip() for p in text.split(","))):
            name, _, value = part.partition("=")
            if name not in ("topic", "region", "past") or not value:
                raise ValueError(f"affinity part {part!r}: expected topic=, region= or past=")
            values[name] = float(value)
        return cls(**values)


class _Teams:
    """Draws leads and partners under an Affinity, remembering who worked with whom."""

    def __init__(
        self,
        rng: random.Random,
        affinity: Affinity,
        orgs: Sequence[str],
        eligible: Sequence[str],
        org_topics: dict[str, list[str]],
        org_regions: dict[str, list[str]],
    ) -> None:
        self.rng = rng
        self.affinity = affinity
        self.orgs = orgs
        self.eligible = eligible
        self.eligible_set = set(eligible)
        self.by_topic: dict[str, list[str]] = defaultdict(list)
        self.by_region: dict[str, list[str]] = defaultdict(list)
        for o in orgs:
            for t in org_topics[o]:
                self.by_topic[t].append(o)
            for r in org_regions[o]:
                self.by_region[r].append(o)
        self.org_regions = org_regions
        self.past: dict[str, list[str]] = defaultdict(list)

    def lead(self, topics: Sequence[str]) -> str:
        if topics and self.rng.random() < self.affinity.topic:
            pool = [o for o in self.by_topic[self.rng.choice(topics)] if o in self.eligible_set]
            if pool:
                return self.rng.choice(pool)
        return self.rng.choice(self.eligible)

    def partners(self, lead: str, topics: Sequence[str], seats: int) -> list[str]:
        team: list[str] = []
        for _ in range(seats * 4):  # a few tries per seat: pulls may repeat someone
            if len(team) == seats:
                break
            pick = self._pull(lead, topics)
            if pick != lead and pick not in team:
                team.append(pick)
        for o in team:
            self.past[lead].append(o)
            self.past[o].append(lead)
        return team

    def _pull(self, lead: str, topics: Sequence[str]) -> str:
        a, draw = self.affinity, self.rng.random()
        pool: Sequence[str] = ()
        if draw < a.topic and topics:
            pool = self.by_topic[self.rng.choice(topics)]
        elif draw < a.topic + a.region:
            pool = self.by_region[self.rng.choice(self.org_regions[lead])]
        elif draw < a.topic + a.region + a.past:
            pool = self.past[lead]
        return self.rng.choice(pool) if pool else self.rng.choice(self.orgs)


SIZES = {
    "XS": Size(organisations=100, projects=200, activities=40),
    "S": Size(organisations=1_000, projects=2_000, activities=200),
    "M": Size(organisations=10_000, projects=20_000, activities=2_000),
}


def _topics() -> list[str]:
    with (REFERENCE / "topics.csv").open(encoding="utf-8") as fh:
        return [row["code"] for row in csv.DictReader(fh)]


def _write(path: Path, header: Sequence[str], rows: Iterator[Sequence[object]]) -> int:
    count = 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
            count += 1
    return count


def _copy_reference(out: Path, name: str) -> None:
    (out / name).write_bytes((REFERENCE / name).read_bytes())


def generate_workbook(
    size: Size, out: Path, seed: int = 4_1000, affinity: Affinity | None = None
) -> dict[str, int]:
    """Write a synthetic workbook (a folder of CSV files) and return rows per file.

    Without `affinity` the teams are uniform and the bytes are those of earlier versions for
    the same seed (benchmarks compare across runs on them).
    """
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    topics = _topics()
    counts: dict[str, int] = {}
    for name in ("topics.csv", "categories.csv"):
        _copy_reference(out, name)
    with (REFERENCE / "categories.csv").open(encoding="utf-8") as fh:
        categories = [row["code"] for row in csv.DictReader(fh)]

    goals = list("ABCDEF")
    counts["goals"] = _write(
        out / "goals.csv",
        ["code", "title"],
        ((g, f"Synthetic goal {g}") for g in goals),
    )
    objectives = [f"{g}{i}" for g in goals for i in range(1, 5)]  # 24, as in the Strategic Plan
    objective_facility = {o: rng.choice(["core", "global", "global"]) for o in objectives}
    counts["objectives"] = _write(
        out / "objectives.csv",
        ["code", "goal", "title", "facility", "topics"],
        (
            (
                o,
                o[0],
                f"Synthetic objective {o}",
                objective_facility[o],
                ";".join(rng.sample(topics, 3)),
            )
            for o in objectives
        ),
    )
    activities: list[tuple[str, str]] = []
    per_objective = max(1, size.activities // len(objectives))
    for o in objectives:
        for i in range(1, per_objective + 1):
            activities.append((f"{o}.{i:03d}", o))
    activity_topics: dict[str, list[str]] = {}

    def activity_row(code: str, o: str) -> Sequence[object]:
        category = rng.choice(categories)
        facility = rng.choice(["", "", "", "", "global", "core"])
        activity_topics[code] = rng.sample(topics, rng.randint(2, 4))
        title = f"Synthetic activity {code}"
        return (code, o, category, title, facility, ";".join(activity_topics[code]))

    counts["activities"] = _write(
        out / "activities.csv",
        ["code", "objective", "category", "title", "facility", "topics"],
        (activity_row(code, o) for code, o in activities),
    )

    orgs = [f"org{i:06d}" for i in range(size.organisations)]
    org_type = {o: rng.choices(ORG_TYPES, ORG_TYPE_WEIGHTS)[0] for o in orgs}

    def status(o: str) -> str:
        if org_type[o] == "company":
            return rng.choice(["partner", "friend", ""])
        return rng.choice(["member", "partner", "partner", "friend", ""])

    org_status = {o: status(o) for o in orgs}
    org_topics: dict[str, list[str]] = {}
    org_regions: dict[str, list[str]] = {}

    def organisation_row(o: str) -> Sequence[object]:
        country = rng.choice(COUNTRIES)
        org_topics[o] = rng.sample(topics, rng.randint(2, 5))
        interests = rng.sample(objectives, rng.randint(1, 3))
        org_regions[o] = rng.sample(REGIONS, rng.randint(1, 2))
        name = f"Synthetic organisation {o}"
        return (
            o,
            name,
            org_type[o],
            country,
            org_status[o],
            ";".join(org_topics[o]),
            ";".join(interests),
            ";".join(org_regions[o]),
        )

    counts["organisations"] = _write(
        out / "organisations.csv",
        ["id", "name", "type", "country", "status", "topics", "objectives", "regions"],
        (organisation_row(o) for o in orgs),
    )
    eligible = [o for o in orgs if org_status[o] in ("member", "partner")]
    # only people from a partner organisation may lead a Task Force or represent a region in one
    partners = [o for o in orgs if org_status[o] == "partner"]
    people = [f"p{i:06d}" for i in range(size.people)]
    person_org: dict[str, str] = {}
    for i, p in enumerate(people):
        # the first people work for partners so that Task Forces can be led
        person_org[p] = partners[i % len(partners)] if i < len(people) // 2 else rng.choice(orgs)
    counts["people"] = _write(
        out / "people.csv",
        ["id", "name", "organisation", "country"],
        ((p, f"Person {p}", person_org[p], rng.choice(COUNTRIES)) for p in people),
    )
    leaders = people[: len(people) // 2]

    def roles() -> Iterator[Sequence[object]]:
        for o in objectives:
            yield (rng.choice(leaders), o, "leader", "")
            representatives: set[str] = set()
            for region in rng.sample(REGIONS, 3):
                person = rng.choice(leaders)
                while person in representatives:  # one seat per person and Task Force
                    person = rng.choice(leaders)
                representatives.add(person)
                yield (person, o, "regional_representative", region)
        seen = set()
        for _ in range(len(people)):
            p, o = rng.choice(people), rng.choice(objectives)
            if (p, o) not in seen:
                seen.add((p, o))
                yield (p, o, "member", "")

    counts["task_force_roles"] = _write(
        out / "task_force_roles.csv", ["person", "objective", "role", "region"], roles()
    )

    alliances: list[str] = []

    def alliance_rows() -> Iterator[Sequence[object]]:
        for i in range(size.alliances):
            a = f"all{i:05d}"
            alliances.append(a)
            members = rng.sample(orgs, rng.randint(3, 7))
            yield (
                a,
                f"Synthetic alliance {a}",
                members[0],
                ";".join(members),
                ";".join(code for code, _ in rng.sample(activities, rng.randint(1, 2))),
                f"20{rng.randint(21, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            )

    counts["alliances"] = _write(
        out / "alliances.csv",
        ["id", "name", "lead", "members", "activities", "formed"],
        alliance_rows(),
    )

    projects: list[tuple[str, str, str, str]] = []  # id, stage, currency, lead
    teams = (
        None
        if affinity is None
        else _Teams(random.Random(seed + 1), affinity, orgs, eligible, org_topics, org_regions)
    )

    def project_rows() -> Iterator[Sequence[object]]:
        for i in range(size.projects):
            pid = f"prj{i:06d}"
            stage = rng.choices(STAGES, STAGE_WEIGHTS)[0]
            currency = rng.choices(CURRENCIES, [50, 35, 10, 5])[0]
            lead = rng.choice(eligible)
            partners = [o for o in rng.sample(orgs, rng.randint(1, 5)) if o != lead]
            start_year = rng.randint(2021, 2027)
            alliance = rng.choice(alliances) if alliances and rng.random() < 0.3 else ""
            addressed = ";".join(code for code, _ in rng.sample(activities, rng.randint(1, 3)))
            if teams is not None:  # same draws as uniform, then the team drawn by affinity
                wanted = sorted({t for a in addressed.split(";") for t in activity_topics[a]})
                lead = teams.lead(wanted)
                partners = teams.partners(lead, wanted, len(partners) or 1)
            projects.append((pid, stage, currency, lead))
            yield (
                pid,
                f"Synthetic project {pid}",
                f"A synthetic project for scale runs ({stage}).",
                stage,
                lead,
                ";".join(partners),
                alliance,
                addressed,
                ";".join(rng.sample(COUNTRIES, rng.randint(1, 3))),
                f"{start_year}-{rng.randint(1, 12):02d}-01",
                f"{start_year + rng.randint(1, 5)}-{rng.randint(1, 12):02d}-28",
                f"{rng.randint(20, 5000) * 1000}",
                currency,
            )

    counts["projects"] = _write(
        out / "projects.csv",
        [
            "id",
            "title",
            "description",
            "stage",
            "lead",
            "partners",
            "alliance",
            "activities",
            "countries",
            "start",
            "end",
            "budget",
            "currency",
        ],
        project_rows(),
    )
    funders = [o for o in orgs if org_type[o] in ("donor", "state", "international")]

    def funding_rows() -> Iterator[Sequence[object]]:
        for pid, stage, currency, _ in projects:
            n = rng.randint(1, 3) if stage in FUNDED_STAGES else rng.choice([0, 1, 1, 2])
            for j in range(n):
                st = (
                    rng.choice(["committed", "disbursed"])
                    if stage in FUNDED_STAGES and j == 0
                    else rng.choice(["pledged", "committed", "disbursed"])
                )
                yield (
                    pid,
                    rng.choice(funders),
                    f"{rng.randint(10, 900) * 1000}",
                    currency,
                    st,
                    f"20{rng.randint(22, 26)}-{rng.randint(1, 12):02d}-15",
                )

    counts["funding"] = _write(
        out / "funding.csv",
        ["project", "funder", "amount", "currency", "status", "date"],
        funding_rows(),
    )

    def call_rows() -> Iterator[Sequence[object]]:
        for i in range(size.calls):
            lo = rng.randint(1, 20) * 10_000
            yield (
                f"call{i:04d}",
                rng.choice(funders),
                f"Synthetic call {i}",
                ";".join(rng.sample(topics, 3)),
                ";".join(rng.sample(REGIONS, 2)),
                ";".join(rng.sample(objectives, 2)),
                lo,
                lo * rng.randint(2, 20),
                rng.choice(CURRENCIES[:2]),
                f"2027-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            )

    counts["calls"] = _write(
        out / "calls.csv",
        [
            "id",
            "funder",
            "title",
            "topics",
            "regions",
            "objectives",
            "min_amount",
            "max_amount",
            "currency",
            "deadline",
        ],
        call_rows(),
    )
    counts["delphi_responses"] = _write(
        out / "delphi_responses.csv",
        ["id", "phase", "question", "objective", "text", "respondent", "language"],
        (
            (
                f"r{i:06d}",
                rng.randint(1, 3),
                rng.choice(QUESTIONS),
                rng.choice(objectives),
                f"Synthetic Delphi response {i}.",
                rng.choice(people) if rng.random() < 0.7 else "",
                "en",
            )
            for i in range(size.responses)
        ),
    )
    _write_indicators(out, objectives, random.Random(seed + 2), counts)
    _write(
        out / "about.csv",
        ["key", "value"],
        iter(
            [
                ("title", "Synthetic SIC-shaped workbook"),
                ("note", f"Synthetic benchmark data (seed {seed}); every name is invented."),
            ]
        ),
    )
    return counts


def _write_indicators(
    out: Path, objectives: Sequence[str], rng: random.Random, counts: dict[str, int]
) -> None:
    """One indicator for every objective and a yearly series of observations for each (their own
    random stream, so the other files keep the bytes they had before indicators existed)."""
    indicators = [f"ind-{o}" for o in objectives]
    counts["indicators"] = _write(
        out / "indicators.csv",
        ["id", "objective", "name", "unit", "baseline", "baseline_date", "target_2030"],
        (
            (i, o, f"Synthetic indicator of {o}", "events per year", 10, "2020-12-31", 50)
            for i, o in zip(indicators, objectives, strict=True)
        ),
    )

    def observation_rows() -> Iterator[Sequence[object]]:
        for indicator in indicators:
            value = 10.0
            for year in range(2021, 2026):
                value += rng.uniform(-1.0, 8.0)
                yield (indicator, f"{year}-12-31", f"{value:.1f}")

    counts["observations"] = _write(
        out / "observations.csv", ["indicator", "date", "value"], observation_rows()
    )


def write_ntriples(workbook: Path, out: Path) -> int:
    """Map the workbook to RDF with the real loader and write N-Triples; returns the count."""
    import pyoxigraph as ox

    from loaders.workbook import read_workbook
    from sic.terms import graph_to_quads

    graph = read_workbook(workbook).graph
    triples = [
        ox.Triple(q.subject, q.predicate, q.object)
        for q in graph_to_quads(graph, ox.DefaultGraph())
    ]
    ox.serialize(triples, str(out), format=ox.RdfFormat.N_TRIPLES)
    return len(triples)


_KEY = re.compile(r"(/id/(?!region/)[a-z]+/)([^>#]+)")
_IDENTIFIER = re.compile(
    r'^(<[^>]*/id/[a-z]+/([^>]+)> <http://purl\.org/dc/terms/identifier> )"[^"]*"'
)


def tile_ntriples(source: Path, out: Path, tiles: int) -> int:
    """L: `tiles` copies of an N-Triples file with disjoint keys; returns the count.

    Tile 0 is the file itself, so L holds M and the same parameters answer at both sizes. Tile
    n > 0 prefixes `t{n}-` to every key, in the IRIs and in the `dct:identifier` literals, since
    keys are unique per class (a prefix, so that `t3-A1.001` still starts with its objective's
    code `t3-A1`); the UN M49 regions are the ontology's list and stay shared. The copy keeps
    the tile's shape (degrees, proportions) and conforms as the tile does, without holding 10M
    triples in memory.
    """

    def renamed(line: str, t: int) -> str:
        line = _KEY.sub(lambda m: f"{m[1]}t{t}-{m[2]}", line)
        return _IDENTIFIER.sub(lambda m: f'{m[1]}"{m[2]}"', line)  # the key, as in the IRI

    count = 0
    with out.open("w", encoding="utf-8") as dst:
        for t in range(tiles):
            with source.open(encoding="utf-8") as src:
                for line in src:
                    dst.write(line if t == 0 else renamed(line, t))
                    count += 1
    return count


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", choices=[*SIZES, "L"])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=4_1000)
    parser.add_argument("--ntriples", action="store_true", help="also write data.nt")
    parser.add_argument(
        "--affinity",
        type=Affinity.parse,
        default=None,
        metavar="topic=P,region=P,past=P",
        help="draw teams by affinity (see the module docstring); default: uniform teams",
    )
    args = parser.parse_args(argv)
    if args.size == "L":
        m_dir = args.out.parent / "M"
        if not (m_dir / "data.nt").exists():
            generate_workbook(SIZES["M"], m_dir / "workbook", args.seed)
            write_ntriples(m_dir / "workbook", m_dir / "data.nt")
        args.out.mkdir(parents=True, exist_ok=True)
        n = tile_ntriples(m_dir / "data.nt", args.out / "data.nt", 10)
        print(f"L: {n:,} triples in {args.out / 'data.nt'}")
        return
    counts = generate_workbook(SIZES[args.size], args.out / "workbook", args.seed, args.affinity)
    print(f"{args.size}: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    if args.ntriples:
        n = write_ntriples(args.out / "workbook", args.out / "data.nt")
        print(f"{n:,} triples in {args.out / 'data.nt'}")


if __name__ == "__main__":
    main()
