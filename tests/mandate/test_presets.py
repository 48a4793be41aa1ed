"""The jurisdiction presets in legal/presets: each loads, starts a mandate, and each of its checks fires."""

from __future__ import annotations

import pytest

from pb.errors import ValidationError
from pb.mandate import services
from pb.mandate.models import MandateCharacter
from pb.mandate.presets import PresetError, load_presets, presets, read_preset
from tests.mandate.conftest import complete_input

ADVISORY, STATUTE, SELF = (MandateCharacter.ADVISORY, MandateCharacter.BINDING_STATUTE,
                           MandateCharacter.BINDING_SELF_COMMITMENT)


def test_every_jurisdiction_has_a_preset(app):
    found = presets()
    assert set(found) == {"pl", "fr", "pt", "gr", "us-nyc", "uk-sct"}
    assert {p.key: p.character for p in found.values()} == {
        "pl": STATUTE, "fr": SELF, "pt": SELF, "gr": ADVISORY, "us-nyc": ADVISORY, "uk-sct": ADVISORY}
    for preset in found.values():
        assert preset.text.strip() and preset.version and len(preset.sha256) == 64
    assert found["gr"].fields["basis_number"] == "3852/2010"


def test_a_mandate_started_from_a_preset_records_it(db, ctx, process, officer):
    mandate = services.start_mandate(officer, process, "gr")
    greek = presets()["gr"]
    assert (mandate.preset, mandate.preset_version, mandate.preset_sha256) == ("gr", greek.version, greek.sha256)
    assert mandate.character is ADVISORY and mandate.basis_article == "76"
    assert mandate.terms["feasibility_veto"] is True and mandate.terms["justification_days"] is None


def test_the_greek_preset_fills_in_greek_text_for_a_greek_municipality(db, ctx, process, officer, make_process):
    english = services.start_mandate(officer, process, "gr")  # the test municipality's main language is English
    assert english.decision_body.startswith("Municipal council")
    process.municipality.languages = ["el", "en"]
    greek_process = make_process(slug="2027", fiscal_year=2027)
    mandate = services.start_mandate(officer, greek_process, "gr")
    assert (mandate.basis_instrument, mandate.decision_body, mandate.bound_party) == (
        "Νόμος", "Δημοτικό Συμβούλιο", "Δημοτικό Συμβούλιο")
    assert mandate.obligation.startswith("Απάντηση σε κάθε νικητήριο έργο")
    assert mandate.basis_number == "3852/2010"  # what has no translation stays as it is


def test_an_unknown_preset_is_refused(db, ctx, process, officer):
    with pytest.raises(ValidationError, match="There is no preset “atlantis”."):
        services.start_mandate(officer, process, "atlantis")


def _messages(mandate):
    return " ".join(f.message for f in services.findings(mandate))


def _from_preset(officer, process, key, character, **fields):
    mandate = services.start_mandate(officer, process, key)
    services.update_mandate(officer, mandate, complete_input(character, **fields))
    return mandate


def test_poland_binding_requires_an_appeal_procedure_and_a_low_signature_threshold(db, ctx, process, officer):
    mandate = _from_preset(officer, process, "pl", STATUTE, enabling_decision="Resolution XII/3/2026")
    found = _messages(mandate)
    assert "Poland: a binding vote requires an appeal procedure" in found
    assert ("Poland: record how many signatures a proposal needs, 0 when it needs none; the law allows at most 0.1% "
            "of residents.") in found
    services.update_mandate(officer, mandate, complete_input(
        STATUTE, enabling_decision="Resolution XII/3/2026",
        terms={"appeal_procedure": "Within 7 days to the mayor.", "support_signatures": 51}))
    assert ("Poland: a proposal may need the signatures of at most 0.1% of residents (50 people); this mandate "
            "asks for 51.") in _messages(mandate)
    services.update_mandate(officer, mandate, complete_input(
        STATUTE, enabling_decision="Resolution XII/3/2026",
        terms={"appeal_procedure": "Within 7 days to the mayor.", "support_signatures": 50}))
    assert [f for f in services.findings(mandate) if f.severity == "error"] == []
    process.municipality.population = None
    assert "the municipality's population is not recorded" in _messages(mandate)


def test_poland_refuses_the_signature_while_a_check_fails(db, ctx, process, officer, make_user):
    mandate = _from_preset(officer, process, "pl", STATUTE, enabling_decision="Resolution XII/3/2026")
    services.submit_for_review(officer, mandate)
    # Another legal officer than the drafter (the Polish preset asks for four eyes).
    with pytest.raises(ValidationError, match="Poland: a binding vote requires an appeal procedure"):
        services.sign_mandate(make_user(role="legal_officer"), mandate, "Fine.")


def test_poland_warns_when_the_vote_is_not_binding_and_needs_the_council_resolution(db, ctx, process, officer):
    mandate = _from_preset(officer, process, "pl", ADVISORY)
    found = services.findings(mandate)
    assert any(f.severity == "warning" and "Poland gives the vote the character “Binding by statute”" in f.message
               for f in found)
    assert any(f.severity == "error" and "the council's resolution on participatory budgeting" in f.message
               for f in found)
    assert "appeal procedure" not in _messages(mandate)  # only binding votes need one


def test_greece_warns_when_a_local_referendum_is_cited(db, ctx, process, officer):
    mandate = _from_preset(officer, process, "gr", ADVISORY)
    assert "referendum" not in _messages(mandate)
    services.update_mandate(officer, mandate, complete_input(ADVISORY, basis_number="4555/2018"))
    referendum = [f for f in services.findings(mandate) if "local referendum" in f.message]
    assert len(referendum) == 1 and referendum[0].severity == "warning"
    assert "may not decide the municipality's fiscal management (Law 4555/2018)" in referendum[0].message
    services.update_mandate(officer, mandate, complete_input(ADVISORY, basis_title="Δημοψήφισμα της 3ης Μαΐου"))
    assert "local referendum" in _messages(mandate)


def test_greece_accepts_a_binding_pilot_on_a_council_decision_but_not_binding_by_statute(db, ctx, process, officer):
    mandate = _from_preset(officer, process, "gr", SELF, enabling_decision="Council decision 112/2026")
    assert services.findings(mandate) == []
    services.update_mandate(officer, mandate, complete_input(STATUTE))
    assert "Greece gives the vote the character “Advisory / Binding by the council's own commitment”" in \
        _messages(mandate)


@pytest.mark.parametrize("key, character, message", [
    ("fr", SELF, ("cite the decision that sets the rules of this process (the council deliberation adopting the "
                 "charter)")),
    ("fr", STATUTE, "France (Paris-style charter) gives the vote the character"),
    ("pt", SELF, "(the resolution of the Council of Ministers)"),
    ("us-nyc", SELF, "New York City gives the vote the character “Advisory”"),
    ("uk-sct", STATUTE, "Scotland gives the vote the character"),
])
def test_the_other_presets_checks_fire(db, ctx, process, officer, key, character, message):
    mandate = _from_preset(officer, process, key, character)
    assert message in _messages(mandate)


def test_a_changed_preset_is_pointed_out(db, ctx, process, officer):
    mandate = _from_preset(officer, process, "gr", ADVISORY)
    mandate.preset_sha256 = "0" * 64
    assert "The preset “Greece” changed since this mandate was started from it" in _messages(mandate)


def test_malformed_presets_are_refused_with_the_file_name(app, tmp_path):
    def write(text):
        path = tmp_path / "xx.toml"
        path.write_text(text, encoding="utf-8")
        return path

    base = 'name = "X"\ncountry = "XX"\nversion = "1"\ncharacter = "advisory"\ntext = "T"\n'
    assert read_preset(write(base)).name == "X"
    for extra, problem in [
        ('[[checks]]\nrule = "astrology"\nseverity = "error"\n', "unknown check rule 'astrology'"),
        ('[[checks]]\nrule = "appeal_procedure"\nseverity = "fatal"\n', "needs severity"),
        ('[[checks]]\nrule = "support_threshold"\nseverity = "error"\n', "lacks max_basis_points"),
        ('[mandate]\ncolour = "red"\n', "unknown mandate fields"),
        ('[mandate_in.el]\ncolour = "red"\n', "unknown mandate fields .* in mandate_in.el"),
        ('[terms]\nwinner_fails = "lottery"\n', "listed choices"),
    ]:
        with pytest.raises(PresetError, match=problem):
            read_preset(write(base + extra))
    with pytest.raises(PresetError, match="xx.toml"):
        read_preset(write(base.replace('character = "advisory"', 'character = "magic"')))
    (tmp_path / "presets").mkdir()
    (tmp_path / "presets" / "xx.toml").write_text(base, encoding="utf-8")
    assert list(load_presets(str(tmp_path))) == ["xx"]
