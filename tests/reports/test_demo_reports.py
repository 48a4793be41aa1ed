"""The demo's reports: Grochów's ex-post assessment shows what the metrics compute (paper voters and voters
over 65 were less often on the winning side), Perivoli's carries its Greek text, and the CLI writes the files."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext
from pypdf import PdfReader

from pb.accounts.services import find_user
from pb.demo import build_demo
from pb.processes.queries import process_by_slug
from pb.reports import data, services
from pb.reports.models import AssessmentMode
from pb.voting import services as voting_services


def _text(content: bytes) -> str:
    """The PDF's text with runs of white space made one space (table cells wrap)."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


@pytest.fixture
def demo(db, ctx):
    build_demo()
    db.session.commit()


def _group(pool, attribute, name):
    return next(g for g in pool.of(attribute) if g.group == name).figures


def test_grochow_ex_post_shows_the_computed_figures_and_the_finding(db, ctx, demo):
    process = process_by_slug("warszawa", "2026-grochow")
    officer = find_user("legal@example.org")
    assessment = services.assessment_for(process, AssessmentMode.EX_POST)
    services.save_sections(officer, assessment, {"impact": "Οι ψηφοφόροι με χαρτί κέρδισαν σπανιότερα."})
    version = services.generate_version(officer, assessment, translate=gettext, locale="en")
    text = _text(version.pdf)
    figures = data.figures(process, AssessmentMode.EX_POST, data.population(process))
    pool = figures.satisfaction[0]
    paper, older = _group(pool, "channel", "paper"), _group(pool, "age_band", "65+")
    everyone, online = pool.overall, _group(pool, "channel", "internet")
    # The finding: paper voters and voters over 65 were on the winning side far less often than the rest.
    assert paper.share_funded < 0.5 and online.share_funded > 0.85
    assert older.share_funded < 0.75 < everyone.share_funded
    for value in (everyone.share_funded, paper.share_funded, older.share_funded, online.share_funded):
        assert f"{value:.1%}" in text
    assert f"Channel Paper: {paper.share_funded:.1%}" in text  # the summary names the group least often served
    assert f"{figures.participation.voters:,}" in text and f"{everyone.gini_cost:.3f}" in text
    assert "Οι ψηφοφόροι με χαρτί κέρδισαν σπανιότερα." in text
    # Every baseline figure is missing for Grochów (no census, no register), and the report says so.
    assert "Figures without a baseline" in text


def test_perivoli_after_its_close_has_greek_text_and_its_mandate(db, ctx, demo):
    process = process_by_slug("perivoli", "2027")
    voting_services.close_vote(find_user("clerk@example.org"), process, reason="Closing the demo vote for a test.")
    officer = find_user("legal@example.org")
    with force_locale("el"):
        content = services.preview(officer, services.assessment_for(process, AssessmentMode.EX_POST),
                                   translate=gettext, locale="el")
    text = _text(content)
    assert "Συμμετοχικός προϋπολογισμός 2027" in text and "ΦΕΚ Α' 87/07.06.2010" in text
    assert "Κέντρο (Centre)" in text
    # The Greek preset's texts are Greek: no English from the preset reaches a Greek assessment.
    assert "Δημοτικό Συμβούλιο" in text
    assert "Municipal council" not in text and "Answer every winning project" not in text
    # Residents voted in the city-wide pool and their district's: each is counted once.
    city = process.pools[0]
    figures = data.figures(process, AssessmentMode.EX_POST, data.population(process))
    assert figures.participation.voters == len(data.pool_results(process)[0].election.ballots)
    assert city.district_id is None


def test_the_cli_writes_the_assessment_and_the_annex(app, db, ctx, demo, tmp_path):
    runner = app.test_cli_runner()
    versions = sa.select(sa.func.count()).select_from(sa.table("assessment_version"))
    published_before = db.session.scalar(versions)
    out = tmp_path / "sia.pdf"
    result = runner.invoke(args=["report", "sia", "warszawa/2026-grochow", "--mode", "ex-post", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "SHA-256" in result.output and "DRAFT" in _text(out.read_bytes())
    process = process_by_slug("warszawa", "2026-grochow")
    expected = services.annex_files(process, translate=gettext, locale="en")
    for fmt in ("pdf", "csv", "xlsx"):
        target = tmp_path / f"annex.{fmt}"
        result = runner.invoke(args=["report", "annex", str(process.id), "--format", fmt, "--out", str(target)])
        assert result.exit_code == 0, result.output
        assert target.read_bytes() == expected[fmt]  # the same data gives the same bytes
    refused = runner.invoke(args=["report", "sia", "perivoli/2027", "--mode", "ex-post", "--out", str(out),
                                  "--locale", "en"])
    assert refused.exit_code != 0 and "not been counted" in refused.output
    # Without --locale, in Perivoli's own language.
    greek = runner.invoke(args=["report", "sia", "perivoli/2027", "--mode", "ex-post", "--out", str(out)])
    assert greek.exit_code != 0 and "δεν έχουν καταμετρηθεί" in greek.output
    unknown = runner.invoke(args=["report", "annex", "nowhere/1", "--format", "pdf", "--out", str(out)])
    assert unknown.exit_code != 0 and "no process" in unknown.output
    assert db.session.scalar(versions) == published_before  # a draft written to a file publishes nothing
