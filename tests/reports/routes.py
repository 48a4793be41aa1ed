"""The reports area's rows of the route-by-role table (tests/test_routes_by_role.py), and the objects they name."""

from __future__ import annotations

from tests.route_roles import OK, REDIRECT, everyone, only

LEGAL = ("legal_officer", "admin")
CLERKS = ("clerk", "admin")


def _redirect_for(*roles):
    """A form that acts and redirects for these roles; sign in for visitors, 403 for everyone else."""
    return {**only(*roles), **dict.fromkeys(roles, REDIRECT)}


ROUTES = {
    "reports.index": ("GET", "/staff/reports", only("clerk", *LEGAL, "department")),
    "reports.assessment": ("GET", "/staff/assessments/processes/1/ex-ante", only(*LEGAL)),
    # Process 1 is before its vote: the ex-ante assessment can be previewed.
    "reports.preview": ("GET", "/staff/assessments/processes/1/ex-ante/preview.pdf", only(*LEGAL)),
    "reports.generate": ("POST", "/staff/assessments/processes/1/ex-ante/versions", _redirect_for(*LEGAL)),
    "reports.version_pdf": ("GET", "/staff/assessments/versions/1.pdf", only(*LEGAL)),
    # Version 1 is published already: the refusal is flashed on the editor.
    "reports.publish": ("POST", "/staff/assessments/versions/1/publish", _redirect_for(*LEGAL)),
    "reports.annex": ("GET", "/staff/annex/processes/1", only(*CLERKS)),
    "reports.annex_download": ("GET", "/staff/annex/processes/1/annex.pdf", only(*CLERKS)),
    # Process 1 has no mandate in force and no count: the refusal is flashed on the annex page.
    "reports.finalise": ("POST", "/staff/annex/processes/1/finalise", _redirect_for(*CLERKS)),
    "reports.final_download": ("GET", "/staff/annex/1.csv", only(*CLERKS)),
    # An empty census form is shown again with its errors.
    "reports.census": ("POST", "/staff/annex/processes/1/census", only(*CLERKS)),
    # Municipality 1 is process 1's; it has no thresholds of its own, so the form shows the defaults.
    "reports.thresholds": ("GET", "/staff/reports/municipalities/1/thresholds", only(*LEGAL)),
    "reports.live": ("GET", "/staff/reports/processes/1/live", only("clerk", *LEGAL)),
    "reports.mitigation_plan": ("GET", "/staff/reports/processes/1/mitigation", only("clerk", *LEGAL)),
    # An empty risk form is shown again with its errors.
    "reports.add_risk": ("POST", "/staff/reports/processes/1/risks", only("clerk", *LEGAL)),
    "reports.accessibility_statement": ("GET", "/accessibility", everyone(OK)),
    "reports.municipality_accessibility": ("GET", "/accessibility/testville", everyone(OK)),
    "reports.accessibility_contact": ("GET", "/staff/reports/municipalities/1/accessibility", only(*LEGAL)),
    # Outreach (pb.outreach), whose pages sit beside the mitigation plan.
    "outreach.subscription": ("GET", "/m/testville/news", {"anonymous": "login", **dict.fromkeys(
        ("resident", "clerk", "legal_officer", "admin", "department"), OK)}),
    "outreach.unsubscribe_page": ("GET", "/unsubscribe/not-a-token", everyone(OK)),
    "outreach.unsubscribe": ("POST", "/unsubscribe/not-a-token", everyone(404)),
    # Process 1's vote is not open: the refusal is flashed on the mitigation page.
    "outreach.reminder": ("POST", "/staff/outreach/processes/1/reminder", _redirect_for("clerk", *LEGAL)),
    "reports.published": ("GET", "/m/testville/2026/assessments", everyone(OK)),
    "reports.published_pdf": ("GET", "/assessments/1.pdf", everyone(OK)),
}


def build_world(db, process, project, make_user) -> None:
    """Version 1: a published ex-ante assessment of process 1; annex 1: a finalised annex of process 1."""
    from pb.core.db import utcnow
    from pb.reports.models import Assessment, AssessmentMode, AssessmentVersion, FinalAnnex

    assessment = Assessment(process_id=process.id, mode=AssessmentMode.EX_ANTE)
    db.session.add(assessment)
    db.session.flush()
    db.session.add(AssessmentVersion(assessment_id=assessment.id, number=1, pdf=b"%PDF-1.4", sha256="0" * 64,
                                     byte_size=8, locale="en", sections={}, published_at=utcnow()))
    db.session.add(FinalAnnex(process_id=process.id, number=1, pdf=b"%PDF-1.4", csv=b"a,b\r\n", xlsx=b"PK",
                              pdf_sha256="0" * 64, csv_sha256="0" * 64, xlsx_sha256="0" * 64, locale="en"))
    db.session.flush()
