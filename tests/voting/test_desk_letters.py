"""Voting-code letters: issued through the desk, one page each, the same bytes for the same letters."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
import sqlalchemy as sa

from pb.voting.letters import LetterPage, LetterText, build_letters
from pb.voting.models import VotingCode

TEXT = LetterText(title="Your voting code", intro="Use this code:", facts=[("Where to vote", "https://x.example/v")],
                  steps=["Open the address.", "Enter the code."], notes=["It works once."],
                  reference_label="Register reference", district_label="District", document_title="Voting codes")


def pages(pdf: bytes) -> int:
    """The page count, read from the PDF's page objects (no PDF library needed)."""
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


def pdf_text(pdf: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "letters.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def test_the_same_letters_give_the_same_bytes_one_page_each(tmp_path):
    letters = [LetterPage("Δήμος Αθηναίων", "PB 2026", "Βόρεια", "AB-1", "ABCD-EFGH-JK23"),
               LetterPage("Testville", "PB 2026", "", "AB-2", "WXYZ-2345-6789")]
    first, second = build_letters(letters, TEXT), build_letters(letters, TEXT)
    assert first == second and first.startswith(b"%PDF") and pages(first) == 2
    text = pdf_text(first, tmp_path)
    assert "Δήμος Αθηναίων" in text and "Βόρεια" in text and "ABCD-EFGH-JK23" in text
    assert "\f" in text.strip()  # the second letter starts on a page of its own


def test_the_desk_issues_codes_and_downloads_the_letters(client, login, db, voting_world, tmp_path):
    w = voting_world
    login(w.clerk)
    url = f"/staff/voting/{w.process.id}/letters"
    assert "Issue codes and download the letters" in client.get(url).get_data(as_text=True)
    response = client.post(url, data={"references": "AB-1002\r\n\r\nab 1005\n"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert 'filename="voting-codes-vote.pdf"' in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    assert pages(response.data) == 2
    text = pdf_text(response.data, tmp_path)
    assert "Testville" in text and "PB vote" in text and "North" in text
    assert "pb.test/m/testville/vote/verify" in text and "Voting closes" in text
    codes = re.findall(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}\b", text)
    assert len(codes) == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VotingCode)) == 2


def test_letters_for_unknown_references_issue_nothing(client, login, db, voting_world):
    w = voting_world
    login(w.clerk)
    url = f"/staff/voting/{w.process.id}/letters"
    refused = client.post(url, data={"references": "AB-1002\nNOPE-1"})
    assert refused.mimetype == "text/html" and "not in the register: NOPE-1" in refused.get_data(as_text=True)
    empty = client.post(url, data={"references": "  \n"})
    assert "List at least one register reference" in empty.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VotingCode)) == 0


def word_boxes(pdf: bytes, tmp_path) -> list[tuple[str, float, float]]:
    """Each word of the first page with its left edge and top, in millimetres from the page's top left corner."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "letters.pdf"
    path.write_bytes(pdf)
    html = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout
    mm = 72 / 25.4
    return [(word, float(x) / mm, float(y) / mm) for x, y, word in
            re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="[\d.]+">([^<]*)</word>', html)]


def test_the_address_sits_in_the_window_of_a_din_5008_envelope(tmp_path):
    letter = LetterPage("Δήμος Καλαμάτας", "PB 2027", "Κέντρο", "AB-1", "ABCD-EFGH-JK23",
                        ("Maria Papadopoulou", "Aristomenous 12", "24100 Kalamata"))
    boxes = word_boxes(build_letters([letter], TEXT), tmp_path)
    for word in ("Maria", "Aristomenous", "24100"):
        (x, top), = [(x, top) for w, x, top in boxes if w == word]
        # DIN 5008 form B: the address field is 20 mm from the left, 45 to 90 mm from the top, 85 mm wide.
        assert 20 <= x <= 105 and 45 + 5 <= top <= 90, (word, x, top)
    # The sender's line is at the top of the window; the code and the text below 98.5 mm.
    senders = [top for w, x, top in boxes if w == "Καλαμάτας" and 45 <= top <= 50]
    assert senders
    (code_top,) = [top for w, _x, top in boxes if w == "ABCD-EFGH-JK23"]
    assert code_top > 98.5


def test_the_letter_gives_both_dates_and_repeats_no_word(client, login, db, voting_world, tmp_path):
    from flask_babel import force_locale

    w = voting_world
    w.process.municipality.name = "Δήμος Καλαμάτας"
    db.session.commit()
    login(w.clerk)
    response = client.post(f"/staff/voting/{w.process.id}/letters",
                           data={"references": "AB-1002; Maria Papadopoulou; Aristomenous 12; 24100 Kalamata"})
    text = " ".join(pdf_text(response.data, tmp_path).split())
    assert "Voting opens" in text and "Voting closes" in text and "Maria Papadopoulou" in text
    from pb.voting.desk import _letter_text

    with force_locale("el"):
        greek = _letter_text(w.process)
    assert greek.intro.startswith("Μπορείτε να ψηφίσετε") and "Δήμος Καλαμάτας" in greek.intro
    assert "δήμου Δήμος" not in greek.intro.replace("Δήμου Δήμος", "δήμου Δήμος")
    assert not re.search(r"\b(\w+) \1\b", greek.intro.lower())
