"""What residents and clerks read for ballot rule violations, register problems, channels and reasons."""

from __future__ import annotations

from flask_babel import format_percent, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from pb.core.money import format_money
from pb.voting.ballot_rules import Violation
from pb.voting.eligibility import RegisterProblem
from pb.voting.models import Channel

CHANNEL_LABELS = {
    Channel.ONLINE: _l("Online"),
    Channel.PAPER: _l("Paper"),
    Channel.IN_PERSON: _l("In person"),
    Channel.ASSISTED: _l("Assisted"),
    Channel.IMPORTED: _l("Imported"),
}

SEX_LABELS = {"F": _l("Woman"), "M": _l("Man"), "X": _l("Other")}


def channel_label(channel: Channel | str) -> str:
    """The channel as residents call it."""
    return str(CHANNEL_LABELS.get(Channel(channel), channel))


def _money(amount: int, currency: str | None) -> str:
    return format_money(amount, currency, str(get_locale())) if currency else str(amount)


def violation_message(violation: Violation, currency: str | None = None) -> str:
    """One broken ballot rule, in a sentence the resident can act on."""
    n = violation.numbers
    code = violation.code
    if code == "empty":
        return _("Choose at least one project.")
    if code == "unknown_project":
        return _("One of the chosen projects is not on this ballot.")
    if code == "duplicate":
        return _("A project was chosen twice.")
    if code == "rank_repeated":
        return _("Two projects have the same place: give each ranked project its own number.")
    if code == "too_few":
        return _("Choose at least %(least)d projects; you chose %(chosen)d.", least=n["least"], chosen=n["chosen"])
    if code == "too_many":
        return _("Choose at most %(most)d projects; you chose %(chosen)d.", most=n["most"], chosen=n["chosen"])
    if code == "over_budget":
        return _("Your projects cost %(spent)s, more than the pool's %(budget)s. Remove a project.",
                 spent=_money(n["spent"], currency), budget=_money(n["budget"], currency))
    if code == "under_min_spend":
        return _("Your projects cost %(spent)s; choose projects worth at least %(least)s.",
                 spent=_money(n["spent"], currency), least=_money(n["least"], currency))
    if code == "points_missing":
        return _("Give each chosen project its points.")
    if code == "points_not_positive":
        return _("Give each chosen project at least one point.")
    if code == "points_over_project_max":
        return _("Give at most %(most)d points to one project; you gave %(given)d.", most=n["most"], given=n["given"])
    if code == "points_over_total":
        return _("You have %(most)d points to give; you gave %(given)d.", most=n["most"], given=n["given"])
    return _("The ballot breaks a rule of this pool.")


def register_problem_message(problem: RegisterProblem) -> str:
    """One refused row of a register file."""
    if problem.code == "missing_column":
        return _("the file has no column “%(column)s” in its first line", column=problem.value)
    if problem.code == "empty_reference":
        return _("line %(line)d has no reference", line=problem.line)
    if problem.code == "duplicate":
        return _("line %(line)d repeats the reference %(reference)s", line=problem.line, reference=problem.value)
    if problem.code == "bad_year":
        return _("line %(line)d has the birth year “%(year)s”, which is not a year", line=problem.line,
                 year=problem.value)
    if problem.code == "short_row":
        return short_row_message(problem.line, problem.value)
    return _("line %(line)d cannot be read", line=problem.line)


def short_row_message(line: int, value: str) -> str:
    """A line with fewer values than the first line names columns; ``value`` is "found/expected"."""
    found, expected = (int(part) for part in value.split("/"))
    return _("line %(line)d has %(found)d values where the first line names %(expected)d columns", line=line,
             found=found, expected=expected)


# Why a project was or was not funded, by the tally library's reason codes (pb.tally.explain).
REASON_LABELS = {
    "selected": _l("Funded"),
    "selected_by_completion": _l("Funded with the money left over"),
    "did_not_fit": _l("Not funded: when its turn came, less money was left than it costs"),
    "stopped": _l("Not funded: the count had stopped at a project that did not fit"),
    "below_threshold": _l("Not funded: fewer votes than the threshold"),
    "not_affordable": _l("Not funded: its supporters' shares of the budget could not pay for it"),
    "over_budget": _l("Not funded: it costs more than the pool had left after the funded projects"),
    "zero_cost": _l("Not funded: it costs nothing"),
    "no_supporters": _l("Not funded: no ballot chose it"),
    "withdrawn": _l("Withdrawn"),
    "not_chosen": _l("Not funded: the compared rule's outcome was chosen"),
    "all_fit": _l("Funded: every project the voters chose fits in the budget together"),
    "incompatible": _l("Not funded: a project it cannot be funded with was funded first"),
    "below_min_share": _l("Not counted: too few voters chose it"),
}


def reason_label(code: str) -> str:
    """The reason for a project's outcome, in words."""
    return str(REASON_LABELS.get(code, code))


def _amount(value: object, currency: str) -> str:
    """A money figure from an explanation (minor units; exact fractions arrive as text)."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
    return format_money(round(number), currency, str(get_locale()))


def reason_detail(reason: str, numbers: dict, currency: str) -> str:
    """The numbers behind a project's outcome, as a sentence a resident can check."""
    n = numbers
    if reason in ("selected", "selected_by_completion") and "price" in n:
        return _("Each of its %(supporters)s supporters paid up to %(price)s from their equal share.",
                 supporters=n.get("supporters", "?"), price=_amount(n["price"], currency))
    if reason in ("selected", "selected_by_completion") and "left" in n:
        return _("Its turn came at place %(rank)s, with %(left)s left.", rank=n.get("rank", "?"),
                 left=_amount(n["left"], currency))
    if reason == "selected" and "load" in n:
        return _("Bought in round %(round)s.", round=n.get("round", "?"))
    if reason == "did_not_fit":
        return _("It costs %(needed)s; %(left)s was left.", needed=_amount(n.get("needed"), currency),
                 left=_amount(n.get("left"), currency))
    if reason == "stopped":
        return _("%(left)s was left when the count stopped.", left=_amount(n.get("left"), currency))
    if reason == "below_threshold":
        return _("%(score)s votes; the threshold is %(threshold)s.", score=n.get("score"), threshold=n.get("threshold"))
    if reason == "over_budget":
        return _("It costs %(cost)s; %(left)s of the pool was left.", cost=_amount(n.get("cost"), currency),
                 left=_amount(n.get("pool_left"), currency))
    if reason == "incompatible":
        return _("It cannot be funded together with project %(partner)s, which was funded first.",
                 partner=n.get("partner", "?"))
    if reason == "below_min_share":
        share = n.get("share")
        shown = format_percent(float(share), "#,##0.##%") if isinstance(share, int | float) else "?"
        return ngettext("%(num)d voter chose it; a project needed %(needed)s (%(share)s of the voters) to be counted.",
                        "%(num)d voters chose it; a project needed %(needed)s (%(share)s of the voters) to be counted.",
                        int(n.get("supporters", 0)), needed=n.get("needed", "?"), share=shown)
    if reason == "not_affordable":
        extra = n.get("extra_supporters_needed")
        if not isinstance(extra, int):
            return _("Its supporters had %(money)s left; %(lacking)s was missing.",
                     money=_amount(n.get("money_left"), currency), lacking=_amount(n.get("lacking"), currency))
        return ngettext("Its supporters had %(money)s left; %(lacking)s was missing (about %(num)d more supporter "
                        "would have been needed).",
                        "Its supporters had %(money)s left; %(lacking)s was missing (about %(num)d more supporters "
                        "would have been needed).", extra, money=_amount(n.get("money_left"), currency),
                        lacking=_amount(n.get("lacking"), currency))
    return ""
