"""Validation of writes against the union graph, before they commit.

A write is checked on what it can affect, not on the whole store: the nodes it adds or
changes, the nodes that link to them (a deletion can leave a dangling reference), and their
neighbourhood (see graph.neighbourhood). Rules that need the whole graph (keys unique per
class) run as queries of their own over the union. For a load that touches most of the store
anyway, the whole union is validated at once, which is cheaper than many neighbourhoods: by
the store itself, the shapes compiled to SPARQL (graph.engine_shacl), with pyshacl only for a
shape the compiler cannot translate. Neighbourhoods stay with pyshacl (milliseconds a write).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.term import Node as RdfNode

from graph.engine_shacl import EngineValidator
from graph.neighbourhood import GraphName, Node, inbound_subjects, neighbourhood
from graph.sparql_files import internal
from sic.errors import ValidationFailed, Violation
from sic.ontology import ontology_graph
from sic.source import Source
from sic.terms import graph_to_quads, to_rdflib, triples_to_graph
from sic.validation import Validator, validator
from sic.vocab import AGROVOC_NS, ONTOLOGY_IRI, RDF_TYPE, REGION_NS, SH, SIC_NS

WHOLE_GRAPH_ABOVE = 2_000
"""Above this many focus nodes, copy the union and validate it whole instead of per node."""


_KEY_SENTENCES: dict[str, dict[str, str]] = {
    "twice": {
        "en": "The key {key} is used twice for {cls}: by <{other}> and by this node. Keys must be "
        "unique.",
        "fr": "La clé {key} est utilisée deux fois pour {cls} : par <{other}> et par ce nœud. "
        "Les clés doivent être uniques.",
        "es": "La clave {key} se usa dos veces para {cls}: por <{other}> y por este nodo. Las "
        "claves deben ser únicas.",
    },
    "already": {
        "en": "The key {key} is already used by <{other}> for {cls}. Keys must be unique.",
        "fr": "La clé {key} est déjà utilisée par <{other}> pour {cls}. Les clés doivent être "
        "uniques.",
        "es": "La clave {key} ya la usa <{other}> para {cls}. Las claves deben ser únicas.",
    },
    "also": {
        "en": "The key {key} is also given to <{other}> for {cls}. Keys must be unique.",
        "fr": "La clé {key} est aussi donnée à <{other}> pour {cls}. Les clés doivent être "
        "uniques.",
        "es": "La clave {key} también se da a <{other}> para {cls}. Las claves deben ser únicas.",
    },
}
"""The store's own rule that no two things of a class share a key, in the languages the shapes
speak (shapes/*.ttl): it is checked by queries here, not by a shape."""


def _key_violation(case: str, focus: str, key: str, cls: str, other: str) -> Violation:
    """A key used twice, said in English with its French and Spanish sentences."""
    said = {
        lang: text.format(key=repr(key), cls=cls, other=other)
        for lang, text in _KEY_SENTENCES[case].items()
    }
    return Violation(
        focus_node=focus,
        path="dct:identifier",
        message=said.pop("en"),
        value=key,
        constraint="unique key",
        translations=tuple(sorted(said.items())),
    )


def _subjects_and_objects(store: ox.Store, graph: ox.NamedNode) -> tuple[set[Node], set[Node]]:
    subjects: set[Node] = set()
    objects: set[Node] = set()
    for quad in store.quads_for_pattern(None, None, None, graph):
        if isinstance(quad.subject, ox.NamedNode | ox.BlankNode):
            subjects.add(quad.subject)
        if isinstance(quad.object, ox.NamedNode | ox.BlankNode):
            objects.add(quad.object)
    return subjects, objects


def _copy(store: ox.Store, graphs: Iterable[GraphName]) -> Graph:
    out = Graph()
    for g in graphs:
        for quad in store.quads_for_pattern(None, None, None, g):
            out.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    return out


_VOCABULARY = (
    SIC_NS,
    REGION_NS,
    AGROVOC_NS,
    ONTOLOGY_IRI,
    "http://www.w3.org/",
    "https://schema.org/",
    "http://purl.org/dc/",
    "http://xmlns.com/foaf/",
    "http://rdfs.org/ns/void#",
)


def _is_vocabulary(node: object) -> bool:
    """Classes, properties and controlled-list concepts: shared by thousands, never re-checked.

    Following their inbound links would pull in every project at a stage or every
    organisation of a type; what a write does to them is checked on the nodes that use them.
    """
    return isinstance(node, ox.NamedNode) and node.value.startswith(_VOCABULARY)


_OBJECT_OF_THIS = re.compile(r"(<[^>\s]+>|[A-Za-z][\w.-]*:[\w.-]+)\s+\$this\s*[.;}]")


@functools.lru_cache(maxsize=8)
def inbound_predicates(shapes: Graph) -> frozenset[str]:
    """Predicates whose *inbound* links some shape inspects on its focus node.

    A node that gains or loses a link through any other predicate cannot change its own
    validity by it (the linking node's shapes check the link), so it need not be re-validated
    nor have its inbound links copied: that is what keeps a write to a popular organisation or
    activity cheap. Read from `sh:inversePath` and from SPARQL constraints where `$this` is the
    object of a triple pattern (`?funding schema:fundedItem $this`).
    """
    found: set[str] = {
        str(p) for p in shapes.objects(None, SH.inversePath) if isinstance(p, URIRef)
    }
    for constraint, select in shapes.subject_objects(SH.select):
        namespaces = {
            str(shapes.value(d, SH.prefix)): str(shapes.value(d, SH.namespace))
            for holder in shapes.objects(constraint, SH.prefixes)
            for d in shapes.objects(holder, SH.declare)
        }
        for token in _OBJECT_OF_THIS.findall(str(select)):
            if token.startswith("<"):
                found.add(token[1:-1])
            else:
                prefix, _, local = token.partition(":")
                if prefix in namespaces:
                    found.add(namespaces[prefix] + local)
    return frozenset(found)


def affected(
    store: ox.Store,
    added: Iterable[ox.Triple | ox.Quad],
    removed: Iterable[ox.Triple | ox.Quad],
    graphs: Sequence[GraphName],
    inbound: frozenset[str] | None = None,
) -> tuple[set[Node], set[Node]]:
    """What to validate after a change, and whose inbound links the copy needs.

    Focus: the subjects the change describes, the nodes it links to or unlinks from through a
    predicate some rule inspects inbound (`inbound`, see inbound_predicates: a project's
    fundings, a person's roles), and whoever links to a node that lost triples or changed type
    (a deletion can leave a dangling reference). The second set is whose inbound links the
    copy needs. With `inbound` None every linked node counts (the safe, slower answer).
    """
    focus: set[Node] = set()
    expand: set[Node] = set()
    relinked: set[Node] = set()
    for t, was_removed in [(t, False) for t in added] + [(t, True) for t in removed]:
        s, p, o = t.subject, t.predicate, t.object
        if isinstance(s, ox.NamedNode | ox.BlankNode) and not _is_vocabulary(s):
            focus.add(s)
            expand.add(s)
            if was_removed or p == RDF_TYPE:
                relinked.add(s)
        if (
            p != RDF_TYPE
            and isinstance(o, ox.NamedNode | ox.BlankNode)
            and not _is_vocabulary(o)
            and (inbound is None or p.value in inbound)
        ):
            focus.add(o)
            expand.add(o)
    linkers = inbound_subjects(store, relinked, graphs)
    users = _read_through(store, {n for n in focus if n not in linkers}, graphs, inbound)
    return focus | linkers | users, expand | linkers | users


def _read_through(
    store: ox.Store, changed: set[Node], graphs: Sequence[GraphName], inbound: frozenset[str] | None
) -> set[Node]:
    """The nodes that changed nodes link to through a predicate some rule reads inbound.

    Such a rule reads the changed node's own triples from the node it points at (a project's
    rule reads the status of each funding whose `schema:fundedItem` is the project), so when a
    funding loses or gains its status, the project it funds is re-checked too. Past
    WHOLE_GRAPH_ABOVE changed nodes the union is validated whole anyway: nothing to look up.
    """
    if len(changed) > WHOLE_GRAPH_ABOVE or (inbound is not None and not inbound):
        return set()
    out: set[Node] = set()
    for node in changed:
        for g in graphs:
            for q in store.quads_for_pattern(node, None, None, g):
                o = q.object
                if (
                    isinstance(o, ox.NamedNode | ox.BlankNode)
                    and q.predicate != RDF_TYPE
                    and not _is_vocabulary(o)
                    and (inbound is None or q.predicate.value in inbound)
                ):
                    out.add(o)
    return out


def _has_more_subjects(store: ox.Store, graphs: Sequence[ox.NamedNode], limit: int) -> bool:
    """Whether `graphs` describe more than `limit` subjects that are not vocabulary: it reads
    only until it knows (a few quads per subject), not the graphs whole."""
    seen: set[Node] = set()
    for g in graphs:
        for quad in store.quads_for_pattern(None, None, None, g):
            s = quad.subject
            if isinstance(s, ox.NamedNode | ox.BlankNode) and not _is_vocabulary(s):
                seen.add(s)
                if len(seen) > limit:
                    return True
    return False


class WriteChecker:
    """Decides whether a write may commit; raises ValidationFailed with every violation if not.

    A write's neighbourhood is checked by pyshacl (`validator`); the whole union, by the store
    itself running the shapes as SPARQL (`engine`, graph.engine_shacl), which gives the same
    results without copying the union into Python.
    """

    def __init__(self, shapes: Validator | None = None) -> None:
        self._validator = shapes
        self._engine: EngineValidator | None = None

    @property
    def validator(self) -> Validator:
        if self._validator is None:
            self._validator = validator()
        return self._validator

    def warm(self) -> None:
        """Do now what every write validation needs and makes on first use: the shapes parsed
        and run once (Validator.warm) and the predicates rules read inbound. A service calls
        it before it forks, so no worker makes them again inside a client's write (reading
        the inbound predicates took a fresh worker 2-12 ms at M)."""
        self.validator.warm()
        inbound_predicates(self.validator.shapes_graph)

    @property
    def engine(self) -> EngineValidator:
        if self._engine is None:
            self._engine = EngineValidator(self.validator)
        return self._engine

    def whole(self, store: ox.Store, graphs: Sequence[GraphName]) -> list[Violation]:
        """Every SHACL result over the union of `graphs` (warnings included), global rules
        left out as in write validation."""
        return self.engine.validate(store, graphs, lambda: _copy(store, graphs))

    def _run(self, data: Graph, focus: Sequence[RdfNode] | None) -> list[Violation]:
        return [
            v
            for v in self.validator.validate(data, focus_nodes=focus, include_global=False)
            if v.severity == "Violation"
        ]

    def global_violations(self, store: ox.Store, graphs: Sequence[GraphName]) -> list[Violation]:
        """Whole-graph rules, as queries over the union."""
        rows = store.query(internal("duplicate-identifiers").text, default_graph=list(graphs))
        out: list[Violation] = []
        assert isinstance(rows, ox.QuerySolutions)
        for row in rows:
            cls, ident, first, second = row["class"], row["identifier"], row["first"], row["second"]
            out.append(
                _key_violation(
                    "twice",
                    second.value if second else "",
                    ident.value if ident else "",
                    cls.value if cls else "",
                    first.value if first else "",
                )
            )
        return out

    def check_new_graphs(
        self, store: ox.Store, new: Sequence[ox.NamedNode], others: Sequence[GraphName]
    ) -> None:
        """Check that the published graphs `others` plus the staged graphs `new` conform."""
        graphs: list[GraphName] = [*others, *new]
        # every new subject is a focus node (see affected): past the threshold the union is
        # validated whole, and the walk over every new quad that affected makes is not needed
        whole = _has_more_subjects(store, new, WHOLE_GRAPH_ABOVE)
        if not whole:
            added = (q for g in new for q in store.quads_for_pattern(None, None, None, g))
            focus, expand = affected(
                store, added, (), others, inbound_predicates(self.validator.shapes_graph)
            )
            whole = len(focus) > WHOLE_GRAPH_ABOVE
        if whole:
            violations = [v for v in self.whole(store, graphs) if v.severity == "Violation"]
        else:
            data = neighbourhood(store, focus, graphs, inbound_for=expand)
            violations = self._run(data, [to_rdflib(n) for n in sorted(focus, key=str)])
        violations += self.global_violations(store, graphs)
        if violations:
            raise ValidationFailed(violations)

    def check_removal(
        self, store: ox.Store, removed: ox.NamedNode, others: Sequence[GraphName]
    ) -> None:
        """Check that what remains conforms once `removed` is gone: whoever linked into it.

        Past WHOLE_GRAPH_ABOVE such nodes (a large source whose entities the others describe
        too) what remains is validated whole on the engine, as a large load is: pyshacl over
        the neighbourhood of 200,000 nodes took over ten minutes at M."""
        subjects, _ = _subjects_and_objects(store, removed)
        focus = inbound_subjects(store, subjects, others)
        if not focus:
            return
        if len(focus) > WHOLE_GRAPH_ABOVE:
            violations = [v for v in self.whole(store, others) if v.severity == "Violation"]
        else:
            data = neighbourhood(store, focus, others)
            violations = self._run(data, [to_rdflib(n) for n in sorted(focus, key=str)])
        if violations:
            raise ValidationFailed(violations)


def validate_union(
    store: ox.Store, graphs: Sequence[GraphName], checker: WriteChecker | None = None
) -> list[Violation]:
    """Whole-graph validation of the union of `graphs` (what `sic validate` does on a store).

    Returns every result, warnings included; callers decide what fails.
    """
    checker = checker or WriteChecker()
    return checker.whole(store, graphs) + checker.global_violations(store, graphs)


def validate_source(source: Source, checker: WriteChecker | None = None) -> list[Violation]:
    """Every SHACL result for one source on its own, with the bundled ontology (what `sic
    validate FILE` reports), each located at a workbook's cell where it can be.

    :raises LoaderError: if the input cannot be parsed (line and column).
    """
    checker = checker or WriteChecker()
    data = triples_to_graph(source.quads(), ontology_graph())
    scratch = ox.Store()
    scratch.bulk_extend(graph_to_quads(data, ox.DefaultGraph()))
    found = checker.engine.validate(scratch, [ox.DefaultGraph()], lambda: data)
    return source.locate(found + checker.global_violations(scratch, [ox.DefaultGraph()]))


_DCT_IDENTIFIER = ox.NamedNode("http://purl.org/dc/terms/identifier")


def check_delta(
    checker: WriteChecker,
    store: ox.Store,
    added: Iterable[ox.Triple],
    removed: Iterable[ox.Triple],
    graphs: Sequence[GraphName],
    *,
    applied: bool = False,
) -> None:
    """Check an explicit change (triples added and removed across `graphs`) before it commits.

    With `applied` False the store is as it was before the change: the neighbourhood is read
    from it and the change applied to that copy, so the copy is what the store would hold
    around the changed nodes afterwards. With `applied` True the store already holds the
    result (a worker's private working copy, where the change was evaluated) and is read as is.
    `graphs` are the default graph's members as they are (or will be) after the change.
    """
    added = list(added)
    removed = list(removed)
    focus, expand = affected(
        store, added, removed, graphs, inbound_predicates(checker.validator.shapes_graph)
    )
    linked = set()
    if not applied:
        linked = {
            o
            for t in added
            if isinstance(o := t.object, ox.NamedNode | ox.BlankNode) and not _is_vocabulary(o)
        }
    data = neighbourhood(store, focus, graphs, inbound_for=expand, linked=linked)
    if not applied:
        for t in removed:
            data.remove(_rdflib(t))
        for t in added:
            data.add(_rdflib(t))
    # the removed triples may have been the only link to a focus node; keep only nodes left
    violations = checker.validator.validate(
        data, focus_nodes=[to_rdflib(n) for n in sorted(focus, key=str)], include_global=False
    )
    violations = [v for v in violations if v.severity == "Violation"]
    violations += _identifier_clashes(store, data, added, graphs, within=not applied)
    if violations:
        raise ValidationFailed(violations)


def _rdflib(t: ox.Triple) -> tuple[RdfNode, RdfNode, RdfNode]:
    return (to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object))


def _identifier_clashes(
    store: ox.Store,
    data: Graph,
    added: Sequence[ox.Triple],
    graphs: Sequence[GraphName],
    *,
    within: bool,
) -> list[Violation]:
    """Keys (dct:identifier) the change gives that another node of the same class has: in the
    store, and (`within`: when the store does not hold the change yet) in the change itself."""
    from rdflib.namespace import RDF

    query = internal("identifier-clash").text
    out: list[Violation] = []
    given: dict[tuple[str, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple], set[str]] = {}
    for t in added:
        if t.predicate != _DCT_IDENTIFIER:
            continue
        node = to_rdflib(t.subject)
        for cls in data.objects(node, RDF.type):
            given.setdefault((str(cls), t.object), set()).add(str(node))
            rows = store.query(
                query,
                default_graph=list(graphs),
                substitutions={
                    ox.Variable("node"): t.subject,
                    ox.Variable("class"): ox.NamedNode(str(cls)),
                    ox.Variable("identifier"): t.object,
                },
            )
            assert isinstance(rows, ox.QuerySolutions)
            for row in rows:
                other = row["other"]
                key = t.object.value if isinstance(t.object, ox.Literal) else str(t.object)
                out.append(
                    _key_violation(
                        "already", str(node), key, str(cls), other.value if other else ""
                    )
                )
    for (cls_iri, identifier), nodes in given.items():
        if within and len(nodes) > 1:
            first, *others = sorted(nodes)
            key = identifier.value if isinstance(identifier, ox.Literal) else str(identifier)
            out += [_key_violation("also", n, key, str(cls_iri), str(first)) for n in others]
    return out
