"""The shapes files themselves: names, messages, constructs the write path can use, and
agreement with the ontology's classes and controlled lists."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyshacl.entrypoints import meta_validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node

from sic.ontology import controlled_values, ontology_graph
from sic.validation import SHAPES_NS, SICSH, compact, validator
from sic.vocab import OWL, RDF, RDFS, SH, SIC, SKOS

# Checked by pyshacl 0.40 only for the focus nodes themselves: with `focus_nodes`, the value
# nodes these parameters hand to another shape are filtered out too, so the rule would silently
# pass on every write. Express such rules with sh:sparql instead.
NESTED_SHAPE_PARAMETERS = (SH.node, SH["or"], SH["and"], SH["not"], SH.xone, SH.qualifiedValueShape)
ADVISORY = {"sicsh:Objective-topicsAdvised"}
MESSAGE_LANGUAGES = ("en", "fr", "es")
WITHDRAWN_CURRENCIES = {"ANG", "BGN", "CUC", "HRK", "SLL", "ZWL"}


def _shapes() -> Graph:
    return validator().shapes_graph


def _constrained() -> list[Node]:
    """Shapes that carry constraints of their own: property shapes and SPARQL-based shapes."""
    graph = _shapes()
    found = set(graph.subjects(SH.path, None)) | set(graph.subjects(SH.sparql, None))
    return sorted(found, key=str)


def _all_shapes() -> list[Node]:
    graph = _shapes()
    found = set(_constrained()) | set(graph.subjects(SH.targetClass, None))
    found |= set(graph.objects(None, SH.property))
    return sorted(found, key=str)


def _english(graph: Graph, node: Node, predicate: URIRef) -> list[str]:
    return [
        str(o)
        for o in graph.objects(node, predicate)
        if isinstance(o, Literal) and o.language == "en"
    ]


def _selects() -> Iterator[tuple[Node, str]]:
    graph = _shapes()
    for shape, constraint in graph.subject_objects(SH.sparql):
        yield shape, str(graph.value(constraint, SH.select))


def _with_short_lists(graph: Graph, longest: int = 20) -> Graph:
    """`graph` with every sh:in list longer than `longest` cut to its first three items.

    pyshacl's SHACL-SHACL check spends quadratic time describing long lists (the 178 currency
    codes alone take seconds to minutes); the lists' content is checked by its own tests.
    """
    short = Graph()
    short += graph
    for shape, listed in list(short.subject_objects(SH["in"])):
        items = list(Collection(short, listed))
        if len(items) > longest:
            short.remove((shape, SH["in"], listed))
            head = BNode()
            Collection(short, head, items[:3])
            short.add((shape, SH["in"], head))
    return short


@pytest.mark.parametrize("path", validator().shape_files, ids=lambda p: p.name)
def test_each_shapes_file_is_valid_shacl(path: Path) -> None:
    graph = _with_short_lists(Graph().parse(path, format="turtle"))
    conforms, _, text = meta_validate(graph, inference="none")
    assert conforms, text


@pytest.mark.parametrize("shape", _all_shapes(), ids=lambda s: compact(str(s)))
def test_every_shape_has_an_iri_and_an_english_label(shape: Node) -> None:
    assert isinstance(shape, URIRef) and str(shape).startswith(SHAPES_NS)
    assert [label for label in _english(_shapes(), shape, RDFS.label) if label.strip()]


def _messages(shape: Node) -> dict[str, list[str]]:
    """The rule's `sh:message` texts by language tag (untagged ones under "")."""
    found: dict[str, list[str]] = {}
    for message in _shapes().objects(shape, SH.message):
        assert isinstance(message, Literal)
        found.setdefault(message.language or "", []).append(str(message))
    return found


def _language_problems(messages: dict[str, list[str]]) -> list[str]:
    """What is wrong with a rule's languages: each of MESSAGE_LANGUAGES once, no other."""
    problems = [f"no sh:message @{lang}" for lang in MESSAGE_LANGUAGES if lang not in messages]
    problems += [
        f"{len(texts)} sh:message @{lang or '(untagged)'}"
        for lang, texts in sorted(messages.items())
        if lang not in MESSAGE_LANGUAGES or len(texts) != 1
    ]
    return problems


@pytest.mark.parametrize("shape", _constrained(), ids=lambda s: compact(str(s)))
def test_every_rule_says_in_english_french_and_spanish_what_is_wrong(shape: Node) -> None:
    messages = _messages(shape)
    assert _language_problems(messages) == []
    (text,) = messages["en"]
    assert len(text) > 30 and text[0].isupper() and text.rstrip().endswith(".")
    assert re.fullmatch(r"[\x20-\x7e]+", text), "plain ASCII English, no stray characters"
    assert re.search(r"\b(must|cannot|may|has no)\b", text), "say what is expected"


@pytest.mark.parametrize("shape", _constrained(), ids=lambda s: compact(str(s)))
def test_translated_messages_keep_columns_files_and_placeholders(shape: Node) -> None:
    """A translation names the same workbook columns, files and quoted values as the English,
    and quotes the same SPARQL variables, so the reader can still find the cell."""
    messages = _messages(shape)
    (english,) = messages["en"]
    for language in ("fr", "es"):
        (text,) = messages[language]
        assert text != english
        assert text[0].isupper() and text.rstrip().endswith("."), text
        for pattern in (r"'[^' ]+'", r"\b\w+\.csv\b", r"\{[?$]\w+\}"):
            assert sorted(re.findall(pattern, text)) == sorted(re.findall(pattern, english)), (
                language,
                pattern,
            )


def test_the_language_check_fails_on_a_missing_duplicated_or_untagged_message() -> None:
    whole = {"en": ["A."], "fr": ["B."], "es": ["C."]}
    assert _language_problems(whole) == []
    assert _language_problems({"en": ["A."], "es": ["C."]}) == ["no sh:message @fr"]
    assert _language_problems({**whole, "fr": ["B.", "D."]}) == ["2 sh:message @fr"]
    assert _language_problems({**whole, "": ["E."]}) == ["1 sh:message @(untagged)"]


@pytest.mark.parametrize("shape", _constrained(), ids=lambda s: compact(str(s)))
def test_every_rule_has_an_explicit_severity(shape: Node) -> None:
    severity = _shapes().value(shape, SH.severity)
    expected = SH.Warning if compact(str(shape)) in ADVISORY else SH.Violation
    assert severity == expected


def test_no_shape_hands_value_nodes_to_another_shape() -> None:
    graph = _shapes()
    used = sorted({compact(str(p)) for p in NESTED_SHAPE_PARAMETERS if (None, p, None) in graph})
    assert used == []


@pytest.mark.parametrize(("shape", "select"), list(_selects()), ids=lambda x: compact(str(x)))
def test_sparql_rules_follow_the_pre_binding_rules(shape: Node, select: str) -> None:
    assert "$this" in select
    assert not re.search(r"\b(VALUES|MINUS|SERVICE)\b", select, re.IGNORECASE)
    assert re.search(r"SELECT\s+\$this\b", select), "select $this so the store can run it"
    assert "?path" in select, "bind ?path so the loader can point at a column"
    message = str(_shapes().value(shape, SH.message))
    selected = set(re.findall(r"[?$](\w+)", select.split("WHERE", 1)[0]))
    for variable in re.findall(r"\{[?$](\w+)\}", message):
        assert variable in selected, f"the message uses ?{variable}, which is not selected"


def test_sparql_rules_parse_with_their_declared_prefixes() -> None:
    graph = _shapes()
    for constraint in graph.objects(None, SH.sparql):
        declared = {
            str(graph.value(d, SH.prefix)): str(graph.value(d, SH.namespace))
            for holder in graph.objects(constraint, SH.prefixes)
            for d in graph.objects(holder, SH.declare)
        }
        text = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in declared.items())
        prepareQuery(text + str(graph.value(constraint, SH.select)))


def test_global_scope_marks_only_sparql_shapes() -> None:
    graph = _shapes()
    marked = {s for s, o in graph.subject_objects(SICSH.scope) if str(o) == "global"}
    assert marked, "uniqueness of codes needs the whole graph"
    assert all((s, SH.sparql, None) in graph for s in marked)
    assert {compact(s.iri) for s in validator().global_shapes()} == {
        compact(str(s)) for s in marked
    }


def _currency_codes() -> list[str]:
    """The codes of the currency rule's anchored alternation `^(AED|AFN|...)$`."""
    graph = _shapes()
    (pattern,) = list(graph.objects(SICSH.Currency, SH.pattern))
    match = re.fullmatch(r"\^\(([A-Z|]+)\)\$", str(pattern))
    assert match, pattern
    return match.group(1).split("|")


def test_the_currency_list_is_iso_4217_list_one() -> None:
    codes = _currency_codes()
    assert len(codes) == 178
    assert codes == sorted(set(codes))
    assert all(re.fullmatch(r"[A-Z]{3}", c) for c in codes)
    assert {"EUR", "USD", "XOF", "XAF", "GBP", "XCG", "ZWG", "SLE"} <= set(codes)
    assert not WITHDRAWN_CURRENCIES & set(codes)


def test_every_currency_use_shares_the_one_list() -> None:
    graph = _shapes()
    users = {compact(str(s)) for s in graph.subjects(SH.property, SICSH.Currency)}
    assert users == {"sicsh:ProjectShape", "sicsh:FundingShape", "sicsh:FundingCallShape"}


# --- agreement with the ontology (ontology/README.md is the contract for both) ----------------


def test_referenced_and_targeted_classes_exist_in_the_ontology() -> None:
    ontology = ontology_graph()
    graph = _shapes()
    classes = set(graph.objects(None, SH["class"])) | set(graph.objects(None, SH.targetClass))
    missing = sorted(str(c) for c in classes if (c, RDF.type, OWL.Class) not in ontology)
    assert missing == []


def test_sic_properties_used_by_the_shapes_exist_in_the_ontology() -> None:
    ontology = ontology_graph()
    paths = {p for p in _shapes().objects(None, SH.path) if str(p).startswith(str(SIC))}
    paths |= {
        p for p in _shapes().objects(None, SH.lessThanOrEquals) if str(p).startswith(str(SIC))
    }
    missing = sorted(str(p) for p in paths if (p, RDF.type, None) not in ontology)
    assert missing == []


def _enumerations() -> Iterator[tuple[Node, list[Node]]]:
    graph = _shapes()
    for shape, listed in graph.subject_objects(SH["in"]):
        items = list(Collection(graph, listed))
        if all(isinstance(i, URIRef) and str(i).startswith(str(SIC)) for i in items):
            yield shape, items


@pytest.mark.parametrize(("shape", "items"), list(_enumerations()), ids=lambda x: compact(str(x)))
def test_enumerations_are_whole_controlled_lists(shape: Node, items: list[Node]) -> None:
    ontology = ontology_graph()
    schemes = {ontology.value(item, SKOS.inScheme) for item in items}
    assert len(schemes) == 1 and None not in schemes, f"{items} span {schemes}"
    (scheme,) = schemes
    assert isinstance(scheme, URIRef)
    assert set(items) == set(controlled_values(scheme).values())
