"""Each linking rule alone, on hand-made records (queries/link_rules.py)."""

from __future__ import annotations

from queries.link_rules import (
    MIN_CONFIDENCE,
    Record,
    Target,
    concept,
    country_hits,
    keyword_hits,
    propose,
    sector_hits,
    words,
)

SOC = concept(
    "t:soc",
    ["soil organic carbon", "carbone organique du sol", "carbono orgánico del suelo"],
    narrow=True,
)
SOIL = concept("t:soil", ["soil", "sol", "suelo"], narrow=False)
A2 = Target("o:A2", "objective", "A2", words("Innovative projects on soil health"))
A104 = Target(
    "a:A1.04", "activity", "A1.04", words("NDC targets"), frozenset({"t:soc"}), frozenset({"KE"})
)


def test_words_drop_accents_case_and_plurals() -> None:
    assert words("Carbono ORGÁNICO de los suelos") == " carbono organico de los suelo "
    assert SOC.named_in(words("El carbono orgánico del suelo"))
    assert not SOIL.named_in(words("Soldiers"))  # whole words only


def test_sector_rule_proposes_the_objective_only() -> None:
    record = Record("p", words("Rural roads"), frozenset({"31130"}))
    assert [h.evidence for h in sector_hits(record, A2)] == ["DAC sector 31130"]
    assert sector_hits(record, A104) == []
    assert sector_hits(Record("p", "", frozenset({"11110"})), A2) == []


def test_keyword_rule_finds_a_topic_named_in_spanish() -> None:
    record = Record("p", words("Carbono orgánico del suelo en Kenia"))
    hits = keyword_hits(record, A104, [SOC, SOIL])
    assert [h.evidence for h in hits] == ["both name 'soil organic carbon'"]  # A1.04 has the topic
    assert keyword_hits(Record("p", words("Rural roads")), A104, [SOC, SOIL]) == []


def test_country_rule_only_strengthens() -> None:
    record = Record("p", words("soil organic carbon"), countries=frozenset({"KE"}))
    assert [h.rule for h in country_hits(record, A104)] == ["country"]
    alone = propose([Record("p", words("Rural roads"), countries=frozenset({"KE"}))], [A104], [SOC])
    assert alone == []  # a country alone never reaches MIN_CONFIDENCE
    found = propose([record], [A104], [SOC, SOIL])
    assert [(p.target.code, p.rules, p.confidence) for p in found] == [
        ("A1.04", ["country", "keywords"], 0.32)
    ]
    elsewhere = propose([Record("p", words("soil organic carbon"))], [A104], [SOC, SOIL])
    assert elsewhere == [] and MIN_CONFIDENCE > 0.2
