"""Funding lines and Task Force roles edited and removed through the forms, in process.

A pledged line moved to committed lets its project move to `funded` (the shapes' rule); a save
on a version someone changed since is refused (409) with nothing stored; a value that fits no
field, or a change the shapes refuse, comes back next to its field; a removal is a confirmed
form with the resource's version, attributed like any change, refused when the graph would
no longer meet the shapes, and removes that resource and nothing else.
"""

from __future__ import annotations

import re
from typing import Any

from tests.api import test_forms_work as work
from tests.api.test_forms_work import ID, csrf_of, etag_of, exists, send

book = work.book  # the fixtures of the forms' tests: their accounts, their signed-in browsers
serve = work.serve

LINE = "faidherbia-scaling.francophone-rda.pledged"
LINE_VALUES = {
    "project": "faidherbia-scaling",
    "funder": "francophone-rda",
    "status": "pledged",
    "amount": "150000000",
    "currency": "XOF",
    "date": "2025-11-20",
}
ROLE = "A1#member-sophie-laurent"


def field_errors(page: str) -> list[tuple[str, str]]:
    return re.findall(r'<p class="error field-error"[^>]*data-field="(\w+)"[^>]*>([^<]*)', page)


def statements_about(client: Any, iri: str) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ <{iri}> ?p ?o }}"
    answer = client.get(
        "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    return int(answer.json()["results"]["bindings"][0]["n"]["value"])


def test_a_funding_line_opens_with_its_values_and_a_pledge_committed_lets_the_project_be_funded(
    serve: Any,
) -> None:
    client = serve("sec")
    page = client.get(f"/edit/funding/{LINE}", params={"lang": "fr"})
    assert page.status_code == 200 and page.headers["content-language"] == "fr"
    assert "Modifier la ligne de financement" in page.text
    assert re.search(r'<option value="pledged" selected>', page.text)
    assert 'value="150000000"' in page.text and 'value="2025-11-20"' in page.text
    assert page.headers["etag"] == f'"{etag_of(page.text)}"'
    refused = send(client, "/edit/project/faidherbia-scaling/stage", {"stage": "funded"})
    assert refused.status_code == 422  # no committed line yet
    done = send(
        client,
        f"/edit/funding/{LINE}",
        {**LINE_VALUES, "status": "committed", "amount": "160000000", "date": "2026-01-15"},
    )
    assert done.status_code == 303, done.text
    assert done.headers["location"] == "/id/project/faidherbia-scaling"
    iri = f"<{ID}funding/{LINE}>"
    assert exists(client, f"ASK {{ {iri} sic:fundingStatus sic:FundingCommitted }}")
    assert not exists(client, f"ASK {{ {iri} sic:fundingStatus sic:FundingPledged }}")
    assert exists(
        client,
        f"ASK {{ {iri} <https://schema.org/amount> ?a FILTER (?a = 160000000) }}",
    )
    moved = send(client, "/edit/project/faidherbia-scaling/stage", {"stage": "funded"})
    assert moved.status_code == 303, moved.text
    history = client.get(f"/api/resources/funding/{LINE}/history").json()
    assert history["changes"][0]["agent_label"] == "sec"
    assert history["changes"][0]["command"] == f"form funding {LINE}"


def test_a_stale_funding_save_is_refused_with_the_other_change_shown(serve: Any) -> None:
    first, second = serve("sec"), serve("sec")
    path = f"/edit/funding/{LINE}"
    opened_first, opened_second = first.get(path), second.get(path)

    def body(page: str, amount: str) -> dict[str, Any]:
        return {"csrf_token": csrf_of(page), "etag": etag_of(page), **LINE_VALUES, "amount": amount}

    saved = first.post(path, data=body(opened_first.text, "170000000"), follow_redirects=False)
    assert saved.status_code == 303, saved.text
    stale = second.post(path, data=body(opened_second.text, "99"), follow_redirects=False)
    assert stale.status_code == 409
    assert "170000000" in stale.text and 'value="99"' in stale.text
    assert not exists(first, f'ASK {{ <{ID}funding/{LINE}> ?p ?o FILTER (str(?o) = "99") }}')


def test_funding_values_that_fit_no_field_or_break_a_shape_are_shown_at_their_fields(
    serve: Any,
) -> None:
    client = serve("sec")
    typed = {**LINE_VALUES, "amount": "a lot", "currency": "EURO", "status": "promised"}
    refused = send(client, f"/edit/funding/{LINE}", typed, lang="es")
    assert refused.status_code == 422
    fields = {name for name, _ in field_errors(refused.text)}
    assert {"amount", "currency", "status"} <= fields
    assert 'value="a lot"' in refused.text
    negative = send(client, f"/edit/funding/{LINE}", {**LINE_VALUES, "amount": "-5"})
    assert negative.status_code == 422
    assert [name for name, _ in field_errors(negative.text)] == ["amount"]
    assert exists(client, f"ASK {{ <{ID}funding/{LINE}> sic:fundingStatus sic:FundingPledged }}")


def test_only_the_writers_of_its_project_may_edit_or_remove_a_line(serve: Any) -> None:
    assert serve("ana").get(f"/edit/funding/{LINE}").status_code == 403
    assert serve("ana").get(f"/remove/funding/{LINE}").status_code == 403
    leader = serve("lea")  # objective A1; faidherbia-scaling addresses A3 activities only
    assert leader.get(f"/edit/funding/{LINE}").status_code == 403
    assert serve(None).get(f"/remove/funding/{LINE}", follow_redirects=False).status_code == 303
    assert serve("sec").get("/edit/funding/no-such-line").status_code == 404
    assert serve("sec").get("/remove/project/faidherbia-scaling").status_code == 404


def test_removing_a_line_is_confirmed_attributed_and_removes_nothing_else(serve: Any) -> None:
    client = serve("sec")
    line = "pampas-cover-crops.terra-viva.pledged"
    iri = f"{ID}funding/{line}"
    others = statements_about(
        client, f"{ID}funding/pampas-cover-crops.southern-cone-fund.committed"
    )
    project = statements_about(client, f"{ID}project/pampas-cover-crops")
    page = client.get(f"/remove/funding/{line}", params={"lang": "fr"})
    assert page.status_code == 200 and "Supprimer la ligne de financement" in page.text
    assert "300000" in page.text and csrf_of(page.text) and etag_of(page.text)
    without_token = client.post(
        f"/remove/funding/{line}", data={"etag": etag_of(page.text)}, follow_redirects=False
    )
    assert without_token.status_code == 403 and statements_about(client, iri) > 0
    stale = client.post(
        f"/remove/funding/{line}",
        data={"csrf_token": csrf_of(page.text), "etag": "an-old-version"},
        follow_redirects=False,
    )
    assert stale.status_code == 409 and statements_about(client, iri) > 0
    done = send(client, f"/remove/funding/{line}", {})
    assert done.status_code == 303 and done.headers["location"] == "/id/project/pampas-cover-crops"
    assert statements_about(client, iri) == 0
    assert (
        statements_about(client, f"{ID}funding/pampas-cover-crops.southern-cone-fund.committed")
        == others
    )
    assert statements_about(client, f"{ID}project/pampas-cover-crops") == project
    history = client.get(f"/api/resources/funding/{line}/history")
    assert history.status_code == 200, history.text
    latest = history.json()["changes"][0]
    assert latest["agent_label"] == "sec" and latest["command"] == f"remove funding {line}"
    assert latest["removed_count"] == 8 and latest["added_count"] == 0
    assert client.get(f"/remove/funding/{line}").status_code == 404


def test_a_removal_that_would_leave_the_graph_invalid_is_refused(serve: Any) -> None:
    client = serve("sec")
    line = "pampas-cover-crops.southern-cone-fund.committed"  # the funded project's only one
    refused = send(client, f"/remove/funding/{line}", {}, lang="fr")
    assert refused.status_code == 422
    assert "Rien n&#39;a été supprimé" in refused.text
    # the rule's own sentence, in the page's language (shapes/cycle.ttl)
    assert "doit avoir au moins un financement engagé (committed)" in refused.text
    assert statements_about(client, f"{ID}funding/{line}") > 0


def test_a_task_force_role_is_edited_then_removed(serve: Any) -> None:
    client = serve("sec")
    path = "/edit/role/" + ROLE.replace("#", "%23")
    page = client.get(path)
    assert page.status_code == 200, page.text
    assert 'action="/edit/role/A1%23member-sophie-laurent"' in page.text
    assert re.search(r'<option value="member" selected>', page.text)
    unknown = send(client, path, {"person": "sophie-laurent", "objective": "A1", "role": "chair"})
    assert unknown.status_code == 422 and tuple(
        {name for name, _ in field_errors(unknown.text)}
    ) == ("role",)
    moved = send(
        client,
        path,
        {"person": "sophie-laurent", "objective": "A1", "role": "regional_representative",
         "region": "150"},
    )  # fmt: skip
    assert moved.status_code == 303 and moved.headers["location"] == "/id/person/sophie-laurent"
    role = f"<{ID}taskforce/A1#member-sophie-laurent>"
    assert exists(
        client, f"ASK {{ {role} <http://www.w3.org/ns/org#role> sic:RoleRegionalRepresentative }}"
    )
    removal = "/remove/role/" + ROLE.replace("#", "%23")
    removed = send(client, removal, {})
    assert removed.status_code == 303 and removed.headers["location"] == "/id/person/sophie-laurent"
    assert not exists(client, f"ASK {{ {role} ?p ?o }}")
    assert exists(client, f"ASK {{ <{ID}person/sophie-laurent> ?p ?o }}")
    assert serve("lea").get(removal).status_code == 403


def test_the_project_and_person_pages_link_each_line_and_role_for_who_may_edit(
    serve: Any,
) -> None:
    links = serve("sec").get("/edit/links", params={"kind": "project", "key": "pampas-cover-crops"})
    rows = {(link["form"], link.get("row")) for link in links.json()["links"]}
    assert ("funding_edit", "pampas-cover-crops.terra-viva.pledged") in rows
    assert ("funding_remove", "pampas-cover-crops.southern-cone-fund.committed") in rows
    person = serve("sec").get("/edit/links", params={"kind": "person", "key": "sophie-laurent"})
    urls = [link["url"] for link in person.json()["links"]]
    assert "/edit/role/A1%23member-sophie-laurent" in urls
    assert "/remove/role/A1%23member-sophie-laurent" in urls
    nothing = serve("ana").get(
        "/edit/links", params={"kind": "project", "key": "pampas-cover-crops"}
    )
    assert nothing.json()["links"] == []
