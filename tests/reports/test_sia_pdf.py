"""Tests of the social impact assessment PDF: its figures, Greek text, sections by mandate, and same bytes."""

from __future__ import annotations

import io
import re
from dataclasses import replace

import pytest
from pypdf import PdfReader

from pb.reports import metrics
from pb.reports.documents import (
    AssessmentDocument,
    ComplyOrExplain,
    MandateSummary,
    Narrative,
    PoolDesign,
    Signatory,
)
from pb.reports.metrics import PoolResult, Population
from pb.reports.pdf import Numbers
from pb.reports.sia_pdf import build_sia, formulas
from pb.tally import pabulib

from .conftest import DEMO_DIR

CENSUS = Population(
    population=180000,
    eligible=52000,
    eligible_by={"age_band": {"<18": 6000, "18-34": 12000, "35-64": 23000, "65+": 11000},
                 "sex": {"F": 28000, "M": 24000}},
    population_by_district={"Grochów": 60000},
    source="GUS, Narodowy Spis Powszechny 2021",
    as_of="2021-03-31",
)

GREEK = {
    "Social impact assessment": "Εκτίμηση κοινωνικών επιπτώσεων",
    "Summary": "Σύνοψη",
    "Women": "Γυναίκες",
    "Paper": "Έντυπη ψήφος",
    "missing": "λείπει",
}


@pytest.fixture(scope="module")
def grochow() -> metrics.Metrics:
    """The ex-post figures of the demo's Warsaw district with an invented census."""
    election = pabulib.read(DEMO_DIR / "Poland_Warszawa_2026_Grochow.pb")
    funded = tuple(p.id for p in election.projects if p.extra.get("selected") == "1")
    return metrics.ex_post(CENSUS, [PoolResult("Grochów", election, funded, district="Grochów")])


def _document(figures: metrics.Metrics, **changes) -> AssessmentDocument:
    """A published assessment of an advisory process with Greek and Polish text; ``changes`` override."""
    document = AssessmentDocument(
        municipality="Warszawa", process="Budżet obywatelski 2026", fiscal_year=2026, currency="PLN",
        metrics=figures, population=CENSUS, version=3, prepared_on="2026-07-01", is_draft=False,
        mandate=MandateSummary("advisory", basis="Ustawa o samorządzie gminnym, art. 5a ust. 7",
                               decision_body="Rada m.st. Warszawy", bound_party="Prezydent m.st. Warszawy"),
        scope="Η περιοχή Grochów, 2026.",
        channels=("online", "paper"),
        accessibility="WCAG 2.1 AA, audited in 2025.",
        narrative=Narrative(engagement="Έξι συναντήσεις σε βιβλιοθήκες.", mitigation="Assisted voting.",
                            decision="The council adopted every funded project.", monitoring="Every year."),
        comply_or_explain=(ComplyOrExplain("809 Droga dla rowerów", "Not funded", "Funded by the council",
                                           "Road safety works were due anyway."),),
        sign_off=(Signatory("Legal officer", "Μαρία Κ.", "2026-07-01"),),
    )
    return replace(document, **changes)


def _text(data: bytes) -> str:
    """The text of every page, with runs of white space as one space."""
    pages = PdfReader(io.BytesIO(data)).pages
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in pages))


def test_the_pdf_carries_the_figures_the_metrics_compute(grochow: metrics.Metrics) -> None:
    content = _text(build_sia(_document(grochow)))
    num = Numbers("en", "PLN", str)
    pool = grochow.satisfaction[0]
    for group in pool.groups:
        assert num.percent(group.figures.share_funded) in content, group
        assert num.decimal(group.figures.gini_cost, 3) in content
    assert "35.7%" in content and "89.6%" in content and "71.5%" in content  # the Grochow finding
    assert num.decimal(pool.overall.fair_share, 3) in content
    for group in grochow.participation.groups:
        if group.representation is not None:
            assert num.decimal(group.representation) in content
        assert num.integer(group.voters) in content
    assert num.percent(grochow.participation.turnout) in content
    assert num.decimal(grochow.participation.dissimilarity["age_band"], 3) in content
    assert "2,106" in content and "GUS, Narodowy Spis Powszechny 2021" in content


def test_every_section_is_there_in_order(grochow: metrics.Metrics) -> None:
    content = _text(build_sia(_document(grochow)))
    sections = ["Summary", "Legal context", "Scope and evidence base", "Universality of the process",
                "Equality of the outcome", "Outcome by group", "Engagement", "Impact per group",
                "Mitigation and action plan", "Decision and reasons", "Comply or explain", "Monitoring",
                "Annex: methods and formulas"]
    positions = [content.index(title) for title in sections]
    assert positions == sorted(positions)
    assert "Sign-off" in content and "Advisory" in content
    assert "Road safety works were due anyway." in content
    assert "Not written yet." in content  # the impact section was left blank
    for title, _ in formulas():
        assert title in content


def test_greek_survives_and_numbers_follow_the_locale(grochow: metrics.Metrics) -> None:
    data = build_sia(_document(grochow), translate=lambda s: GREEK.get(s, s), locale="el")
    content = _text(data)
    for greek in ("Εκτίμηση κοινωνικών επιπτώσεων", "Σύνοψη", "Γυναίκες", "Έντυπη ψήφος",
                  "Έξι συναντήσεις σε βιβλιοθήκες.", "Μαρία Κ.", "Η περιοχή Grochów, 2026."):
        assert greek in content, greek
    assert "35,7%" in content  # Greek writes a decimal comma
    fonts = {str(font["/BaseFont"]) for page in PdfReader(io.BytesIO(data)).pages
             for font in page["/Resources"]["/Font"].values()}
    assert all("DejaVuSans" in name for name in fonts), fonts


def test_the_same_data_gives_the_same_bytes(grochow: metrics.Metrics) -> None:
    first = build_sia(_document(grochow))
    assert build_sia(_document(grochow)) == first
    assert build_sia(_document(grochow, version=4)) != first
    info = PdfReader(io.BytesIO(first)).metadata
    assert info.title == "Social impact assessment: Budżet obywatelski 2026" and info.author == "Warszawa"


def test_a_binding_mandate_has_no_comply_or_explain_table(grochow: metrics.Metrics) -> None:
    content = _text(build_sia(_document(grochow, mandate=MandateSummary("binding_statute"))))
    assert "Binding by statute" in content and "Comply or explain" not in content
    assert "No mandate recorded" in _text(build_sia(_document(grochow, mandate=None)))


def test_missing_baseline_figures_are_named_and_shown_as_missing() -> None:
    election = pabulib.read(DEMO_DIR / "Poland_Warszawa_2026_Grochow.pb")
    funded = tuple(p.id for p in election.projects if p.extra.get("selected") == "1")
    bare = metrics.ex_post(Population(), [PoolResult("Grochów", election, funded)])
    content = _text(build_sia(_document(bare, population=Population(), is_draft=True)))
    assert "Population baseline: none imported." in content
    assert "These figures are shown as missing, never as zero" in content
    assert "Eligible residents: Age band 65+" in content and "DRAFT" in content
    assert "missing" in content


def test_ex_ante_shows_the_design_and_money_per_head() -> None:
    census = Population(population=1000, eligible=800, population_by_district={"Βόρεια": 600, "Νότια": 400})
    figures = metrics.ex_ante(census, [(3000000, "Βόρεια"), (1000000, "Νότια"), (500000, None)], cost_scale=100)
    doc = _document(figures, population=census, currency="EUR", comply_or_explain=(),
                    pools=(PoolDesign("North", 3000000, "Βόρεια", "Approval"), PoolDesign("City", 500000)),
                    narrative=Narrative(expected_reach="About 1 in 10 eligible residents."))
    content = _text(build_sia(doc))
    assert "Ex ante: before the vote" in content and "About 1 in 10 eligible residents." in content
    assert "€30,000.00" in content and "City-wide" in content
    # 30,000 / 600 = 50 and 10,000 / 400 = 25 per head, mean 40: 2 * 600 * 400 * 25 / (2 * 1000^2 * 40).
    assert "50.00" in content and "25.00" in content and "0.150 (green)" in content
    assert "Outcome by group" not in content


def test_an_empty_outcome_still_builds() -> None:
    empty = Population()
    election = pabulib.parse("META\nkey;value\nbudget;100\nPROJECTS\nproject_id;cost\na;50\nVOTES\nvoter_id;vote\n")
    figures = metrics.ex_post(empty, [PoolResult("Empty", election, ())])
    content = _text(build_sia(_document(figures, population=empty, mandate=None)))
    assert "Outcome by group" in content
