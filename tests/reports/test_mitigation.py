"""The mitigation plan: actions as data, and the turnout of their group before and after their start."""

from __future__ import annotations

import dataclasses

import pytest

from pb.errors import ValidationError
from pb.reports.mitigation import ActionInput


def _reminder(vote, **changes) -> ActionInput:
    value = ActionInput(kind="reminder", target="district:South", description="Letters to every home in South",
                        starts_on=vote.day(2), ends_on=vote.day(2), owner="Civic office", cost="1250.50")
    return dataclasses.replace(value, **changes)


@pytest.mark.parametrize(("changes", "field"), [
    ({"kind": "poster"}, "kind"),
    ({"target": "district:Atlantis"}, "target"),
    ({"description": "  "}, "description"),
    ({"owner": ""}, "owner"),
    ({"starts_on": None}, "starts_on"),
    ({"ends_on": "before"}, "ends_on"),
    ({"kind": "station", "place": ""}, "place"),
    ({"cost": "a lot"}, "cost"),
])
def test_an_action_that_makes_no_sense_is_refused_with_its_field(db, ctx, live_vote, changes, field):
    from pb.reports import mitigation

    if changes.get("ends_on") == "before":
        changes["ends_on"] = live_vote.day(1)
    with pytest.raises(ValidationError) as refused:
        mitigation.add_action(live_vote.clerk, live_vote.process, _reminder(live_vote, **changes))
    assert refused.value.field == field
    assert mitigation.actions_of(live_vote.process) == []


def test_an_action_for_a_red_district_has_its_turnout_before_and_after_and_its_flag_clears(db, ctx, live_vote):
    from pb.reports import mitigation, monitoring
    from pb.reports.models import MitigationKind

    live_vote.vote("north", 20, day=0)
    live_vote.vote("south", 2, day=1)
    [flag] = monitoring.check_flags(live_vote.process)
    action = mitigation.add_action(live_vote.clerk, live_vote.process, _reminder(live_vote, flag_id=flag.id))
    db.session.commit()
    assert action.kind is MitigationKind.REMINDER and action.cost == 125_050 and not action.is_ex_ante
    [before] = mitigation.outcomes(live_vote.process)
    # Day 2 has no vote yet: after = before = South's 2 of 40 at the end of day 1; the flag is still red.
    assert before.turnout.before == 0.05 and before.turnout.after == 0.05 and before.flag_cleared is False
    live_vote.vote("south", 16, day=2)
    monitoring.check_flags(live_vote.process)
    [after] = mitigation.outcomes(live_vote.process)
    assert after.turnout.before == 0.05 and after.turnout.after == 18 / 40
    assert after.turnout.change == pytest.approx(0.4)
    assert after.turnout.electorate_before == 22 / 80 and after.turnout.electorate_after == 38 / 80
    assert after.flag_cleared is True


def test_an_action_planned_before_the_vote_is_ex_ante(db, ctx, make_process, make_user):
    import datetime as dt

    from pb.reports import mitigation

    process = make_process(slug="later", vote_in_days=10)
    action = mitigation.add_action(make_user(role="legal_officer"), process, ActionInput(
        kind="station", target="age_band:65+", description="Assisted voting at the day centre",
        starts_on=dt.date(2026, 5, 1), ends_on=None, owner="Social services", place="Day centre", hours="9-13"))
    assert action.is_ex_ante and action.target_attribute == "age_band" and action.target_group == "65+"
    [outcome] = mitigation.outcomes(process)
    assert outcome.turnout.before is None and outcome.turnout.after is None


def test_the_mitigation_page_records_an_action(db, client, login, live_vote):
    login(live_vote.clerk)
    url = f"/staff/reports/processes/{live_vote.process.id}/mitigation"
    page = client.get(url).get_data(as_text=True)
    assert "District South" in page and "association in time, not proof of an effect" in page
    response = client.post(url, data={"kind": "door_to_door", "target": "district:South", "description": "Knock",
                                      "starts_on": live_vote.day(1).isoformat(), "owner": "Volunteers",
                                      "cost": "", "flag_id": ""}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "The action was added to the mitigation plan." in page and "Knock" in page and "A door-to-door round" in page
    refused = client.post(url, data={"kind": "other", "target": "district:South", "description": "x",
                                     "starts_on": live_vote.day(1).isoformat(), "owner": ""}).get_data(as_text=True)
    assert "Say who answers for the action." in refused
