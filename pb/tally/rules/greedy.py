"""Greedy by score: plain, stopping at the first project that does not fit, and with a score threshold."""

from __future__ import annotations

from collections.abc import Collection
from fractions import Fraction

from pb.tally.rules.profile import Profile

#: Per project index: a reason code and its numbers (see pb.tally.explain).
Verdicts = dict[int, tuple[str, dict[str, int | float | str]]]


def _number(value: Fraction) -> int | float:
    """A threshold as JSON wants it: an int when whole."""
    return int(value) if value.denominator == 1 else float(value)


def below_min_share(profile: Profile, supporters: int) -> tuple[str, dict[str, int | float | str]]:
    """The verdict on a project under the minimum vote share: its supporters, the fewest needed, the share."""
    share = profile.min_share if profile.min_share is not None else Fraction(0)
    return ("below_min_share", {"supporters": supporters, "needed": profile.min_supporters, "share": _number(share)})


def greedy_order(profile: Profile) -> list[int]:
    """Project indices by decreasing score, ties by the tie-break."""
    return sorted(range(len(profile.ids)), key=lambda j: (-profile.scores[j], profile.rank[j]))


def greedy(
    profile: Profile,
    *,
    stop_at_misfit: bool = False,
    threshold: Fraction | None = None,
    left: int | None = None,
    skip: Collection[int] = (),
    selected_reason: str = "selected",
) -> tuple[list[int], Verdicts]:
    """Take projects in score order while they fit in what is left.

    With ``stop_at_misfit`` (greedy-no-skip) the count stops at the first project that does not fit;
    projects under ``threshold`` or the minimum vote share, withdrawn ones and the partners of a funded
    project are passed over either way. ``left`` and ``skip`` (projects already funded) let a completion start
    from an existing outcome.
    """
    left = profile.budget if left is None else left
    selected: list[int] = []
    verdicts: Verdicts = {}
    stopped = False
    support = profile.support
    eligible = profile.eligible(support)
    # Projects passed over because a partner is funded (already, for a completion), and by which one.
    barred: dict[int, int] = {}
    for j in skip:
        for partner in profile.partners[j]:
            barred.setdefault(partner, j)
    for place, j in enumerate((j for j in greedy_order(profile) if j not in skip), start=1):
        cost = profile.costs[j]
        if profile.withdrawn[j]:
            verdicts[j] = ("withdrawn", {"rank": place})
        elif not eligible[j]:
            kind, numbers = below_min_share(profile, support[j])
            verdicts[j] = (kind, {"rank": place, **numbers})
        elif threshold is not None and profile.scores[j] < threshold:
            verdicts[j] = ("below_threshold", {"rank": place, "score": profile.scores[j], "threshold": _number(threshold)})
        elif j in barred:
            verdicts[j] = ("incompatible", {"rank": place, "partner": profile.ids[barred[j]]})
        elif stopped:
            verdicts[j] = ("stopped", {"rank": place, "left": left})
        elif cost <= left:
            verdicts[j] = (selected_reason, {"rank": place, "left": left})
            selected.append(j)
            left -= cost
            for partner in profile.partners[j]:
                barred.setdefault(partner, j)
        else:
            verdicts[j] = ("did_not_fit", {"rank": place, "needed": cost, "left": left})
            stopped = stop_at_misfit
    return selected, verdicts
