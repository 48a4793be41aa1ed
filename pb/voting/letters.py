"""The printable voting-code letters: one A4 page per resident, plain data in, PDF bytes out. No Flask.

The page follows DIN 5008 form B, so that it folds into a window envelope (C5, C6/5 or DL with the window on
the left): the letterhead above 45 mm, the address field 20 mm from the left and 45 mm from the top, 85 by 45 mm,
with the sender's line at its top; the information block (reference, district) beside it, 125 mm from the left;
the text from 98.5 mm down. The caller translates every sentence (``LetterText``); this module only lays them
out. The PDF is built with reportlab's ``invariant`` switch and fixed metadata, so the same letters always give
the same bytes.
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
    BaseDocTemplate,
    Frame,
    FrameBreak,
    KeepInFrame,
    ListFlowable,
    ListItem,
    PageTemplate,
    Paragraph,
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
    """What differs from one letter to the next. ``address`` holds the lines the clerk gave for the envelope's
    window (name, street, postcode and town); pb keeps no addresses, so without them the field stays blank."""

    municipality: str
    process: str
    district: str
    reference: str
    code: str
    address: tuple[str, ...] = ()


# DIN 5008 form B, in millimetres from the page's top left corner.
PAGE_WIDTH, PAGE_HEIGHT = A4
LEFT = 20 * mm
ADDRESS_TOP, ADDRESS_WIDTH, ADDRESS_HEIGHT = 45 * mm, 85 * mm, 45 * mm
SENDER_HEIGHT = 5 * mm
INFO_LEFT, INFO_WIDTH = 125 * mm, 75 * mm
BODY_TOP = 98.5 * mm
RIGHT, BOTTOM = 20 * mm, 18 * mm


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


def _frames() -> list[Frame]:
    """The letterhead, the address field, the information block and the body, as DIN 5008 form B places them."""
    def frame(name: str, left: float, top: float, width: float, height: float) -> Frame:
        return Frame(left, PAGE_HEIGHT - top - height, width, height, id=name, leftPadding=0, rightPadding=0,
                     topPadding=0, bottomPadding=0)

    return [frame("letterhead", LEFT, 15 * mm, PAGE_WIDTH - LEFT - RIGHT, ADDRESS_TOP - 17 * mm),
            frame("address", LEFT + 5 * mm, ADDRESS_TOP, ADDRESS_WIDTH - 5 * mm, ADDRESS_HEIGHT),
            frame("info", INFO_LEFT, ADDRESS_TOP + SENDER_HEIGHT, INFO_WIDTH, ADDRESS_HEIGHT - SENDER_HEIGHT),
            frame("body", LEFT + 5 * mm, BODY_TOP, PAGE_WIDTH - LEFT - 5 * mm - RIGHT,
                  PAGE_HEIGHT - BODY_TOP - BOTTOM)]


def _fold_marks(canvas, _document) -> None:
    """The fold marks (105 mm and 210 mm) and the hole mark (148.5 mm) at the left edge, as DIN 5008 draws."""
    canvas.saveState()
    canvas.setStrokeColor(colors.HexColor("#999999"))
    canvas.setLineWidth(0.3)
    for from_top, length in ((105 * mm, 5 * mm), (148.5 * mm, 7 * mm), (210 * mm, 5 * mm)):
        canvas.line(3 * mm, PAGE_HEIGHT - from_top, 3 * mm + length, PAGE_HEIGHT - from_top)
    canvas.restoreState()


def _page(letter: LetterPage, text: LetterText, styles: dict[str, ParagraphStyle], width: float) -> list:
    """The flowables of one letter, frame by frame."""
    sender = ParagraphStyle("sender", parent=styles["small"], fontSize=7, leading=9, spaceAfter=0)
    address = ParagraphStyle("address", parent=styles["body"], spaceAfter=0, leading=14)
    info = [f"{text.reference_label}: {letter.reference}"]
    if letter.district:
        info.append(f"{text.district_label}: {letter.district}")
    code_box = Table([[_para(letter.code, styles["code"])]], colWidths=[width], rowHeights=[22 * mm])
    code_box.setStyle(TableStyle([
        ("BOX", (0, 0), (-1, -1), 2, FRAME),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]))
    facts_table = Table([[_para(label, styles["label"]), _para(value, styles["fact"])] for label, value in text.facts],
                        colWidths=[width * 0.3, width * 0.7])
    facts_table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (0, -1), 0),
                                     ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]))
    steps = ListFlowable([ListItem(_para(step, styles["body"]), leftIndent=16) for step in text.steps],
                         bulletType="1", bulletFormat="%s.", bulletFontName=styles["body"].fontName,
                         bulletFontSize=11, leftIndent=16)
    body = [
        _para(text.title, styles["title"]),
        _para(text.intro, styles["body"]),
        Spacer(1, 2 * mm),
        code_box,
        Spacer(1, 4 * mm),
        facts_table,
        Spacer(1, 3 * mm),
        steps,
        Spacer(1, 2 * mm),
        *[_para(note, styles["body"]) for note in text.notes],
    ]
    return [
        _para(letter.municipality, styles["municipality"]),
        _para(letter.process, styles["process"]),
        FrameBreak(),
        # The sender's line, small, at the top of the window: the post returns an undeliverable letter.
        _para(letter.municipality, sender),
        Spacer(1, SENDER_HEIGHT - 9),
        *[_para(line, address) for line in letter.address[:6]],
        FrameBreak(),
        *[_para(line, styles["small"]) for line in info],
        FrameBreak(),
        # Shrunk rather than spilled, so that each letter stays one page (and one envelope).
        KeepInFrame(width, PAGE_HEIGHT - BODY_TOP - BOTTOM, body, mode="shrink"),
    ]


def build_letters(letters: Sequence[LetterPage], text: LetterText) -> bytes:
    """One page per letter, as PDF bytes; the same input always gives the same bytes."""
    buffer = io.BytesIO()
    document = BaseDocTemplate(
        buffer, pagesize=A4, leftMargin=LEFT, rightMargin=RIGHT, topMargin=15 * mm, bottomMargin=BOTTOM,
        title=text.document_title, author="", subject="", creator="pb", producer="pb", invariant=1)
    frames = _frames()
    document.addPageTemplates([PageTemplate(id="letter", frames=frames, onPage=_fold_marks)])
    styles = _styles()
    story: list = []
    for index, letter in enumerate(letters):
        if index:
            story.append(FrameBreak())  # from the body frame to the next page's letterhead
        story += _page(letter, text, styles, frames[-1].width)
    document.build(story)
    return buffer.getvalue()
