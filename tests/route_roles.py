"""What each role should get from a route: shared by the route table and the areas' own rows."""

from __future__ import annotations

ROLES = ("anonymous", "resident", "clerk", "legal_officer", "admin", "department")

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
