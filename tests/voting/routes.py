"""The residents' voting routes for the route-by-role table (process 1 is in deliberation, not voting)."""

from __future__ import annotations

from tests.route_roles import OK, REDIRECT, everyone, signed_in_only

ROUTES = {
    "voting.vote": ("GET", "/m/testville/2026/vote", everyone(OK)),
    "voting.verify": ("GET", "/m/testville/2026/verify", signed_in_only()),
    # Nobody in the route table is verified, so the ballot sends them to verify first.
    "voting.ballot": ("GET", "/pools/1/ballot", signed_in_only(REDIRECT)),
    "voting.receipt": ("GET", "/pools/1/receipt", signed_in_only(REDIRECT)),
    # Nobody in the route table cast a ballot in this session, so there is no code to download.
    "voting.receipt_text": ("GET", "/pools/1/receipt.txt", signed_in_only(404)),
    "voting.receipts": ("GET", "/m/testville/2026/receipts", everyone(OK)),
    "voting.results": ("GET", "/m/testville/2026/results", everyone(OK)),
    # Before the close there is nothing to download.
    "voting.receipts_text": ("GET", "/m/testville/2026/receipts.txt", everyone(404)),
    "voting.pabulib_export": ("GET", "/pools/1/ballots.pb", everyone(404)),
    "voting.results_csv": ("GET", "/m/testville/2026/results.csv", everyone(404)),
    "voting.results_json": ("GET", "/m/testville/2026/results.json", everyone(404)),
}


def build_world(db, process, project, make_user) -> None:
    """Nothing beyond the shared world."""
