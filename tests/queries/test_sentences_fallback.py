"""A reason that names something the data lacks in the reader's language (issue 17): the
sentence is still plain text (JSON, CLI), and it knows which names it shows in English, so a page
marks them with the fallback badge."""

from __future__ import annotations

import pickle

from queries.labels import Labels
from queries.sentences import Items, Label, Said, Speaker, say

LABELS = Labels(
    {
        ("topic", "peat"): {"en": "peatlands", "fr": "tourbières"},
        ("topic", "mrv"): {"en": "carbon MRV"},
        ("Regions", "002"): {"en": "Africa", "fr": "Afrique", "es": "África"},
    }
)
TOPICS = Items((Label("topic", "peat"), Label("topic", "mrv")))


def test_a_name_only_in_english_is_marked_in_a_french_sentence() -> None:
    said = Speaker("fr", LABELS).text(say("exact.some", count=2, wanted=3, topics=TOPICS))
    assert said == "Déclare 2 des 3 thèmes de l'activité : tourbières et carbon MRV"
    assert isinstance(said, Said) and said.fallbacks == ("en",)
    assert ("carbon MRV", "en") in said.parts and ("tourbières", None) not in said.parts
    assert "".join(text for text, _ in said.parts) == str(said)


def test_nothing_is_marked_in_english_nor_where_the_data_has_the_language() -> None:
    english = Speaker("en", LABELS).text(say("exact.some", count=2, wanted=3, topics=TOPICS))
    assert english.fallbacks == () and "\x02" not in english
    regions = Speaker("es", LABELS).text(say("team_regions.shared", regions=Label("region", "002")))
    assert regions.fallbacks == () and "África" in regions


def test_the_matcher_s_english_is_marked_too_but_no_unnamed_placeholder() -> None:
    speaker = Speaker("es", LABELS)
    said = speaker.text(say("exact.some", count=1, wanted=1, topics=Label("topic", "x", "Soils")))
    assert ("Soils", "en") in said.parts
    unnamed = speaker.text(say("exact.some", count=1, wanted=1, topics=Label("topic", "y")))
    assert unnamed.fallbacks == ()


def test_plain_text_where_a_caller_wants_a_string() -> None:
    speaker = Speaker("fr", LABELS)
    assert speaker.arg(TOPICS) == "tourbières et carbon MRV"
    assert type(speaker.label(Label("topic", "mrv"))) is str


def test_a_said_crosses_processes_with_its_parts() -> None:
    said = Speaker("fr", LABELS).text(say("exact.some", count=2, wanted=3, topics=TOPICS))
    back = pickle.loads(pickle.dumps(said))
    assert back == said and back.parts == said.parts
