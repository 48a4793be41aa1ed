"""Form fields every area shares."""

from __future__ import annotations

from wtforms import IntegerField

# Far beyond any count, year or amount a form asks for, and well inside what a float can compare.
LARGEST_WHOLE_NUMBER = 10**15


class WholeNumberField(IntegerField):
    """An integer field that refuses numbers too large to compare (WTForms' NumberRange turns them into floats)."""

    def process_formdata(self, valuelist: list) -> None:
        super().process_formdata(valuelist)
        if self.data is not None and abs(self.data) > LARGEST_WHOLE_NUMBER:
            self.data = None
            raise ValueError(self.gettext("Not a valid integer value."))
