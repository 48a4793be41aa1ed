"""Every route, for every role: exactly 200, a redirect to sign in, or 403, as the product intends."""

from __future__ import annotations

import pytest

ROLES = ("anonymous", "resident", "clerk", "legal_officer", "admin")

OK, LOGIN, FORBIDDEN, REDIRECT = 200, "login", 403, 302


def everyone(status):
    return dict.fromkeys(ROLES, status)


def signed_in_only(status=OK):
    return {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], status)}


def only(*roles):
    return {"anonymous": LOGIN, **{r: (OK if r in roles else FORBIDDEN) for r in ROLES[1:]}}


def guest_pages():
    """Sign-in and registration pages send signed-in people home."""
    return {"anonymous": OK, **dict.fromkeys(ROLES[1:], REDIRECT)}


# endpoint -> (method, path, expected status per role)
EXPECTED = {
    "static": ("GET", "/static/pb.css", everyone(OK)),
    "web.health": ("GET", "/healthz", everyone(OK)),
    "web.switch_language": ("POST", "/language", everyone(REDIRECT)),
    "processes.home": ("GET", "/", everyone(OK)),
    "processes.process": ("GET", "/m/testville/2026", everyone(OK)),
    "accounts.login": ("GET", "/login", guest_pages()),
    "accounts.register": ("GET", "/register", guest_pages()),
    "accounts.logout": ("POST", "/logout", signed_in_only(REDIRECT)),
    "accounts.confirm": ("GET", "/confirm/not-a-token", everyone(REDIRECT)),
    "accounts.reset_request": ("GET", "/reset", everyone(OK)),
    "accounts.reset": ("GET", "/reset/not-a-token", everyone(REDIRECT)),
    "accounts.account": ("GET", "/account", signed_in_only()),
    "staff.dashboard": ("GET", "/staff/", only("clerk", "legal_officer", "admin")),
    "staff.processes": ("GET", "/staff/processes", only("clerk", "admin")),
    "staff.legal": ("GET", "/staff/legal", only("legal_officer", "admin")),
    "staff.users": ("GET", "/staff/users", only("admin")),
    "staff.audit": ("GET", "/staff/audit", only("legal_officer", "admin")),
}


def test_every_route_is_listed(app):
    """A new route must be added to the table above, with what each role should get."""
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(EXPECTED)


def test_every_view_declares_its_permission(app):
    """Each view is either marked public or guarded by a named predicate."""
    for endpoint, view in app.view_functions.items():
        if endpoint == "static":
            continue
        assert hasattr(view, "permission"), f"{endpoint} has neither @public nor @requires"


@pytest.mark.parametrize("role", ROLES)
def test_routes_by_role(client, make_user, make_process, login, role):
    make_process(slug="2026")
    if role != "anonymous":
        login(make_user(role=role))
    # Signing out ends the session, so it goes last.
    order = sorted(EXPECTED, key=lambda endpoint: endpoint == "accounts.logout")
    for endpoint in order:
        method, path, expected = EXPECTED[endpoint]
        want = expected[role]
        response = client.open(path, method=method)
        response.close()
        if want == LOGIN:
            assert response.status_code == 302, (endpoint, role, response.status_code)
            assert "/login" in response.headers["Location"], (endpoint, role)
        else:
            assert response.status_code == want, (endpoint, role, response.status_code)
