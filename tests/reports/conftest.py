"""Fixtures of the report tests: the shared folder of real Pabulib elections and the demo files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
DEMO_DIR = REPO_ROOT / "pb" / "demo_data"


@pytest.fixture(scope="session")
def pabulib_dir() -> Path:
    """$PB_PABULIB_DIR, else <repo>/../shared/pabulib; skips the test when it has no files/ folder."""
    folder = Path(os.environ.get("PB_PABULIB_DIR") or REPO_ROOT.parent / "shared" / "pabulib")
    if not (folder / "files").is_dir():
        pytest.skip("no shared Pabulib folder: set PB_PABULIB_DIR or put it at <repo>/../shared/pabulib")
    return folder
