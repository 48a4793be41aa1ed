"""Live representativeness while the vote is open: the figures per group and day, the red flags, the notices."""

from __future__ import annotations

import numpy as np
import pytest

from pb.reports import live as live_module
from pb.reports.metrics import Population, Status, Thresholds


def test_live_figures_are_cumulative_per_day_and_judged_only_when_a_group_could_have_enough_voters():
    population = Population(eligible=200, eligible_by={"district": {"A": 100, "B": 100}})
    # Day 0: 4 in A, 1 in B; day 1: 16 more in A, none in B.
    labels = ["A"] * 4 + ["B"] + ["A"] * 16
    days = np.array([0] * 5 + [1] * 16)
    figures = live_module.live_figures({"district": live_module.encode(labels)}, days, ["d0", "d1"], population,
                                       Thresholds(min_group=10))
    a, b = figures.group("district", "A"), figures.group("district", "B")
    assert figures.daily_voters == (5, 21)
    assert a.daily_voters == (4, 20) and b.daily_voters == (1, 1)
    assert a.daily_turnout == (0.04, 0.2) and b.daily_turnout == (0.01, 0.01)
    # RI_B on day 1 = (1/21) / (100/200).
    assert b.representation == pytest.approx(2 / 21)
    assert b.daily_representation[0] == pytest.approx((1 / 5) / 0.5)
    # Expected voters of B: 21 * 0.5 = 10.5 >= 10: judged, and red.
    assert b.expected == pytest.approx(10.5) and b.status is Status.RED
    assert figures.red == (a, b)  # A is over-represented (RI 1.90) beyond the default amber band


def test_a_group_under_the_expected_minimum_is_too_early_to_judge():
    population = Population(eligible=200, eligible_by={"district": {"A": 100, "B": 100}})
    figures = live_module.live_figures({"district": live_module.encode(["A"] * 15)}, np.zeros(15, dtype=np.int64),
                                       ["d0"], population, Thresholds(min_group=10))
    assert figures.group("district", "B").voters == 0
    assert figures.group("district", "B").expected == 7.5
    assert figures.status is None


def test_a_total_without_days_counts_on_the_last_day_only():
    population = Population(eligible=100, eligible_by={"sex": {"F": 50, "M": 50}})
    column = live_module.Column(("F", "M"), np.full(3, -1, dtype=np.int64), counts={"F": 12, "M": 8})
    figures = live_module.live_figures({"sex": column}, np.array([0, 1, 1]), ["d0", "d1"], population,
                                       Thresholds(min_group=5))
    women = figures.group("sex", "F")
    assert women.voters == 12 and women.daily_turnout == (None, 0.24)
    assert women.representation == pytest.approx(1.2)


def test_a_district_below_its_threshold_raises_one_red_flag_and_notifies_staff(db, ctx, live_vote):
    from pb.accounts.models import Role, User
    from pb.core.mail import OutboxMessage
    from pb.deliberation.models import Notification, NotificationKind
    from pb.reports import monitoring

    live_vote.vote("north", 20, day=0)
    live_vote.vote("south", 2, day=1)
    figures = monitoring.live(live_vote.process)
    south = figures.group("district", "South")
    assert figures.days[0] == live_vote.process.voting_phase.starts_at.astimezone(
        __import__("zoneinfo").ZoneInfo("Europe/Athens")).date().isoformat()
    assert south.voters == 2 and south.eligible == 40 and south.turnout == 0.05
    assert south.representation == pytest.approx((2 / 22) / 0.5)
    assert south.status is Status.RED
    # North's index (1.82) is within the municipality's own amber band (up to 1.9), not the default 1.6.
    assert figures.group("district", "North").status is Status.AMBER
    assert figures.group("district", "South").daily_voters[:2] == (0, 2)

    raised = monitoring.check_flags(live_vote.process)
    db.session.commit()
    assert [(f.attribute, f.group) for f in raised] == [("district", "South")]
    staff = db.session.query(User).filter(User.role.in_([Role.CLERK, Role.LEGAL_OFFICER])).all()
    assert {live_vote.clerk, live_vote.legal} <= set(staff)
    notified = db.session.query(Notification).filter_by(kind=NotificationKind.REPRESENTATION_FLAG).all()
    assert sorted(n.user_id for n in notified) == sorted(u.id for u in staff)
    assert live_vote.resident.id not in {n.user_id for n in notified}
    mails = db.session.query(OutboxMessage).filter(OutboxMessage.subject.like("Red flag%")).all()
    assert sorted(m.recipient for m in mails) == sorted(u.email for u in staff)
    assert "District South is under-represented" in mails[0].body and "/live" in mails[0].body

    # Once per flag: checking again, or after the group cleared and turned red again, notifies nobody.
    assert monitoring.check_flags(live_vote.process) == []
    live_vote.vote("south", 16, day=2)
    assert monitoring.check_flags(live_vote.process) == []
    flag = monitoring.flags_of(live_vote.process)[0]
    assert flag.cleared_at is not None and not flag.is_open
    db.session.commit()
    assert db.session.query(Notification).filter_by(kind=NotificationKind.REPRESENTATION_FLAG).count() == len(staff)
    assert db.session.query(OutboxMessage).filter(OutboxMessage.subject.like("Red flag%")).count() == len(staff)


def test_the_live_page_and_the_notification_link_to_the_flag(db, client, login, ctx, live_vote):
    from pb.reports import monitoring

    live_vote.vote("north", 20, day=0)
    live_vote.vote("south", 2, day=1)
    monitoring.check_flags(live_vote.process)
    db.session.commit()
    login(live_vote.clerk)
    page = client.get(f"/staff/reports/processes/{live_vote.process.id}/live").get_data(as_text=True)
    assert "Live representativeness" in page and "District South: red since" in page
    assert 'class="flag-red">red<' in page
    notices = client.get("/notifications").get_data(as_text=True)
    assert "Red flag while the vote is open: PB live: District South." in notices
    assert f"/staff/reports/processes/{live_vote.process.id}/live" in notices


def test_the_flags_command_checks_every_running_vote(app, db, live_vote):
    live_vote.vote("north", 20, day=0)
    live_vote.vote("south", 2, day=1)
    result = app.test_cli_runner().invoke(args=["report", "flags"])
    assert result.exit_code == 0, result.output
    assert "1 new red flag(s)" in result.output and "district South" in result.output
    assert "0 new red flag(s)" in app.test_cli_runner().invoke(args=["report", "flags"]).output


def test_a_resident_who_voted_in_two_pools_counts_once_on_the_day_of_the_first(db, ctx, counted):
    from pb.reports import monitoring

    # counted: AB-1001 voted online in the city-wide and North's pools, AB-1002 and AB-1005 on paper.
    figures = monitoring.live(counted.process)
    assert figures.voters == 3
    north = figures.group("district", "North")
    assert north.voters == 3 and north.eligible == 3
    assert {g.group: g.voters for g in figures.of("channel")} == {"online": 1, "paper": 2}
    assert {g.group: g.voters for g in figures.of("sex") if g.voters} == {"F": 1, "M": 2}


def test_groups_without_a_baseline_say_so_rather_than_too_early(db, client, login, live_vote):
    live_vote.vote("north", 20, day=0)
    login(live_vote.clerk)
    page = client.get(f"/staff/reports/processes/{live_vote.process.id}/live").get_data(as_text=True)
    sexes = page[page.index('id="live-sex"'):page.index('id="live-channel"')]
    assert "no census figure" in sexes and "too early to judge" not in sexes
    channels = page[page.index('id="live-channel"'):]
    assert 'class="flag-none">—<' in channels
