"""The categories and beneficiary groups of projects, in Pabulib's words so imports and exports line up."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

# Pabulib's category vocabulary (values seen in real files), with the label residents see.
CATEGORIES = {
    "culture": _l("Culture"),
    "education": _l("Education"),
    "environmental protection": _l("Environmental protection"),
    "health": _l("Health"),
    "nature and greenery": _l("Nature and greenery"),
    "public space": _l("Public space"),
    "public transit and roads": _l("Public transit and roads"),
    "sport": _l("Sport"),
    "urban greenery": _l("Urban greenery"),
    "welfare": _l("Welfare"),
}

BENEFICIARIES = {
    "adults": _l("Adults"),
    "animals": _l("Animals"),
    "children": _l("Children"),
    "families with children": _l("Families with children"),
    "people with disabilities": _l("People with disabilities"),
    "seniors": _l("Seniors"),
    "youth": _l("Youth"),
}

STATUS_LABELS = {
    "draft": _l("Draft"),
    "published": _l("Published"),
    "under_review": _l("Under review"),
    "needs_changes": _l("Needs changes"),
    "feasible": _l("Feasible"),
    "unfeasible": _l("Not feasible"),
    "on_ballot": _l("On the ballot"),
    "selected": _l("Funded"),
    "not_selected": _l("Not funded"),
    "withdrawn": _l("Withdrawn"),
}


def beneficiary_label(group: str) -> str:
    """A beneficiary group in the user's language; one a municipality named itself, as it named it."""
    return str(BENEFICIARIES.get(group, group))


def category_choices(process) -> list[tuple[str, str]]:
    """The categories residents of this edition choose from, with their labels, in the edition's order."""
    return [(category, category_label(category)) for category in process.categories]


def beneficiary_choices(process) -> list[tuple[str, str]]:
    """The beneficiary groups of this edition, with their labels."""
    return [(group, beneficiary_label(group)) for group in process.beneficiary_groups]


def category_label(category: str) -> str:
    """A category in the user's language; unknown ones (from imports) as they are."""
    return str(CATEGORIES.get(category, category))


def status_label(status: object) -> str:
    """A project status in the user's language."""
    value = getattr(status, "value", status)
    return str(STATUS_LABELS.get(str(value), value))
