"""Tests of ``python -m pb.tally``: the default rule, tie-breaks, JSON output and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pb.tally.__main__ import main

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def expected(data_dir: Path) -> dict[str, dict[str, list[str]]]:
    """pabutools' outcomes of the bundled files."""
    return json.loads((data_dir / "expected_small.json").read_text(encoding="utf-8"))


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the CLI in-process; return the exit code, stdout and stderr."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_default_rule_is_the_files_meta_rule(capsys, data_dir: Path, expected) -> None:
    code, out, err = _run(capsys, str(data_dir / "Netherlands_Assen_2024.pb"))
    assert code == 0 and err == ""
    assert out.endswith("\n") and out.count("\n") == 1
    assert sorted(out.split()) == sorted(expected["Netherlands_Assen_2024.pb"]["equalshares/add1"])


def test_rule_and_tie_break_options(capsys, data_dir: Path) -> None:
    path = str(data_dir / "Poland_Gdynia_2020_Babie_Doly__small.pb")
    # Gdynia's greedy outcome depends on the tie-break (shared tie_sensitive.json).
    assert sorted(_run(capsys, path, "--rule", "greedy")[1].split()) == ["1", "2", "4"]
    assert sorted(_run(capsys, path, "--rule", "greedy", "--tie-break", "reverse-lexico")[1].split()) == [
        "2",
        "4",
        "5",
    ]


def test_json_prints_the_outcome_with_explanations_and_measures(capsys, data_dir: Path) -> None:
    code, out, _ = _run(capsys, str(data_dir / "Poland_Gdynia_2020_Babie_Doly__small.pb"), "--json")
    assert code == 0
    result = json.loads(out)
    assert result["rule"] == "greedy-no-skip"
    assert {e["project_id"] for e in result["explanations"]} >= set(result["selected"])
    assert result["measures"]["overall"]["voters"] == 306
    assert set(result["measures"]["by_group"]) == {"sex", "age_band"}


def test_a_file_without_rule_needs_one(capsys, data_dir: Path) -> None:
    path = str(data_dir / "Worldwide_Mechanical_Turk_Utilities_3.pb")
    code, out, err = _run(capsys, path)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "--rule" in err and "unknown" in err
    code, out, _ = _run(capsys, path, "--rule", "greedy")
    assert code == 0 and out.split()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--rule", "borda"], "names the rule 'borda', which pb does not know"),
        (["--rule", "phragmen"], "phragmen needs approval ballots"),
    ],
)
def test_rule_errors_are_one_line(capsys, data_dir: Path, argv: list[str], message: str) -> None:
    code, out, err = _run(capsys, str(data_dir / "Worldwide_Mechanical_Turk_Utilities_3.pb"), *argv)
    assert code == 2 and out == ""
    assert err.startswith("pb-tally: ") and err.count("\n") == 1 and message in err


def test_a_malformed_file_is_reported_with_its_line(capsys, tmp_path: Path) -> None:
    path = tmp_path / "bad.pb"
    path.write_text("META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost\nX;12a\nVOTES\nvoter_id;vote\n")
    code, out, err = _run(capsys, str(path))
    assert code == 2 and out == ""
    assert err == f"pb-tally: {path} line 6: the cost '12a' of project 'X' is not a number\n"


def test_a_missing_file_and_bad_arguments_exit_2(capsys, tmp_path: Path) -> None:
    code, _, err = _run(capsys, str(tmp_path / "none.pb"))
    assert code == 2 and "cannot read the file" in err
    code, _, err = _run(capsys, str(tmp_path / "none.pb"), "--tie-break", "coin")
    assert code == 2 and "invalid choice" in err


def test_python_dash_m_runs_without_traceback(data_dir: Path) -> None:
    ok = subprocess.run(
        [sys.executable, "-m", "pb.tally", str(data_dir / "Netherlands_Amsterdam_643.pb")],
        capture_output=True, text=True, cwd=REPO_ROOT, check=False,
    )
    assert ok.returncode == 0 and ok.stdout.strip()
    bad = subprocess.run(
        [sys.executable, "-m", "pb.tally", str(data_dir / "Netherlands_Amsterdam_643.pb"), "--rule", "x"],
        capture_output=True, text=True, cwd=REPO_ROOT, check=False,
    )
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and bad.stderr.count("\n") == 1
