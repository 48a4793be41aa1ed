"""What people read on the report pages: census problems, missing baseline figures, assessment modes."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from pb.reports.census import CensusProblem
from pb.reports.metrics import Missing
from pb.reports.models import AssessmentMode
from pb.voting.labels import short_row_message

MODE_LABELS = {
    AssessmentMode.EX_ANTE: _l("Ex ante: before the vote"),
    AssessmentMode.EX_POST: _l("Ex post: after the vote"),
}

ATTRIBUTE_LABELS = {"district": _l("District"), "age_band": _l("Age band"), "sex": _l("Sex")}
FIGURE_LABELS = {"population": _l("Residents"), "eligible": _l("Eligible residents")}


def mode_label(mode: AssessmentMode) -> str:
    """The kind of assessment in the user's language."""
    return str(MODE_LABELS[mode])


def missing_label(item: Missing) -> str:
    """A baseline figure that is missing, e.g. "Eligible residents: Age band 65+"."""
    figure = str(FIGURE_LABELS.get(item.figure, item.figure))
    if item.attribute is None:
        return figure
    return f"{figure}: {ATTRIBUTE_LABELS.get(item.attribute, item.attribute)} {item.group}"


def census_problem_message(problem: CensusProblem) -> str:
    """One refused line of a census file."""
    line, value = problem.line, problem.value
    messages = {
        "missing_column": lambda: _("the first line names none of the columns %(columns)s", columns=value),
        "two_groups": lambda: _("line %(line)d names more than one group (%(groups)s); give each group its own "
                                "line", line=line, groups=value),
        "bad_age_band": lambda: _("line %(line)d has the age band “%(band)s”; use <18, 18-34, 35-64 or 65+",
                                  line=line, band=value),
        "bad_sex": lambda: _("line %(line)d has the sex “%(sex)s”; use F, M or X", line=line, sex=value),
        "bad_number": lambda: _("line %(line)d has “%(value)s” where a whole number of people belongs",
                                line=line, value=value),
        "no_figure": lambda: _("line %(line)d gives neither residents nor eligible residents", line=line),
        "more_eligible": lambda: _("line %(line)d has more eligible residents than residents", line=line),
        "duplicate": lambda: _("line %(line)d repeats the group %(group)s", line=line, group=value),
        "empty": lambda: _("the file holds no figures"),
        "short_row": lambda: short_row_message(line, value),
    }
    return messages.get(problem.code, lambda: _("line %(line)d cannot be read", line=line))()


FLAG_LABELS = {"green": _l("green"), "amber": _l("amber"), "red": _l("red")}
GROUP_NAMES = {"F": _l("Women"), "M": _l("Men"), "X": _l("Another sex"), "online": _l("Online"),
               "paper": _l("Paper"), "in_person": _l("In person"), "assisted": _l("Assisted"),
               "imported": _l("Imported")}


def flag_label(status) -> str:
    """A flag's colour in words; "too early to judge" for none."""
    return str(FLAG_LABELS[status]) if status else _("too early to judge")


def attribute_label(attribute: str) -> str:
    """District, Age band, Sex or Channel."""
    return str(ATTRIBUTE_LABELS.get(attribute, _("Channel") if attribute == "channel" else attribute))


def group_name(name: str) -> str:
    """A group as readers know it: sexes and channels in words, districts and age bands as they are."""
    return str(GROUP_NAMES.get(name, name))


LIKELIHOOD_LABELS = {"low": _l("low"), "medium": _l("medium"), "high": _l("high")}
MITIGATION_KIND_LABELS = {
    "station": _l("An extra paper or assisted-voting station"),
    "reminder": _l("A reminder to the residents of a district or group"),
    "translation": _l("Translated material"),
    "phone_round": _l("A phone round"),
    "door_to_door": _l("A door-to-door round"),
    "other": _l("Other"),
}


def likelihood_label(likelihood) -> str:
    """Low, medium or high, in words."""
    return str(LIKELIHOOD_LABELS.get(str(likelihood), likelihood))


def mitigation_kind_label(kind) -> str:
    """What kind of mitigation action, in words."""
    return str(MITIGATION_KIND_LABELS.get(str(kind), kind))


def target_label(attribute: str, group: str) -> str:
    """A target group as "District South", "Age band 65+", or "Everyone"."""
    return f"{attribute_label(attribute)} {group_name(group)}" if attribute else _("Everyone")
