"""Every rule on real Pabulib files gives exactly the outcome of the reference, pabutools 1.2.3."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pb.tally.pabulib import read
from pb.tally.rules import count
from tests.tally.conftest import DATA_DIR, NO_SNAPSHOT, SHARED_DIR

_NO_SHARED = NO_SNAPSHOT


def _cases(folder: Path | None, expected_name: str) -> list[object]:
    """(file, rule, expected ids) for every pair the expected file lists, or one skipped case."""
    if folder is None or not (folder / expected_name).is_file():
        return [pytest.param(None, None, None, marks=pytest.mark.skip(reason=_NO_SHARED))]
    expected = json.loads((folder / expected_name).read_text(encoding="utf-8"))
    files = folder / "files" if (folder / "files").is_dir() else folder
    return [
        pytest.param(files / name, rule, ids, id=f"{name}-{rule}")
        for name, by_rule in sorted(expected.items())
        for rule, ids in sorted(by_rule.items())
    ]


def _tie_cases() -> list[object]:
    if SHARED_DIR is None:
        return [pytest.param(None, marks=pytest.mark.skip(reason=_NO_SHARED))]
    pairs = json.loads((SHARED_DIR / "tie_sensitive.json").read_text(encoding="utf-8"))
    return [pytest.param(pair, id=f"{pair['file']}-{pair['rule']}") for pair in pairs]


_elections: dict[Path, object] = {}


def _read(path: Path):  # noqa: ANN202 - the Election, cached: several rules count each file
    if path not in _elections:
        _elections[path] = read(path)
    return _elections[path]


@pytest.mark.parametrize(("path", "rule", "expected"), _cases(SHARED_DIR, "expected.json"))
def test_shared_file_matches_reference(path: Path, rule: str, expected: list[str]) -> None:
    """The shared real elections: the same set of projects as pabutools."""
    outcome = count(_read(path), rule)
    assert sorted(outcome.selected) == sorted(expected)
    assert outcome.total_cost <= outcome.budget


@pytest.mark.parametrize(("path", "rule", "expected"), _cases(DATA_DIR, "expected_small.json"))
def test_bundled_file_matches_reference(path: Path, rule: str, expected: list[str]) -> None:
    """The small files bundled with the tests, so a clone without the shared folder still checks the rules."""
    assert sorted(count(_read(path), rule).selected) == sorted(expected)


@pytest.mark.parametrize("pair", _tie_cases())
def test_tie_break_decides_tie_sensitive_pairs(pair: dict[str, object]) -> None:
    """Where ties matter, each tie-break gives the reference's outcome for that order."""
    assert SHARED_DIR is not None
    election = _read(SHARED_DIR / "files" / str(pair["file"]))
    rule = str(pair["rule"])
    assert sorted(count(election, rule).selected) == sorted(pair["lexico"])  # type: ignore[arg-type]
    reverse = count(election, rule, tie_break="reverse-lexico")
    assert sorted(reverse.selected) == sorted(pair["reverse_lexico"])  # type: ignore[arg-type]
    assert reverse.tie_break == "reverse-lexico"


@pytest.mark.parametrize(
    "name", ["Poland_Lodz_2022.pb", "Poland_Wroclaw_2015_150_-_500.pb", "Poland_Warszawa_2019_Ursynow_Poludniowy.pb"]
)
def test_add1_on_big_cities_stays_within_budget(name: str) -> None:
    """add1 finishes on the largest cities (the reference takes hours there) and its outcome fits."""
    if SHARED_DIR is None:
        pytest.skip(_NO_SHARED)
    election = _read(SHARED_DIR / "files" / name)
    outcome = count(election, "equalshares/add1")
    plain = count(election, "equalshares")
    assert outcome.total_cost <= outcome.budget
    assert outcome.total_cost >= plain.total_cost
    assert int(outcome.details["increments"]) > 0
