"""The assessment says what may go wrong and what was done: Universality and Equality, the risk register, the
mitigation plan ex ante, and each action's before/after ex post (issue 20)."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from pb.reports.mitigation import ActionInput, RiskInput


def _text(data: bytes) -> str:
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


@pytest.fixture
def mitigated(db, ctx, live_vote):
    """The live vote with South red on day 1, a reminder for South on day 2 answering the flag, a risk that
    names it, and South catching up on day 2."""
    from pb.reports import mitigation, monitoring

    live_vote.vote("north", 20, day=0)
    live_vote.vote("south", 2, day=1)
    [flag] = monitoring.check_flags(live_vote.process)
    action = mitigation.add_action(live_vote.clerk, live_vote.process, ActionInput(
        kind="reminder", target="district:South", description="Letters to every home in South",
        starts_on=live_vote.day(2), ends_on=live_vote.day(2), owner="Civic office", cost="1250", flag_id=flag.id))
    mitigation.add_risk(live_vote.legal, live_vote.process, RiskInput(
        target="district:South", cause="Few residents of South use the online ballot", likelihood="high",
        action_id=action.id))
    mitigation.add_risk(live_vote.legal, live_vote.process, RiskInput(
        target="age_band:65+", cause="The polling station is up a hill", likelihood="low",
        mitigation="A minibus on the last two days"))
    live_vote.vote("south", 16, day=2)
    monitoring.check_flags(live_vote.process)
    db.session.commit()
    return live_vote


def test_the_ex_ante_assessment_has_universality_equality_the_risks_and_the_plan(db, ctx, mitigated):
    from flask_babel import gettext

    from pb.reports import services
    from pb.reports.models import AssessmentMode

    assessment = services.assessment_for(mitigated.process, AssessmentMode.EX_ANTE)
    content = _text(services.draft_pdf(assessment, translate=gettext, locale="en"))
    titles = ["Universality", "Equality", "Pools and money per head", "Risk register", "Mitigation plan"]
    positions = [content.index(title) for title in titles]
    assert positions == sorted(positions)
    assert "Universality of the process" not in content
    assert "District South Few residents of South use the online ballot high Letters to every home in South" in content
    assert "Age band 65+ The polling station is up a hill low A minibus on the last two days" in content
    assert content.index("high") < content.index("The polling station")  # the most likely first
    plan = content[content.index("Mitigation plan"):]
    assert "A reminder to the residents of a district or group: Letters to every home in South" in plan
    assert mitigated.day(2).isoformat() in plan and "Civic office" in plan and "€1,250.00" in plan


def test_the_ex_post_assessment_reports_each_action_with_its_turnout_and_flag(db, ctx, mitigated):
    from flask_babel import gettext

    from pb.reports import services
    from pb.reports.models import AssessmentMode
    from pb.voting import services as voting

    voting.close_vote(mitigated.clerk, mitigated.process, reason="Closing the vote for the assessment test.")
    db.session.commit()
    assessment = services.assessment_for(mitigated.process, AssessmentMode.EX_POST)
    content = _text(services.draft_pdf(assessment, translate=gettext, locale="en"))
    section = content[content.index("Mitigation actions and what followed"):]
    assert "association in time, not proof of an effect" in section
    # South: 2 of 40 at the end of day 1, 18 of 40 at the end of day 2; the electorate 22 and 38 of 80.
    row = section[section.index("Letters to every home in South"):]
    assert re.search(r"5\.0%.*45\.0%.*27\.5% → 47\.5%.*District South: cleared", row), row[:300]


def test_the_ex_ante_headings_are_there_in_greek_too(db, ctx, mitigated):
    from flask_babel import force_locale, gettext

    from pb.reports import services
    from pb.reports.models import AssessmentMode

    assessment = services.assessment_for(mitigated.process, AssessmentMode.EX_ANTE)
    with force_locale("el"):
        content = _text(services.draft_pdf(assessment, translate=gettext, locale="el"))
    titles = ["Καθολικότητα", "Ισότητα", "Μητρώο κινδύνων", "Σχέδιο άμβλυνσης"]
    positions = [content.index(title) for title in titles]
    assert positions == sorted(positions)
    assert "υψηλή" in content and "Περιοχή South" in content
