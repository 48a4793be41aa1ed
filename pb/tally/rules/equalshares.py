"""The Method of Equal Shares with cost satisfaction, and its add1 variant, as pabutools 1.2.3 computes them.

With cost satisfaction a supporter's utility for a project is its cost, so buying a project at price rho
means: every supporter pays min(their money, rho), and rho is the smallest value at which that covers the
cost (water-filling). The project with the smallest rho / cost is bought; ties go to the tie-break.

Speed and exactness. Every run is first done in floating point (``_run_float``); each decision that could
change the outcome (is a project affordable, which project is cheapest) is only taken when it is clear by a
margin far above the rounding error (relative 1e-9, while float64 errors here are around 1e-13). When a
decision is too close to call, the run is redone with exact rational money (``_run``, exact=True), so an
outcome never depends on rounding.

The float run keeps one money value per group of identical ballots and pabutools' lazy evaluation, in a
heap: money only shrinks during a run, so the last price computed for a project is a lower bound on its
price from then on. Each round pops the smallest bound (then the tie-break rank), recomputes that
project's exact current price (Newton's method, i.e. the poor/rich iteration, started from the bound:
2.3 steps on average on real files), drops it if it became unaffordable, and stops as soon as every
remaining bound is above the best price found by the margin; the evaluated projects go back with their
new prices.
The exact run keeps money per *class*: voters who support the same bought projects always hold the same
money, so a project's supporters are summarised per class and each class holds one ``Fraction``.

add1. The outcome is piecewise constant in the money per voter (Budapest VIII 2024: 24 changes of the
purchases over 51,515 increments), so ``add1`` proves from two runs that every money between them buys the
same projects (``_certify``: money is monotone in the start money along a fixed order of purchases) and
jumps over the range; ``add1_unit_steps``, one run per increment, is the reference it is tested against.

Constraints (pb.tally.constraints): projects under the minimum vote share are never candidates, and a
project bought takes its incompatible partners off the count for the rest of the run.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from pb.tally.rules.profile import Profile

#: Relative margin under which a float decision is considered too close to call.
TOL = 1e-9


class _TooClose(Exception):
    """A float run met a decision too close to call; the run is redone in exact arithmetic."""


@dataclass(frozen=True)
class Purchase:
    """One round of equal shares: the project bought and how its supporters paid."""

    project: int
    price: float
    full_payers: int
    partial_payers: int
    #: Whether every supporter could pay the plain share cost / supporters (so rho / cost was 1 / supporters),
    #: known exactly in an exact run and by the margin TOL in a float run; add1's certificate uses it.
    uncapped: bool = False


@dataclass(frozen=True)
class MesRun:
    """One run of equal shares from a given start money per voter."""

    start_money: Fraction
    purchases: tuple[Purchase, ...]
    #: The class of each supporter group at the end, and each class's money (float, for explanations).
    classes: np.ndarray
    money: np.ndarray
    exact: bool

    @property
    def selected(self) -> list[int]:
        """The projects bought, in order."""
        return [p.project for p in self.purchases]


def _waterfill(money: np.ndarray, weight: np.ndarray, cost: float) -> float:
    """The smallest rho with sum(weight * min(money, rho)) == cost, for an affordable project."""
    mask = weight > 0
    m = money[mask]
    w = weight[mask]
    order = np.argsort(m, kind="stable")
    m = m[order]
    w = w[order]
    paid_by_poorer = np.concatenate(([0.0], np.cumsum(w * m)[:-1]))
    weight_from = np.cumsum(w[::-1])[::-1]
    rho = (cost - paid_by_poorer) / weight_from
    fits = rho <= m
    return float(rho[int(np.argmax(fits))] if fits.any() else rho[-1])


def _rho_from(m: np.ndarray, pair: np.ndarray, supporters: int, cost: float, rho: float) -> float:
    """The smallest rho with sum(w * min(m, rho)) == cost for an affordable project, from a lower bound rho.

    ``pair`` holds the supporters' weights w and w * m (two rows); ``supporters`` = sum(w). Newton's method
    on the concave, piecewise linear sum, i.e. pabutools' poor/rich iteration started from the bound: from
    below the root every step stays below it, and a step that keeps the same supporters at or below the
    price (the same poor weight: weights are whole numbers, so their float sums are exact) lands exactly on
    the root. The poor pay what they hold, summed directly (no cancellation against the total).
    """
    poor_w, poor_mw = pair.dot(m <= rho)
    for _ in range(64):
        if poor_w >= supporters:
            break
        step = (cost - poor_mw) / (supporters - poor_w)
        now_w, now_mw = pair.dot(m <= step)
        if now_w == poor_w or step <= rho:
            return float(step)
        rho, poor_w, poor_mw = step, now_w, now_mw
    return _waterfill(m, pair[0], cost)


def _exact_rho(weight: np.ndarray, money: list[Fraction], cost: int) -> Fraction:
    """The water-filling price in exact arithmetic, by pabutools' poor/rich iteration."""
    rich = [(int(weight[c]), money[c]) for c in np.flatnonzero(weight) if money[c] > 0]
    paid_by_poor = Fraction(0)
    while True:
        rho = (cost - paid_by_poor) / sum(w for w, _ in rich)
        poor = [(w, m) for w, m in rich if m < rho]
        if not poor:
            return rho
        paid_by_poor += sum(w * m for w, m in poor)
        rich = [(w, m) for w, m in rich if m >= rho]


def _exact_total(weight: np.ndarray, money: list[Fraction]) -> Fraction:
    """The money a project's supporters hold, exactly."""
    return sum((int(weight[c]) * money[c] for c in np.flatnonzero(weight)), Fraction(0))


class EqualShares:
    """Equal shares on one profile; build once, run for as many start moneys as add1 needs."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        support = profile.support
        self.support = support
        # Cost satisfaction gives a zero-cost project no satisfaction, so pabutools never buys one; a project
        # under the minimum vote share is not on the count at all.
        eligible = profile.eligible(support)
        self.candidates = [
            j
            for j in range(len(profile.ids))
            if profile.costs[j] > 0 and not profile.withdrawn[j] and support[j] > 0 and eligible[j]
        ]
        self.partners = profile.partners
        # Per project, whether it is still on the count at the start of a run.
        self._alive = [False] * len(profile.ids)
        for j in self.candidates:
            self._alive[j] = True
        self.weights = [profile.weights[s].astype(np.float64) for s in profile.supporters]
        # Per project, its supporter groups' weights and (filled in per evaluation) weight * money.
        self._pairs = [np.stack((w, w)) for w in self.weights]
        # Every run starts from the same heap: with equal money a project's rho / cost is 1 / supporters.
        self._start_heap = sorted((1.0 / self.support[j], profile.rank[j], j) for j in self.candidates)

    def run(self, start_money: Fraction) -> MesRun:
        """Equal shares with every voter starting with ``start_money`` (in cost units)."""
        try:
            return self._run_float(start_money)
        except _TooClose:
            return self._run(start_money, exact=True)

    def _run_float(self, start_money: Fraction) -> MesRun:
        """The float run: money per supporter group, lazy evaluation in a heap; _TooClose on a close call."""
        profile = self.profile
        costs = profile.costs
        rank = profile.rank
        supporters = profile.supporters
        weights = self.weights
        support = self.support
        scale = float(start_money)
        money = np.full(len(profile.groups), scale)
        pairs = self._pairs
        heap = list(self._start_heap)
        alive = list(self._alive)
        partners = self.partners
        # Per project: the margin on rho / cost (half of a pair's margin), and on its supporters' money.
        margin = [TOL * scale / c if c else 0.0 for c in costs]
        slacks = [TOL * (c + n * scale) for c, n in zip(costs, support)]
        # The last price computed for each project: a lower bound on its price from then on.
        bound: dict[int, float] = {}
        purchases: list[Purchase] = []
        while True:
            best_q = float("inf")
            best_j = -1
            best_m: np.ndarray | None = None
            evaluated: list[tuple[float, int]] = []
            while heap:
                lower, _, j = heap[0]
                if best_j >= 0 and lower - best_q > margin[j] + margin[best_j]:
                    break
                heapq.heappop(heap)
                if not alive[j]:
                    continue  # a partner of a project bought earlier in this run
                cost = costs[j]
                slack = slacks[j]
                if purchases:
                    m = money[supporters[j]]
                    available = float(m @ weights[j])
                    if available >= cost - slack:
                        pair = pairs[j]
                        np.multiply(m, pair[0], out=pair[1])
                else:
                    m = None
                    available = support[j] * scale
                if available < cost - slack:
                    continue  # unaffordable now, so for the rest of the run
                if available <= cost + slack:
                    raise _TooClose
                if m is None:
                    rho = cost / support[j]
                else:
                    rho = _rho_from(m, pair, support[j], cost, bound.get(j, cost / support[j]))
                bound[j] = rho
                q = rho / cost
                evaluated.append((q, j))
                if q < best_q:
                    best_q, best_j, best_m = q, j, m
            if not evaluated:
                break
            best_margin = margin[best_j]
            for q, j in evaluated:
                if j != best_j:
                    if q - best_q <= margin[j] + best_margin:
                        raise _TooClose
                    heapq.heappush(heap, (q, rank[j], j))
            # Charge the supporters: the price, or all they have if that is less.
            j = best_j
            rho = bound[j]
            idx = supporters[j]
            m = money[idx] if best_m is None else best_m
            full = int(round(float((m > rho) @ weights[j])))
            uncapped = float(m.min()) > costs[j] / support[j] * (1 + TOL)
            money[idx] = np.maximum(m - rho, 0.0)
            purchases.append(
                Purchase(project=j, price=rho, full_payers=full, partial_payers=support[j] - full, uncapped=uncapped)
            )
            alive[j] = False
            for partner in partners[j]:
                alive[partner] = False
        return MesRun(
            start_money=Fraction(start_money),
            purchases=tuple(purchases),
            classes=np.arange(len(money), dtype=np.int64),
            money=money,
            exact=False,
        )

    def _run(self, start_money: Fraction, *, exact: bool) -> MesRun:
        """The run on money classes: with exact=True the Fraction fallback (float prices, exact decisions)."""
        profile = self.profile
        costs = profile.costs
        rank = profile.rank
        supporters = profile.supporters
        cls = np.ones(len(profile.groups), dtype=np.int64)
        # Class 0 holds every voter with no money left; class 1 is everybody at the start.
        money = np.zeros(64)
        money[1] = float(start_money)
        size = 2
        exact_money = [Fraction(0), Fraction(start_money)] if exact else []
        scale = float(start_money)
        partners = self.partners
        lower = {j: 1.0 / self.support[j] for j in self.candidates}
        remaining = list(self.candidates)
        purchases: list[Purchase] = []
        while True:
            # pabutools' lazy evaluation: money only shrinks, so last round's rho/cost is a lower bound.
            remaining.sort(key=lambda j: lower[j])
            best_q = float("inf")
            best_j = -1
            evaluated: list[tuple[int, float, float, np.ndarray]] = []
            kept: list[int] = []
            for pos, j in enumerate(remaining):
                if best_j >= 0 and lower[j] - best_q > TOL * scale * (1 / costs[j] + 1 / costs[best_j]):
                    kept.extend(remaining[pos:])
                    break
                weight = np.bincount(cls[supporters[j]], weights=self.weights[j], minlength=size)
                cost = costs[j]
                available = float(weight @ money[:size])
                slack = TOL * (cost + self.support[j] * scale)
                if available < cost - slack:
                    continue
                if available <= cost + slack:
                    if not exact:
                        raise _TooClose
                    if _exact_total(weight, exact_money) < cost:
                        continue
                rho = _waterfill(money[:size], weight, cost)
                q = rho / cost
                lower[j] = q
                kept.append(j)
                evaluated.append((j, q, rho, weight))
                if q < best_q:
                    best_q, best_j = q, j
            remaining = kept
            if not evaluated:
                break
            near = [e for e in evaluated if e[1] - best_q <= TOL * scale * (1 / costs[e[0]] + 1 / costs[best_j])]
            exact_rho: Fraction | None = None
            if len(near) == 1:
                j, _, rho, weight = near[0]
            elif not exact:
                raise _TooClose
            else:
                priced = [(_exact_rho(e[3], exact_money, costs[e[0]]), e) for e in near]
                exact_rho, (j, _, rho, weight) = min(priced, key=lambda x: (x[0] / costs[x[1][0]], rank[x[1][0]]))
            if exact and exact_rho is None:
                exact_rho = _exact_rho(weight, exact_money, costs[j])
            remaining.remove(j)
            if partners[j]:
                remaining = [i for i in remaining if i not in partners[j]]
            # Charge the supporters: each class of supporters becomes a new class (or joins class 0).
            idx = supporters[j]
            classes, inverse = np.unique(cls[idx], return_inverse=True)
            if exact_rho is not None:
                rho = float(exact_rho)
                paid_all = np.array([exact_money[c] <= exact_rho for c in classes], dtype=bool)
                uncapped = exact_rho == Fraction(costs[j], self.support[j])
            else:
                paid_all = money[classes] <= rho
                uncapped = float(money[classes].min()) > costs[j] / self.support[j] * (1 + TOL)
            keep = ~paid_all
            fresh = int(keep.sum())
            new_ids = np.zeros(len(classes), dtype=np.int64)
            new_ids[keep] = np.arange(size, size + fresh)
            if size + fresh > len(money):
                money = np.concatenate((money, np.zeros(max(len(money), fresh))))
            money[size : size + fresh] = money[classes[keep]] - rho
            if exact_rho is not None:
                exact_money.extend(exact_money[c] - exact_rho for c in classes[keep])
            size += fresh
            cls[idx] = new_ids[inverse]
            purchases.append(
                Purchase(
                    project=j,
                    price=rho,
                    full_payers=int(round(weight[classes[keep]].sum())),
                    partial_payers=int(round(weight[classes[paid_all]].sum())),
                    uncapped=uncapped,
                )
            )
        return MesRun(
            start_money=Fraction(start_money),
            purchases=tuple(purchases),
            classes=cls,
            money=money[:size],
            exact=exact,
        )

    def money_left(self, run: MesRun, project: int) -> float:
        """What a project's supporters still hold at the end of a run (for explanations)."""
        weight = np.bincount(run.classes[self.profile.supporters[project]], weights=self.weights[project])
        return float(weight @ run.money[: len(weight)])

    # ---- equalshares/add1 ----

    def all_fit(self) -> bool:
        """Whether every candidate fits in the budget together (add1 then funds them without counting)."""
        return sum(self.profile.costs[j] for j in self.candidates) <= self.profile.budget

    def limit_selection(self) -> list[int]:
        """The outcome of every run whose money per voter is at least the cost of all candidates together.

        With that much money nobody's share ever runs short, so each round buys the remaining project with
        the most supporters (then the tie-break), and passes over its partners: without incompatible
        projects, all the candidates.
        """
        order = sorted(self.candidates, key=lambda j: (-self.support[j], self.profile.rank[j]))
        chosen: list[int] = []
        barred: set[int] = set()
        for j in order:
            if j not in barred:
                chosen.append(j)
                barred.update(self.partners[j])
        return chosen

    def _steps(self) -> tuple[int, int, int]:
        """add1's first money per voter, its increment, and the increment after which no run can change.

        The first money is floor(B/n) in whole currency units and the increment one unit of the currency, as
        the reference reads costs in currency units. From a money of at least the cost of all candidates on,
        every run gives ``limit_selection`` (see there); without incompatible projects that outcome costs more
        than the budget whenever ``all_fit`` is false, so add1 always stops before.
        """
        profile = self.profile
        unit = profile.money_unit
        base = profile.budget // (profile.voters * unit) * unit
        ceiling = sum(profile.costs[j] for j in self.candidates)
        return base, unit, max(0, -(-(ceiling - base) // unit))

    def _overspends(self, run: MesRun) -> bool:
        return sum(self.profile.costs[j] for j in run.selected) > self.profile.budget

    def add1(self) -> Add1:
        """equalshares/add1: the last run, from floor(B/n) + k per voter, whose outcome fits in the budget.

        The same run and k as ``add1_unit_steps`` (one run per increment), found with far fewer runs: from
        the run at one money, ``_certify`` proves that a whole range of larger moneys gives the same purchases
        (so the same outcome, within the budget), and the count jumps over it. Ranges double while the proofs
        hold and halve when one fails; where no range can be proved, one increment is run as the plain loop
        does. The run returned is always computed afresh at its money, exactly as the plain loop computes it.
        """
        if self.all_fit():
            return Add1(run=None, increments=0, first_money=Fraction(self._steps()[0]), next_run=None)
        base, unit, last = self._steps()
        k = 0
        current = self.run(Fraction(base))
        fresh = True  # whether ``current`` came from self.run (not from a certificate)
        step = 1
        # Where the outcome changes at almost every increment (Praga-Poludnie 2020: 142 changes in 178), proofs
        # keep failing: after each failure at the shortest range, wait 1, 3, 7, then 15 increments before
        # trying again, so such a file costs little more than the plain loop.
        failures = pause = 0
        next_run: MesRun | None = None
        while k < last:
            step = min(step, last - k)
            if step > 1 and not pause:
                ahead = self._certify(Fraction(base + (k + step) * unit), current)
                if ahead is not None:
                    k, current, fresh = k + step, ahead, False
                    step *= 2
                    failures = 0
                    continue
                step //= 2
                if step > 1:
                    continue
                failures += 1
                pause = 2 ** min(failures, 4) - 1
            run = self.run(Fraction(base + (k + 1) * unit))
            if self._overspends(run):
                next_run = run
                break
            k, current, fresh = k + 1, run, True
            step = 2
            pause = max(pause - 1, 0)
        if not fresh:
            current = self.run(Fraction(base + k * unit))
        return Add1(run=current, increments=k, first_money=Fraction(base), next_run=next_run)

    def add1_unit_steps(self) -> Add1:
        """equalshares/add1 as the README defines it: one run per increment, k = 0, 1, 2, ...

        The reference for ``add1``, which must return the same; slow when the budget per voter is large in
        currency units (51,515 runs on Budapest VIII 2024).
        """
        if self.all_fit():
            return Add1(run=None, increments=0, first_money=Fraction(self._steps()[0]), next_run=None)
        base, unit, last = self._steps()
        previous = self.run(Fraction(base))
        k = 0
        while k < last:
            run = self.run(Fraction(base + (k + 1) * unit))
            if self._overspends(run):
                return Add1(run=previous, increments=k, first_money=Fraction(base), next_run=run)
            previous = run
            k += 1
        return Add1(run=previous, increments=k, first_money=Fraction(base), next_run=None)

    def _certify(self, start_money: Fraction, left: MesRun) -> MesRun | None:
        """The run at ``start_money`` when it provably buys what ``left`` (a run at less money) buys, else None.

        The proof. Follow the purchases of ``left`` in the same order at any start money b between the two.
        Every voter's money after each round is then non-decreasing in b, and each price non-increasing:
        a supporter keeps max(money - rho, 0), and the water-filling rho falls when the supporters' money
        rises (induction over the rounds). So in round t, the project bought has rho / cost at most its value
        in ``left`` (the upper end), and every rival at least its value at ``start_money`` (the lower end);
        a rival unaffordable at ``start_money`` is unaffordable at every b in between, and a project bought
        in ``left`` stays affordable. When in every round each rival's lower end clears the bought project's
        upper end by the margin TOL (or the two are tied for good: the bought project was uncapped, so its
        rho / cost is exactly 1 / supporters, and the rival has no more supporters and ranks after it), and
        at the end no remaining project is affordable at ``start_money``, then at every b between the two
        the run makes exactly the decisions of ``left``.
        """
        profile = self.profile
        costs = profile.costs
        rank = profile.rank
        supporters = profile.supporters
        weights = self.weights
        support = self.support
        partners = self.partners
        scale = float(start_money)
        money = np.full(len(profile.groups), scale)
        pairs = self._pairs
        heap = list(self._start_heap)
        alive = list(self._alive)
        margin = [TOL * scale / c if c else 0.0 for c in costs]
        bound: dict[int, float] = {}
        purchases: list[Purchase] = []
        for purchase in left.purchases:
            p = purchase.project
            cost = costs[p]
            if not alive[p]:
                return None
            m_p = money[supporters[p]]
            if float(m_p @ weights[p]) <= cost + TOL * (cost + support[p] * scale):
                return None
            pair = pairs[p]
            np.multiply(m_p, pair[0], out=pair[1])
            rho_p = _rho_from(m_p, pair, support[p], cost, bound.get(p, cost / support[p]))
            upper = purchase.price / cost
            kept: list[tuple[float, int, int]] = []
            while heap:
                lower, _, j = heap[0]
                if lower - upper > margin[j] + margin[p]:
                    break
                heapq.heappop(heap)
                if j == p or not alive[j]:
                    continue
                if purchase.uncapped and (
                    support[j] < support[p] or (support[j] == support[p] and rank[p] < rank[j])
                ):
                    kept.append((lower, rank[j], j))  # tied for good at best: p goes first
                    continue
                m = money[supporters[j]]
                available = float(m @ weights[j])
                slack = TOL * (costs[j] + support[j] * scale)
                if available < costs[j] - slack:
                    alive[j] = False  # unaffordable here, so at every smaller money and later round
                    continue
                if available <= costs[j] + slack:
                    return None
                pair_j = pairs[j]
                np.multiply(m, pair_j[0], out=pair_j[1])
                rho = _rho_from(m, pair_j, support[j], costs[j], bound.get(j, costs[j] / support[j]))
                bound[j] = rho
                q = rho / costs[j]
                if q - upper <= margin[j] + margin[p]:
                    return None
                kept.append((q, rank[j], j))
            for item in kept:
                heapq.heappush(heap, item)
            idx = supporters[p]
            full = int(round(float((m_p > rho_p) @ weights[p])))
            uncapped = float(m_p.min()) > cost / support[p] * (1 + TOL)
            money[idx] = np.maximum(m_p - rho_p, 0.0)
            purchases.append(
                Purchase(project=p, price=rho_p, full_payers=full, partial_payers=support[p] - full, uncapped=uncapped)
            )
            alive[p] = False
            for partner in partners[p]:
                alive[partner] = False
        for j in self.candidates:
            if alive[j]:
                slack = TOL * (costs[j] + support[j] * scale)
                if float(money[supporters[j]] @ weights[j]) >= costs[j] - slack:
                    return None
        return MesRun(
            start_money=Fraction(start_money),
            purchases=tuple(purchases),
            classes=np.arange(len(money), dtype=np.int64),
            money=money,
            exact=False,
        )


@dataclass(frozen=True)
class Add1:
    """What equalshares/add1 found: the run it counts, after how many increments, and why it stopped there."""

    #: The last run within the budget; None when every candidate fits in the budget together (``all_fit``).
    run: MesRun | None
    #: k: the run's money per voter is ``first_money`` + k currency units.
    increments: int
    #: floor(B / n) in whole currency units (in cost units), where the increments start.
    first_money: Fraction
    #: The run one increment later, whose outcome costs more than the budget; None when add1 stopped because
    #: more money could no longer change the outcome (only with incompatible projects) or all fit.
    next_run: MesRun | None
