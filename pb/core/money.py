"""Money is stored as integer minor units; these turn it into amounts people read."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency, get_currency_precision


def minor_units(currency: str) -> int:
    """How many minor units make one unit of the currency (100 for EUR, 1 for JPY)."""
    return 10 ** get_currency_precision(currency)


def to_major(amount: int, currency: str) -> Decimal:
    """An integer amount of minor units as an exact decimal of whole units."""
    return Decimal(amount) / minor_units(currency)


def format_money(amount: int, currency: str, locale: str) -> str:
    """The amount as people of this locale write it, e.g. "€1.500,00" or "1 500,00 zł"."""
    return format_currency(to_major(amount, currency), currency, locale=locale)
