"""The long tail of a mandate, kept as a document in ``Mandate.terms``: its keys, their kinds, and their checks.

The columns of Mandate hold what decides whether a mandate can be signed (the legal basis, who is bound);
everything else a legal officer records lives here, and only in the shape this module allows.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import gettext as _

from pb.core.money import minor_units
from pb.errors import ValidationError
from pb.mandate.labels import EXPENDITURE_LABELS, WINNER_FAILS_LABELS, field_label

TEXT_MAX = 5000

# key -> kind: "text", "count" (a whole number >= 0), "money" (minor units), "flag", or a tuple of choices.
TERMS: dict[str, Any] = {
    "budget_amount": "money",
    "budget_fiscal_year": "count",
    "budget_line": "text",
    "expenditure": tuple(EXPENDITURE_LABELS),
    "pools_note": "text",
    "eligibility": "text",
    "screening_criteria": "text",
    "appeal_procedure": "text",
    "support_signatures": "count",
    "feasibility_veto": "flag",
    "legal_compliance": "flag",
    "substantial_changes_allowed": "flag",
    "winner_fails": tuple(WINNER_FAILS_LABELS),
    "justification_days": "count",
    "justification_published": "text",
    "delivering_department": "text",
    # Months after the end of the fiscal year (31 December) by which adopted projects are to be delivered.
    "delivery_months": "count",
    "complaints_channel": "text",
    "supervisory_authority": "text",
}


def empty_terms() -> dict[str, Any]:
    """Terms with nothing filled in: empty texts and choices, no numbers, flags off."""
    return {key: False if kind == "flag" else ("" if kind == "text" or isinstance(kind, tuple) else None)
            for key, kind in TERMS.items()}


def _clean_value(key: str, kind: Any, value: Any, currency: str | None) -> Any:
    label = field_label(key)
    if kind == "flag":
        if not isinstance(value, bool):
            raise ValidationError(key, _("“%(field)s” must be yes or no.", field=label))
        return value
    if kind == "text" or isinstance(kind, tuple):
        if not isinstance(value, str):
            raise ValidationError(key, _("“%(field)s” must be text.", field=label))
        value = value.strip()
        if len(value) > TEXT_MAX:
            raise ValidationError(key, _("“%(field)s” is longer than %(max)s characters.", field=label, max=TEXT_MAX))
        if isinstance(kind, tuple) and value and value not in kind:
            raise ValidationError(key, _("“%(field)s” must be one of the listed choices.", field=label))
        return value
    if value is None or value == "":
        return None
    if kind == "money" and isinstance(value, Decimal):
        # Whole units of the currency from a form, as integer minor units.
        if currency is None:
            raise ValidationError(key, _("“%(field)s” needs the process's currency.", field=label))
        scaled = value * minor_units(currency)
        if scaled != scaled.to_integral_value():
            raise ValidationError(key, _("“%(field)s” has more decimals than the currency %(currency)s has.",
                                         field=label, currency=currency))
        value = int(scaled)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError(key, _("“%(field)s” must be a whole number, zero or more.", field=label))
    return value


def clean_terms(raw: dict[str, Any], currency: str | None = None) -> dict[str, Any]:
    """The terms in their one allowed shape: every key present, values of the right kind; raises ValidationError.

    Money may come as integer minor units or as a Decimal of whole units of ``currency``.
    """
    unknown = sorted(set(raw) - set(TERMS))
    if unknown:
        raise ValidationError(None, _("The mandate has terms pb does not know: %(keys)s.", keys=", ".join(unknown)))
    terms = empty_terms()
    for key, value in raw.items():
        terms[key] = _clean_value(key, TERMS[key], value, currency)
    return terms
