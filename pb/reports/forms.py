"""Forms of the report pages; they check shape only and hand plain values to the services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

#: The written sections of an assessment with their labels and hints, in the order of the document.
SECTION_FIELDS = (
    ("scope", _l("Scope"), _l("What the assessment covers: the process, its pools, the population and the period.")),
    ("accessibility", _l("Accessibility statement"),
     _l("Conformance with WCAG 2.1 AA / EN 301 549 of the online ballot and the pages, and known gaps.")),
    ("expected_reach", _l("Expected reach"), _l("Ex ante: whom the process expects to reach, and how many.")),
    ("engagement", _l("Engagement"), _l("Who was reached and how: outreach, meetings, languages, help to vote.")),
    ("impact", _l("Impact per group"), _l("The impact on each group, read from the figures.")),
    ("mitigation", _l("Mitigation and action plan"), _l("What will change, who does it, by when.")),
    ("decision", _l("Decision and reasons"), _l("What the municipality decided in the light of the assessment.")),
    ("monitoring", _l("Monitoring"), _l("How and when the effects will be checked again.")),
)


class SectionsForm(FlaskForm):
    """The sections of an assessment that people write (one text area each, added below)."""

    def sections(self) -> dict[str, str]:
        """The sections as typed."""
        return {name: getattr(self, name).data or "" for name, _label, _hint in SECTION_FIELDS}


for _name, _label, _hint in SECTION_FIELDS:
    setattr(SectionsForm, _name, TextAreaField(_label, description=_hint, validators=[Length(max=20_000)]))


class CensusForm(FlaskForm):
    """Upload the census table as CSV, with its source and date."""

    file = FileField(_l("Census file (CSV)"), validators=[DataRequired(message=_l("Choose the census file."))],
                     description=_l("Columns district, age_band, sex, population and eligible, with their names "
                                    "in the first line; one group per line; comma or semicolon; UTF-8."))
    source = StringField(_l("Source"), validators=[DataRequired(message=_l("Say where the figures come from.")),
                                                   Length(max=300)],
                         description=_l("E.g. the statistical office and the name of the census."))
    as_of = DateField(_l("Date of the figures"), validators=[DataRequired(message=_l("Give the date of the figures."))])


class ConfirmForm(FlaskForm):
    """A button that changes something (generate, publish, finalise): only the CSRF token."""
