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
        # Cost satisfaction gives a zero-cost project no satisfaction, so pabutools never buys one.
        self.candidates = [
            j
            for j in range(len(profile.ids))
            if profile.costs[j] > 0 and not profile.withdrawn[j] and support[j] > 0
        ]
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
            money[idx] = np.maximum(m - rho, 0.0)
            purchases.append(
                Purchase(project=j, price=rho, full_payers=full, partial_payers=support[j] - full)
            )
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
            # Charge the supporters: each class of supporters becomes a new class (or joins class 0).
            idx = supporters[j]
            classes, inverse = np.unique(cls[idx], return_inverse=True)
            if exact_rho is not None:
                rho = float(exact_rho)
                paid_all = np.array([exact_money[c] <= exact_rho for c in classes], dtype=bool)
            else:
                paid_all = money[classes] <= rho
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

    def add1(self) -> tuple[MesRun | None, int]:
        """equalshares/add1: the last run, from floor(B/n) + k per voter, whose outcome fits in the budget.

        Returns that run and k; (None, 0) when every candidate fits in the budget together (then the
        outcome is all of them). Money steps by one unit of the currency, as the reference reads costs
        in currency units.
        """
        profile = self.profile
        if sum(profile.costs[j] for j in self.candidates) <= profile.budget:
            return None, 0
        unit = profile.money_unit
        base = profile.budget // (profile.voters * unit) * unit
        previous = self.run(Fraction(base))
        k = 0
        while True:
            run = self.run(Fraction(base + (k + 1) * unit))
            if sum(profile.costs[j] for j in run.selected) > profile.budget:
                return previous, k
            previous = run
            k += 1
