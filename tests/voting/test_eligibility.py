"""Register files and who may vote where, without an app."""

from __future__ import annotations

from types import SimpleNamespace

from pb.voting import secrecy
from pb.voting.eligibility import RegisterProblem, is_old_enough, parse_register, pools_for


def test_register_reads_commas_semicolons_and_aliases():
    rows, problems = parse_register("Reference;Year_of_birth;District\nA1;1980;north\nA2;;\n", 2026)
    assert problems == []
    assert [(r.reference, r.birth_year, r.district, r.line) for r in rows] == [
        ("A1", 1980, "north", 2), ("A2", None, None, 3)]


def test_register_names_every_bad_line():
    text = "reference,birth_year,district\nA1,1980,n\n,1990,n\nA-1,1990,n\nA3,19x0,n\nA4,2090,n\n"
    rows, problems = parse_register(text, 2026)
    assert [r.reference for r in rows] == ["A1"]
    assert [(p.line, p.code) for p in problems] == [(3, "empty_reference"), (4, "duplicate"), (5, "bad_year"),
                                                   (6, "bad_year")]


def test_register_without_a_reference_column_is_refused():
    rows, problems = parse_register("name,born\nX,1980\n", 2026)
    assert rows == [] and problems[0].code == "missing_column"


def test_age_is_the_one_reached_in_the_year_of_the_vote():
    assert is_old_enough(2010, 16, 2026)
    assert not is_old_enough(2011, 16, 2026)
    assert is_old_enough(None, 16, 2026)


def test_residents_vote_city_wide_and_in_their_own_district():
    city, north, south = SimpleNamespace(district_id=None), SimpleNamespace(district_id=1), SimpleNamespace(district_id=2)
    assert pools_for([city, north, south], 1) == [city, north]
    assert pools_for([city, north, south], None) == [city]


def test_keyed_hashes_depend_on_the_key_and_ignore_typing_noise():
    key, other = b"k" * 32, b"o" * 32
    assert secrecy.reference_hash(key, 1, "ab-1001") == secrecy.reference_hash(key, 1, " AB 1001")
    assert secrecy.reference_hash(key, 1, "AB-1001") != secrecy.reference_hash(other, 1, "AB-1001")
    assert secrecy.reference_hash(key, 1, "AB-1001") != secrecy.reference_hash(key, 2, "AB-1001")
    tag = secrecy.owner_tag(key, 1, "entry:1")
    assert secrecy.receipt_code(key, tag, "form") == secrecy.receipt_code(key, tag, "form")
    assert secrecy.receipt_code(key, tag, "form") != secrecy.receipt_code(key, tag, "form2")
    code = secrecy.receipt_code(key, tag, "form")
    assert secrecy.receipt_hash(code) == secrecy.receipt_hash(code.lower().replace("-", ""))


def test_published_demographics_of_small_groups_are_blanked():
    from pb.tally.election import Ballot, Election, Project
    from pb.voting.counting import suppress_small_groups

    many = [Ballot(choices=("1",), attributes={"age_band": "35-64", "sex": "F", "district": "n",
                                                "voting_method": "internet"}) for _ in range(10)]
    lone = Ballot(choices=("1",), attributes={"age_band": "65+", "sex": "M", "district": "n", "voting_method": "paper"})
    election = Election(meta={"budget": "10"}, projects=(Project("1", 5),), ballots=(*many, lone))
    published = suppress_small_groups(election)
    assert published.ballots[0].attributes["age_band"] == "35-64"
    assert dict(published.ballots[-1].attributes) == {"age_band": "", "sex": "", "district": "", "voting_method": ""}
    assert published.ballots[-1].choices == ("1",)


def test_a_semicolon_register_with_one_short_row_names_that_row():
    rows, problems = parse_register("reference;birth_year;district\nA1;1980;north\nA2;2001\nA3;1975;north\n", 2026)
    assert [r.reference for r in rows] == ["A1", "A3"]
    assert [(p.line, p.code, p.value) for p in problems] == [(3, "short_row", "2/3")]


def test_a_register_line_the_csv_module_cannot_read_is_named_not_a_crash():
    """Found by the fuzzer: a cell past the csv module's size limit raised csv.Error (a 500), and a birth year of
    5,000 digits passed isdigit() and broke int(); both are now problems of their line."""
    assert parse_register("reference,birth_year\nAB-1,1980\n" + "x" * 200_000 + ",1980\n", 2026) == (
        [], [RegisterProblem(3, "unreadable")])
    rows, problems = parse_register("reference,birth_year\nAB-1," + "9" * 5000 + "\nAB-2,19\u00b20\n", 2026)
    assert rows == [] and [(p.line, p.code, len(p.value) <= 20) for p in problems] == [
        (2, "bad_year", True), (3, "bad_year", True)]
