"""What residents read for the phases, ballot kinds and counting rules of a process."""

from __future__ import annotations

from flask_babel import format_date
from flask_babel import lazy_gettext as _l

from pb.processes.models import BallotKind, PhaseKind
from pb.processes.phases import current_phase, is_finished, next_phase

PHASE_LABELS = {
    PhaseKind.INFORMATION: _l("Information"),
    PhaseKind.PROPOSALS: _l("Proposals"),
    PhaseKind.REVIEW: _l("Review"),
    PhaseKind.DELIBERATION: _l("Deliberation and supports"),
    PhaseKind.VOTING: _l("Voting"),
    PhaseKind.RESULTS: _l("Results"),
    PhaseKind.ADOPTION: _l("Adoption by the council"),
    PhaseKind.IMPLEMENTATION: _l("Implementation"),
}

BALLOT_KIND_LABELS = {
    BallotKind.APPROVAL: _l("Approval: tick the projects you support"),
    BallotKind.KNAPSACK: _l("Knapsack: choose projects within the pool's budget"),
    BallotKind.CUMULATIVE: _l("Points: share out your points among projects"),
    BallotKind.RANKING: _l("Ranking: put your favourite projects in order"),
    BallotKind.CHOOSE_ONE: _l("Choose one project"),
}

# Keys are the rule names of pb.tally (Pabulib's META rule).
RULE_LABELS = {
    "greedy": _l("Most votes first, skipping projects that no longer fit"),
    "greedy-no-skip": _l("Most votes first, stopping at the first project that does not fit"),
    "greedy-threshold": _l("Most votes first, among projects above a vote threshold"),
    "equalshares": _l("Method of Equal Shares"),
    "equalshares/add1": _l("Method of Equal Shares (with the add-one completion)"),
    "equalshares/add1+greedy": _l("Method of Equal Shares, then most votes first with what is left"),
    "equalshares/add1-comparison": _l("Method of Equal Shares, compared with most votes first"),
    "phragmen": _l("Sequential Phragmén"),
}


# What each rule means for residents, in one sentence: shown where a clerk chooses it and on the edition's page.
RULE_DESCRIPTIONS = {
    "greedy": _l("The projects with the most votes are funded in turn; one that costs more than is left is "
                 "skipped, and cheaper ones after it may still be funded."),
    "greedy-no-skip": _l("The projects with the most votes are funded in turn, and the count stops at the first "
                         "one that costs more than is left."),
    "greedy-threshold": _l("Like most votes first, but only projects with at least the set number of votes can "
                           "be funded."),
    "equalshares": _l("Every voter gets an equal share of the budget, and a project is funded when its supporters' "
                      "shares can pay for it: a group of voters decides over a part of the budget as large as the "
                      "group."),
    "equalshares/add1": _l("Equal Shares, with each voter's share raised step by step as long as the money stays "
                           "within the budget, so that as little as possible is left unspent."),
    "equalshares/add1+greedy": _l("Equal Shares with the raised shares, then what is still left goes to the "
                                  "projects with the most votes that fit."),
    "equalshares/add1-comparison": _l("Equal Shares with the raised shares is compared with most votes first, "
                                      "and the outcome under which more voters see more of their projects funded "
                                      "is used."),
    "phragmen": _l("Projects are funded one at a time so that the cost is spread as evenly as possible over "
                   "their supporters."),
}


def rule_description(rule: str) -> str:
    """What a counting rule means for residents, in one sentence of the user's language."""
    return str(RULE_DESCRIPTIONS.get(rule, ""))


def phase_label(kind: PhaseKind) -> str:
    """The name of a phase in the user's language."""
    return str(PHASE_LABELS.get(kind, kind.value))


def rule_label(rule: str) -> str:
    """The name of a counting rule in the user's language."""
    return str(RULE_LABELS.get(rule, rule))


def ballot_kind_label(kind: BallotKind) -> str:
    """How residents fill in a pool's ballot, in the user's language."""
    return str(BALLOT_KIND_LABELS.get(kind, kind.value))


def phase_state(phases, now) -> str:
    """Where a process stands, in a few words: its running phase, when it starts, or that it ended."""
    running = current_phase(phases, now)
    if running is not None:
        return phase_label(running.kind)
    if is_finished(phases, now):
        return str(_l("Finished"))
    upcoming = next_phase(phases, now)
    if upcoming is not None:
        return str(_l("Starts on %(date)s", date=format_date(upcoming.starts_at, "medium")))
    return str(_l("Not scheduled yet"))
