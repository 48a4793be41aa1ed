"""The printable voting-code letters: one A4 page per resident, plain data in, PDF bytes out. No Flask.

The caller translates every sentence (``LetterText``); this module only lays them out. The PDF is built
with reportlab's ``invariant`` switch and fixed metadata, so the same letters always give the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    ListFlowable,
    ListItem,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

FONT_DIR = Path(__file__).resolve().parent.parent / "reports" / "fonts"
# Codes use only A-Z and 2-9 (pb.voting.secrecy.CODE_ALPHABET), which every built-in PDF font has.
CODE_FONT = "Courier-Bold"
INK = colors.HexColor("#1a1a1a")
FRAME = colors.HexColor("#3f6fb5")


@dataclass(frozen=True)
class LetterText:
    """The sentences every letter shares, already in the residents' language.

    ``facts`` are (label, value) pairs printed in bold under the code: where to go and by when.
    """

    title: str
    intro: str
    facts: Sequence[tuple[str, str]]
    steps: Sequence[str]
    notes: Sequence[str]
    reference_label: str
    district_label: str
    document_title: str


@dataclass(frozen=True)
class LetterPage:
    """What differs from one letter to the next."""

    municipality: str
    process: str
    district: str
    reference: str
    code: str


def fonts() -> tuple[str, str]:
    """The regular and bold font names: DejaVu Sans where shipped (it has Greek), else Helvetica."""
    regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
    if not regular.is_file():
        return "Helvetica", "Helvetica-Bold"
    registered = pdfmetrics.getRegisteredFontNames()
    if "DejaVuSans" not in registered:
        pdfmetrics.registerFont(TTFont("DejaVuSans", str(regular)))
    if not bold.is_file():
        return "DejaVuSans", "DejaVuSans"
    if "DejaVuSans-Bold" not in registered:
        pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(bold)))
    return "DejaVuSans", "DejaVuSans-Bold"


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=11, leading=15, textColor=INK, spaceAfter=6)
    return {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=9, leading=12, textColor=colors.HexColor("#555555")),
        "municipality": ParagraphStyle("municipality", parent=body, fontName=bold, fontSize=18, leading=22,
                                       spaceAfter=2),
        "process": ParagraphStyle("process", parent=body, fontSize=13, leading=17, spaceAfter=14),
        "title": ParagraphStyle("title", parent=body, fontName=bold, fontSize=15, leading=19, spaceBefore=8),
        "fact": ParagraphStyle("fact", parent=body, fontName=bold, spaceAfter=0),
        "label": ParagraphStyle("label", parent=body, spaceAfter=0),
        "code": ParagraphStyle("code", fontName=CODE_FONT, fontSize=30, leading=36, alignment=TA_CENTER,
                               textColor=INK),
    }


def _para(value: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(value), style)


def _page(letter: LetterPage, text: LetterText, styles: dict[str, ParagraphStyle], width: float) -> list:
    """The flowables of one letter."""
    facts = f"{text.reference_label}: {letter.reference}"
    if letter.district:
        facts += f" · {text.district_label}: {letter.district}"
    code_box = Table([[_para(letter.code, styles["code"])]], colWidths=[width], rowHeights=[22 * mm])
    code_box.setStyle(TableStyle([
        ("BOX", (0, 0), (-1, -1), 2, FRAME),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]))
    facts_table = Table([[_para(label, styles["label"]), _para(value, styles["fact"])] for label, value in text.facts],
                        colWidths=[width * 0.3, width * 0.7])
    facts_table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (0, -1), 0),
                                     ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
    steps = ListFlowable([ListItem(_para(step, styles["body"]), leftIndent=16) for step in text.steps],
                         bulletType="1", bulletFormat="%s.", bulletFontName=styles["body"].fontName,
                         bulletFontSize=11, leftIndent=16)
    return [
        _para(letter.municipality, styles["municipality"]),
        _para(letter.process, styles["process"]),
        _para(facts, styles["small"]),
        _para(text.title, styles["title"]),
        _para(text.intro, styles["body"]),
        Spacer(1, 3 * mm),
        code_box,
        Spacer(1, 5 * mm),
        facts_table,
        Spacer(1, 4 * mm),
        steps,
        Spacer(1, 3 * mm),
        *[_para(note, styles["body"]) for note in text.notes],
    ]


def build_letters(letters: Sequence[LetterPage], text: LetterText) -> bytes:
    """One page per letter, as PDF bytes; the same input always gives the same bytes."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=22 * mm, rightMargin=22 * mm, topMargin=24 * mm, bottomMargin=20 * mm,
        title=text.document_title, author="", subject="", creator="pb", producer="pb", invariant=1)
    styles = _styles()
    story: list = []
    for index, letter in enumerate(letters):
        if index:
            story.append(PageBreak())
        story += _page(letter, text, styles, document.width)
    document.build(story)
    return buffer.getvalue()
