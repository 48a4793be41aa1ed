"""The mandate area's rows of the route-by-role table (tests/test_routes_by_role.py), and the objects they name."""

from __future__ import annotations

from tests.route_roles import FORBIDDEN, LOGIN, OK, REDIRECT, everyone, only

STAFF = ("clerk", "legal_officer", "admin")

ROUTES = {
    "mandate.process_mandates": ("GET", "/staff/mandates/processes/1", only(*STAFF)),
    # Process 1 already has mandate 1, so starting another is refused with a message and a redirect.
    "mandate.start": ("POST", "/staff/mandates/processes/1/start",
                      {"anonymous": LOGIN, "resident": FORBIDDEN, "department": FORBIDDEN,
                       **dict.fromkeys(STAFF, REDIRECT)}),
    "mandate.presets": ("GET", "/staff/mandates/presets", only(*STAFF)),
    "mandate.version": ("GET", "/staff/mandates/1", only(*STAFF)),
    "mandate.edit": ("GET", "/staff/mandates/1/edit", only(*STAFF)),
    # Mandate 1 is a draft: it cannot be sent back, so the version page shows again with the refusal.
    "mandate.step": ("POST", "/staff/mandates/1/send-back", only(*STAFF)),
    # Ending the mandate in force is for legal officers; an empty form is shown again, saying what is missing.
    "mandate.end": ("POST", "/staff/mandates/1/expire", {**only("legal_officer", "admin"),
                                                         "legal_officer": 422, "admin": 422}),
    # The municipality's recorded facts (its population): every staff role reads them, clerks record them.
    "staff.municipality": ("GET", "/staff/municipalities/1", only(*STAFF, "department")),
    # An empty form is shown again with its error; legal officers read the page but do not change it.
    "staff.record_population": ("POST", "/staff/municipalities/1", {**only("clerk", "admin"),
                                                                    "clerk": 422, "admin": 422}),
    "mandate.decisions": ("GET", "/staff/decisions/processes/1", only("clerk", "admin")),
    # An empty form is shown again with its errors.
    "mandate.record_decision": ("POST", "/staff/decisions/projects/1", only("clerk", "admin")),
    "mandate.outcome": ("GET", "/m/testville/2026/outcome", everyone(OK)),
}


def build_world(db, process, project, make_user):
    """Mandate 1: a draft for process 1, started by a legal officer."""
    from pb.mandate.models import Mandate, MandateCharacter
    from pb.mandate.terms import empty_terms

    db.session.add(Mandate(process_id=process.id, version=1, character=MandateCharacter.ADVISORY,
                           terms=empty_terms(), created_by_id=make_user(role="legal_officer").id))
    db.session.flush()
