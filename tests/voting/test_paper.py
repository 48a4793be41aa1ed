"""Reading typed paper ballots and CSV files of sheets: pure functions, no app."""

from __future__ import annotations

import pytest

from pb.voting.ballot_rules import Choice
from pb.voting.paper import LineProblem, Sheet, SheetProblem, UnreadableLine, parse_choices, parse_sheets

CODES = {"C1": 11, "C3": 13, "C5": 15}


def test_codes_in_any_case_and_with_any_separator():
    assert parse_choices("C1 c3,C5", CODES, uses_points=False) == [Choice(11), Choice(13), Choice(15)]
    assert parse_choices("  c5 ;  C1  ", CODES, uses_points=False) == [Choice(15), Choice(11)]


def test_ranking_keeps_the_typed_order():
    assert [c.project_id for c in parse_choices("C5 C1 C3", CODES, uses_points=False)] == [15, 11, 13]


def test_cumulative_points_after_a_colon_or_equals():
    assert parse_choices("C1:4 C3=6", CODES, uses_points=True) == [Choice(11, 4), Choice(13, 6)]


def test_missing_points_and_repeats_are_left_to_the_rules_checker():
    assert parse_choices("C1 C1:2", CODES, uses_points=True) == [Choice(11), Choice(11, 2)]


def test_an_empty_line_is_an_empty_ballot():
    assert parse_choices("   ", CODES, uses_points=False) == []


def test_every_unreadable_part_is_named():
    with pytest.raises(UnreadableLine) as refused:
        parse_choices("C1 C9 C3:x C5:2 Z", CODES, uses_points=False)
    assert refused.value.problems == [LineProblem("unknown_code", "C9"), LineProblem("points_not_used", "C3:x"),
                                      LineProblem("points_not_used", "C5:2"), LineProblem("unknown_code", "Z")]
    with pytest.raises(UnreadableLine) as refused:
        parse_choices("C1:x C3:²", CODES, uses_points=True)
    assert [p.code for p in refused.value.problems] == ["bad_points", "bad_points"]


def test_sheets_with_and_without_a_channel_column():
    sheets, problems = parse_sheets("reference,projects\nAB-1,C1 C3\n\nAB-2,C5\n")
    assert sheets == [Sheet(2, "AB-1", "C1 C3", "paper"), Sheet(4, "AB-2", "C5", "paper")] and problems == []
    sheets, problems = parse_sheets("\ufeffReference;Projects;Channel\nAB-1;C1:4 C3:6;in person\nAB-2;C1;post\n;C1;\n")
    assert sheets == [Sheet(2, "AB-1", "C1:4 C3:6", "in_person")]
    assert problems == [SheetProblem(3, "bad_channel", "post"), SheetProblem(4, "empty_reference")]


def test_a_sheets_file_without_its_columns_is_refused_whole():
    assert parse_sheets("ref,choices\nAB-1,C1\n") == ([], [SheetProblem(1, "missing_column", "reference")])
    assert parse_sheets("") == ([], [SheetProblem(1, "missing_column", "reference")])


def test_a_sheet_line_cut_short_is_named():
    sheets, problems = parse_sheets("reference;projects;channel\nAB-1;C1;paper\nAB-2;C3\n")
    assert sheets == [Sheet(2, "AB-1", "C1", "paper")] and problems == [SheetProblem(3, "short_row", "2/3")]


def test_a_sheets_line_the_csv_module_cannot_read_enters_nothing():
    """A cell past the csv module's size limit raised csv.Error (a 500); now its line is named and nothing of the
    file is entered."""
    assert parse_sheets("reference,projects\nAB-1,C1\n" + "x" * 200_000 + ",C1\n") == (
        [], [SheetProblem(3, "unreadable")])
