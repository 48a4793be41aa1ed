"""A seam for the race tests: widen the window between a service's checks and its insert."""

from __future__ import annotations

import time

from flask import current_app


def hold_race_window() -> None:
    """Tests only: wait ``PB_TEST_RACE_DELAY`` seconds between the checks and the insert.

    The race tests (tests/hardening) widen the gap in which a check-then-insert would let two
    submissions through; outside ``PB_ENV == "testing"`` the setting is ignored.
    """
    config = current_app.config
    if config["PB_ENV"] == "testing" and config.get("PB_TEST_RACE_DELAY"):
        time.sleep(float(config["PB_TEST_RACE_DELAY"]))
