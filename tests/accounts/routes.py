"""The accounts area's rows of the route-by-role table (tests/test_routes_by_role.py)."""

from __future__ import annotations

from tests.route_roles import REDIRECT, everyone, only

ROUTES = {
    # Without a sign-in waiting for its code, the second step sends visitors back to /login and signed-in people home.
    "accounts.login_code": ("GET", "/login/code", everyone(REDIRECT)),
    # Staff set up their authenticator app here (the login fixture enrols them, so the page says it is on).
    "accounts.two_factor": ("GET", "/account/two-factor", only("clerk", "legal_officer", "admin", "department")),
}


def build_world(db, process, project, make_user) -> None:
    """The accounts routes name no object."""
