"""One ``safe_next`` for the whole app: no ``next`` leads to another site, and none gives a 500 (issue 18)."""

from __future__ import annotations

import pytest

from pb.web import safe_next

HOSTILE = ["/%09/evil.example", "/\t/evil.example", "//evil.example", "/\\evil.example", "/%5C/evil.example",
           "/%2F/evil.example", "https://evil.example/", "javascript:alert(1)", "/ok\nSet-Cookie: x=1",
           "/%0d%0a/evil.example", "evil.example", "/\x7f/evil.example", "/" + "a" * 3000]


@pytest.mark.parametrize("target", HOSTILE)
def test_safe_next_refuses_every_way_to_another_site(target):
    assert safe_next(target, "/fallback") == "/fallback"


@pytest.mark.parametrize("target", ["/projects/3?page=2#comment-4", "/m/athens/2026", "/search?q=a%2Fb",
                                    "/m/%CE%B1%CE%B8/projects"])
def test_safe_next_keeps_local_pages(target):
    assert safe_next(target, "/fallback") == target


@pytest.fixture
def project(make_user, make_process, make_project):
    process = make_process(vote_in_days=10)
    return make_project(process, status="on_ballot", author=make_user(display_name="Author"))


@pytest.mark.parametrize("target", ["/%09/evil.example", "/\\evil.example", "/ok\nLocation: //evil.example"])
def test_deliberation_forms_redirect_only_to_local_pages(client, db, login, make_user, project, target):
    """Follow, support and comment took ``/%09/evil.example`` (the tab dropped by browsers) to //evil.example, and a
    newline gave a 500 after the comment was committed."""
    login(make_user())
    for url, data in ((f"/projects/{project.id}/follow", {}), (f"/projects/{project.id}/support", {}),
                      (f"/projects/{project.id}/comments", {f"comment-{project.id}-body": "Good idea"}),
                      (f"/projects/{project.id}/flag", {"reason": "spam"})):
        response = client.post(url, data={**data, "next": target})
        assert response.status_code == 302, url
        location = response.headers["Location"]
        assert "evil" not in location and not location.lstrip("/").startswith("/"), (url, location)
        assert f"/projects/{project.id}" in location


def test_the_language_switch_refuses_a_hidden_tab(client, db, make_user):
    response = client.post("/language", data={"language": "el", "next": "/%09/evil.example"})
    assert response.status_code == 302 and "evil" not in response.headers["Location"]
