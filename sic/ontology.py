"""The SIC ontology as one rdflib graph, and its controlled lists as lookup tables.

The ontology is split into modules (`ontology/core/*.ttl`), alignments to reused vocabularies
(`ontology/alignments/*.ttl`) and the aggregate `ontology/sic.ttl`, which `owl:imports` them.
rdflib does not follow `owl:imports`, and the module IRIs need not resolve (the platform runs
offline), so the files are found on disk and parsed together here.

Controlled lists (stages, organisation types, regions ...) are SKOS concept schemes whose
`skos:notation` is the value a workbook cell holds; `controlled_values` reads them from the graph,
so that code maps "concept_note" to `sic:StageConceptNote` without restating the contract.

Parsing costs a few hundred milliseconds, so results are cached, keyed on the files' sizes and
modification times: an edited ontology is picked up by a long-running process, an unchanged one
is parsed once.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Final

from rdflib import Graph, URIRef

from sic.errors import KGError, NotFound
from sic.paths import ontology_dir
from sic.vocab import PREFIXES, RDF, REGION_NS, SIC, SKOS

CONTROLLED_LISTS: Final[tuple[URIRef, ...]] = (
    SIC.FacilityTypes,
    SIC.OrganisationTypes,
    SIC.MembershipStatuses,
    SIC.TaskForceRoles,
    SIC.Stages,
    SIC.FundingStatuses,
    SIC.DelphiPhases,
    SIC.DelphiQuestions,
    SIC.Regions,
    SIC.GovernanceBodies,
)
"""The concept schemes that ontology/README.md names as controlled lists, in its order."""

_Stamp = tuple[tuple[str, int, int], ...]


def ontology_files(directory: Path | None = None) -> list[Path]:
    """Every Turtle file of the ontology: the core modules, the alignments, then the aggregate.

    The order is stable (sorted within each folder) so that a checksum over the files' bytes
    identifies one version of the ontology. `directory` defaults to the bundled ontology.
    Raises NotFound when there are no core modules or no aggregate: an empty result would
    otherwise pass for an empty ontology.
    """
    root = directory if directory is not None else ontology_dir()
    core = sorted((root / "core").glob("*.ttl"))
    if not core:
        raise NotFound(f"no ontology modules (core/*.ttl) in {root}")
    aggregate = root / "sic.ttl"
    if not aggregate.is_file():
        raise NotFound(f"the aggregate ontology {aggregate} is missing")
    alignments = sorted((root / "alignments").glob("*.ttl"))
    return [*core, *alignments, aggregate]


def _stamp(files: list[Path]) -> _Stamp:
    """What identifies the current content of the files without reading them."""
    stamp = []
    for path in files:
        status = path.stat()
        stamp.append((str(path), status.st_size, status.st_mtime_ns))
    return tuple(stamp)


@lru_cache(maxsize=4)
def _parsed(stamp: _Stamp) -> Graph:
    graph = Graph()
    for name, _size, _mtime in stamp:
        try:
            graph.parse(name, format="turtle")
        except Exception as exc:
            raise KGError(f"{name}: not valid Turtle: {exc}") from exc
    return graph


def _current() -> Graph:
    return _parsed(_stamp(ontology_files()))


def ontology_graph() -> Graph:
    """The whole ontology (modules, alignments, aggregate) in one new rdflib graph.

    Each call returns a fresh copy with the platform's prefixes bound, so callers may add to it
    or load it into a store without affecting the cached parse.
    """
    out = Graph()
    for prefix, namespace in PREFIXES.items():
        out.bind(prefix, namespace)
    out.bind("region", REGION_NS)
    for triple in _current():
        out.add(triple)
    return out


@lru_cache(maxsize=4)
def _controlled_lists(stamp: _Stamp) -> dict[URIRef, dict[str, URIRef]]:
    graph = _parsed(stamp)
    lists: dict[URIRef, dict[str, URIRef]] = {}
    for scheme in graph.subjects(RDF.type, SKOS.ConceptScheme):
        if not isinstance(scheme, URIRef):
            continue
        values: dict[str, URIRef] = {}
        for concept in graph.subjects(SKOS.inScheme, scheme):
            if not isinstance(concept, URIRef):
                continue
            for notation in graph.objects(concept, SKOS.notation):
                key = str(notation)
                if values.setdefault(key, concept) != concept:
                    raise KGError(
                        f"the notation {key!r} stands for both <{values[key]}> and <{concept}> "
                        f"in the concept scheme <{scheme}>; each value must name one concept"
                    )
        lists[scheme] = values
    return lists


def controlled_values(scheme_iri: str | URIRef) -> dict[str, URIRef]:
    """The controlled list `scheme_iri` as {workbook value (skos:notation): concept IRI}.

    For example `controlled_values(SIC.Stages)["concept_note"] == SIC.StageConceptNote`.
    Values come in the order the ontology's files declare their concepts (rdflib keeps the
    order it parsed triples in), which is the contract's: messages that list them read like it.
    The dictionary is a copy: callers may change it freely. Raises NotFound when the ontology
    has no concept scheme with that IRI.
    """
    scheme = URIRef(str(scheme_iri))
    lists = _controlled_lists(_stamp(ontology_files()))
    if scheme not in lists:
        known = ", ".join(sorted(str(s) for s in lists))
        raise NotFound(f"<{scheme}> is not a concept scheme of the SIC ontology; known: {known}")
    return dict(lists[scheme])


__all__ = ["CONTROLLED_LISTS", "controlled_values", "ontology_files", "ontology_graph"]
