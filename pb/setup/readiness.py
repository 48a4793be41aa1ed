"""What each phase of an edition needs before it can open, computed by one pure function from plain facts.

``checklist(facts)`` gives, per phase, every item with whether it holds; an item is a code and its numbers,
never a sentence, so that the staff pages say it in the clerk's language (pb.setup.labels). The dashboard
shows the list; a clerk's early opening of a phase that is not ready is refused with the missing items.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from pb.processes.models import BallotKind, PhaseKind


@dataclass(frozen=True)
class PoolFacts:
    """What readiness needs of one pool."""

    name: str
    ballot_kind: BallotKind
    amount: int
    max_choices: int | None = None
    total_points: int | None = None
    projects_on_ballot: int = 0
    annulled: bool = False


@dataclass(frozen=True)
class Facts:
    """What readiness needs of an edition, read from the database by pb.setup.queries."""

    phases: frozenset[PhaseKind]
    pools: tuple[PoolFacts, ...]
    categories: int
    has_description: bool
    proposals: int = 0
    public_projects: int = 0
    awaiting_review: int = 0
    register_entries: int = 0
    has_mandate: bool = False
    mandate_covers_vote: bool = False
    # What the mandate's preset asks before the vote, each with whether it is done (e.g. "ex_ante_assessment").
    preset_demands: Mapping[str, bool] = field(default_factory=dict)
    vote_closed: bool = False
    winners: int = 0
    winners_decided: int = 0


@dataclass(frozen=True)
class Item:
    """One thing a phase needs: ``code`` says what (see ``checklist``), ``ok`` whether it holds."""

    code: str
    ok: bool
    numbers: Mapping[str, object] = field(default_factory=dict)


def _pool_rules_complete(pool: PoolFacts) -> bool:
    if pool.ballot_kind is BallotKind.CUMULATIVE:
        return bool(pool.total_points)
    if pool.ballot_kind is BallotKind.RANKING:
        return bool(pool.max_choices)
    return True


def checklist(facts: Facts) -> dict[PhaseKind, list[Item]]:
    """Every phase's items. Codes: ``description``, ``schedule``, ``pools``, ``pool_amounts``, ``categories``,
    ``proposals``, ``public_projects``, ``ballot_rules``, ``ballot_projects``, ``reviews_done``, ``register``,
    ``mandate``, ``preset:<demand>``, ``vote_closed``, ``decisions``."""
    live = [pool for pool in facts.pools if not pool.annulled]
    incomplete = [pool.name for pool in live if not _pool_rules_complete(pool)]
    empty = [pool.name for pool in live if pool.projects_on_ballot < 1]
    unfunded = [pool.name for pool in live if pool.amount <= 0]
    setup = [
        Item("pools", bool(live), {"count": len(live)}),
        Item("pool_amounts", bool(live) and not unfunded, {"pools": ", ".join(unfunded)}),
    ]
    voting = [
        *setup,
        Item("ballot_rules", bool(live) and not incomplete, {"pools": ", ".join(incomplete)}),
        Item("ballot_projects", bool(live) and not empty, {"pools": ", ".join(empty)}),
        Item("reviews_done", facts.awaiting_review == 0, {"count": facts.awaiting_review}),
        Item("register", facts.register_entries > 0, {"count": facts.register_entries}),
        Item("mandate", facts.mandate_covers_vote, {"has_mandate": facts.has_mandate}),
        *(Item(f"preset:{demand}", done) for demand, done in sorted(facts.preset_demands.items())),
    ]
    return {
        PhaseKind.INFORMATION: [
            Item("description", facts.has_description),
            Item("schedule", PhaseKind.PROPOSALS in facts.phases or PhaseKind.VOTING in facts.phases),
        ],
        PhaseKind.PROPOSALS: [*setup, Item("categories", facts.categories > 0, {"count": facts.categories})],
        PhaseKind.REVIEW: [Item("proposals", facts.proposals > 0, {"count": facts.proposals})],
        PhaseKind.DELIBERATION: [Item("public_projects", facts.public_projects > 0, {"count": facts.public_projects})],
        PhaseKind.VOTING: voting,
        PhaseKind.RESULTS: [Item("vote_closed", facts.vote_closed)],
        PhaseKind.ADOPTION: [Item("vote_closed", facts.vote_closed)],
        # The council decides on the winners once they are known.
        PhaseKind.IMPLEMENTATION: [Item("vote_closed", facts.vote_closed)] + ([
            Item("decisions", facts.winners_decided >= facts.winners,
                 {"count": facts.winners - facts.winners_decided})] if facts.vote_closed else []),
    }


def missing(facts: Facts, kind: PhaseKind) -> list[Item]:
    """The items that phase ``kind`` still lacks."""
    return [item for item in checklist(facts)[kind] if not item.ok]
