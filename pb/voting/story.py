"""The count of one pool told in plain words, from a stored result: the equal share each voter started with,
why money was left unspent, the threshold of greedy-threshold. Reads stored numbers only (pb.tally.explain)."""

from __future__ import annotations

from flask_babel import format_percent, get_locale
from flask_babel import gettext as _

from pb.core.money import format_money

EQUAL_SHARES = ("equalshares", "equalshares/add1", "equalshares/add1+greedy", "equalshares/add1-comparison")


def _money(value: object, currency: str) -> str:
    try:
        return format_money(round(float(value)), currency, str(get_locale()))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "?"


def story(result, projects: dict, currency: str, threshold: int | None = None) -> list[str]:
    """Sentences a resident can check against the table: how this rule spent the pool and why any was left."""
    d = dict(result.details or {})
    voters = result.ballots_counted
    left = result.budget - result.total_cost
    said: list[str] = []
    funded = [rp for rp in result.projects if rp.selected]
    unfunded = [rp for rp in result.projects if not rp.selected]
    if result.rule in EQUAL_SHARES and voters:
        even = result.budget / voters
        if "increments" in d and d.get("stop_reason") in ("next_overspends", "limit"):
            said.append(_(
                "Every voter started with an equal share of the budget. %(budget)s divided among %(voters)d voters "
                "is %(even)s each; because that left money unspent, the count tried ever larger shares, one unit "
                "of money at a time, and kept the largest whose projects still fit in the budget: %(share)s per "
                "voter.", budget=_money(result.budget, currency), voters=voters, even=_money(even, currency),
                share=_money(d.get("start_money"), currency)))
        else:
            said.append(_("Every voter started with an equal share of the budget: %(budget)s divided among "
                          "%(voters)d voters, %(share)s each.", budget=_money(result.budget, currency), voters=voters,
                          share=_money(d.get("start_money", even), currency)))
        said.append(_("A project is funded only when the voters who chose it can pay its cost from their own "
                      "shares; the table says what each of its supporters paid."))
    if result.rule.startswith("greedy"):
        said.append(_("Projects were funded by most votes first; a project that no longer fitted in what was "
                      "left was passed over."))
    if result.rule == "greedy-threshold" and threshold is not None:
        said.append(_("Only projects with at least %(threshold)d votes could be funded.", threshold=threshold))
    if left > 0 and result.budget:
        share = format_percent(left / result.budget, "#,##0%")
        said.append(_("%(left)s (%(share)s of the budget) was left unspent.", left=_money(left, currency), share=share))
        if d.get("stop_reason") == "next_overspends":
            said.append(_("With a share of %(next)s per voter, the projects bought would have cost %(cost)s, more "
                          "than the budget, so the count stopped at %(share)s.",
                          next=_money(d.get("next_money"), currency), cost=_money(d.get("next_cost"), currency),
                          share=_money(d.get("start_money"), currency)))
        least_votes = min((rp.score for rp in funded), default=None)
        popular = sorted((rp for rp in unfunded if rp.reason == "over_budget" and least_votes is not None
                          and rp.score > least_votes), key=lambda rp: -rp.score)
        if popular:
            said.append(_(
                "%(projects)s had more votes than some funded projects, but each costs more than the %(left)s "
                "left, and their supporters had spent much of their shares on other projects they chose: "
                "cheaper projects with fewer votes could be paid for from their supporters' shares, these could "
                "not.", projects=", ".join(f"{projects[rp.project_id].title} ({rp.score})" for rp in popular),
                left=_money(left, currency)))
        short = [rp for rp in unfunded if rp.reason == "not_affordable"]
        if short:
            said.append(_("%(projects)s cost no more than what was left, but the shares its supporters still had "
                          "did not cover it (see the table).",
                          projects=", ".join(projects[rp.project_id].title for rp in short)))
        if not unfunded:
            said.append(_("Every project was funded."))
    return said
