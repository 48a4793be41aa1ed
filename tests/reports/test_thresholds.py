"""A municipality's own thresholds for the assessment flags: the defaults, setting them (audited, legal officers
only), every refusal with its message, and every assessment (ex ante and ex post, figures and PDF) using them."""

from __future__ import annotations

import dataclasses
import io

import pytest
import sqlalchemy as sa
from flask_babel import gettext
from pypdf import PdfReader

from pb.audit.models import AuditEvent
from pb.errors import NotAllowed, ValidationError
from pb.reports import data, services
from pb.reports.metrics import DEFAULT_THRESHOLDS, Status, Thresholds
from pb.reports.models import AssessmentMode, AssessmentThresholds

#: Thresholds that make sense and differ from the defaults in every figure.
CUSTOM = Thresholds(representation_green=(0.9, 1.1), representation_amber=(0.7, 1.4), spending_gini_green=0.15,
                    spending_gini_amber=0.3, funded_share_green=0.875, funded_share_amber=0.6, min_group=5)

#: The form's fields for the defaults, as a browser sends them.
DEFAULT_FORM = {"representation_green_low": "0.8", "representation_green_high": "1.25",
                "representation_amber_low": "0.6", "representation_amber_high": "1.6", "spending_gini_green": "0.2",
                "spending_gini_amber": "0.35", "funded_share_green": "0.75", "funded_share_amber": "0.5",
                "min_group": "10"}


def _events(db, action: str = "thresholds.set") -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)
                                   .order_by(AuditEvent.id)))


def _stored(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AssessmentThresholds))


def _text(content: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def officer(make_user):
    """A legal officer: the role that sets thresholds."""
    return make_user(role="legal_officer")


# ---------------------------------------------------------------------------------------------- defaults and use


def test_a_municipality_without_its_own_thresholds_gets_the_defaults(db, ctx, voting_world):
    municipality = voting_world.process.municipality
    assert data.thresholds_row(municipality) is None
    assert services.thresholds_for(municipality) == DEFAULT_THRESHOLDS == Thresholds()
    ex_ante = data.figures(voting_world.process, AssessmentMode.EX_ANTE, data.population(voting_world.process))
    assert ex_ante.thresholds == DEFAULT_THRESHOLDS


def test_a_legal_officer_sets_them_and_the_audit_log_keeps_before_and_after(db, ctx, voting_world, officer):
    municipality = voting_world.process.municipality
    row = services.set_thresholds(officer, municipality, CUSTOM)
    db.session.commit()
    assert services.thresholds_for(municipality) == CUSTOM
    assert row.updated_by_id == officer.id and row.updated_at is not None
    first, = _events(db)
    assert first.object_type == "municipality" and first.object_id == str(municipality.id)
    assert first.before == {"defaults": {**services._columns(DEFAULT_THRESHOLDS)}}
    assert first.after["funded_share_green"] == 0.875 and first.after["min_group"] == 5
    changed = dataclasses.replace(CUSTOM, min_group=3)
    services.set_thresholds(officer, municipality, changed)
    db.session.commit()
    second = _events(db)[-1]
    assert (second.before["min_group"], second.after["min_group"]) == (5, 3)
    assert services.thresholds_for(municipality) == changed
    # Saving the same figures again changes nothing and logs nothing.
    services.set_thresholds(officer, municipality, changed)
    assert len(_events(db)) == 2 and _stored(db) == 1


def test_an_ex_post_flag_changes_colour_when_the_thresholds_change(db, ctx, counted, officer):
    process, municipality = counted.process, counted.process.municipality

    def age_bands():
        figures = data.figures(process, AssessmentMode.EX_POST, data.population(process))
        return {g.group: g.status for g in figures.participation.of("age_band")}, figures

    shown, figures = age_bands()
    # Three participants: under the default threshold of 10 voters, every group is suppressed.
    assert shown == {"35-64": None, "65+": None} and figures.thresholds == DEFAULT_THRESHOLDS
    services.set_thresholds(officer, municipality, dataclasses.replace(DEFAULT_THRESHOLDS, min_group=1))
    shown, _ = age_bands()
    # Representation indexes 0.89 and 1.33 against the default bands.
    assert shown == {"35-64": Status.GREEN, "65+": Status.AMBER}
    strict = Thresholds(representation_green=(0.95, 1.05), representation_amber=(0.85, 1.2), min_group=1)
    services.set_thresholds(officer, municipality, strict)
    shown, figures = age_bands()
    assert shown == {"35-64": Status.AMBER, "65+": Status.RED}
    assert figures.thresholds == strict and figures.status is Status.RED
    lenient = dataclasses.replace(strict, representation_green=(0.5, 1.5), representation_amber=(0.4, 2.0))
    services.set_thresholds(officer, municipality, lenient)
    shown, _ = age_bands()
    assert shown == {"35-64": Status.GREEN, "65+": Status.GREEN}


def test_the_pdf_prints_the_thresholds_it_used(db, ctx, voting_world, officer):
    process = voting_world.process
    assessment = services.assessment_for(process, AssessmentMode.EX_ANTE)
    before = _text(services.preview(officer, assessment, translate=gettext, locale="en"))
    assert "green from 0.80 to 1.25, amber from 0.60 to 1.60" in before
    services.set_thresholds(officer, process.municipality, CUSTOM)
    after = _text(services.preview(officer, assessment, translate=gettext, locale="en"))
    assert "green from 0.90 to 1.10, amber from 0.70 to 1.40" in after
    assert "green below 0.15, amber up to 0.30" in after
    # Every decimal the municipality set is printed: 87.5 %, not 88 %.
    assert "green from 87.5%, amber from 60.0%" in after
    assert "Groups of fewer than 5 voters are not shown" in after
    assert data.figures(process, AssessmentMode.EX_ANTE, data.population(process)).thresholds == CUSTOM


# ---------------------------------------------------------------------------------------------- refusals


def _with(**fields) -> Thresholds:
    """The defaults with some figures changed; ``*_low``/``*_high`` change one end of a band."""
    value = {"representation_green": list(DEFAULT_THRESHOLDS.representation_green),
             "representation_amber": list(DEFAULT_THRESHOLDS.representation_amber)}
    plain = {}
    for name, figure in fields.items():
        band, _, end = name.rpartition("_")
        if band in value:
            value[band][0 if end == "low" else 1] = figure
        else:
            plain[name] = figure
    return dataclasses.replace(DEFAULT_THRESHOLDS, **{k: tuple(v) for k, v in value.items()}, **plain)


REFUSALS = [
    ("representation_green_low", {"representation_green_low": 1.05},
     "The green band of the representation index starts between 0 and 1"),
    ("representation_green_low", {"representation_green_low": -0.1},
     "The green band of the representation index starts between 0 and 1"),
    ("representation_green_low", {"representation_green_low": float("nan")},
     "The green band of the representation index starts between 0 and 1"),
    ("representation_green_high", {"representation_green_high": 0.95},
     "The green band of the representation index ends between 1 and 10"),
    ("representation_green_high", {"representation_green_high": 11.0, "representation_amber_high": 12.0},
     "The green band of the representation index ends between 1 and 10"),
    ("representation_amber_low", {"representation_amber_low": 0.85},
     "starts between 0 and the start of the green band (0.8): the amber band contains the green one"),
    ("representation_amber_low", {"representation_amber_low": -1.0},
     "starts between 0 and the start of the green band (0.8)"),
    ("representation_amber_high", {"representation_amber_high": 1.2},
     "ends between the end of the green band (1.25) and 10: the amber band contains the green one"),
    ("representation_amber_high", {"representation_amber_high": float("inf")},
     "ends between the end of the green band (1.25) and 10"),
    ("spending_gini_green", {"spending_gini_green": -0.01}, "A Gini coefficient is between 0 and 1."),
    ("spending_gini_amber", {"spending_gini_amber": 1.5}, "A Gini coefficient is between 0 and 1."),
    ("spending_gini_amber", {"spending_gini_green": 0.4, "spending_gini_amber": 0.3},
     "The amber limit of the spending Gini is at least its green limit (0.4): a higher Gini is worse."),
    ("funded_share_green", {"funded_share_green": 75.0}, "A share is between 0 and 1 (0.75 means 75 per cent)."),
    ("funded_share_amber", {"funded_share_amber": -0.5}, "A share is between 0 and 1 (0.75 means 75 per cent)."),
    ("funded_share_amber", {"funded_share_green": 0.5, "funded_share_amber": 0.6},
     ("The amber limit of the share of voters with a funded project is at most its green limit (0.5): a lower "
      "share is worse.")),
    ("min_group", {"min_group": 0}, "The smallest group shown is a whole number from 1 to 100 voters."),
    ("min_group", {"min_group": 101}, "The smallest group shown is a whole number from 1 to 100 voters."),
    ("min_group", {"min_group": 2.5}, "The smallest group shown is a whole number from 1 to 100 voters."),
]


@pytest.mark.parametrize(("field", "fields", "message"), REFUSALS,
                         ids=[f"{field}-{i}" for i, (field, _f, _m) in enumerate(REFUSALS)])
def test_thresholds_that_make_no_sense_are_refused_on_their_field_and_change_nothing(
        db, ctx, voting_world, officer, field, fields, message):
    with pytest.raises(ValidationError) as refused:
        services.set_thresholds(officer, voting_world.process.municipality, _with(**fields))
    assert refused.value.field == field and message in refused.value.message
    assert _stored(db) == 0 and _events(db) == []


def test_bands_may_touch_their_limits(db, ctx, voting_world, officer):
    """The edges are allowed: a green band of exactly 1, amber equal to green, the extreme group sizes."""
    edge = Thresholds(representation_green=(1.0, 1.0), representation_amber=(0.0, 10.0), spending_gini_green=0.3,
                      spending_gini_amber=0.3, funded_share_green=1.0, funded_share_amber=0.0, min_group=100)
    services.set_thresholds(officer, voting_world.process.municipality, edge)
    assert services.thresholds_for(voting_world.process.municipality) == edge
    services.set_thresholds(officer, voting_world.process.municipality, dataclasses.replace(edge, min_group=1))


@pytest.mark.parametrize("role", ["resident", "clerk"])
def test_only_legal_officers_and_admins_set_thresholds(db, ctx, voting_world, make_user, role):
    with pytest.raises(NotAllowed, match="Only a legal officer can set the thresholds"):
        services.set_thresholds(make_user(role=role), voting_world.process.municipality, CUSTOM)
    assert _stored(db) == 0 and _events(db) == []
    admin = make_user(role="admin")
    services.set_thresholds(admin, voting_world.process.municipality, CUSTOM)
    assert services.thresholds_for(voting_world.process.municipality) == CUSTOM


# ---------------------------------------------------------------------------------------------- the page


def test_the_page_shows_the_defaults_and_saves_new_thresholds(client, db, login, officer, voting_world):
    municipality = voting_world.process.municipality
    login(officer)
    url = f"/staff/reports/municipalities/{municipality.id}/thresholds"
    assert url in client.get("/staff/reports").get_data(as_text=True)
    page = client.get(url).get_data(as_text=True)
    assert "has not set its own thresholds" in page and 'value="1.25"' in page
    # A comma is a decimal point too (as Greek readers write it).
    response = client.post(url, data={**DEFAULT_FORM, "representation_green_low": "0,9", "min_group": "5"})
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    stored = services.thresholds_for(municipality)
    assert stored.representation_green == (0.9, 1.25) and stored.min_group == 5
    page = client.get(url).get_data(as_text=True)
    assert "Set by" in page and 'value="0.9"' in page


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"representation_amber_high": "1.1"}, "representation_amber_high", "the amber band contains the green one"),
    ({"funded_share_green": "0.4"}, "funded_share_amber", "a lower share is worse"),
    ({"spending_gini_green": "abc"}, "spending_gini_green", "Enter a number, e.g. 0.75."),
    ({"spending_gini_green": "nan"}, "spending_gini_green", "Enter a number, e.g. 0.75."),
    ({"spending_gini_green": ""}, "spending_gini_green", "Enter a number."),
    ({"min_group": "7.5"}, "min_group", "Enter a whole number of voters, e.g. 10."),
])
def test_the_page_shows_a_refusal_on_its_field_and_stores_nothing(client, db, login, officer, voting_world,
                                                                  fields, field, message):
    login(officer)
    url = f"/staff/reports/municipalities/{voting_world.process.municipality.id}/thresholds"
    response = client.post(url, data={**DEFAULT_FORM, **fields})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    error_at = page.index(f'id="{field}-error"')
    assert message in page[error_at:error_at + 400]
    assert f'id="{field}"' in page and 'aria-invalid="true"' in page
    assert _stored(db) == 0 and _events(db) == []


@pytest.mark.parametrize("role", ["resident", "clerk"])
def test_the_page_is_for_legal_officers_only(client, db, login, make_user, voting_world, role):
    login(make_user(role=role))
    url = f"/staff/reports/municipalities/{voting_world.process.municipality.id}/thresholds"
    assert client.get(url).status_code == 403
    assert client.post(url, data=DEFAULT_FORM).status_code == 403
    assert _stored(db) == 0
    if role == "clerk":  # the clerk sees the reports index, without the link
        assert "/thresholds" not in client.get("/staff/reports").get_data(as_text=True)


def test_an_unknown_municipality_is_not_found(client, login, officer, voting_world):
    login(officer)
    assert client.get("/staff/reports/municipalities/999/thresholds").status_code == 404
