"""Namespaces used across the platform, as rdflib namespaces, and the few terms the engine
side needs as pyoxigraph nodes.

The ontology terms are documented in ontology/README.md; this module only names them so that
Python code never spells an IRI twice.
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD

SIC_NS = "https://w3id.org/4p1000/ontology#"
ONTOLOGY_IRI = "https://w3id.org/4p1000/ontology"
DEFAULT_BASE = "https://w3id.org/4p1000/"
REGION_NS = "https://w3id.org/4p1000/id/region/"
AGROVOC_NS = "http://aims.fao.org/aos/agrovoc/"
SDG_NS = "https://metadata.un.org/sdg/"

SIC = Namespace(SIC_NS)
ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
SH = Namespace("http://www.w3.org/ns/shacl#")
REGION = Namespace(REGION_NS)
AGROVOC = Namespace(AGROVOC_NS)

RDF_TYPE = ox.NamedNode(str(RDF.type))
"""rdf:type as a pyoxigraph node (the engine side's twin of rdflib's RDF.type)."""

PREFIXES: dict[str, str] = {
    "sic": SIC_NS,
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dct": str(DCTERMS),
    "foaf": str(FOAF),
    "prov": str(PROV),
    "org": str(ORG),
    "schema": str(SCHEMA),
    "void": str(VOID),
    "sh": str(SH),
    "agrovoc": AGROVOC_NS,
}

__all__ = [
    "AGROVOC",
    "AGROVOC_NS",
    "DCAT",
    "DCTERMS",
    "DEFAULT_BASE",
    "FOAF",
    "ONTOLOGY_IRI",
    "ORG",
    "OWL",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "RDF_TYPE",
    "REGION",
    "REGION_NS",
    "SCHEMA",
    "SDG_NS",
    "SH",
    "SIC",
    "SIC_NS",
    "SKOS",
    "VOID",
    "XSD",
]
