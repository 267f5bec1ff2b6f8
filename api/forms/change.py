"""A form opened and a form saved, in a query worker, on the data the save is validated against.

`open_form` reads what a form shows (the resource's values, its version, the choices, and
what helps: ranked candidates beside a team, the rules of each stage); `prepare_form` turns
a save into triples to remove (from the graphs that hold them) and to add (to
`{BASE}graph/updates`, where every write through the service lands), after checking, in this
order: that the writer's scope takes the resource as it is and as it would be
(accounts.permissions.may_change), that nobody changed it since the form was opened (its
version), and that every value fits its field; the store then validates the change with the
SHACL shapes. Any refusal stores nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

import pyoxigraph as ox
from rdflib.namespace import DCTERMS, RDF

from accounts.permissions import Reach, may_change, refused, within
from accounts.roles import Principal
from api.forms.choices import Choices, read_choices
from api.forms.fields import FieldError, Kind
from api.forms.snapshot import NEW, Snapshot, Stated, Value, snapshot, version_of
from api.forms.specs import FORMS, FormSpec
from api.forms.stages import Rule, stage_rules
from graph.base import GraphStore, PreparedWrite
from graph.update import Delta
from queries.catalogue import run
from queries.describe import solutions
from queries.history import history
from queries.reach import parts_reach, project_reach
from queries.submission import SUBMISSIONS
from sic.errors import Conflict, KGError, NotFound
from sic.iris import graph_iri, mint, parse
from sic.vocab import SCHEMA, SIC

CANDIDATES_SHOWN = 8
"""Candidates listed beside a team form (the best ranked)."""

Typed = Mapping[str, Sequence[str]]
"""What a person sent: each field's values as text."""


class FormRefused(KGError):
    """Values that fit no field: (field, message key, value) each; nothing was stored."""

    def __init__(self, problems: Sequence[tuple[str, str, str]]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(f"{f}: {k} {v!r}" for f, k, v in self.problems))

    def __reduce__(self) -> tuple[type[FormRefused], tuple[list[tuple[str, str, str]]]]:
        return (type(self), (self.problems,))


class StaleForm(Conflict):
    """The resource changed since the form was opened: its values and version now, and who
    made its latest recorded change, when (graph.history; empty when none is recorded)."""

    def __init__(
        self, current: dict[str, list[str]], etag: str, by: str = "", when: str = ""
    ) -> None:
        self.current = current
        self.etag = etag
        self.by = by
        self.when = when
        super().__init__(
            "this resource was changed by someone else since the form was opened; "
            "nothing was stored"
        )

    def __reduce__(
        self,
    ) -> tuple[type[StaleForm], tuple[dict[str, list[str]], str, str, str]]:
        return (type(self), (self.current, self.etag, self.by, self.when))


@dataclass(frozen=True)
class Opened:
    """What a form shows when it opens."""

    values: dict[str, list[str]]
    etag: str
    exists: bool
    choices: Choices
    candidates: list[dict[str, object]] = field(default_factory=list)
    rules: dict[str, list[Rule]] = field(default_factory=dict)
    current_stage: str = ""


FRAGMENT_SAFE = "-._~:@!$&'()*+,;="
"""What a Task Force role's fragment keeps unencoded (as loaders.mapping writes it)."""


def focus_of(spec: FormSpec, key: str, base: str) -> str:
    """The IRI a form writes: `{BASE}id/{kind}/{key}`; a Task Force role (`A1#leader-kofi`) is
    a fragment of its Task Force's IRI."""
    if spec.kind == "taskforce" and "#" in key:
        objective, fragment = key.split("#", 1)
        return f"{mint('taskforce', objective, base)}#{quote(fragment, safe=FRAGMENT_SAFE)}"
    return str(mint(spec.kind, key, base))


def _keys(values: Sequence[Value]) -> list[str]:
    found = []
    for v in values:
        parsed = parse(v.value) if isinstance(v, ox.NamedNode) else None
        if parsed is not None:
            found.append(parsed[2])
    return found


def reach_of(store: GraphStore, spec: FormSpec, iri: str, state: Sequence[Stated]) -> Reach:
    """What a resource in this state reaches, as accounts.permissions looks at it."""

    def objects(predicate: object) -> list[Value]:
        return [s.value for s in state if s.predicate == str(predicate)]

    if spec.kind == "organisation":
        return Reach(organisations=frozenset({iri}))
    if spec.kind == "project":
        countries = [v.value for v in objects(SIC.country) if isinstance(v, ox.Literal)]
        organisations = _keys([*objects(SIC.lead), *objects(SIC.partner)])
        return Reach(*parts_reach(store, _keys(objects(SIC.addresses)), countries, organisations))
    if spec.kind == "funding":
        projects = [v.value for v in objects(SCHEMA.fundedItem) if isinstance(v, ox.NamedNode)]
        found = [r for r in (project_reach(store, p) for p in projects) if r is not None]
        return Reach(
            frozenset().union(*(r.objectives for r in found)),
            frozenset().union(*(r.regions for r in found)),
            frozenset().union(*(r.organisations for r in found)),
        )
    return Reach()


def open_form(store: GraphStore, name: str, key: str, who: Principal, lang: str) -> Opened:
    """What the form `name` shows for the resource `key` ('' for a new one).

    :raises NotFound: no such resource. :raises Forbidden: outside the scope of `who`.
    """
    spec = FORMS[name]
    values: dict[str, list[str]] = {f.name: [] for f in spec.fields}
    etag, exists = NEW, False
    rules = stage_rules(lang) if spec.name in ("stage", "project") else {}
    candidates: list[dict[str, object]] = []
    current_stage = ""
    if key:
        iri = focus_of(spec, key, store.base)
        shot = snapshot(store, iri)
        if not shot.exists:
            raise NotFound(f"no {spec.kind} {key!r}")
        if not within(who, spec.action, reach_of(store, spec, iri, shot.statements)):
            raise refused(who, spec.action)
        values, etag, exists = shot.shown(spec.fields), shot.etag, True
        stages = shot.objects(str(SIC.stage))
        current_stage = FORMS["stage"].fields[0].shown(stages[0]) if stages else ""
        if spec.name == "team":
            rows = run(store, "candidates-for-project", {"project": key, "lang": lang}).rows
            candidates = [dict(r) for r in rows[:CANDIDATES_SHOWN]]
    return Opened(values, etag, exists, read_choices(store, lang), candidates, rules,
                  current_stage)  # fmt: skip


def may_edit(store: GraphStore, name: str, key: str, who: Principal) -> bool:
    """Whether `who` may open the form `name` of the resource `key` (it exists, in their scope)."""
    spec = FORMS[name]
    iri = focus_of(spec, key, store.base)
    shot = snapshot(store, iri)
    return shot.exists and within(who, spec.action, reach_of(store, spec, iri, shot.statements))


def lines_of(store: GraphStore, kind: str, key: str, form: str) -> list[str]:
    """The keys of a project's funding lines or a person's Task Force roles (form-lines.rq)."""
    rows = solutions(store, "form-lines", this=ox.NamedNode(str(mint(kind, key, store.base))))
    keys = []
    for row in rows:
        found, line = row.get("key", None), row["line"]
        if str(row["form"]) != f'"{form}"' or not isinstance(line, ox.NamedNode):
            continue
        keys.append(found.value if isinstance(found, ox.Literal) else (_keys([line]) or [""])[0])
    return [k for k in dict.fromkeys(keys) if k]


def may_propose(store: GraphStore, activity: str, who: Principal) -> bool:
    """Whether `who` may propose a project for this activity (the link its page offers): it
    exists and its objective is in their scope. A representative's region depends on the
    countries they type, so the saved form checks it, as it checks everything."""
    objectives = parts_reach(store, [activity], [], []).objectives
    if not objectives:
        return False
    return who.scope.objective is None or who.scope.objective in objectives


def _new_key(store: GraphStore, spec: FormSpec, key: str, typed: Typed) -> str:
    """The key of a new resource: as typed (`id`), or made from a funding's values."""
    if spec.keyed:
        return key
    if spec.name == "role":
        parts = [next((v.strip() for v in typed.get(n, ()) if v.strip()), "") for n in
                 ("objective", "role", "person")]  # fmt: skip
        return f"{parts[0]}#{parts[1].lower()}-{parts[2]}" if all(parts) else ""
    first = {n: next((v.strip() for v in typed.get(n, ()) if v.strip()), "") for n in
             ("project", "funder", "status")}  # fmt: skip
    stem = ".".join(first[n].lower() if n == "status" else first[n] for n in first)
    if not all(first.values()):
        return stem
    candidate, n = stem, 1
    while snapshot(store, focus_of(spec, candidate, store.base)).exists:
        n += 1
        candidate = f"{stem}.{n}"
    return candidate


def prepare_form(
    store: GraphStore,
    name: str,
    key: str,
    typed: Typed,
    etag: str,
    who: Principal,
    creating: bool,
) -> PreparedWrite:
    """A save of the form `name`, as a change ready to commit.

    `key`: the resource (for a new keyed one, the `id` typed). `etag`: the version the form
    was opened on.

    :raises NotFound: editing what does not exist. :raises Forbidden: outside the scope.
    :raises StaleForm: changed since `etag`. :raises FormRefused: values that fit no field
        (or a new key that is taken). :raises ValidationFailed: the shapes refuse the change.
    """
    spec = FORMS[name]
    base = store.base
    problems: list[tuple[str, str, str]] = []
    if creating:
        key = _new_key(store, spec, key, typed)
        if spec.keyed and not _plain_key(key):
            problems.append(("id", "forms.error.key", key))
    iri = focus_of(spec, key, base) if key else ""
    shot = snapshot(store, iri) if iri else Snapshot("", ())
    if creating and shot.exists and spec.keyed:
        problems.append(("id", "forms.error.taken", key))
    if creating and shot.exists and spec.name == "role":
        problems.append(("role", "forms.error.taken", key))
    if not creating and not shot.exists:
        raise NotFound(f"no {spec.kind} {key!r}")
    new: dict[str, list[ox.NamedNode | ox.Literal]] = {}
    for f in spec.fields:
        try:
            new[f.name] = f.terms(typed.get(f.name, ()), base)
        except FieldError as exc:
            problems.append((f.name, exc.key, exc.value))
    problems += _unknown(store, spec, new)
    if problems:
        raise FormRefused(problems)
    before = list(shot.statements) if shot.exists else []
    kept = [s for s in before if not any(f.owns(s.predicate, s.value) for f in spec.fields)]
    updates = str(graph_iri(SUBMISSIONS, base))
    after = kept + [
        Stated(updates, p, term) for f in spec.fields for term in new[f.name] for p in f.predicates
    ]
    if creating and not shot.exists:
        after += [
            Stated(updates, str(RDF.type), ox.NamedNode(spec.rdf_class)),
            Stated(updates, str(DCTERMS.identifier), ox.Literal(key)),
        ]
    was = reach_of(store, spec, iri, before) if shot.exists else None
    if not may_change(who, spec.action, was, reach_of(store, spec, iri, after)):
        raise refused(who, spec.action)
    if not creating and etag != shot.etag:
        latest = history(store, iri, limit=1).changes
        by, when = (latest[0].agent_label, latest[0].ended) if latest else ("", "")
        raise StaleForm(shot.shown(spec.fields), shot.etag, by, when)
    if creating and shot.exists:  # a funding key is always new; a keyed one refused above
        raise StaleForm(shot.shown(spec.fields), version_of(shot.statements))
    return store.prepare_delta(_delta(iri, before, after), command=f"form {name} {key}")


def prepare_removal(
    store: GraphStore, name: str, key: str, etag: str, who: Principal
) -> PreparedWrite:
    """The removal of the resource `key` of the form `name`: every statement about it, from
    the graphs that hold them, as a change ready to commit; the shapes then validate the graph
    without it (a funded project's only committed line cannot go).

    :raises NotFound: no such resource. :raises Forbidden: outside the scope.
    :raises StaleForm: changed since `etag`. :raises ValidationFailed: the shapes refuse it.
    """
    spec = FORMS[name]
    iri = focus_of(spec, key, store.base)
    shot = snapshot(store, iri)
    if not shot.exists:
        raise NotFound(f"no {spec.kind} {key!r}")
    if not may_change(who, spec.action, reach_of(store, spec, iri, shot.statements), None):
        raise refused(who, spec.action)
    if etag != shot.etag:
        latest = history(store, iri, limit=1).changes
        by, when = (latest[0].agent_label, latest[0].ended) if latest else ("", "")
        raise StaleForm(shot.shown(spec.fields), shot.etag, by, when)
    return store.prepare_delta(_delta(iri, shot.statements, ()), command=f"remove {name} {key}")


CLASSES = {
    "organisation": str(SIC.Organisation),
    "activity": str(SIC.Activity),
    "alliance": str(SIC.Alliance),
    "topic": str(SIC.Topic),
    "project": str(SIC.Project),
    "objective": str(SIC.StrategicObjective),
    "person": str(SIC.Person),
    "taskforce": str(SIC.TaskForce),
}
"""The class a resource named by a reference field must have."""


def _unknown(
    store: GraphStore, spec: FormSpec, new: Mapping[str, Sequence[ox.NamedNode | ox.Literal]]
) -> list[tuple[str, str, str]]:
    """References to nothing of the kind the field takes (form-kind.rq), as problems."""
    problems = []
    for f in spec.fields:
        wanted = CLASSES.get(f.of) if f.kind in (Kind.ref, Kind.refs) else None
        for term in new.get(f.name, ()) if wanted else ():
            rows = solutions(store, "form-kind", this=term)
            if not any(str(row.get("class")) == f"<{wanted}>" for row in rows):
                shown = (_keys([term]) or [term.value])[0]
                problems.append((f.name, "forms.error.unknown", shown))
    return problems


def _plain_key(key: str) -> bool:
    return bool(key) and len(key) <= 80 and all(c.isalnum() or c in "-._" for c in key)


def _delta(iri: str, before: Sequence[Stated], after: Sequence[Stated]) -> Delta:
    """Remove what the form replaced from where it was; add what is new to the updates graph."""
    subject = ox.NamedNode(iri)
    then = {(s.predicate, s.value) for s in before}
    now = {(s.predicate, s.value) for s in after}
    removed: dict[str, set[ox.Triple]] = {}
    added: dict[str, set[ox.Triple]] = {}
    for s in before:
        if (s.predicate, s.value) not in now:
            triple = ox.Triple(subject, ox.NamedNode(s.predicate), s.value)
            removed.setdefault(s.graph, set()).add(triple)
    for s in after:
        if (s.predicate, s.value) not in then:
            triple = ox.Triple(subject, ox.NamedNode(s.predicate), s.value)
            added.setdefault(s.graph, set()).add(triple)
    return Delta(added=added, removed=removed)
