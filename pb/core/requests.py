"""What every request is, before any view sees it: control characters removed, ids kept to what the database holds,
WTForms' messages in the request's language."""

from __future__ import annotations

import re

from flask import Request, abort, request
from flask_babel import get_locale
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.routing import IntegerConverter
from werkzeug.utils import cached_property

from pb.core.i18n import wtforms_catalogue

# C0 control characters other than tab, line feed and carriage return, and DEL: no one types them, PostgreSQL
# refuses NUL in text, and some terminals and PDF viewers misread the rest.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _without_control(values: MultiDict[str, str]) -> MultiDict[str, str]:
    if not any(CONTROL.search(key) or CONTROL.search(value) for key, value in values.items(multi=True)):
        return values
    return ImmutableMultiDict([(CONTROL.sub("", key), CONTROL.sub("", value)) for key, value in values.items(multi=True)])


class CleanRequest(Request):
    """A request whose form values and address parameters carry no control characters, whichever view or
    form reads them."""

    def _load_form_data(self) -> None:
        super()._load_form_data()
        form = self.__dict__.get("form")
        if form is not None:
            self.__dict__["form"] = _without_control(form)

    @cached_property
    def args(self) -> MultiDict[str, str]:
        # A filter of the project list read from the address reached PostgreSQL with a NUL (found by fuzzing).
        return _without_control(Request.args.__get__(self, type(self)))

    @cached_property
    def wtforms_translations(self):
        # Flask-WTF looks for WTForms' catalogue here before it parses the file again for this request.
        return wtforms_catalogue(str(get_locale()))


class DatabaseId(IntegerConverter):
    """``<int:...>`` for ids: beyond a 32-bit key (PostgreSQL's integer) the path names nothing, so 404."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


# The largest key of an integer column (PostgreSQL's integer); audit events have 64-bit keys.
MAX_ID = 2**31 - 1
MAX_BIG_ID = 2**63 - 1


def id_arg(name: str, *, maximum: int = MAX_ID) -> int | None:
    """The id in the address parameter ``name`` (``?comment=12``); None when absent or not a whole number.

    A number beyond what the database's key can hold names nothing: 404, as for a path id (``DatabaseId``),
    rather than a database error (issue 18).
    """
    raw = (request.args.get(name) or "").strip()
    if not raw.isdecimal() or not raw.isascii():
        return None
    value = int(raw) if len(raw) <= 20 else maximum + 1
    if not 0 < value <= maximum:
        abort(404)
    return value


def page_arg(name: str = "page") -> int:
    """A page number from the address: 1 when absent or not a whole number, 404 beyond any page a list has."""
    value = id_arg(name, maximum=1_000_000)
    return value or 1
