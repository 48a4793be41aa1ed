"""Fixtures of the tally tests: the bundled small files and the shared folder of real Pabulib elections."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

DATA_DIR = Path(__file__).resolve().parent / "data"
REPO_ROOT = Path(__file__).resolve().parents[2]


#: Why the tests of a whole snapshot of real elections are skipped, when they are.
NO_SNAPSHOT = "no Pabulib snapshot: set PB_PABULIB_DIR to a folder with files/*.pb and expected.json"


def _shared_dir() -> Path | None:
    """A snapshot of real Pabulib elections (pabulib.org) with pabutools' outcomes: $PB_PABULIB_DIR."""
    configured = os.environ.get("PB_PABULIB_DIR")
    candidate = Path(configured) if configured else None
    return candidate if candidate is not None and (candidate / "files").is_dir() else None


SHARED_DIR = _shared_dir()
#: The shared files, for parametrising tests; empty when the folder is absent.
SHARED_FILES = sorted((SHARED_DIR / "files").glob("*.pb")) if SHARED_DIR else []
#: The small real files that ship with the tests.
SMALL_FILES = sorted(DATA_DIR.glob("*.pb"))


@pytest.fixture(scope="session")
def pabulib_dir() -> Path:
    """The shared folder with files/, expected.json and measures.json; skips the test when it is absent."""
    if SHARED_DIR is None:
        pytest.skip(NO_SNAPSHOT)
    return SHARED_DIR


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The folder of small real Pabulib files bundled with the tests."""
    return DATA_DIR


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run a test that takes ``shared_file`` once per shared Pabulib file, or skip it with the reason."""
    if "shared_file" in metafunc.fixturenames:
        if SHARED_FILES:
            metafunc.parametrize("shared_file", SHARED_FILES, ids=[path.name for path in SHARED_FILES])
        else:
            reason = NO_SNAPSHOT
            metafunc.parametrize("shared_file", [pytest.param(None, marks=pytest.mark.skip(reason=reason))])
