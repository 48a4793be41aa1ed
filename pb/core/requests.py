"""What every request is, before any view sees it: control characters removed, ids kept to what the database holds."""

from __future__ import annotations

import re

from flask import Request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter

# C0 control characters other than tab, line feed and carriage return, and DEL: no one types them, PostgreSQL
# refuses NUL in text, and some terminals and PDF viewers misread the rest.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class CleanRequest(Request):
    """A request whose form values carry no control characters, whichever view or form reads them."""

    def _load_form_data(self) -> None:
        super()._load_form_data()
        form = self.__dict__.get("form")
        if form is not None and any(CONTROL.search(value) for value in form.values()):
            self.__dict__["form"] = ImmutableMultiDict(
                [(key, CONTROL.sub("", value)) for key, value in form.items(multi=True)])


class DatabaseId(IntegerConverter):
    """``<int:...>`` for ids: beyond a 32-bit key (PostgreSQL's integer) the path names nothing, so 404."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)
