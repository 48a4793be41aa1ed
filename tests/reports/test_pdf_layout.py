"""The layout both report PDFs share: columns sized so that no word breaks mid-word, no near-empty last page."""

from __future__ import annotations

import io

from pypdf import PdfReader
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Paragraph, Spacer

from pb.reports import pdf

GREEK_HEADER = ["Ομάδα", "Ψηφοφόροι", "Με χρηματοδοτούμενο έργο", "Μέση ικανοποίηση κόστους",
                "Μέσος αριθμός χρηματοδοτούμενων έργων", "Gini (κόστος)", "Gini (πλήθος)",
                "Λόγος δίκαιου μεριδίου", "Ένδειξη"]
ROW = ["Τρόπος ψηφοφορίας Ηλεκτρονικά", "2.092", "89,6%", "723.023,48", "2,16", "0,374", "0,300", "0,748",
       "πορτοκαλί"]


def test_columns_are_sized_so_that_no_header_word_breaks():
    pdf.register_fonts()
    widths = [26 * mm, 14 * mm, 19 * mm, 22 * mm, 17 * mm, 15 * mm, 15 * mm, 22 * mm]
    widths.append(pdf.FRAME_WIDTH - sum(widths))
    # As given, "χρηματοδοτούμενων" is wider than its column, so it would break mid-word.
    assert pdfmetrics.stringWidth("χρηματοδοτούμενων", pdf.FONT_BOLD, 8) + pdf.CELL_PADDING > widths[4]
    fitted, size = pdf.fit_widths([GREEK_HEADER, ROW], widths, numeric=range(1, 8))
    assert abs(sum(fitted) - sum(widths)) < 0.01 and size in pdf.HEADER_SIZES
    for column, (head, value) in enumerate(zip(GREEK_HEADER, ROW)):
        for word in head.split():
            assert pdfmetrics.stringWidth(word, pdf.FONT_BOLD, size) + pdf.CELL_PADDING <= fitted[column] + 0.01
        for word in value.split():
            assert pdfmetrics.stringWidth(word, pdf.FONT, 8) + pdf.CELL_PADDING <= fitted[column] + 0.01


def test_a_near_empty_last_page_is_pulled_back():
    style = pdf.styles()["body"]

    def story():
        return [Spacer(1, 255 * mm), Paragraph("The signatures.", style)]

    def pages(content: bytes) -> int:
        return len(PdfReader(io.BytesIO(content)).pages)

    kwargs = {"title": "T", "author": "A", "subject": "S", "footer": "F", "page_label": str}
    assert pages(pdf.build(story(), **kwargs)) == 2  # a list is laid out once: the last line alone on page 2
    assert pages(pdf.build(story, **kwargs)) == 1  # made afresh, it is laid out again, tighter
