"""The set-up area's rows of the route-by-role table (tests/test_routes_by_role.py)."""

from __future__ import annotations

from tests.route_roles import REDIRECT, only

CLERKS = ("clerk", "admin")

ROUTES = {
    "setup.municipalities": ("GET", "/staff/municipalities", only("admin")),
    "setup.new_municipality": ("GET", "/staff/municipalities/new", only("admin")),
    "setup.edit_municipality": ("GET", "/staff/municipalities/1/edit", only("admin")),
    "setup.districts": ("GET", "/staff/municipalities/1/districts", only("admin")),
    "setup.edit_district": ("GET", "/staff/districts/1/edit", only("admin")),
    "setup.import_districts": ("GET", "/staff/municipalities/1/districts/import", only("admin")),
    "setup.new_edition": ("GET", "/staff/processes/new", only(*CLERKS)),
    "setup.edition": ("GET", "/staff/processes/1", only(*CLERKS)),
    "setup.edit_edition": ("GET", "/staff/processes/1/edit", only(*CLERKS)),
    "setup.export_file": ("GET", "/staff/processes/1/setup.toml", only(*CLERKS)),
    "setup.pools": ("GET", "/staff/processes/1/pools", only(*CLERKS)),
    "setup.edit_pool": ("GET", "/staff/pools/1/edit", only(*CLERKS)),
    "setup.schedule": ("GET", "/staff/processes/1/schedule", only(*CLERKS)),
    "setup.vocabulary": ("GET", "/staff/processes/1/vocabulary", only(*CLERKS)),
    "setup.new_project": ("GET", "/staff/processes/1/projects/new", only(*CLERKS)),
    "setup.import_projects_page": ("GET", "/staff/processes/1/projects/import", only(*CLERKS)),
    "setup.copy": ("GET", "/staff/processes/1/copy", only(*CLERKS)),
    # Pool 1 has projects, so removing it is refused with a message and a redirect.
    "setup.delete_pool": ("POST", "/staff/pools/1/delete", {**only(*CLERKS), "clerk": REDIRECT, "admin": REDIRECT}),
    # No file chosen: the form says so. Removing a boundary the district does not have changes nothing.
    "setup.district_boundary": ("POST", "/staff/districts/1/boundary", {**only("admin"), "admin": 422}),
    "setup.delete_district_boundary": ("POST", "/staff/districts/1/boundary/delete",
                                       {**only("admin"), "admin": REDIRECT}),
    # Last: district 1 is removed when nothing uses it (or the refusal says why); either way back to the list.
    "setup.delete_district": ("POST", "/staff/districts/1/delete", {**only("admin"), "admin": REDIRECT}),
}


def build_world(db, process, project, make_user):
    """Nothing beyond the shared world: municipality 1 with district 1, process 1 with pool 1 and project 1."""
