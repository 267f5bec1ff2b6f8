"""The web pages without a browser: routes, languages, downloads, errors and caching.

The browser suite (tests/web) proves what a person sees; these run in a second through the app's
TestClient and pin the HTTP side: which language a request gets, that every UI string exists in
English, French and Spanish, that CSV downloads hold the rows the pages show, that a bad filter
is a page saying why (not a stack trace), and that the pages and the editor never displace the
machine representations at the same URLs.
"""

from __future__ import annotations

import csv
import io
import json
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from markupsafe import escape
from starlette.exceptions import StarletteDeprecationWarning

from api import i18n
from api.app import create_app
from api.i18n import (
    LOCALES_DIR,
    SUPPORTED,
    accepted_languages,
    choose_language,
    format_number,
    messages,
)
from api.settings import Settings
from graph.bootstrap import ensure_ontology
from graph.embedded import EmbeddedStore
from loaders.source import read_source
from queries.catalogue import run

with warnings.catch_warnings():
    # starlette asks for httpx2 and warns when it falls back to httpx; the client is the same
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
TEMPLATES = Path(__file__).resolve().parents[2] / "api" / "templates"


@pytest.fixture(scope="module")
def store(reference: Path, write_checker: Any) -> Iterator[EmbeddedStore]:
    st = EmbeddedStore(None, checker=write_checker)
    ensure_ontology(st)
    st.load_source(read_source(reference, base=st.base))
    yield st
    st.close()


@pytest.fixture(scope="module")
def client(store: EmbeddedStore) -> Iterator[TestClient]:
    settings = Settings(store=Path("/nonexistent/unused"), query_workers=1)
    with TestClient(create_app(settings, store=store), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(autouse=True)
def _a_new_reader(client: TestClient) -> None:
    """Each test is a reader of its own: a language an earlier test chose with `?lang=` stays
    in the shared client's cookie jar (api.language_cookie) and would be theirs."""
    client.cookies.clear()


def page(client: TestClient, path: str, **headers: str) -> Any:
    r = client.get(path, headers={"Accept": BROWSER, **headers})
    assert r.status_code == 200, f"{path}: {r.status_code} {r.text[:300]}"
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    return r


def row_keys(html: str, attribute: str = "data-activity") -> list[str]:
    return re.findall(rf'<tr {attribute}="([^"]+)"', html)


# -- languages ---------------------------------------------------------------------------------


def test_every_locale_has_the_same_strings() -> None:
    keys = {lang: set(messages(lang)) for lang in SUPPORTED}
    assert keys["fr"] == keys["en"] and keys["es"] == keys["en"]
    for lang in SUPPORTED:
        assert all(isinstance(v, str) and v.strip() for v in messages(lang).values()), lang


def test_every_area_file_has_the_same_strings_in_each_language() -> None:
    areas = {path.name.split(".")[0] for path in LOCALES_DIR.glob("*.*.json")}
    for area in areas:
        keys = [
            set(json.loads((LOCALES_DIR / f"{area}.{lang}.json").read_text())) for lang in SUPPORTED
        ]
        assert keys[0] == keys[1] == keys[2], area


def test_a_key_defined_twice_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "en.json").write_text('{"a": "A"}')
    (tmp_path / "forms.en.json").write_text('{"a": "again"}')
    monkeypatch.setattr(i18n, "LOCALES_DIR", tmp_path)
    i18n.messages.cache_clear()
    try:
        with pytest.raises(ValueError, match=r"forms\.en\.json: key 'a'"):
            i18n.messages("en")
    finally:
        i18n.messages.cache_clear()


def test_every_string_the_templates_name_exists() -> None:
    english = set(messages("en"))
    named: set[str] = set()
    for template in TEMPLATES.glob("*.html"):
        named |= set(re.findall(r"""ui\(['"]([a-z_.0-9]+)['"]\s*[,)]""", template.read_text()))
    assert named, "no ui('...') call found: is the pattern still right?"
    assert sorted(named - english) == []


@pytest.mark.parametrize(
    ("query", "header", "expected"),
    [
        ("fr", None, ("fr", True)),
        ("es", "fr", ("es", True)),
        (None, "fr-CA,fr;q=0.9,en;q=0.8", ("fr", False)),
        (None, "de-DE,de;q=0.9,es;q=0.5", ("es", False)),
        (None, "es;q=0, en;q=0.1", ("en", False)),
        ("xx", "es", ("es", False)),
        (None, None, ("en", False)),
        ("FR", None, ("fr", True)),
    ],
)
def test_language_from_the_query_then_the_header(
    query: str | None, header: str | None, expected: tuple[str, bool]
) -> None:
    assert choose_language(query, header) == expected


def test_accept_language_order_and_weights() -> None:
    assert accepted_languages("fr;q=0.5, es, en;q=0.7") == ["es", "en", "fr"]
    assert accepted_languages("") == []


def test_numbers_are_written_each_language_s_way() -> None:
    assert format_number(1250000, "en") == "1,250,000"
    assert format_number(1250000, "fr") == "1\u202f250\u202f000"
    assert format_number(1250000.5, "es", 1) == "1.250.000,5"


@pytest.mark.parametrize(
    ("headers", "path", "lang", "title"),
    [
        ({}, "/", "en", "Dashboard"),
        ({}, "/?lang=fr", "fr", "Tableau de bord"),
        ({"Accept-Language": "es-ES,es;q=0.9"}, "/", "es", "Panel"),
        ({"Accept-Language": "es"}, "/?lang=en", "en", "Dashboard"),
    ],
)
def test_pages_speak_the_reader_s_language(
    client: TestClient, headers: dict[str, str], path: str, lang: str, title: str
) -> None:
    r = page(client, path, **headers)
    assert f'<html lang="{lang}">' in r.text
    assert f"<h1>{title}</h1>" in r.text
    assert r.headers["content-language"] == lang
    assert "Accept-Language" in r.headers["vary"]


def test_an_explicit_language_travels_on_links(client: TestClient) -> None:
    html = page(client, "/?lang=fr").text
    assert 'href="/gaps?lang=fr"' in html
    assert 'href="/id/activity/A1.05?lang=fr"' in html
    plain = page(client, "/", **{"Accept-Language": "fr"}).text
    assert 'href="/gaps"' in plain  # the header is sent again anyway


def test_data_labels_follow_the_language_where_the_data_has_them(client: TestClient) -> None:
    french = page(client, "/id/activity/A1.01?lang=fr").text
    assert "<h1>Analyse de la place des sols dans les CDN actuelles" in french
    # objectives have English titles only: the page says that name is English
    assert re.search(
        r'<h1 lang="en">Ensure Soil Health', page(client, "/id/objective/A1?lang=fr").text
    )
    spanish = page(client, "/gaps?lang=es").text
    assert "Políticas e incidencia" in spanish or "Política" in spanish  # a category in Spanish


# -- the dashboard and the gaps ------------------------------------------------------------


def test_dashboard_figures_come_from_the_data(client: TestClient, store: EmbeddedStore) -> None:
    html = page(client, "/").text
    gaps = run(store, "uncovered-activities", {"facility": "global"}).rows

    def figure(name: str) -> str:
        found = re.search(
            rf'data-figure="{name}"[^>]*>(?:<a [^>]*>)?<span class="figure">([^<]+)', html
        )
        assert found, name
        return found.group(1)

    assert figure("gaps") == str(len(gaps))
    assert figure("activities") == "47"
    assert figure("organisations") == "60"
    assert html.count('<tr data-objective="') >= 9  # heatmap rows (and funding rows)


def test_gap_filters_narrow_the_list(client: TestClient) -> None:
    everything = row_keys(page(client, "/gaps").text)
    assert len(everything) == 13
    a2 = row_keys(page(client, "/gaps?objective=A2").text)
    assert a2 and set(a2) < set(everything) and all(k.startswith("A2.") for k in a2)
    goal_c = row_keys(page(client, "/gaps?goal=C").text)
    assert goal_c and all(k.startswith("C") for k in goal_c)
    research = row_keys(page(client, "/gaps?category=RES").text)
    assert set(research) == {"A4.04", "A5.01"}
    core = row_keys(page(client, "/gaps?facility=core").text)
    assert core and not set(core) & set(everything)
    africa = row_keys(page(client, "/gaps?region=002").text)
    assert "A2.07" in africa and "A1.05" not in africa


def test_gaps_csv_has_the_rows_of_the_page(client: TestClient) -> None:
    r = client.get("/gaps.csv", params={"objective": "A2", "lang": "fr"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="gaps.csv"' in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [row["activity"] for row in rows] == row_keys(page(client, "/gaps?objective=A2").text)
    assert list(rows[0]) == [
        "activity",
        "title",
        "goal",
        "objective",
        "objective_title",
        "category",
        "category_label",
        "facility",
        "finished_projects",
        "waiting_links",
    ]
    assert {row["goal"] for row in rows} == {"A"}
    assert any(row["category_label"] == "Projets de terrain" for row in rows) or rows


@pytest.mark.parametrize(
    ("path", "status"),
    [("/gaps?objective=Z9", 404), ("/gaps?facility=elsewhere", 422), ("/gaps?category=NOPE", 404)],
)
def test_a_bad_filter_is_a_page_that_says_why(client: TestClient, path: str, status: int) -> None:
    r = client.get(path, headers={"Accept": BROWSER})
    assert r.status_code == status
    if status == 404:
        assert r.headers["content-type"] == "text/html; charset=utf-8"
        assert "Z9" in r.text or "NOPE" in r.text
        assert "Traceback" not in r.text


def test_a_bad_filter_in_a_csv_is_csv_too(client: TestClient) -> None:
    r = client.get("/gaps.csv", params={"objective": "Z9"})
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/csv")
    assert r.text.startswith("error\r\n")


# -- activity, objective, organisation -----------------------------------------------------------


def test_activity_page_has_candidates_reasons_and_alliance(client: TestClient) -> None:
    html = page(client, "/id/activity/A2.07").text
    assert 'id="candidates"' in html and 'id="alliance"' in html
    first = html.index('<li data-organisation="women-in-soil">')
    assert 'data-signal="activity_topics"' in html[first : first + 3000]
    assert "Grace Wanjiru is Regional Representative for Africa" in html
    alliance = html[html.index('id="alliance"') :]
    assert '<li data-organisation="women-in-soil">' in alliance
    # the linked-data description is still there, below
    assert 'id="statements"' in html and 'href="/ontology#Activity"' in html


def test_activity_downloads(client: TestClient) -> None:
    candidates = client.get("/activities/A2.07/candidates.csv")
    rows = list(csv.DictReader(io.StringIO(candidates.text)))
    assert rows[0]["organisation"] == "women-in-soil" and rows[0]["rank"] == "1"
    assert "Shares 3 of 4 topics" in rows[0]["reasons"]
    alliance = list(csv.DictReader(io.StringIO(client.get("/activities/A2.07/alliance.csv").text)))
    assert alliance[0]["organisation"] == "women-in-soil"
    assert client.get("/activities/Z9.99/candidates.csv").status_code == 404


def test_the_activity_page_in_french_gives_french_reasons(
    client: TestClient, store: EmbeddedStore
) -> None:
    html = page(client, "/id/activity/A2.07?lang=fr").text
    assert "Grace Wanjiru est Représentant régional (Afrique)" in html
    assert "Grace Wanjiru is Regional Representative" not in html
    params = {"activity": "A2.07", "top": "10", "lang": "fr"}
    french = run(store, "candidates-for-activity", params).rows
    # a name the data has only in English is marked inside the sentence (the fallback badge)
    badge = r'<span class="fallback"[^>]*><span[^>]*>[^<]*</span><span[^>]*>[^<]*</span></span>'
    candidates = html[html.index('id="candidates"') :]
    unmarked = re.sub(r'<span lang="en">([^<]*)</span>', r"\1", re.sub(badge, "", html))
    for row in french:
        for reason in row["reasons"]:
            assert escape(reason["text"]) in unmarked, reason["text"]
    assert "Shares" not in html
    assert candidates.count('<span lang="en">') == len(
        re.findall(r'<span lang="en">[^<]*</span>' + badge, candidates)
    )
    alliance = html[html.index('id="alliance"') :]
    assert "un organisme de recherche" in alliance or "un bailleur de fonds" in alliance


def test_downloads_and_the_json_api_speak_the_reader_s_language(client: TestClient) -> None:
    spanish = client.get("/activities/A2.07/candidates.csv", headers={"Accept-Language": "es"})
    rows = list(csv.DictReader(io.StringIO(spanish.text)))
    assert "Comparte 3 de los 4 temas de la actividad" in rows[0]["reasons"]
    api = client.get("/api/activities/A2.07/candidates?lang=fr").json()
    assert api["candidates"][0]["reasons"][0]["text"].startswith("Partage 3 des 4 thèmes")
    assert set(api["candidates"][0]["reasons"][0]) == {
        "signal",
        "weight",
        "value",
        "text",
        "evidence",
    }
    by_header = client.get(
        "/api/projects/faidherbia-scaling/candidates", headers={"Accept-Language": "es-MX,es"}
    ).json()
    texts = [r["text"] for c in by_header["candidates"] for r in c["reasons"]]
    assert texts and any("equipo" in t for t in texts) and not any(" the " in t for t in texts)
    asked = "/api/queries/funders-for-project?project=faidherbia-scaling&as_of=2025-12-01"
    french = client.get(asked, headers={"Accept-Language": "fr"}).json()
    assert french["params"]["lang"] == "fr"
    assert any(r["text"].startswith("L'appel") for row in french["rows"] for r in row["reasons"])
    english = client.get(asked, headers={"Accept-Language": "de"}).json()
    assert english["params"]["lang"] == "en"
    refused = client.get("/api/activities/A2.07/candidates?lang=de")
    assert refused.status_code == 400
    assert "parameter 'lang' must be one of en, fr, es, not 'de'" in refused.json()["detail"]
    assert client.get(asked + "&lang=xx").status_code == 400


def test_objective_page_has_targets_roster_and_evidence(client: TestClient) -> None:
    html = page(client, "/id/objective/A1").text
    assert "Baseline 2020" in html and "Target 2030" in html and "Target 2050" in html
    assert "only 28 specified SOC, peatland, or wetland targets" in html
    assert 'href="/id/person/helena-brandt"' in html  # the Task Force Leader
    assert "Most NDCs mention agriculture" in html  # a Delphi response, in English
    assert 'lang="fr"' in html  # and one written in French says so
    assert html.count('<tr data-activity="') == 5


def test_organisation_page_has_profile_work_and_opportunities(client: TestClient) -> None:
    html = page(client, "/id/organisation/boreal-peat").text
    assert 'id="opportunities"' in html
    assert '<tr data-organisation="borneo-peat">' in html
    html = page(client, "/id/organisation/soilnet-intl").text
    assert "Sahel Agroforestry Alliance" in html


def test_other_kinds_keep_the_plain_description(client: TestClient) -> None:
    html = page(client, "/id/project/ndc-soil-helpdesk?lang=es").text
    assert '<html lang="es">' in html and "Fuentes" in html


def test_rdf_representations_are_untouched(client: TestClient) -> None:
    r = client.get("/id/activity/A2.07", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    assert r.headers["vary"] == "Accept"


def test_pages_are_cached_by_language(client: TestClient) -> None:
    english = client.get("/id/activity/A2.07", headers={"Accept": BROWSER})
    french = client.get("/id/activity/A2.07?lang=fr", headers={"Accept": BROWSER})
    assert english.headers["etag"] != french.headers["etag"]
    client.cookies.clear()  # the English reader again (the French page remembered French)
    again = client.get(
        "/id/activity/A2.07",
        headers={"Accept": BROWSER, "If-None-Match": english.headers["etag"]},
    )
    assert again.status_code == 304
    dashboard = page(client, "/gaps?objective=A2")
    tag = dashboard.headers["etag"]
    cached = client.get("/gaps?objective=A2", headers={"Accept": BROWSER, "If-None-Match": tag})
    assert cached.status_code == 304
    other = client.get("/gaps?objective=A5", headers={"Accept": BROWSER, "If-None-Match": tag})
    assert other.status_code == 200


# -- network, questions, editor, assets ------------------------------------------------------------


def test_network_data(client: TestClient) -> None:
    data = client.get("/network.json").json()
    ids = {n["id"] for n in data["nodes"]}
    assert "soilnet-intl" in ids
    assert all(e["source"] in ids and e["target"] in ids for e in data["edges"])
    assert data["brokers"][0]["organisation"] == "soilnet-intl"
    assert next(n for n in data["nodes"] if n["id"] == "soilnet-intl")["broker"] is True
    around = client.get("/network.json", params={"objective": "A2"}).json()
    assert 0 < len(around["nodes"]) < len(data["nodes"])
    assert client.get("/network.json", params={"objective": "Z9"}).status_code == 404
    html = page(client, "/network").text
    assert 'id="network-data"' in html and "/static/network.js" in html
    assert "</script><" not in html.split('id="network-data">', 1)[1].split("</script>", 1)[0]


def test_questions_as_forms(client: TestClient) -> None:
    html = page(client, "/queries").text
    assert 'action="/queries/candidates-for-activity"' in html
    assert '<label for="candidates-for-activity-activity">' in html
    answered = page(client, "/queries/task-force-roster?objective=A1").text
    assert "helena-brandt" in answered and 'id="answer"' in answered
    assert client.get("/queries/task-force-roster.csv?objective=A1").text.startswith(
        "objective,person,name"
    )


def test_a_refused_parameter_comes_back_on_the_form(client: TestClient) -> None:
    r = client.get(
        "/queries/candidates-for-activity?activity=A2.07&top=0", headers={"Accept": BROWSER}
    )
    assert r.status_code == 400
    assert 'role="alert"' in r.text and 'value="A2.07"' in r.text
    missing = client.get(
        "/queries/candidates-for-activity?activity=Z9.99", headers={"Accept": BROWSER}
    )
    assert missing.status_code == 404 and 'role="alert"' in missing.text
    assert client.get("/queries/no-such-question", headers={"Accept": BROWSER}).status_code == 404


def test_sparql_gives_browsers_the_editor_and_machines_the_description(client: TestClient) -> None:
    html = page(client, "/sparql").text
    assert '<textarea id="query" name="query"' in html
    assert "PREFIX sic: &lt;https://w3id.org/4p1000/ontology#&gt;" in html
    assert 'value="coverage-by-objective"' in html  # the catalogue's queries as examples
    for accept in (None, "*/*", "text/turtle"):
        headers = {"Accept": accept} if accept else {}
        r = client.get("/sparql", headers=headers)
        assert r.headers["content-type"].startswith("text/turtle"), accept
    answer = client.get(
        "/sparql",
        params={"query": "ASK { ?s ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert answer.json()["boolean"] is True


def test_static_assets(client: TestClient) -> None:
    css = client.get("/static/site.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert (
        client.get("/static/site.css", headers={"If-None-Match": css.headers["etag"]}).status_code
        == 304
    )
    assert (
        client.get("/static/network.js")
        .headers["content-type"]
        .startswith(("application/javascript", "text/javascript"))
    )
    for path in ("/static/../pages.py", "/static/%2e%2e/pages.py", "/static/nothing.css"):
        assert client.get(path).status_code == 404


def test_no_page_asks_for_anything_outside_the_service(client: TestClient) -> None:
    for path in ("/", "/gaps", "/network", "/queries", "/sparql", "/id/activity/A2.07"):
        html = page(client, path).text
        assets = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
        outside = [
            a
            for a in assets
            if a.startswith(("http:", "https:", "//")) and not a.startswith("http://testserver/")
        ]
        assert outside == [], path


def test_no_raw_string_key_leaks_into_a_page(client: TestClient) -> None:
    for lang in SUPPORTED:
        for path in ("/", "/gaps", "/id/activity/A2.07", "/id/objective/A1", "/network"):
            html = page(client, f"{path}{'&' if '?' in path else '?'}lang={lang}").text
            text = re.sub(r"<[^>]+>", " ", html)
            leaked = re.findall(
                r"\b(?:nav|dashboard|gaps|activity|objective|organisation|network|level|signal|"
                r"col|figure|funding)\.[a-z_]+\b",
                text,
            )
            assert leaked == [], (lang, path, leaked[:5])


# -- the page-only queries ---------------------------------------------------------------------


def test_page_queries_declare_project_and_answer(store: EmbeddedStore) -> None:
    """Each queries/blocks/pages/*.rq: a header, its parameters used and projected (pyoxigraph only
    substitutes projected variables, a remote store joins a VALUES block on them), and rows
    with every declared column on the reference data."""
    import pyoxigraph as ox

    from queries.page_data import PAGE_SPARQL
    from queries.sparql import named_rows, rq
    from sic.iris import mint
    from sic.rq import projection, variables

    files = sorted(PAGE_SPARQL.glob("*.rq"))
    assert len(files) >= 5
    assert sorted(p.name for p in PAGE_SPARQL.iterdir()) == [p.name for p in files]
    for path in files:
        query = rq(path.stem)
        assert query.path == path, path.name
        assert query.role == "part" and query.columns, path.name
        projected = projection(query.text)
        assert projected is not None and set(query.columns) <= projected, path.name
        terms = {}
        for param in query.params:
            assert param.name in variables(query.text) and param.name in projected, path.name
            key = {
                "project": "ndc-soil-helpdesk",
                "alliance": "sahel-agroforestry",
                "organisation": "terra-viva",  # a funder (report-funder-*.rq)
            }.get(str(param.kind), "A1")
            kind = "objective" if param.kind is None else str(param.kind)  # a plain IRI: any
            if param.kind is None and path.stem == "result-names":  # names what pages don't
                kind, key = "organisation", "terra-viva"
            terms[param.name] = ox.NamedNode(str(mint(kind, key, store.base)))
        rows = named_rows(store, path.stem, **terms)
        assert rows, path.name
        assert all(set(row) == set(query.columns) for row in rows), path.name


@pytest.mark.parametrize(
    "name", ['a"; x=.csv', "caf\u00e9\r\nSet-Cookie: x", "\U0001f4a9", "plain.csv"]
)
def test_download_names_never_reach_the_header_raw(name: str) -> None:
    from api.routes.pages import attachment

    header = attachment(name)
    header.encode("latin-1")  # a header value, whatever the name
    assert "\r" not in header and "\n" not in header
    fallback = header.split('filename="', 1)[1].split('"', 1)[0]
    assert set(fallback) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
    from urllib.parse import unquote

    assert unquote(header.split("filename*=UTF-8''", 1)[1]) == name
