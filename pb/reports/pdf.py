"""What both PDF reports share: the embedded font, styles, tables, bar charts, numbers and the build.

Every PDF is built with reportlab's ``invariant`` switch and fixed metadata, so that the same data always
gives the same bytes and a document can be cited by its hash.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Collection, Sequence
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

from babel.numbers import format_currency, format_decimal, format_percent
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from pb.reports.metrics import Status

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"

#: The colours of the flags, chosen to stay apart in greyscale print too.
STATUS_COLOURS = {
    Status.GREEN: colors.HexColor("#2e7d32"),
    Status.AMBER: colors.HexColor("#f2a900"),
    Status.RED: colors.HexColor("#c62828"),
}
GREY = colors.HexColor("#9e9e9e")
LIGHT = colors.HexColor("#eeeeee")
INK = colors.HexColor("#1a1a1a")
BAR = colors.HexColor("#3f6fb5")

#: The width of the text block on A4 with 18 mm margins.
FRAME_WIDTH = A4[0] - 36 * mm

Translate = Callable[[str], str]


def untranslated(message: str) -> str:
    """The default translation: English as written."""
    return message


def mandate_characters(tr: Translate) -> dict[str, str]:
    """The legal standing of the residents' vote in words, keyed by ``documents.MANDATE_CHARACTERS``."""
    return {"binding_statute": tr("Binding by statute"),
            "binding_self_commitment": tr("Binding by the municipality's own commitment"),
            "advisory": tr("Advisory: the council decides and explains any departure")}


def register_fonts() -> None:
    """Register DejaVu Sans (shipped in fonts/, covers Greek) with reportlab, once per process."""
    # Each face on its own: the letters (pb.voting.letters) may have registered the regular one already.
    registered = pdfmetrics.getRegisteredFontNames()
    if FONT_BOLD not in registered or FONT not in registered:
        if FONT not in registered:
            pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "DejaVuSans.ttf")))
        if FONT_BOLD not in registered:
            pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)


def styles() -> dict[str, ParagraphStyle]:
    """The paragraph styles of the reports, all in DejaVu Sans."""
    register_fonts()
    body = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=13, textColor=INK, spaceAfter=5)
    return {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=7.5, leading=9.5, spaceAfter=0),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8, leading=10, spaceAfter=0),
        "head": ParagraphStyle("head", parent=body, fontName=FONT_BOLD, fontSize=8, leading=10, spaceAfter=0),
        "title": ParagraphStyle("title", parent=body, fontName=FONT_BOLD, fontSize=22, leading=27,
                                spaceAfter=8),
        "subtitle": ParagraphStyle("subtitle", parent=body, fontSize=13, leading=17, spaceAfter=14),
        "h1": ParagraphStyle("h1", parent=body, fontName=FONT_BOLD, fontSize=14, leading=18, spaceBefore=10,
                             spaceAfter=6),
        "h2": ParagraphStyle("h2", parent=body, fontName=FONT_BOLD, fontSize=11, leading=14, spaceBefore=8,
                             spaceAfter=4),
        "formula": ParagraphStyle("formula", parent=body, fontSize=8.5, leading=11.5, leftIndent=8),
    }


def text(value: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text: markup characters are escaped, line breaks kept."""
    return Paragraph(escape(value).replace("\n", "<br/>"), style)


class Numbers:
    """Numbers, shares and money written the way readers of one locale write them."""

    def __init__(self, locale: str, currency: str, translate: Translate) -> None:
        self.locale = locale
        self.currency = currency
        self.missing = translate("missing")
        self.none = "–"

    def decimal(self, value: float | None, digits: int = 2) -> str:
        """A number with a fixed count of decimals; "missing" for None."""
        if value is None:
            return self.missing
        return format_decimal(value, format="#,##0." + "0" * digits if digits else "#,##0", locale=self.locale)

    def integer(self, value: int | None) -> str:
        """A whole number with grouping; "missing" for None."""
        return self.missing if value is None else format_decimal(value, format="#,##0", locale=self.locale)

    def percent(self, value: float | None) -> str:
        """A share as a percentage with one decimal; "missing" for None."""
        return self.missing if value is None else format_percent(value, format="#,##0.0%", locale=self.locale)

    def money(self, amount: float, scale: int = 100) -> str:
        """An amount of ``scale`` units per currency unit, e.g. cents with scale 100."""
        value = Decimal(amount) / scale if isinstance(amount, int) else Decimal(repr(amount))
        return format_currency(value, self.currency, locale=self.locale)


#: Left plus right padding of a table cell, in points.
CELL_PADDING = 6
#: The header font sizes tried, largest first, until every header word fits its column.
HEADER_SIZES = (8, 7.5, 7, 6.5, 6)


def _word_width(value: str, font: str, size: float) -> float:
    """The width of the longest word of a text, in points."""
    return max((pdfmetrics.stringWidth(word, font, size) for word in value.split()), default=0)


def fit_widths(rows: Sequence[Sequence[object]], widths: Sequence[float], *, header: bool = True,
               numeric: Collection[int] = (), totals: int = 0) -> tuple[list[float], float]:
    """Column widths, in the same total, in which no word and no number has to break mid-word, and the header
    font size that allows it.

    Each column gets at least its longest word (and its widest number, which never wraps); the points
    it lacks come from the columns with room to spare, in proportion to that room. When even that cannot fit,
    a smaller header size is tried; at the smallest, the widths are as close as the total allows.
    """
    register_fonts()
    total = sum(widths)
    first_total = len(rows) - totals
    for size in HEADER_SIZES:
        needed = [0.0] * len(widths)
        for r, row in enumerate(rows):
            for c, value in enumerate(row[:len(widths)]):
                if not isinstance(value, str):
                    continue
                if header and r == 0:
                    needed[c] = max(needed[c], _word_width(value, FONT_BOLD, size) + CELL_PADDING)
                    continue
                font = FONT_BOLD if r >= first_total else FONT
                if c in numeric:
                    needed[c] = max(needed[c], pdfmetrics.stringWidth(value, font, 8) + CELL_PADDING)
                else:
                    needed[c] = max(needed[c], _word_width(value, font, 8) + CELL_PADDING)
        if sum(needed) <= total or size == HEADER_SIZES[-1]:
            break
    fitted = [max(width, need) for width, need in zip(widths, needed)]
    excess = sum(fitted) - total
    if excess > 0:
        room = [max(0.0, width - need) for width, need in zip(fitted, needed)]
        spare = sum(room)
        share = min(1.0, excess / spare) if spare else 0.0
        fitted = [width - r * share for width, r in zip(fitted, room)]
        if sum(fitted) > total:  # even the smallest header cannot fit: every column gives up alike
            fitted = [width * total / sum(fitted) for width in fitted]
    return fitted, size


def table(
    rows: Sequence[Sequence[object]],
    widths: Sequence[float],
    *,
    fills: Sequence[tuple[int, int, colors.Color]] = (),
    header: bool = True,
    numeric: Collection[int] = (),
    totals: int = 0,
) -> Table:
    """A table of paragraphs that wraps long text at word boundaries; strings become cells, flowables pass
    through. The columns are resized (``fit_widths``) so that no header word breaks mid-word.

    ``numeric`` columns are aligned right; the last ``totals`` rows are bold under a rule; ``fills``
    colours single cells (column, row, colour), e.g. a flag. The header row repeats on each page.
    """
    sheet = styles()
    bold = sheet["head"]
    widths, header_size = fit_widths(rows, widths, header=header, numeric=numeric, totals=totals)
    head = ParagraphStyle("h", parent=bold, fontSize=header_size, leading=header_size + 2)
    cell_styles = {
        (False, False): sheet["cell"], (False, True): ParagraphStyle("r", parent=sheet["cell"], alignment=2),
        (True, False): bold, (True, True): ParagraphStyle("br", parent=bold, alignment=2),
    }
    head_styles = {False: head, True: ParagraphStyle("hr", parent=head, alignment=2)}
    first_total = len(rows) - totals

    def cell(value: object, row: int, column: int) -> object:
        if not isinstance(value, str):
            return value
        if header and row == 0:
            return text(value, head_styles[column in numeric])
        is_bold = row >= first_total
        return text(value, cell_styles[is_bold, column in numeric])

    data = [[cell(value, r, c) for c, value in enumerate(row)] for r, row in enumerate(rows)]
    commands = [
        ("FONT", (0, 0), (-1, -1), FONT, 8),  # else the table sets Helvetica before drawing its cells
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, GREY),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        commands += [("BACKGROUND", (0, 0), (-1, 0), LIGHT), ("LINEBELOW", (0, 0), (-1, 0), 0.75, INK)]
    if totals:
        commands.append(("LINEABOVE", (0, first_total), (-1, first_total), 0.75, INK))
    commands += [("BACKGROUND", (c, r), (c, r), colour) for c, r, colour in fills]
    result = Table(data, colWidths=list(widths), repeatRows=1 if header else 0, hAlign="LEFT")
    result.setStyle(TableStyle(commands))
    return result


def bar_chart(
    items: Sequence[tuple[str, float]],
    *,
    value_label: Callable[[float], str],
    width: float = FRAME_WIDTH,
    bar_colours: Sequence[colors.Color] | None = None,
    reference: float | None = None,
    title: str = "",
) -> Drawing:
    """A horizontal bar chart, one labelled bar per item, its value written at the end of the bar.

    ``reference`` draws a dashed vertical line (e.g. RI = 1, where a group is represented exactly).
    """
    register_fonts()
    bar_height = 13
    top = 16 if title else 4
    height = max(len(items), 1) * bar_height + top + 18
    drawing = Drawing(width, height, initialFontName=FONT)
    chart = HorizontalBarChart()
    label_width = 34 * mm
    chart.x, chart.y = label_width, 14
    chart.width, chart.height = width - label_width - 20 * mm, max(len(items), 1) * bar_height
    # The chart draws the first category at the bottom; reversed, the bars read top-down like the table.
    ordered = list(reversed(items))
    chart.data = [[value for _, value in ordered] or [0]]
    chart.categoryAxis.categoryNames = [label for label, _ in ordered] or [""]
    largest = max([value for _, value in items] + [reference or 0, 0])
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = largest * 1.05 if largest > 0 else 1
    chart.valueAxis.visibleGrid = False
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 6.5
    chart.valueAxis.labelTextFormat = value_label
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7.5
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -3
    chart.barWidth = 9
    chart.bars.strokeColor = None
    chart.bars[0].fillColor = BAR
    for i, colour in enumerate(reversed(bar_colours or [])):
        chart.bars[(0, i)].fillColor = colour
    chart.barLabelFormat = value_label
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 6.5
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    if reference is not None and chart.valueAxis.valueMax:
        x = chart.x + chart.width * reference / chart.valueAxis.valueMax
        drawing.add(Line(x, chart.y - 2, x, chart.y + chart.height + 2, strokeColor=INK, strokeWidth=0.6,
                         strokeDashArray=[2, 2]))
    if title:
        drawing.add(String(0, height - 10, title, fontName=FONT_BOLD, fontSize=8, fillColor=INK))
    return drawing


def column_chart(
    items: Sequence[tuple[str, float]], *, title: str, axis_label: str, width: float = FRAME_WIDTH
) -> Drawing:
    """A vertical bar chart (a histogram): categories along the bottom, counts written over each column."""
    register_fonts()
    height = 52 * mm
    drawing = Drawing(width, height, initialFontName=FONT)
    chart = VerticalBarChart()
    chart.x, chart.y = 14 * mm, 12 * mm
    chart.width, chart.height = width - 20 * mm, height - 22 * mm
    chart.data = [[value for _, value in items] or [0]]
    chart.categoryAxis.categoryNames = [label for label, _ in items] or [""]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7.5
    largest = max([value for _, value in items] + [0])
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = largest * 1.15 if largest > 0 else 1
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 6.5
    chart.bars[0].fillColor = BAR
    chart.bars.strokeColor = None
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 6.5
    chart.barLabels.nudge = 6
    drawing.add(chart)
    drawing.add(String(0, height - 8, title, fontName=FONT_BOLD, fontSize=8, fillColor=INK))
    drawing.add(String(chart.x + chart.width / 2, 1 * mm, axis_label, fontName=FONT, fontSize=7,
                       textAnchor="middle", fillColor=INK))
    return drawing


#: A last page filled less than this (a share of the text block) is near-empty: the layout is tightened.
MIN_LAST_PAGE_FILL = 0.25
#: How far the spacing is tightened, step by step, to pull a near-empty last page back.
TIGHTER = (1.0, 0.75, 0.5)

Story = list[Flowable] | Callable[[], list[Flowable]]


class _MeasuredDocument(SimpleDocTemplate):
    """A document that remembers where the last flowable ended, to tell how full the last page is."""

    last_y: float | None = None

    def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802 (reportlab's hook name)
        if self.frame is not None:  # None between pages
            self.last_y = self.frame._y


def _tightened(story: list[Flowable], factor: float) -> list[Flowable]:
    """The story with every vertical space (also inside blocks kept together) scaled by ``factor``."""
    for flowable in story:
        if isinstance(flowable, Spacer):
            flowable.height *= factor
        inner = getattr(flowable, "_content", None)
        if isinstance(inner, list):
            _tightened(inner, factor)
    return story


def build(
    story: Story,
    *,
    title: str,
    author: str,
    subject: str,
    footer: str,
    page_label: Callable[[int], str],
) -> bytes:
    """Lay the story out on A4 and return the PDF: fixed metadata, no timestamps, same data same bytes.

    Given a function that makes the story afresh, a document whose last page would be near-empty (less than
    ``MIN_LAST_PAGE_FILL``) is laid out again with tighter spacing and margins, so that a lone signature block
    or formula joins the page before it where it can.
    """
    register_fonts()
    make = story if callable(story) else (lambda: story)
    steps = TIGHTER if callable(story) else TIGHTER[:1]
    for factor in steps:
        content, pages, fill = _build_once(_tightened(make(), factor), factor, title=title, author=author,
                                           subject=subject, footer=footer, page_label=page_label)
        if pages == 1 or fill >= MIN_LAST_PAGE_FILL:
            break
    return content


def _build_once(story: list[Flowable], factor: float, *, title: str, author: str, subject: str, footer: str,
                page_label: Callable[[int], str]) -> tuple[bytes, int, float]:
    """One layout: the PDF, its page count and how full its last page is (0 to 1)."""
    out = io.BytesIO()
    document = _MeasuredDocument(
        out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=(10 + 6 * factor) * mm,
        bottomMargin=(14 + 4 * factor) * mm,
        title=title, author=author, subject=subject, creator="pb", producer="pb (ReportLab)",
        invariant=1, initialFontName=FONT,
    )

    def decorate(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.setFillColor(GREY)
        canvas.drawString(18 * mm, 10 * mm, footer)
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, page_label(doc.page))
        canvas.restoreState()

    document.build(story, onFirstPage=decorate, onLaterPages=decorate)
    top = document.bottomMargin + document.height
    used = top - (document.last_y if document.last_y is not None else top)
    return out.getvalue(), document.page, used / document.height
