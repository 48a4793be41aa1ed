"""Forms of the proposals area; they check shape only and hand plain values to the services."""

from __future__ import annotations

from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (FloatField, MultipleFileField, SelectField, SelectMultipleField, StringField, SubmitField,
                     TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from pb.core.money import format_money
from pb.proposals.images import MAX_IMAGE_BYTES, ImageUpload
from pb.proposals.services import DESCRIPTION_MAX, SUMMARY_MAX, TITLE_MAX, ProposalInput
from pb.proposals.vocabulary import STATUS_LABELS, beneficiary_choices, category_choices


def pool_choices(process) -> list[tuple[int, str]]:
    """The edition's pools as residents choose them: a district's pool with its district's name."""
    return [(pool.id, pool.name if pool.district is None else f"{pool.name} ({pool.district.name})")
            for pool in process.pools]


def choices(pairs) -> list[SelectChoice]:
    """Choices in the form WTForms 3.3 wants them, from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


class CheckboxesField(SelectMultipleField):
    """A group of checkboxes (rendered in a fieldset by the template)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ProposalForm(FlaskForm):
    """A project's text, cost, place and pictures; the view fills in the pools of the process."""

    title = StringField(_l("Title"), validators=[DataRequired(message=_l("Enter a title.")), Length(
        max=TITLE_MAX, message=_l("The title is too long: at most %(max)d characters."))])
    summary = TextAreaField(_l("Summary"), description=_l("One or two sentences, at most 500 characters."),
                            validators=[DataRequired(message=_l("Enter a short summary.")), Length(
                                max=SUMMARY_MAX, message=_l("The summary is too long: at most %(max)d characters."))],
                            render_kw={"rows": 3})
    description = TextAreaField(_l("Description"), description=_l("What you propose, where, and who it helps."),
                                validators=[Optional(), Length(max=DESCRIPTION_MAX, message=_l(
                                    "The description is too long: at most %(max)d characters."))],
                                render_kw={"rows": 10})
    cost = StringField(_l("Estimated cost"), validators=[InputRequired(message=_l("Enter the estimated cost.")),
                                                         Length(max=40)],
                       render_kw={"inputmode": "decimal", "autocomplete": "off"})
    pool_id = SelectField(_l("District"), coerce=int, validate_choice=False,
                          validators=[InputRequired(message=_l("Choose the district, or city-wide."))])
    # The view fills in the edition's own vocabulary.
    categories = CheckboxesField(_l("Categories"), choices=[], validate_choice=False)
    beneficiaries = CheckboxesField(_l("Who benefits"), choices=[], validate_choice=False)
    latitude = FloatField(_l("Latitude"), description=_l("Optional, e.g. 37.9838."),
                          validators=[Optional(), NumberRange(-90, 90, message=_l(
                              "The latitude is between -90 and 90."))],
                          render_kw={"inputmode": "decimal"})
    longitude = FloatField(_l("Longitude"), description=_l("Optional, e.g. 23.7275."),
                           validators=[Optional(), NumberRange(-180, 180, message=_l(
                               "The longitude is between -180 and 180."))],
                           render_kw={"inputmode": "decimal"})
    images = MultipleFileField(_l("Images"), description=_l(
        "Optional: up to 5 JPEG, PNG or WebP images of at most 5 MB each."),
        render_kw={"accept": "image/jpeg,image/png,image/webp"})
    remove_images = CheckboxesField(_l("Remove images"), coerce=int, choices=[], validate_choice=False)
    coauthors = TextAreaField(_l("Co-authors"), description=_l(
        "Optional: e-mail addresses of residents who propose this with you, one a line. Each is mailed an "
        "invitation if it belongs to a resident's account, and becomes a co-author on accepting it."),
        validators=[Optional(), Length(max=3000)], render_kw={"rows": 2})
    save_draft = SubmitField(_l("Save as draft"))
    publish = SubmitField(_l("Publish"))

    def fill_in(self, process) -> None:
        """What the form needs from the edition: its pools, its vocabulary, its currency and cost limit."""
        self.pool_id.choices = choices(pool_choices(process))
        self.categories.choices = choices(category_choices(process))
        self.beneficiaries.choices = choices(beneficiary_choices(process))
        hint = gettext("In %(currency)s, e.g. 12500 or 12500.50.", currency=process.currency)
        if process.max_project_cost is not None:
            hint += " " + gettext("At most %(max)s.", max=format_money(process.max_project_cost, process.currency,
                                                                       str(get_locale())))
        self.cost.description = hint

    def to_input(self, files: list, *, with_coauthors: bool = True) -> ProposalInput:
        """The entered values as a plain value for the services."""
        uploads = []
        for storage in files:
            if storage is None or not storage.filename:
                continue
            # Read one byte more than allowed, so the service can tell an oversized file.
            uploads.append(ImageUpload(filename=storage.filename, data=storage.stream.read(MAX_IMAGE_BYTES + 1)))
        emails = tuple(e for e in (self.coauthors.data or "").replace(",", "\n").replace(";", "\n").split()
                       if e) if with_coauthors else ()
        return ProposalInput(
            title=self.title.data or "", summary=self.summary.data or "", description=self.description.data or "",
            cost=self.cost.data or "", pool_id=self.pool_id.data, categories=tuple(self.categories.data or ()),
            beneficiaries=tuple(self.beneficiaries.data or ()), latitude=self.latitude.data,
            longitude=self.longitude.data, coauthor_emails=emails if with_coauthors else None,
            images=tuple(uploads), remove_image_ids=tuple(self.remove_images.data or ()),
            publish=bool(self.publish.data))


SORTS = {
    "supported": _l("Most supported"),
    "newest": _l("Newest"),
    "cost": _l("Lowest cost"),
    "cost_desc": _l("Highest cost"),
    "random": _l("Random order"),
}


class ProjectFilterForm(FlaskForm):
    """The filters, search and sort of a project list, all GET parameters (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=200)])
    pool = SelectField(_l("District"), coerce=str, validate_choice=False, validators=[Optional()])
    # The view fills in the edition's own vocabulary (see ``for_process``).
    category = SelectField(_l("Category"), choices=[], validate_choice=False, validators=[Optional()])
    beneficiary = SelectField(_l("Who benefits"), choices=[], validate_choice=False, validators=[Optional()])
    status = SelectField(_l("Status"), choices=choices([("", _l("Any status")), *(
        (k, v) for k, v in STATUS_LABELS.items() if k != "draft")]), validate_choice=False, validators=[Optional()])
    cost_min = StringField(_l("Cost from"), validators=[Optional(), Length(max=20)],
                           render_kw={"inputmode": "decimal"})
    cost_max = StringField(_l("Cost up to"), validators=[Optional(), Length(max=20)],
                           render_kw={"inputmode": "decimal"})
    sort = SelectField(_l("Sort by"), choices=choices(SORTS.items()), default="supported", validate_choice=False)
