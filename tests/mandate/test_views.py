"""The mandate's pages: drafting and signing through forms, the council's decisions, what residents see,
and the legal officer's desk."""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa

from pb.mandate.models import CouncilDecision, Mandate, MandateCharacter, MandateStatus

FORM = {
    "character": "advisory", "basis_instrument": "Law", "basis_number": "3852/2010", "basis_article": "76",
    "basis_date": "2010-06-07", "basis_url": "https://city.example/law", "decision_body": "Municipal council",
    "bound_party": "Municipal council", "obligation": "Answer every winning project.", "budget_amount": "100000",
    "budget_fiscal_year": "2026", "winner_fails": "back_to_pool", "feasibility_veto": "y", "legal_compliance": "y",
    "justification_days": "30", "justification_published": "The municipality's website", "expenditure": "",
    "complaints_channel": "The ombudsman",
}


def _text(response):
    return response.get_data(as_text=True)


def _reviewed(client, mandate_id: int) -> str:
    """The content hash the version page puts in its sign form, as a legal officer's browser sends it."""
    page = client.get(f"/staff/mandates/{mandate_id}").get_data(as_text=True)
    found = re.search(r'name="reviewed" value="([0-9a-f]{64})"', page)
    return found.group(1) if found else ""


def test_a_legal_officer_drafts_and_signs_through_the_pages(client, db, process, officer, login):
    login(officer)
    assert "Greece (2026.3)" in _text(client.get(f"/staff/mandates/processes/{process.id}"))
    started = client.post(f"/staff/mandates/processes/{process.id}/start", data={"preset": "gr"})
    mandate = db.session.execute(sa.select(Mandate)).scalar_one()
    assert started.headers["Location"].endswith(f"/staff/mandates/{mandate.id}/edit")
    page = _text(client.get(f"/staff/mandates/{mandate.id}/edit"))
    assert 'value="3852/2010"' in page and "The legal basis is incomplete" in page

    bad = client.post(f"/staff/mandates/{mandate.id}/edit", data={**FORM, "basis_url": "not a link"})
    assert "Enter a full address" in _text(bad)
    incomplete = {**FORM, "basis_url": "", "basis_date": ""}
    assert client.post(f"/staff/mandates/{mandate.id}/edit", data=incomplete).status_code == 302
    client.post(f"/staff/mandates/{mandate.id}/submit")
    refused = client.post(f"/staff/mandates/{mandate.id}/sign", data={"text": "The basis is valid.",
                                                                   "reviewed": _reviewed(client, mandate.id)})
    assert refused.status_code == 200
    assert "The mandate cannot be signed yet. The legal basis is incomplete" in _text(refused)
    assert "The basis is valid." in _text(refused)  # the opinion typed is kept

    assert client.post(f"/staff/mandates/{mandate.id}/edit", data=FORM).status_code == 302
    signed = client.post(f"/staff/mandates/{mandate.id}/sign", data={"text": "The basis is valid.",
                                                                   "reviewed": _reviewed(client, mandate.id)})
    assert signed.status_code == 302
    assert client.post(f"/staff/mandates/{mandate.id}/in-force").status_code == 302
    db.session.expire_all()
    mandate = db.session.get(Mandate, mandate.id)
    assert mandate.status is MandateStatus.IN_FORCE and mandate.terms["budget_amount"] == 10_000_000
    assert mandate.terms["winner_fails"] == "back_to_pool" and mandate.basis_date == dt.date(2010, 6, 7)

    amended = client.post(f"/staff/mandates/{mandate.id}/amend", data={"text": "A longer deadline."})
    new = db.session.execute(sa.select(Mandate).where(Mandate.version == 2)).scalar_one()
    assert amended.headers["Location"].endswith(f"/staff/mandates/{new.id}/edit")
    client.post(f"/staff/mandates/{new.id}/edit", data={**FORM, "justification_days": "45"})
    page = _text(client.get(f"/staff/mandates/{new.id}"))
    assert "Changes against version 1" in page and "A longer deadline." in page
    assert "<td>30</td>" in page and "<td>45</td>" in page
    assert "Edit this version" not in _text(client.get(f"/staff/mandates/{mandate.id}"))


def test_a_clerk_cannot_sign(client, db, process, clerk, login):
    login(clerk)
    client.post(f"/staff/mandates/processes/{process.id}/start", data={"preset": ""})
    mandate = db.session.execute(sa.select(Mandate)).scalar_one()
    client.post(f"/staff/mandates/{mandate.id}/edit", data=FORM)
    client.post(f"/staff/mandates/{mandate.id}/submit")
    page = _text(client.get(f"/staff/mandates/{mandate.id}"))
    assert "A legal officer signs this version." in page and "Sign the mandate" not in page
    refused = client.post(f"/staff/mandates/{mandate.id}/sign", data={"text": "Fine."})
    assert "Only a legal officer can sign a mandate." in _text(refused)


def test_residents_read_whether_their_vote_is_binding(client, process, put_mandate_in_force):
    url = f"/m/{process.municipality.slug}/{process.slug}"
    assert "The legal standing of this vote has not been published yet." in _text(client.get(url))
    put_mandate_in_force(process)
    page = _text(client.get(url))
    assert "No. Your vote is advisory: Municipal council takes the final decision" in page
    assert '<a href="https://city.example/law-3852-2010">Law, 3852/2010, article 76</a>' in page
    assert "The next project in the ranking that fits the budget is funded instead." in page
    assert "Within 60 days after the vote" in page


def test_binding_summary(client, db, process, signed):
    signed(MandateCharacter.BINDING_SELF_COMMITMENT, enabling_decision="Council decision 112/2026")
    page = _text(client.get(f"/m/{process.municipality.slug}/{process.slug}"))
    assert "Yes. Your vote is binding because Municipal council committed itself" in page
    assert "council decision: Council decision 112/2026" in page


def test_a_clerk_records_decisions_and_residents_see_them(client, db, process, clerk, login, signed, counted):
    signed()
    (first, _second), _losers = counted(process)
    login(clerk)
    page = _text(client.get(f"/staff/decisions/processes/{process.id}"))
    assert first.title in page and "No decision recorded yet." in page
    data = {f"p{first.id}-outcome": "rejected", f"p{first.id}-decided_on": "2026-01-10"}
    refused = client.post(f"/staff/decisions/projects/{first.id}", data=data)
    assert "The vote is advisory: the council owes residents a reason" in _text(refused)
    data[f"p{first.id}-reason"] = "The land is not the city's."
    assert client.post(f"/staff/decisions/projects/{first.id}", data=data).status_code == 302
    assert db.session.execute(sa.select(CouncilDecision)).scalar_one().outcome.value == "rejected"

    public = _text(client.get(f"/m/{process.municipality.slug}/{process.slug}/outcome"))
    assert "What happened to your vote" in public and "The land is not the city&#39;s." in public
    assert "The council has not decided yet." in public  # the second winner
    assert "/outcome" in _text(client.get(f"/m/{process.municipality.slug}/{process.slug}"))

    # The complete mandate funds the next ranked project: the page proposes it in place of the rejected winner.
    (loser,) = _losers
    page = _text(client.get(f"/staff/decisions/processes/{process.id}"))
    assert "Next ranked projects, in place of winners the council did not adopt" in page and loser.title in page
    # Correcting the rejection asks why, and keeps the earlier decision in its history, shown to residents.
    data.update({f"p{first.id}-outcome": "adopted", f"p{first.id}-reason": "Adopted after all."})
    refused = client.post(f"/staff/decisions/projects/{first.id}", data=data)
    assert "Say why it is corrected" in _text(refused)
    data[f"p{first.id}-correction_reason"] = "The council voted again."
    assert client.post(f"/staff/decisions/projects/{first.id}", data=data).status_code == 302
    public = _text(client.get(f"/m/{process.municipality.slug}/{process.slug}/outcome"))
    assert "Corrected once: the earlier decision" in public and "The council voted again." in public


def test_the_legal_desk(client, db, process, officer, login, signed, counted, make_process):
    mandate = signed()
    (first, _second), _losers = counted(process)
    process.vote_closed_at -= dt.timedelta(days=90)  # the 60 days to answer have passed
    db.session.add(CouncilDecision(process_id=process.id, project_id=first.id, mandate_id=mandate.id,
                                   outcome="deferred", reason="Next year.", decided_on=dt.date(2026, 1, 5)))
    other = make_process(slug="2027", fiscal_year=2027)
    db.session.add(Mandate(process_id=other.id, version=1, character=MandateCharacter.ADVISORY, terms={},
                           status=MandateStatus.LEGAL_REVIEW))
    db.session.commit()
    login(officer)
    page = _text(client.get("/staff/legal"))
    assert "Signature due" in page and "Project 1" in page  # the overdue winner
    assert "Deferred" in page and "Next year." in page
    assert "Version 1" in page and "In force" in page and "In legal review" in page


def test_the_presets_page(client, officer, login):
    login(officer)
    page = _text(client.get("/staff/mandates/presets"))
    assert "Law 4555/2018" in page and "<strong>Default character: binding by statute.</strong>" in page


def test_a_signature_binds_the_version_the_officer_read(client, db, process, officer, clerk, login):
    """Issue 18: a clerk edited a mandate in legal review while the officer's page was open, and the officer's submit
    signed the changed version."""
    login(officer)
    client.post(f"/staff/mandates/processes/{process.id}/start", data={"preset": "gr"})
    mandate = db.session.execute(sa.select(Mandate)).scalar_one()
    client.post(f"/staff/mandates/{mandate.id}/edit", data=FORM)
    client.post(f"/staff/mandates/{mandate.id}/submit")
    read = _reviewed(client, mandate.id)  # the officer's page, open
    client.post("/logout")
    login(clerk)
    assert client.post(f"/staff/mandates/{mandate.id}/edit",
                       data={**FORM, "justification_days": "90"}).status_code == 302
    client.post("/logout")
    login(officer)
    refused = client.post(f"/staff/mandates/{mandate.id}/sign", data={"text": "The basis is valid.", "reviewed": read})
    assert refused.status_code == 200 and "was changed while you were reviewing it" in _text(refused)
    assert client.post(f"/staff/mandates/{mandate.id}/sign", data={"text": "Fine."}).status_code == 200  # no hash
    db.session.expire_all()
    assert db.session.get(Mandate, mandate.id).status is MandateStatus.LEGAL_REVIEW
    signed = client.post(f"/staff/mandates/{mandate.id}/sign",
                         data={"text": "The basis is valid.", "reviewed": _reviewed(client, mandate.id)})
    assert signed.status_code == 302
