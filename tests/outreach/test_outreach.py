"""Outreach mail: what is due when, to whom, once, within the weekly cap, through a real SMTP server, and the
one-click unsubscribe (RFC 8058); SMS through the log provider; the clerk's reminder as a mitigation action."""

from __future__ import annotations

import datetime as dt
import socket
import threading
from email import message_from_bytes, policy
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from pb.core import mail


def _last_days(vote) -> dt.datetime:
    return vote.process.voting_phase.ends_at - dt.timedelta(days=1)


def _kinds(db, user):
    from pb.outreach.models import OutreachMessage, OutreachSubscription

    return sorted(db.session.scalars(sa.select(OutreachMessage.kind).join(OutreachSubscription).where(
        OutreachSubscription.user_id == user.id, OutreachMessage.channel == "email")))


class _Inbox:
    """What the local SMTP server received."""

    def __init__(self) -> None:
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.original_content, policy=policy.default)))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(app):
    """A real SMTP server on 127.0.0.1 (aiosmtpd), with the app's mail sent to it."""
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:  # a free port: aiosmtpd's own readiness check cannot use port 0
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(PB_MAIL_BACKEND="smtp", PB_MAIL_SERVER="127.0.0.1", PB_MAIL_PORT=controller.port,
                      PB_MAIL_USERNAME=None, PB_MAIL_USE_TLS=False)
    yield inbox
    controller.stop()


def test_mail_goes_through_a_real_smtp_server_and_one_click_unsubscribe_stops_the_next(
        app, db, client, ctx, residents, smtp_server):
    from pb.core.mail import deliver_pending
    from pb.outreach import services

    assert services.make_due() == 2  # "voting has opened" to Sofia and Nikos; Eleni did not opt in
    db.session.commit()
    assert deliver_pending(db.session, app.config) == (2, 0)
    received = {rcpt[0]: message for rcpt, message in smtp_server.messages}
    assert set(received) == {"sofia@example.org", "nikos@example.org"}
    sofia = received["sofia@example.org"]
    assert sofia["Subject"] == "Voting has opened: PB live"
    assert sofia["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = str(sofia["List-Unsubscribe"]).strip().strip("<>")
    assert link.startswith("http://pb.test/unsubscribe/") and link in sofia.get_content()

    # The one click: a POST without session or CSRF token, as a mail program sends it (RFC 8058).
    response = client.post(urlsplit(link).path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and "no more news" in response.get_data(as_text=True)

    assert services.make_due(_last_days(residents.vote)) == 2  # Nikos only: last days, not voted in the pool
    db.session.commit()
    assert deliver_pending(db.session, app.config) == (2, 0)
    later = {message["Subject"]: rcpt[0] for rcpt, message in smtp_server.messages[2:]}
    assert later == {"Last days to vote: PB live": "nikos@example.org",
                     "You have not voted in “City-wide” yet": "nikos@example.org"}


def test_opening_the_unsubscribe_link_changes_nothing_until_the_button(db, client, residents):
    from pb.outreach import services

    token = services.subscription_of(residents.sofia, residents.vote.process.municipality).token
    assert "Stop the news" in client.get(f"/unsubscribe/{token}").get_data(as_text=True)
    assert services.subscription_of(residents.sofia, residents.vote.process.municipality).is_active


def test_not_yet_voted_goes_to_each_resident_about_themselves_only(db, ctx, residents):
    from pb.core.mail import OutboxMessage
    from pb.outreach import services

    residents.vote.vote("north", 1, day=0)  # N00 is Nikos: he has voted
    services.make_due(_last_days(residents.vote))
    assert _kinds(db, residents.nikos) == ["last_days", "voting_opened"]
    assert _kinds(db, residents.sofia) == ["last_days", "not_cast", "voting_opened"]
    assert _kinds(db, residents.eleni) == []
    body = db.session.scalar(sa.select(OutboxMessage.body).where(
        OutboxMessage.recipient == "sofia@example.org", OutboxMessage.subject.like("You have not voted%")))
    assert "Only you get this message" in body and "City-wide" in body


def test_nothing_twice_and_a_weekly_cap(app, db, ctx, residents):
    from pb.outreach import services

    app.config["PB_OUTREACH_WEEKLY_CAP"] = 2
    now = _last_days(residents.vote)
    assert services.make_due(now) == 4  # two each: the cap stops the third (not voted yet)
    assert services.make_due(now) == 0  # nothing twice, and the cap holds
    assert len(_kinds(db, residents.sofia)) == 2
    # A week later the vote has closed and nothing of it is due any more; with a cap of 3 the third comes.
    assert services.make_due(now + dt.timedelta(days=7, seconds=1)) == 0
    app.config["PB_OUTREACH_WEEKLY_CAP"] = 3
    assert services.make_due(now) == 2
    assert _kinds(db, residents.sofia) == _kinds(db, residents.nikos) == ["last_days", "not_cast", "voting_opened"]


def test_two_workers_at_once_make_and_deliver_each_message_once(app, db, residents):
    from pb.core.db import writing
    from pb.core.mail import OutboxMessage, deliver_pending
    from pb.outreach import services
    from pb.outreach.models import OutreachMessage

    if db.engine.dialect.name != "postgresql":
        pytest.skip("two workers at once need row locks: PostgreSQL (SQLite runs one writer at a time)")
    app.config["PB_OUTREACH_WEEKLY_CAP"] = 2
    now = _last_days(residents.vote)
    start = threading.Barrier(2)
    errors = []

    def worker():
        try:
            with app.app_context(), app.test_request_context(), writing():
                start.wait()
                for _round in range(3):
                    services.make_due(now, commit_each=True)
                    db.session.commit()
                    deliver_pending(db.session, app.config)
                db.session.remove()
        except Exception as error:  # reported below, with the thread's failure
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    db.session.rollback()
    rows = db.session.execute(sa.select(OutreachMessage.subscription_id, OutreachMessage.key)
                              .where(OutreachMessage.channel == "email")).all()
    assert len(rows) == len(set(rows)) == 4  # two each (the cap), none twice
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 4
    delivered = sorted(m.to for m in mail.outbox)
    assert delivered == ["nikos@example.org"] * 2 + ["sofia@example.org"] * 2


def test_sms_go_to_subscribers_with_a_number_through_the_provider(app, db, ctx, residents, caplog):
    from pb.outreach import services, sms

    services.make_due()
    db.session.commit()
    app.config["PB_SMS_BACKEND"] = "memory"
    sms.sent.clear()
    assert services.deliver_sms(db.session, app.config) == 1
    assert sms.sent == [sms.Sms("+306900000000", "Voting has opened: PB live")]
    assert services.deliver_sms(db.session, app.config) == 0  # nothing twice
    app.config["PB_SMS_BACKEND"] = "log"
    services.make_due(_last_days(residents.vote))
    db.session.commit()
    with caplog.at_level("WARNING", logger="pb.sms"):
        assert services.deliver_sms(db.session, app.config) == 2
    assert "SMS to +306900000000: Last days to vote: PB live" in caplog.text


def test_a_clerks_reminder_to_a_district_is_recorded_as_a_mitigation_action(db, client, login, residents):
    from pb.reports import mitigation
    from pb.reports.models import MitigationKind

    login(residents.vote.clerk)
    url = f"/staff/outreach/processes/{residents.vote.process.id}/reminder"
    response = client.post(url, data={"target": "district:South", "message": "Two days left: the library helps."},
                           follow_redirects=True)
    assert "made for 1 residents" in response.get_data(as_text=True)
    [action] = mitigation.actions_of(residents.vote.process)
    assert action.kind is MitigationKind.REMINDER and (action.target_attribute, action.target_group) == (
        "district", "South") and "Two days left" in action.description
    assert _kinds(db, residents.sofia) == ["reminder"] and _kinds(db, residents.nikos) == []
    refused = client.post(url, data={"target": "sex:F", "message": "x"}, follow_redirects=True)
    assert "the register knows nothing else of a resident" in refused.get_data(as_text=True)


def test_a_resident_opts_in_and_out_on_the_municipality_page(db, client, login, residents):
    from pb.outreach import services

    login(residents.eleni)
    page = client.post("/m/testville/news", data={"subscribed": "y", "sms_number": ""}, follow_redirects=True)
    assert "You will get news of the vote of Testville." in page.get_data(as_text=True)
    assert services.subscription_of(residents.eleni, residents.vote.process.municipality).is_active
    client.post("/m/testville/news", data={"sms_number": ""})
    assert not services.subscription_of(residents.eleni, residents.vote.process.municipality).is_active
    bad = client.post("/m/testville/news", data={"subscribed": "y", "sms_number": "call me"})
    assert "Give the mobile number with its country code" in bad.get_data(as_text=True)


def test_the_process_page_offers_the_news(client, residents):
    page = client.get("/m/testville/live").get_data(as_text=True)
    assert 'href="/m/testville/news"' in page
