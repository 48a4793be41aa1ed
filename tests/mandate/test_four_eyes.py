"""Four eyes: under the binding presets, whoever drafted a version of the mandate cannot sign it."""

from __future__ import annotations

import pytest

from pb.errors import NotAllowed
from pb.mandate import services
from pb.mandate.models import MandateCharacter
from pb.mandate.presets import presets
from tests.mandate.conftest import complete_input

STATUTE = MandateCharacter.BINDING_STATUTE


def test_the_binding_presets_ask_for_four_eyes(app):
    with app.app_context():
        found = {key: preset.four_eyes for key, preset in presets().items()}
    assert found == {"pl": True, "fr": True, "pt": True, "gr": False, "us-nyc": False, "uk-sct": False}


def _drafted(db, process, drafter, preset: str, editor=None):
    mandate = services.start_mandate(drafter, process, preset)
    services.update_mandate(editor or drafter, mandate, complete_input(
        STATUTE, enabling_decision="Resolution XII/3/2026",
        terms={"appeal_procedure": "Appeal to the mayor within 14 days.", "support_signatures": 0}))
    services.submit_for_review(drafter, mandate)
    db.session.commit()
    return mandate


def test_the_drafter_cannot_sign_another_legal_officer_can(db, ctx, process, officer, make_user):
    mandate = _drafted(db, process, officer, "pl")
    assert mandate.four_eyes
    with pytest.raises(NotAllowed, match="Four eyes: you drafted this version"):
        services.sign_mandate(officer, mandate, "Sound.")
    db.session.rollback()
    second = make_user(role="legal_officer")
    services.sign_mandate(second, mandate, "Sound.")
    assert mandate.signed_by_id == second.id


def test_an_editor_of_the_version_is_a_drafter_too(db, ctx, process, clerk, make_user):
    editor = make_user(role="legal_officer")
    mandate = _drafted(db, process, clerk, "pl", editor=editor)
    with pytest.raises(NotAllowed, match="Four eyes"):
        services.sign_mandate(editor, mandate, "Sound.")


def test_an_amendment_keeps_four_eyes_and_its_own_drafters(db, ctx, process, officer, make_user):
    mandate = _drafted(db, process, make_user(role="clerk"), "pl")
    services.sign_mandate(officer, mandate, "Sound.")
    services.put_in_force(officer, mandate)
    amendment = services.amend_mandate(officer, mandate, "The council moved the budget line.")
    assert amendment.four_eyes
    services.submit_for_review(officer, amendment)
    with pytest.raises(NotAllowed, match="Four eyes"):
        services.sign_mandate(officer, amendment, "Still sound.")


def test_without_four_eyes_the_drafter_signs(db, ctx, process, officer):
    mandate = services.start_mandate(officer, process, "gr")
    assert not mandate.four_eyes
    services.update_mandate(officer, mandate, complete_input())
    services.submit_for_review(officer, mandate)
    services.sign_mandate(officer, mandate, "Sound.")


def test_the_version_page_tells_the_drafter(client, db, ctx, process, officer, login):
    mandate = _drafted(db, process, officer, "pl")
    login(officer)
    page = client.get(f"/staff/mandates/{mandate.id}").get_data(as_text=True)
    assert "Whoever drafted this version cannot sign it." in page
    assert "so another legal officer signs it" in page and "Sign the mandate" not in page
