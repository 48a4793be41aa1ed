"""The council's budget annex: per pool, the funded projects, totals and what remains, as PDF, CSV and XLSX.

Plain data in, bytes out, and the same data always gives the same bytes (PDF with fixed metadata, XLSX
with fixed timestamps), so that an annex can be cited by its hash. Labels come through ``translate``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import xlsxwriter
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from pb.core.money import minor_units
from pb.core.tables import inert_cell
from pb.reports import pdf
from pb.reports.documents import AnnexPool, BudgetAnnex
from pb.reports.pdf import FRAME_WIDTH, Numbers, Translate, text, untranslated

#: The creation time written into every XLSX, so that equal data give equal bytes.
FIXED_TIME = dt.datetime(2000, 1, 1)


def _character(annex: BudgetAnnex, tr: Translate) -> str:
    """The character of the residents' vote in words."""
    return pdf.mandate_characters(tr).get(annex.mandate_character, annex.mandate_character)


def funded_total(pool: AnnexPool) -> int:
    """The money of the pool's funded projects, in minor units: those the vote chose, less any the council did
    not adopt."""
    return sum(project.cost for project in pool.projects if project.adopted)


def not_adopted_total(pool: AnnexPool) -> int:
    """The money of the projects the vote chose and the council did not adopt, in minor units."""
    return sum(project.cost for project in pool.projects if not project.adopted)


def _total_rows(pool: AnnexPool, tr: Translate) -> list[tuple[str, int]]:
    """The labelled totals under a pool's projects; the projects the council did not adopt only when there are."""
    rows = [(tr("Total funded"), funded_total(pool))]
    if not_adopted_total(pool):
        rows.append((tr("Chosen by the vote, not adopted by the council"), not_adopted_total(pool)))
    return rows


def remaining(pool: AnnexPool) -> int:
    """What the pool keeps after its funded projects: amount - funded total (negative if overspent)."""
    return pool.amount - funded_total(pool)


def score_heading(pools: list[AnnexPool] | tuple[AnnexPool, ...], tr: Translate) -> str:
    """What the score column counts: votes, points (cumulative pools), or either when the pools differ."""
    kinds = {pool.in_points for pool in pools}
    if kinds == {True}:
        return tr("Points")
    if kinds == {True, False}:
        return tr("Votes or points")
    return tr("Votes")


def _columns(tr: Translate, pools: list[AnnexPool] | tuple[AnnexPool, ...]) -> list[str]:
    """The column headings of the project rows of these pools, the same in CSV and XLSX."""
    return [tr("Code"), tr("Project"), tr("District"), tr("Budget line"), score_heading(pools, tr), tr("Cost"),
            tr("Council decision")]


def _project_rows(pool: AnnexPool) -> list[tuple[str, str, str, str, int | None, int, str]]:
    """(code, title, district, budget line, votes, cost in minor units, decision) of each funded project."""
    return [(p.code, p.title, p.district or pool.district, p.budget_line or pool.budget_line, p.votes, p.cost,
             p.council_decision) for p in pool.projects]


# ---------------------------------------------------------------------------------------------- PDF


def _pool_story(annex: BudgetAnnex, pool: AnnexPool, tr: Translate, num: Numbers) -> list[Flowable]:
    """One pool: what it is, its funded projects, its totals."""
    s = pdf.styles()
    scale = minor_units(annex.currency)
    facts = [[tr("Amount of the pool"), num.money(pool.amount, scale)],
             [tr("District"), pool.district or tr("City-wide")],
             [tr("Budget line"), pool.budget_line or "–"],
             [tr("Counting rule"), pool.rule],
             [tr("Ballots counted"), num.integer(pool.ballots) if pool.ballots is not None else "–"]]
    rows: list[list[str]] = [_columns(tr, [pool])]
    for code, title, district, line, votes, cost, decision in _project_rows(pool):
        rows.append([code, title, district or "–", line or "–", "" if votes is None else num.integer(votes),
                     num.money(cost, scale), decision or "–"])
    if not pool.projects:
        rows.append(["", tr("No project is funded."), "", "", "", "", ""])
    totals = [*_total_rows(pool, tr), (tr("Remaining"), remaining(pool))]
    rows += [["", label, "", "", "", num.money(amount, scale), ""] for label, amount in totals]
    widths = [14 * mm, 44 * mm, 22 * mm, 26 * mm, 14 * mm, 32 * mm]
    widths.append(FRAME_WIDTH - sum(widths))
    projects = pdf.table(rows, widths, numeric=(4, 5), totals=len(totals))
    heading = text(pool.name, s["h1"])
    # Kept on one page when it fits, so that no total is left alone at the top of the next page.
    return [KeepTogether([heading, pdf.table(facts, [45 * mm, FRAME_WIDTH - 45 * mm], header=False),
                          Spacer(1, 3 * mm), projects]), Spacer(1, 6 * mm)]


def build_annex_pdf(annex: BudgetAnnex, *, translate: Translate = untranslated, locale: str = "en") -> bytes:
    """The annex as PDF bytes: a header, one part per pool, the grand total and a signature block."""
    title = f"{translate('Budget annex')}: {annex.process}"
    # A fresh story for each layout pdf.build tries (a near-empty last page is laid out again, tighter).
    return pdf.build(lambda: _annex_story(annex, translate, locale), title=title, author=annex.municipality,
                     subject=annex.process, footer=f"{title} ({annex.fiscal_year})",
                     page_label=lambda page: translate("Page %(page)s") % {"page": page})


def _annex_story(annex: BudgetAnnex, tr: Translate, locale: str) -> list[Flowable]:
    """The flowables of the annex: the header, one part per pool, the totals and the signature block."""
    s = pdf.styles()
    num = Numbers(locale, annex.currency, tr)
    scale = minor_units(annex.currency)
    character = _character(annex, tr)
    story: list[Flowable] = [
        text(tr("Budget annex"), s["title"]),
        text(f"{annex.process} · {annex.municipality} · {annex.fiscal_year}", s["subtitle"]),
        pdf.table([[tr("Character of the residents' vote"), character],
                   [tr("Reference"), annex.reference or "–"],
                   [tr("Date"), annex.prepared_on or "–"],
                   [tr("Closing receipt root"), annex.closing_root or "–"]],
                  [55 * mm, FRAME_WIDTH - 55 * mm], header=False),
        Spacer(1, 4 * mm),
    ]
    for pool in annex.pools:
        story += _pool_story(annex, pool, tr, num)
    totals = [["", tr("Amount"), tr("Total funded"), tr("Remaining")],
              [tr("All pools"), num.money(sum(p.amount for p in annex.pools), scale),
               num.money(sum(funded_total(p) for p in annex.pools), scale),
               num.money(sum(remaining(p) for p in annex.pools), scale)]]
    story.append(KeepTogether([text(tr("Totals"), s["h2"]),
                               pdf.table(totals, [FRAME_WIDTH - 135 * mm, 45 * mm, 45 * mm, 45 * mm],
                                         numeric=(1, 2, 3))]))
    signers = [[tr("Role"), tr("Name"), tr("Date"), tr("Signature")]]
    signers += [[p.role, p.name, p.signed_on, ""] for p in annex.signatories]
    if len(signers) == 1:
        signers.append([tr("Clerk"), "", "", ""])
    block = pdf.table(signers, [45 * mm, 50 * mm, 30 * mm, FRAME_WIDTH - 125 * mm])
    block.setStyle([("TOPPADDING", (0, 1), (-1, -1), 9), ("BOTTOMPADDING", (0, 1), (-1, -1), 9)])
    story += [Spacer(1, 8 * mm), KeepTogether([text(tr("Signatures"), s["h2"]), block])]
    return story


# ---------------------------------------------------------------------------------------------- CSV and XLSX


def _major(amount: int, currency: str) -> Decimal:
    """Minor units as an exact decimal of the currency, e.g. 12345 cents -> 123.45."""
    digits = len(str(minor_units(currency))) - 1
    return (Decimal(amount) / minor_units(currency)).quantize(Decimal(1).scaleb(-digits))


def build_annex_csv(annex: BudgetAnnex, *, translate: Translate = untranslated) -> bytes:
    """The annex as CSV (UTF-8 with a byte-order mark, for spreadsheets): one row per funded project. The score
    column says votes or points; when the pools differ, a last column says which each row counts.

    Amounts are plain decimals of the currency with a point ("1234.50"), so that any program reads them.
    """
    tr = translate
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    mixed = len({pool.in_points for pool in annex.pools}) > 1
    writer.writerow([tr("Pool"), *_columns(tr, annex.pools), tr("Currency"), tr("Counting rule"),
                     tr("Character of the residents' vote"), tr("Closing receipt root"),
                     *([tr("Counted in")] if mixed else [])])
    character = _character(annex, tr)
    for pool in annex.pools:
        unit = [tr("points") if pool.in_points else tr("votes")] if mixed else []
        for code, title, district, line, votes, cost, decision in _project_rows(pool):
            writer.writerow([inert_cell(cell) for cell in (
                pool.name, code, title, district, line, "" if votes is None else votes,
                _major(cost, annex.currency), decision, annex.currency, pool.rule, character, annex.closing_root,
                *unit)])
    return out.getvalue().encode("utf-8-sig")


def sheet_names(pools: list[AnnexPool] | tuple[AnnexPool, ...]) -> list[str]:
    """A valid, unique worksheet name per pool: at most 31 characters, none of []:*?/\\, numbered if twice."""
    names: list[str] = []
    for pool in pools:
        base = re.sub(r"[\[\]:*?/\\]", "-", pool.name).strip("'") or "Pool"
        name, n = base[:31], 2
        while name.lower() in (existing.lower() for existing in names):
            suffix = f" ({n})"
            name, n = base[: 31 - len(suffix)] + suffix, n + 1
        names.append(name)
    return names


def build_annex_xlsx(annex: BudgetAnnex, *, translate: Translate = untranslated) -> bytes:
    """The annex as XLSX with one sheet per pool: the pool's facts, its projects, totals and remainder."""
    tr = translate
    out = io.BytesIO()
    # Every string is a string: xlsxwriter would otherwise turn a title starting with "=" into a live formula
    # and one that looks like an address into a link.
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    # Fixed document times: xlsxwriter already stamps the zip entries with 1980-01-01.
    book.set_properties({"title": f"{tr('Budget annex')}: {annex.process}", "author": annex.municipality,
                         "created": FIXED_TIME})
    bold = book.add_format({"bold": True})
    digits = len(str(minor_units(annex.currency))) - 1
    money_format = "#,##0" + ("." + "0" * digits if digits else "")
    money = book.add_format({"num_format": money_format})
    money_bold = book.add_format({"num_format": money_format, "bold": True})
    header = book.add_format({"bold": True, "bottom": 1, "text_wrap": True, "valign": "top"})
    character = _character(annex, tr)
    scale = minor_units(annex.currency)
    for pool, name in zip(annex.pools, sheet_names(annex.pools)):
        sheet = book.add_worksheet(name)
        facts = [(tr("Municipality"), annex.municipality), (tr("Process"), annex.process),
                 (tr("Budget year"), annex.fiscal_year), (tr("Pool"), pool.name),
                 (tr("District"), pool.district or tr("City-wide")), (tr("Budget line"), pool.budget_line),
                 (tr("Counting rule"), pool.rule), (tr("Character of the residents' vote"), character),
                 (tr("Currency"), annex.currency), (tr("Closing receipt root"), annex.closing_root)]
        for row, (label, value) in enumerate(facts):
            sheet.write(row, 0, label, bold)
            sheet.write(row, 1, value)
        top = len(facts) + 1
        sheet.write_row(top, 0, _columns(tr, [pool]), header)
        row = top
        for row, (code, title, district, line, votes, cost, decision) in enumerate(_project_rows(pool), top + 1):
            sheet.write_row(row, 0, [code, title, district, line])
            if votes is not None:
                sheet.write_number(row, 4, votes)
            sheet.write_number(row, 5, cost / scale, money)
            sheet.write(row, 6, decision)
        totals = (*_total_rows(pool, tr), (tr("Amount of the pool"), pool.amount), (tr("Remaining"), remaining(pool)))
        for offset, (label, amount) in enumerate(totals, 2):
            sheet.write(row + offset, 1, label, bold)
            sheet.write_number(row + offset, 5, amount / scale, money_bold)
        sheet.set_column(0, 0, 14)
        sheet.set_column(1, 1, 48)
        sheet.set_column(2, 3, 16)
        sheet.set_column(4, 4, 9)
        sheet.set_column(5, 5, 16)
        sheet.set_column(6, 6, 22)
    book.close()
    return out.getvalue()
