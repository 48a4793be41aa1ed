"""The voting desk's rows of the route table: clerks' pages, and the public statistics."""

from __future__ import annotations

from tests.route_roles import OK, everyone, only

CLERKS = only("clerk", "admin")

# endpoint -> (method, path, expected per role). Process 1 is in its deliberation phase, pool 1 its city-wide pool.
ROUTES = {
    "desk.index": ("GET", "/staff/voting", CLERKS),
    "desk.desk": ("GET", "/staff/voting/1", CLERKS),
    # Process 1 has not started voting: the first press says so on the desk; no confirmation, nothing closed.
    "desk.close": ("POST", "/staff/voting/1/close", {**CLERKS, "clerk": 422, "admin": 422}),
    "desk.register": ("GET", "/staff/voting/1/register", CLERKS),
    "desk.letters": ("GET", "/staff/voting/1/letters", CLERKS),
    "desk.assisted": ("GET", "/staff/voting/1/assisted", CLERKS),
    # An empty form names no entry: the page again, saying what is missing; no link is undone.
    "desk.unlink": ("POST", "/staff/voting/1/unlink", {**CLERKS, "clerk": 422, "admin": 422}),
    "desk.paper": ("GET", "/staff/voting/pools/1/paper", CLERKS),
    "desk.sheets": ("GET", "/staff/voting/pools/1/sheets", CLERKS),
    "desk.reconciliation": ("GET", "/staff/voting/1/reconciliation", CLERKS),
    "desk.invalidate": ("GET", "/staff/voting/1/invalidate", CLERKS),
    # An empty form names no pool: the page again, saying what is missing; nothing is annulled.
    "desk.annul": ("POST", "/staff/voting/1/annul", {**CLERKS, "clerk": 422, "admin": 422}),
    "desk.statistics_page": ("GET", "/staff/voting/1/statistics", CLERKS),
    # Public, but says only that counts come after the close while the vote has not closed.
    "desk.public_statistics": ("GET", "/m/testville/2026/statistics", everyone(OK)),
}


def build_world(db, process, project, make_user) -> None:
    """The desk's routes need nothing beyond process 1, its pool and project 1."""
