"""Sequential Phragmen for approval ballots, as pabutools 1.2.3 ``sequential_phragmen`` computes it.

Voters earn money continuously; a project is bought at the earliest time its supporters' loads can pay for
it, and their loads become that time. The rule stops at the first project (of those tied for the earliest
time) that would exceed the budget. A project under the minimum vote share is never on the count, and the
partners of a project bought leave it (pb.tally.constraints).

Exactness. Times are first compared in floating point. Every project whose float time is within a margin
of the earliest one (relative TOL, widened by a bound on the rounding error the float time can carry) is
compared again in exact fractions, and so are the budget check and the tie-break that follow: every voter's
load is one of the exact times of earlier purchases, so a project's exact time is cheap to rebuild. An
outcome therefore never depends on floating-point rounding; the floats only rule out projects that are
clearly later.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from pb.tally.rules.greedy import Verdicts, below_min_share
from pb.tally.rules.profile import Profile

#: Relative margin under which two float times are considered too close to call.
TOL = 1e-9
#: The unit roundoff of float64: one rounding changes a value by at most this relative amount.
_U = 2.0**-53


class NeedsApprovalBallots(ValueError):
    """Phragmen is defined for approval ballots only."""


def phragmen(profile: Profile) -> tuple[list[int], Verdicts]:
    """Sequential Phragmen: the projects bought, in order, and a verdict per project."""
    if profile.vote_type not in ("approval", "choose-1"):
        raise NeedsApprovalBallots(f"phragmen needs approval ballots, not {profile.vote_type} ballots")
    m = len(profile.ids)
    costs = profile.costs
    score = profile.support
    weights = profile.weights.astype(np.float64)
    lengths = np.fromiter((len(g) for g in profile.groups), dtype=np.int64, count=len(profile.groups))
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)
    members = np.fromiter((j for g in profile.groups for j in g), dtype=np.int64, count=int(lengths.sum()))
    load = np.zeros(len(profile.groups))
    last = np.zeros(len(profile.groups), dtype=np.int64)  # 0: no purchase yet, r: the r-th purchase
    times: list[Fraction] = [Fraction(0)]
    held = np.zeros(m)  # sum of supporters' loads per project
    # A bound on the float error of held: every addition into held[j] rounds once. held[j] receives at most
    # one addition per round plus one per (supporter group, purchase of that group) pair, that is at most
    # groups[j] * most + rounds, where most is the largest number of purchases any one group took part in.
    groups = np.fromiter((len(s) for s in profile.supporters), dtype=np.float64, count=m)
    bought = np.zeros(len(profile.groups), dtype=np.int64)
    most = 0

    def exact_time(j: int) -> Fraction:
        """(exact sum of the supporters' loads + cost) / support: the loads are the exact purchase times."""
        # Voters per purchase: sums of whole numbers far below 2**53, so the float64 counts are exact.
        counts = np.bincount(last[profile.supporters[j]], weights=weights[profile.supporters[j]])
        total = sum((int(n) * times[r] for r, n in enumerate(counts) if n), Fraction(0))
        return (total + costs[j]) / score[j]

    verdicts: Verdicts = {}
    remaining = []
    eligible = profile.eligible(score)
    for j in range(m):
        if profile.withdrawn[j]:
            verdicts[j] = ("withdrawn", {})
        elif not eligible[j]:
            verdicts[j] = below_min_share(profile, score[j])
        elif costs[j] > profile.budget:
            verdicts[j] = ("did_not_fit", {"needed": costs[j], "left": profile.budget})
        else:
            remaining.append(j)
    selected: list[int] = []
    spent = 0
    while remaining:
        supported = [j for j in remaining if score[j] > 0]
        when: Fraction | None = None
        if supported:
            approx = {j: (float(held[j]) + float(costs[j])) / score[j] for j in supported}
            b = min(supported, key=approx.__getitem__)
            best = approx[b]
            # Relative rounding error of each float time: held's additions, its load terms (two roundings per
            # load step, telescoping, and one for the load itself), the cost's conversion, + and /.
            err = ((groups * most + len(selected) + 8) * _U).tolist()
            # j might be as early as best when the intervals [approx (1 - err), approx (1 + err)] of the two
            # come within the margin TOL of each other; those are compared exactly.
            near = [
                j for j in supported if approx[j] - best <= TOL * best + err[j] * approx[j] + err[b] * best
            ]
            if len(near) == 1:
                tied = near
            else:
                exact = {j: exact_time(j) for j in near}
                when = min(exact.values())
                tied = [j for j in near if exact[j] == when]
        else:
            tied = list(remaining)  # every time is infinite: pabutools treats them all as tied
        left = profile.budget - spent
        if any(costs[j] > left for j in tied):
            for j in remaining:
                verdicts[j] = ("did_not_fit", {"needed": costs[j], "left": left}) if j in tied else ("stopped", {"left": left})
            break
        j = min(tied, key=lambda i: profile.rank[i])
        remaining.remove(j)
        selected.append(j)
        spent += costs[j]
        for partner in profile.partners[j]:
            if partner in remaining:
                # The rule passes over a project whose partner is funded, for the rest of the count.
                remaining.remove(partner)
                verdicts[partner] = ("incompatible", {"partner": profile.ids[j], "round": len(selected)})
        if score[j] == 0:
            verdicts[j] = ("selected", {"round": len(selected), "load": "inf"})
            continue
        if when is None:
            when = exact_time(j)
        times.append(when)
        verdicts[j] = ("selected", {"round": len(selected), "load": float(when)})
        idx = profile.supporters[j]
        delta = weights[idx] * (float(when) - load[idx])
        load[idx] = float(when)
        last[idx] = len(times) - 1
        bought[idx] += 1
        most = max(most, int(bought[idx].max()))
        # Raise the held loads of every project these supporters approve, in one pass over their ballots.
        span = lengths[idx]
        flat = np.repeat(starts[idx] - np.cumsum(span) + span, span) + np.arange(int(span.sum()))
        held += np.bincount(members[flat], weights=np.repeat(delta, span), minlength=m)
    return selected, verdicts
