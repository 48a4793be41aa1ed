"""Forms of the set-up pages. They check shape only: numbers, amounts and dates arrive as text, so that the
services' rules (pb.setup.rules) say what is wrong in the same words as for a file."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateTimeLocalField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from pb.processes.models import BallotKind, BallotOrder, PhaseKind
from pb.proposals.forms import CheckboxesField, ProposalForm, choices
from pb.proposals.models import ProjectOrigin
from pb.setup.rules import EditionValues, MunicipalityValues, PoolValues, decimal_of

MAX_CSV_BYTES = 1_000_000
LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


def _text(label, description=None, most: int = 200, **kw) -> StringField:
    return StringField(label, description=description, validators=[Length(max=most)], **kw)


class MunicipalityForm(FlaskForm):
    """A municipality: its address name, name, country, time zone, population, languages and vocabulary."""

    name = _text(_l("Name"), _l("As residents know it, e.g. “Δήμος Καλαμάτας”."))
    slug = _text(_l("Address name"), _l("Small Latin letters, digits and hyphens; it appears in every "
                                                "address of the municipality's pages, e.g. /m/kalamata/…"), 64)
    country = _text(_l("Country"), _l("Its two-letter ISO code, e.g. GR."), 10)
    timezone = _text(_l("Time zone"), _l("Dates of phases are given in it, e.g. Europe/Athens."), 64)
    population = _text(_l("Population"), _l("Optional: the number of residents, from the latest "
                                                          "official figure."), 20, render_kw={"inputmode": "numeric"})
    languages = CheckboxesField(_l("Languages of its pages"), choices=[], validate_choice=False,
                                description=_l("The first one ticked is the municipality's main language."))
    categories = TextAreaField(_l("Categories"), description=_l("What residents choose from when proposing, one "
                                                                "per line; each new edition starts from this list."),
                               validators=[Length(max=6000)], render_kw={"rows": 8})
    beneficiary_groups = TextAreaField(_l("Beneficiary groups"), description=_l("Who a project may benefit, one "
                                                                                "per line."),
                                       validators=[Length(max=6000)], render_kw={"rows": 6})
    map_tiles = _text(_l("Map tiles"), _l("Empty for OpenStreetMap's standard tiles; “none” for maps of "
                                          "projects and districts on a plain background; or a tile server's "
                                          "address, e.g. https://tiles.example.org/{z}/{x}/{y}.png."), 500)
    map_attribution = _text(_l("Attribution of the tiles"), _l("Needed for another tile server than "
                                                               "OpenStreetMap's: whose maps these are."), 300)

    def to_values(self) -> MunicipalityValues:
        """The entered values for the services."""
        return MunicipalityValues(slug=self.slug.data, name=self.name.data, country=self.country.data,
                                  timezone=self.timezone.data, population=self.population.data,
                                  languages=tuple(self.languages.data or ()), categories=self.categories.data,
                                  beneficiary_groups=self.beneficiary_groups.data,
                                  map_tiles=self.map_tiles.data, map_attribution=self.map_attribution.data)


class DistrictForm(FlaskForm):
    """A district: its code, name and population."""

    code = _text(_l("Code"), _l("Small Latin letters, digits, hyphens or underscores, e.g. “kentro”: the "
                                        "voter register and set-up files name the district by it."), 40)
    name = _text(_l("Name"))
    population = _text(_l("Population"), _l("Optional; the impact assessment compares money per "
                                                          "head by district with it."), 20,
                       render_kw={"inputmode": "numeric"})


class BoundaryForm(FlaskForm):
    """A district's boundary as a GeoJSON file."""

    file = FileField(_l("GeoJSON file"), description=_l(
        "A Polygon or MultiPolygon in WGS 84 longitude and latitude (as most GIS programs export GeoJSON), or a "
        "Feature with one; at most 1 MB."), render_kw={"accept": ".geojson,.json,application/geo+json"})


class CsvImportForm(FlaskForm):
    """A CSV file to preview, then to import as previewed."""

    file = FileField(_l("CSV file"), render_kw={"accept": ".csv,text/csv"})
    # The previewed file, sent back with the confirmation so that what is imported is what was shown.
    content = HiddenField()
    origin = RadioField(_l("These projects come from"), default=ProjectOrigin.DEPARTMENT.value,
                        choices=choices([(ProjectOrigin.DEPARTMENT.value, _l("Departments of the council")),
                                         (ProjectOrigin.PAPER_FORM.value, _l("Residents' paper forms"))]))


def percent_as_share(entered: str | None) -> object:
    """A percent as typed (50, "2,5", "5 %") as a share (0.5, 0.025, 0.05) without rounding; what is not a
    number goes on as typed, for the service to refuse with its message."""
    percent = (entered or "").strip().rstrip("%").strip().replace(",", ".")
    if not percent:
        return None
    number = decimal_of(percent)
    return percent if number is None else number / 100


class EditionForm(FlaskForm):
    """An edition's settings; the view fills in the municipalities and the rules with their descriptions."""

    municipality_id = SelectField(_l("Municipality"), coerce=int, validate_choice=False, validators=[Optional()])
    name = _text(_l("Name"), _l("E.g. “Συμμετοχικός προϋπολογισμός 2027”."))
    slug = _text(_l("Address name"), _l("Small Latin letters, digits and hyphens, e.g. “2027”."), 80)
    fiscal_year = _text(_l("Fiscal year"), _l("The budget year the money comes from."), 10,
                        render_kw={"inputmode": "numeric"})
    currency = _text(_l("Currency"), _l("Its three-letter ISO code, e.g. EUR."), 10)
    description = TextAreaField(_l("Description"), description=_l(
        "What the edition is for, for residents. Paragraphs, **bold**, *italics*, lists and links."),
        validators=[Length(max=20_000)], render_kw={"rows": 6})
    min_voter_age = _text(_l("Minimum voting age"), _l("The age reached in the year of the vote."),
                          10, render_kw={"inputmode": "numeric"})
    collect_demographics = BooleanField(_l("Ballots carry the voter's age band, sex and district, for the impact "
                                           "assessment"))
    max_proposals_per_resident = _text(_l("Most proposals per resident"),
                                       _l("Optional."), 10, render_kw={"inputmode": "numeric"})
    max_project_cost = _text(_l("Most a project may cost"), _l("Optional, in the currency, "
                                                                                   "e.g. 150000."), 30,
                             render_kw={"inputmode": "decimal"})
    max_supports_per_resident = _text(_l("Most supports per resident"), _l("Optional."),
                                      10, render_kw={"inputmode": "numeric"})
    appeal_days = _text(_l("Days to appeal"), _l("How long an author has to appeal against a "
                                                                "review outcome."), 10,
                        render_kw={"inputmode": "numeric"})
    tally_rule = RadioField(_l("Counting rule"), choices=[], validate_choice=False)
    min_project_score = _text(_l("Vote threshold"), _l(
        "Only for “most votes first, among projects above a vote threshold”: the least votes a project needs."), 15,
        render_kw={"inputmode": "numeric"})
    min_vote_share_percent = _text(_l("Least share of voters a project needs, in percent"), _l(
        "Optional, for every counting rule, e.g. 5: a project chosen by fewer voters is not funded."), 10,
        render_kw={"inputmode": "decimal"})
    tie_break = SelectField(_l("Ties between projects are broken"), validate_choice=False, choices=choices([
        ("lexico", _l("by the projects' codes (the lower first)")),
        ("reverse-lexico", _l("by the projects' codes (the higher first)")),
        ("cost-ascending", _l("in favour of the cheaper project"))]))
    ballot_order = RadioField(_l("Order of projects on the ballot"), default=BallotOrder.CODE.value, choices=choices([
        (BallotOrder.CODE.value, _l("By code, the same for everyone")),
        (BallotOrder.RANDOM.value, _l("Shuffled for each voter, so that no project gains from its place"))]))

    # Service field names that differ from this form's.
    FIELDS = {"min_vote_share": "min_vote_share_percent"}

    def to_values(self, *, categories=None, beneficiary_groups=None) -> EditionValues:
        """The entered settings for the services (the vocabulary is set on its own page)."""
        return EditionValues(
            slug=self.slug.data, name=self.name.data, fiscal_year=self.fiscal_year.data, currency=self.currency.data,
            description=self.description.data, tally_rule=self.tally_rule.data, tie_break=self.tie_break.data,
            min_project_score=self.min_project_score.data,
            min_vote_share=percent_as_share(self.min_vote_share_percent.data), min_voter_age=self.min_voter_age.data,
            collect_demographics=bool(self.collect_demographics.data),
            max_proposals_per_resident=self.max_proposals_per_resident.data,
            max_project_cost=self.max_project_cost.data,
            max_supports_per_resident=self.max_supports_per_resident.data, appeal_days=self.appeal_days.data,
            ballot_order=self.ballot_order.data, categories=categories, beneficiary_groups=beneficiary_groups)


class PoolForm(FlaskForm):
    """A pool's money and its ballot's rules; the view fills in the districts."""

    name = _text(_l("Name"), _l("E.g. “City-wide” or the district's name."))
    district = SelectField(_l("For"), validate_choice=False, choices=[])
    amount = _text(_l("Amount"), _l("In the edition's currency, e.g. 400000 or 400000.50."), 30,
                   render_kw={"inputmode": "decimal"})
    budget_line = _text(_l("Budget line"), _l("Optional: where the money sits in the municipal "
                                                            "budget, e.g. 64-7135.001."), 80)
    ballot = SelectField(_l("Ballot"), validate_choice=False, choices=choices([
        (BallotKind.APPROVAL.value, _l("Approval: tick the projects you support")),
        (BallotKind.KNAPSACK.value, _l("Within the budget: choose projects whose costs fit the pool")),
        (BallotKind.CUMULATIVE.value, _l("Points: share out your points among projects")),
        (BallotKind.RANKING.value, _l("Ranking: put your favourite projects in order")),
        (BallotKind.CHOOSE_ONE.value, _l("Choose one project"))]))
    min_choices = _text(_l("Fewest projects a ballot must choose"), _l("Optional; 1 if empty. "
                                                                                     "Not for choose-one ballots."),
                        10, render_kw={"inputmode": "numeric"})
    max_choices = _text(_l("Most projects a ballot may choose"), _l(
        "Optional for approval and within-the-budget ballots; the length of the ranking on a ranking ballot."), 10,
        render_kw={"inputmode": "numeric"})
    min_spend_percent = _text(_l("Least a ballot must spend, in percent of the pool"), _l(
        "Optional, only for within-the-budget ballots, e.g. 50."), 10, render_kw={"inputmode": "decimal"})
    total_points = _text(_l("Points each resident shares out"), _l("Only for points ballots."), 10,
                         render_kw={"inputmode": "numeric"})
    max_points_per_project = _text(_l("Most points for one project"), _l(
        "Optional, only for points ballots."), 10, render_kw={"inputmode": "numeric"})

    # Service field names that differ from this form's.
    FIELDS = {"min_spend_share": "min_spend_percent"}

    def to_values(self) -> PoolValues:
        """The entered pool for the services; the percent becomes a share (50 → 0.5) without rounding."""
        share = percent_as_share(self.min_spend_percent.data)
        return PoolValues(name=self.name.data, district=self.district.data or None, amount=self.amount.data,
                          budget_line=self.budget_line.data, ballot=self.ballot.data,
                          min_choices=self.min_choices.data, max_choices=self.max_choices.data,
                          min_spend_share=share, total_points=self.total_points.data,
                          max_points_per_project=self.max_points_per_project.data)


def schedule_form(kinds: list[PhaseKind], data: dict | None = None, formdata=None) -> FlaskForm:
    """A form with a start and an end (in the municipality's time zone) for each phase that may still be set."""

    class ScheduleForm(FlaskForm):
        pass

    for kind in kinds:
        setattr(ScheduleForm, f"{kind.value}_starts", DateTimeLocalField(
            _l("From"), format=LOCAL_FORMATS, validators=[Optional()]))
        setattr(ScheduleForm, f"{kind.value}_ends", DateTimeLocalField(
            _l("Until"), format=LOCAL_FORMATS, validators=[Optional()]))
    return ScheduleForm(data=data) if formdata is None else ScheduleForm()


def local_inputs(moment: dt.datetime, zone: str) -> dt.datetime:
    """A stored time as the naive local time a datetime-local input shows."""
    return moment.astimezone(zoneinfo.ZoneInfo(zone)).replace(tzinfo=None, second=0, microsecond=0)


class VocabularyForm(FlaskForm):
    """What residents of the edition choose from."""

    categories = TextAreaField(_l("Categories"), description=_l("One per line."), validators=[Length(max=6000)],
                               render_kw={"rows": 8})
    beneficiary_groups = TextAreaField(_l("Beneficiary groups"), description=_l("One per line."),
                                       validators=[Length(max=6000)], render_kw={"rows": 6})


class StaffProjectForm(ProposalForm):
    """A project a clerk enters for a department or for a resident who handed in a paper form."""

    origin = RadioField(_l("Proposed by"), default=ProjectOrigin.PAPER_FORM.value, choices=choices([
        (ProjectOrigin.PAPER_FORM.value, _l("A resident, on a paper form")),
        (ProjectOrigin.DEPARTMENT.value, _l("A department of the council"))]))
    author_name = _text(_l("Author's name"), _l(
        "Optional: the resident's name as on the form, if they agreed to it being shown, or the department's."))
    coauthors = None
    save_draft = None


class CopyForm(FlaskForm):
    """A new edition made from this one."""

    name = _text(_l("Name of the new edition"))
    slug = _text(_l("Address name"), _l("E.g. “2028”."), 80)
    fiscal_year = _text(_l("Fiscal year"), _l("The phases move by as many years."), 10,
                        render_kw={"inputmode": "numeric"})
