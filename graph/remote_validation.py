"""Validating a write to a remote server with the same checker as the embedded store.

The WriteChecker works on a pyoxigraph Store and graph names. For a remote server the write is
checked on a scratch in-memory Store holding the new data plus the part of the server it can
affect, fetched with queries shaped like graph.neighbourhood: the focus nodes with everything
linking to them, and from there three links outward. Blank nodes on a server cannot be named in
a query, so the nodes reached through them are fetched in the same query as the named node
they hang from (a chain of blank nodes up to the remaining depth). Keys that must be unique
across the whole store are checked by also fetching the nodes that share a class and key with
the new data. A load large enough that the embedded checker would validate the whole union
copies the whole union instead, so the checker never sees a half-fetched fringe.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

import pyoxigraph as ox

from graph import validation
from graph.neighbourhood import Node
from graph.remote_text import values_rows
from graph.results import Term
from graph.validation import WHOLE_GRAPH_ABOVE, WriteChecker, check_delta
from sic.vocab import RDF_TYPE

Select = Callable[[str, Sequence[str]], list[dict[str, Term]]]
"""Runs a SELECT over the given graphs (as the default graph) and returns every row."""

_DCT_IDENTIFIER = ox.NamedNode("http://purl.org/dc/terms/identifier")
_BATCH = 300
DEPTH = 3


def chain_query(nodes: Iterable[ox.NamedNode], hops: int) -> str:
    """The triples of the blank nodes `hops` links away from `nodes` through blank nodes only.

    Kept to plain patterns: Virtuoso's compiler fails on BIND inside UNION branches.
    """
    parts = []
    prev = "?n"
    for i in range(1, hops + 1):
        parts.append(f"{prev} ?q{i} ?b{i} . FILTER(isBlank(?b{i}))")
        prev = f"?b{i}"
    return (
        f"SELECT ({prev} AS ?s) ?p ?o WHERE {{ {values_rows('n', nodes)} "
        f"{' '.join(parts)} {prev} ?p ?o }}"
    )


def _triple(row: Mapping[str, Term]) -> ox.Triple | None:
    s, p, o = row.get("s"), row.get("p"), row.get("o")
    if (
        isinstance(s, ox.NamedNode | ox.BlankNode)
        and isinstance(p, ox.NamedNode)
        and isinstance(o, ox.NamedNode | ox.BlankNode | ox.Literal)
    ):
        return ox.Triple(s, p, o)
    return None


class Fetcher:
    """Copies parts of a remote union (`graphs`) into a scratch store's graph `into`."""

    def __init__(
        self, select: Select, graphs: Sequence[str], scratch: ox.Store, into: ox.NamedNode
    ) -> None:
        self.select = select
        self.graphs = graphs
        self.scratch = scratch
        self.into = into

    def _add(self, rows: Iterable[Mapping[str, Term]]) -> list[ox.Triple]:
        out = [t for t in (_triple(r) for r in rows) if t is not None]
        self.scratch.extend(ox.Quad(t.subject, t.predicate, t.object, self.into) for t in out)
        return out

    def level(
        self, nodes: Iterable[Node], *, inbound_for: Iterable[Node] = (), hops: int
    ) -> list[ox.Triple]:
        """One level of the neighbourhood for the named nodes among `nodes`.

        Outbound triples, and through blank nodes up to `hops` further links (a blank node
        cannot be named in a later query); for the nodes in `inbound_for`, the triples pointing
        at them and the outbound triples of blank nodes doing so.
        """
        named = _sorted_named(nodes)
        out: list[ox.Triple] = []
        for i in range(0, len(named), _BATCH):
            batch = named[i : i + _BATCH]
            found = self._run(f"SELECT ?s ?p ?o WHERE {{ {values_rows('s', batch)} ?s ?p ?o }}")
            out += found
            for k in range(1, hops + 1):
                if not any(isinstance(t.object, ox.BlankNode) for t in found):
                    break
                found = self._run(chain_query(batch, k))
                out += found
        wanted = _sorted_named(inbound_for)
        for i in range(0, len(wanted), _BATCH):
            batch = wanted[i : i + _BATCH]
            linking = self._run(f"SELECT ?s ?p ?o WHERE {{ {values_rows('o', batch)} ?s ?p ?o }}")
            out += linking
            if any(isinstance(t.subject, ox.BlankNode) for t in linking):
                out += self._run(
                    f"SELECT ?s ?p ?o WHERE {{ {values_rows('n', batch)} "
                    "?s ?q0 ?n . FILTER(isBlank(?s)) ?s ?p ?o }"
                )
        return out

    def _run(self, query: str) -> list[ox.Triple]:
        return self._add(self.select(query, self.graphs))

    def everything(self) -> None:
        """The whole union (for loads that touch most of it anyway)."""
        self._add(self.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", self.graphs))

    def graph(self, graph: str, into: ox.NamedNode) -> list[ox.Triple]:
        """One graph of the server, whole, into its own scratch graph."""
        rows = self.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", [graph])
        out = [t for t in (_triple(r) for r in rows) if t is not None]
        self.scratch.extend(ox.Quad(t.subject, t.predicate, t.object, into) for t in out)
        return out

    def same_keys(self, pairs: set[tuple[ox.NamedNode, ox.Literal]]) -> None:
        """Nodes of the union sharing a (class, key) with the new data: the unique-key rule."""
        ordered = sorted(pairs, key=str)
        for i in range(0, len(ordered), _BATCH):
            rows = " ".join(f"({c} {k})" for c, k in ordered[i : i + _BATCH])
            query = (
                "SELECT ?s ?c ?k WHERE { VALUES (?c ?k) { " + rows + " } "
                f"?s {RDF_TYPE} ?c ; {_DCT_IDENTIFIER} ?k }}"
            )
            for row in self.select(query, self.graphs):
                s, c, k = row.get("s"), row.get("c"), row.get("k")
                if isinstance(s, ox.NamedNode | ox.BlankNode) and isinstance(c, ox.NamedNode):
                    self.scratch.add(ox.Quad(s, RDF_TYPE, c, self.into))
                    if isinstance(k, ox.Literal):
                        self.scratch.add(ox.Quad(s, _DCT_IDENTIFIER, k, self.into))

    def around(self, seeds: set[Node]) -> None:
        """graph.neighbourhood's shape: seeds both ways, then outward to DEPTH links."""
        self.outward(seeds, self.level(seeds, inbound_for=seeds, hops=DEPTH))

    def outward(self, seen: set[Node], triples: Sequence[ox.Triple]) -> None:
        """Follow the named nodes `triples` reach, DEPTH levels outward from `seen`."""
        seen = set(seen)
        frontier = _named(triples) - seen
        for level in range(1, DEPTH + 1):
            if not frontier:
                break
            seen |= frontier
            found = self.level(frontier, hops=DEPTH - level)
            frontier = _named(found) - seen

    def change(self, nodes: set[Node]) -> bool:
        """Copy what validating a change to `nodes` can read; False when too big to be worth it.

        A superset of what graph.validation reads around a change: the nodes' own triples and
        the triples pointing at them (not at vocabulary: classes and controlled concepts are
        shared by thousands), the linking nodes both ways, and DEPTH links outward from all of
        them. When the nodes and their linkers are more than WHOLE_GRAPH_ABOVE, the checker
        validates the whole union, and the caller copies all of it instead.
        """
        if len(nodes) > WHOLE_GRAPH_ABOVE:
            return False
        expand = {n for n in nodes if not is_vocabulary(n)}
        first = self.level(nodes, inbound_for=expand, hops=DEPTH)
        linkers: set[Node] = {
            t.subject
            for t in first
            if isinstance(t.subject, ox.NamedNode | ox.BlankNode)
            and isinstance(t.object, ox.NamedNode | ox.BlankNode)
            and t.object in expand
        } - nodes
        if len(nodes | linkers) > WHOLE_GRAPH_ABOVE:
            return False
        second = self.level(linkers, inbound_for=linkers, hops=DEPTH)
        self.outward(nodes | linkers, [*first, *second])
        return True


def is_vocabulary(node: object) -> bool:
    """graph.validation's own test of what it never expands, when it has one.

    Read at call time so that the remote fetch follows the checker as it evolves; without the
    test every node counts as data, which fetches more and is still correct.
    """
    test = getattr(validation, "_is_vocabulary", None)
    return bool(test(node)) if callable(test) else False


def _sorted_named(nodes: Iterable[Node]) -> list[ox.NamedNode]:
    return sorted({n for n in nodes if isinstance(n, ox.NamedNode)}, key=str)


def _named(triples: Iterable[ox.Triple]) -> set[Node]:
    out: set[Node] = set()
    for t in triples:
        for term in (t.subject, t.object):
            if isinstance(term, ox.NamedNode):
                out.add(term)
    return out


def _nodes(triples: Iterable[ox.Triple]) -> set[Node]:
    out: set[Node] = set()
    for t in triples:
        for term in (t.subject, t.object):
            if isinstance(term, ox.NamedNode | ox.BlankNode):
                out.add(term)
    return out


def check_remote_write(
    checker: WriteChecker,
    select: Select,
    new: Mapping[ox.NamedNode, Sequence[ox.Triple]],
    others: Sequence[str],
) -> None:
    """Validate new graphs against the remote union `others` (see the module docstring).

    :raises ValidationFailed: with every violation, if the union would not conform.
    """
    scratch = ox.Store()
    context = ox.NamedNode("urn:x-sic:scratch:context")
    staged: list[ox.NamedNode] = []
    focus: set[Node] = set()
    pairs: set[tuple[ox.NamedNode, ox.Literal]] = set()
    for i, triples in enumerate(new.values()):
        name = ox.NamedNode(f"urn:x-sic:scratch:new:{i}")
        staged.append(name)
        scratch.extend(ox.Quad(t.subject, t.predicate, t.object, name) for t in triples)
        focus |= _nodes(triples)
        types: dict[Node, list[ox.NamedNode]] = {}
        keys: dict[Node, list[ox.Literal]] = {}
        for t in triples:
            if not isinstance(t.subject, ox.NamedNode | ox.BlankNode):
                continue
            if t.predicate == RDF_TYPE and isinstance(t.object, ox.NamedNode):
                types.setdefault(t.subject, []).append(t.object)
            elif t.predicate == _DCT_IDENTIFIER and isinstance(t.object, ox.Literal):
                keys.setdefault(t.subject, []).append(t.object)
        pairs |= {(c, k) for s, cs in types.items() for c in cs for k in keys.get(s, [])}
    fetch = Fetcher(select, others, scratch, context)
    if others:
        if fetch.change(focus):
            fetch.same_keys(pairs)
        else:
            fetch.everything()
    checker.check_new_graphs(scratch, staged, others=[context])


def check_remote_removal(
    checker: WriteChecker, select: Select, removed: str, others: Sequence[str]
) -> None:
    """Check that what remains conforms once the graph `removed` is gone.

    :raises ValidationFailed: if nodes of other sources depend on it.
    """
    scratch = ox.Store()
    context = ox.NamedNode("urn:x-sic:scratch:context")
    gone = ox.NamedNode("urn:x-sic:scratch:removed")
    fetch = Fetcher(select, others, scratch, context)
    triples = fetch.graph(removed, gone)
    subjects: set[Node] = {
        t.subject for t in triples if isinstance(t.subject, ox.NamedNode | ox.BlankNode)
    }
    if not others or not subjects:
        return
    linking = fetch.level((), inbound_for=subjects, hops=0)
    inbound: set[Node] = {
        t.subject
        for t in linking
        if isinstance(t.subject, ox.NamedNode | ox.BlankNode) and t.object in subjects
    }
    if not inbound:
        return
    fetch.around(inbound)
    checker.check_removal(scratch, gone, others=[context])


def check_remote_delta(
    checker: WriteChecker,
    select: Select,
    added: Sequence[ox.Triple],
    removed: Sequence[ox.Triple],
    others: Sequence[str],
) -> None:
    """Check an explicit change against the remote union with graph.validation.check_delta.

    The scratch store holds what check_delta reads from a store: the neighbourhood of the
    touched nodes and of the nodes linking to them, and the nodes sharing a class and key with
    the keys the change adds.

    :raises ValidationFailed: if the union would not conform after the change.
    """
    scratch = ox.Store()
    context = ox.NamedNode("urn:x-sic:scratch:context")
    touched: set[Node] = set()
    for t in [*added, *removed]:
        for term in (t.subject, t.object):
            if isinstance(term, ox.NamedNode | ox.BlankNode):
                touched.add(term)
    fetch = Fetcher(select, others, scratch, context)
    if others and touched:
        if not fetch.change(touched):
            fetch.everything()
        pairs: set[tuple[ox.NamedNode, ox.Literal]] = set()
        for t in added:
            key, subject = t.object, t.subject
            if t.predicate != _DCT_IDENTIFIER or not isinstance(key, ox.Literal):
                continue
            classes: set[object] = {
                a.object for a in added if a.subject == subject and a.predicate == RDF_TYPE
            }
            if isinstance(subject, ox.NamedNode | ox.BlankNode):
                classes |= {q.object for q in scratch.quads_for_pattern(subject, RDF_TYPE, None)}
            pairs |= {(c, key) for c in classes if isinstance(c, ox.NamedNode)}
        fetch.same_keys(pairs)
    check_delta(checker, scratch, added, removed, [context])
