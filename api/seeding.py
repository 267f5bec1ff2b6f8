"""Filling an empty store with the bundled reference data, as one validated write.

`sic serve` on an empty store loads the reference workbook, the IATI sample (each file its
organisations reconciled against those loaded before it) and the links the rules propose. One
by one, each load validated its source against the union (18 validations with the ontology),
and the first answer came 41-45 s after start on a 2-core machine. Here the sources are read
in the same order against a scratch in-memory store that holds what the store would hold by
then (the reconciliation and the link rules ask it), and the store of record then loads them
all as one write, the union validated once (EmbeddedStore.load_new_sources). The store ends
up with the same sources, triples and change records as when loading them one by one.

When that one validation fails, nothing is stored and the sources are loaded one by one, so
that the refusal names the source and the cells as it always did. Only the bundled data is
seeded so: one validation of the union would accept a file that refers to one loaded after it,
which one by one is refused; the bundled files load one by one too, as every `sic serve` on an
empty store did before.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox

from graph.bootstrap import bundled_ontology
from graph.dataset import SourceInfo
from graph.embedded import EmbeddedStore
from graph.neighbourhood import GraphName
from graph.validation import WriteChecker, validate_source
from loaders.iati import is_iati
from loaders.source import read_source
from queries.linking import links_source
from queries.reconciliation import known_organisations
from sic.errors import KGError, ValidationFailed
from sic.source import Source

log = logging.getLogger(__name__)


class _Unchecked(WriteChecker):
    """Lets every write of the scratch store through: it only answers the readers' questions
    (which organisations are known, what the link rules find); the store of record validates
    what it is given."""

    def check_new_graphs(
        self, store: ox.Store, new: Sequence[ox.NamedNode], others: Sequence[GraphName]
    ) -> None:
        return None


def read_in_order(
    ontology: Source, paths: Sequence[Path], base: str, *, links: bool, command: str
) -> list[Source]:
    """The sources `paths` name, read as loading them one by one after `ontology` would read
    them, then the proposed links when `links`: each IATI file reconciled against the
    organisations of the sources before it, the rules run over them all.

    :raises LoaderError: a path cannot be read (the first, in order).
    """
    scratch = EmbeddedStore(None, base=base, checker=_Unchecked())
    try:
        scratch.load_source(ontology, command=command)
        sources: list[Source] = []
        for path in paths:
            known = known_organisations(scratch) if is_iati(path) else []
            source = read_source(path, base=base, check=validate_source, known=known)
            scratch.load_source(source, command=command)
            sources.append(source)
        if links:
            proposed, count = links_source(scratch)
            log.info("proposed %d links from IATI projects to the Strategy", count)
            sources.append(proposed)
        return sources
    finally:
        scratch.close()


def seed_together(
    store: EmbeddedStore, paths: Sequence[Path], *, links: bool, command: str
) -> list[SourceInfo] | None:
    """Load the bundled ontology, `paths` and the proposed links (when `links`) into an empty
    store as one write.

    Answers what was loaded, or None when the union does not conform: then nothing is
    stored, and loading the sources one by one tells which one is refused.

    :raises LoaderError: a path cannot be read; nothing is stored.
    :raises KGError: the store is not empty, a path holds a dataset, or two name the same
        source; nothing is stored.
    """
    if store.sources():
        raise KGError("only an empty store is seeded")
    ontology = bundled_ontology()
    sources = read_in_order(ontology, paths, store.base, links=links, command=command)
    try:
        return store.load_new_sources([ontology, *sources], command=command)
    except ValidationFailed as exc:
        log.info("the sources together do not conform (%d violations)", len(exc.violations))
        return None
