"""The set-up pages of the staff area: municipalities and districts (administrators), and each edition's
settings, pools, phases, vocabulary, projects from staff, a copy for the next year, and its dashboard (clerks)."""

from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from pb.accounts.permissions import can_administer, can_manage_processes, municipality_scope, requires
from pb.core import tables
from pb.core.db import utcnow
from pb.core.i18n import LANGUAGE_NAMES
from pb.errors import attempt
from pb.extensions import db
from pb.processes.labels import RULE_LABELS, phase_label, rule_description
from pb.processes.models import District, Municipality, PhaseKind, Pool, Process
from pb.proposals.csv_import import KNOWN as PROJECT_COLUMNS
from pb.proposals.csv_import import REQUIRED as PROJECT_REQUIRED
from pb.proposals.csv_import import import_projects
from pb.proposals.forms import choices
from pb.proposals.models import ProjectOrigin
from pb.proposals.services import enter_project
from pb.setup import files, queries, services
from pb.maps.geometry import MAX_BYTES as MAX_BOUNDARY_BYTES
from pb.maps.geometry import position_count
from pb.maps.pages import map_settings, with_tiles_allowed
from pb.setup.forms import (MAX_CSV_BYTES, BoundaryForm, CopyForm, CsvImportForm, DistrictForm, EditionForm, MunicipalityForm,
                            PoolForm, StaffProjectForm, VocabularyForm, local_inputs, schedule_form)
from pb.setup.labels import LINKS, csv_problem_text, item_text
from pb.setup.rules import DistrictValues, PhaseValues

bp = Blueprint("setup", __name__, url_prefix="/staff")


# --- Municipalities and districts (administrators) ----------------------------------------------------------

def _languages(form: MunicipalityForm) -> None:
    form.languages.choices = choices(LANGUAGE_NAMES.items())


@bp.get("/municipalities")
@requires(can_administer)
def municipalities():
    """Every municipality with its districts and editions."""
    return render_template("setup/municipalities.html", municipalities=queries.municipalities(municipality_scope(current_user)))


@bp.route("/municipalities/new", methods=["GET", "POST"])
@requires(can_administer)
def new_municipality():
    """A new municipality, with pb's default vocabulary unless another is given."""
    form = MunicipalityForm()
    _languages(form)
    if request.method == "GET":
        form.categories.data = "\n".join(services.default_categories())
        form.beneficiary_groups.data = "\n".join(services.default_beneficiary_groups())
    if form.validate_on_submit():
        values = form.to_values()
        if not values.languages:
            values = type(values)(**{**values.__dict__, "languages": None})
        done = attempt(lambda: services.create_municipality(current_user, values), form)
        if done.ok:
            flash(_("%(name)s was created. Add its districts next.", name=done.value.name), "success")
            return redirect(url_for("setup.districts", municipality_id=done.value.id))
    return render_template("setup/municipality_form.html", form=form, municipality=None), 200 if not form.errors else 422


@bp.route("/municipalities/<int:municipality_id>/edit", methods=["GET", "POST"])
@requires(can_administer)
def edit_municipality(municipality_id: int):
    """Correct a municipality's facts, languages and default vocabulary."""
    municipality = db.get_or_404(Municipality, municipality_id)
    if request.method == "GET":
        form = MunicipalityForm(formdata=None, data={
            "name": municipality.name, "slug": municipality.slug, "country": municipality.country_code,
            "timezone": municipality.timezone, "population": municipality.population or "",
            "languages": list(municipality.languages), "categories": "\n".join(municipality.categories),
            "beneficiary_groups": "\n".join(municipality.beneficiary_groups),
            "map_tiles": municipality.map_tiles or "", "map_attribution": municipality.map_attribution or ""})
    else:
        form = MunicipalityForm()
    _languages(form)
    if form.validate_on_submit():
        done = attempt(lambda: services.update_municipality(current_user, municipality, form.to_values()), form)
        if done.ok:
            flash(_("The changes to %(name)s were saved; they are in the audit log.", name=municipality.name),
                  "success")
            return redirect(url_for("setup.districts", municipality_id=municipality.id))
    return render_template("setup/municipality_form.html", form=form, municipality=municipality), \
        200 if not form.errors else 422


@bp.route("/municipalities/<int:municipality_id>/districts", methods=["GET", "POST"])
@requires(can_administer)
def districts(municipality_id: int):
    """A municipality's districts, and a form to add one."""
    municipality = db.get_or_404(Municipality, municipality_id)
    form = DistrictForm()
    if form.validate_on_submit():
        values = DistrictValues(form.code.data, form.name.data, form.population.data)
        done = attempt(lambda: services.add_district(current_user, municipality, values), form)
        if done.ok:
            flash(_("The district %(name)s was added.", name=done.value.name), "success")
            return redirect(url_for("setup.districts", municipality_id=municipality.id))
    uses = {district.id: services.district_uses(district) for district in municipality.districts}
    return render_template("setup/districts.html", municipality=municipality, form=form, uses=uses), \
        200 if not form.errors else 422


@bp.route("/districts/<int:district_id>/edit", methods=["GET", "POST"])
@requires(can_administer)
def edit_district(district_id: int):
    """Rename a district or correct its population."""
    district = db.get_or_404(District, district_id)
    if request.method == "GET":
        form = DistrictForm(formdata=None, data={"code": district.code, "name": district.name,
                                                 "population": district.population or ""})
    else:
        form = DistrictForm()
    if form.validate_on_submit():
        values = DistrictValues(form.code.data, form.name.data, form.population.data)
        done = attempt(lambda: services.update_district(current_user, district, values), form)
        if done.ok:
            flash(_("The district %(name)s was saved.", name=district.name), "success")
            return redirect(url_for("setup.districts", municipality_id=district.municipality_id))
    return _district_page(district, form, BoundaryForm(formdata=None), 200 if not form.errors else 422)


def _district_page(district: District, form: DistrictForm, boundary_form: BoundaryForm, status: int):
    """The district's page: its facts, its boundary on a map (when it has one) and the upload form."""
    area_map = map_settings(district.municipality, districts=[district]) if district.boundary else None
    page = render_template("setup/district_form.html", form=form, district=district, boundary_form=boundary_form,
                           area_map=area_map, uses=services.district_uses(district),
                           boundary_positions=position_count(district.boundary) if district.boundary else 0)
    return with_tiles_allowed(page, district.municipality if area_map else None), status


@bp.post("/districts/<int:district_id>/boundary")
@requires(can_administer)
def district_boundary(district_id: int):
    """Give the district its boundary from a GeoJSON file; every problem of the file named on the form."""
    district = db.get_or_404(District, district_id)
    boundary_form = BoundaryForm()
    if boundary_form.validate_on_submit():
        upload = request.files.get(boundary_form.file.name)
        if upload is None or not upload.filename:
            boundary_form.file.errors = [_("Choose a GeoJSON file.")]
        elif attempt(lambda: services.set_district_boundary(
                current_user, district, upload.stream.read(MAX_BOUNDARY_BYTES + 1)), boundary_form).ok:
            flash(_("The boundary of %(name)s was saved.", name=district.name), "success")
            return redirect(url_for("setup.edit_district", district_id=district.id))
    form = DistrictForm(formdata=None, data={"code": district.code, "name": district.name,
                                             "population": district.population or ""})
    return _district_page(district, form, boundary_form, 422)


@bp.post("/districts/<int:district_id>/boundary/delete")
@requires(can_administer)
def delete_district_boundary(district_id: int):
    """Remove the district's boundary (its maps then show no area for it)."""
    district = db.get_or_404(District, district_id)
    if attempt(lambda: services.set_district_boundary(current_user, district, None)).ok:
        flash(_("The boundary of %(name)s was removed.", name=district.name), "success")
    return redirect(url_for("setup.edit_district", district_id=district.id))


@bp.post("/districts/<int:district_id>/delete")
@requires(can_administer)
def delete_district(district_id: int):
    """Remove a district nothing uses; otherwise say why it stays."""
    district = db.get_or_404(District, district_id)
    municipality_id, name = district.municipality_id, district.name
    if attempt(lambda: services.delete_district(current_user, district)).ok:
        flash(_("The district %(name)s was removed.", name=name), "success")
    return redirect(url_for("setup.districts", municipality_id=municipality_id))


def _uploaded_text(form: CsvImportForm) -> str | None:
    """The CSV text: the file just uploaded, or the previewed one sent back with the confirmation."""
    upload = request.files.get(form.file.name)
    if upload is not None and upload.filename:
        data = upload.stream.read(MAX_CSV_BYTES + 1)
        if len(data) > MAX_CSV_BYTES:
            form.file.errors = [_("The file is larger than 1 MB.")]
            return None
        try:
            return tables.decode(data)
        except tables.CsvProblem as problem:
            form.file.errors = [csv_problem_text(problem)]
            return None
    if form.content.data:
        return form.content.data
    form.file.errors = [_("Choose a CSV file.")]
    return None


def _csv_rows(form: CsvImportForm, required: tuple[str, ...], known: tuple[str, ...]
              ) -> tuple[list[tables.Row] | None, str | None]:
    """The rows of the uploaded (or previewed) CSV file and its text; None and the reason on the form when it
    cannot be read as a table."""
    text = _uploaded_text(form)
    if text is None:
        return None, None
    try:
        return tables.read_table(text, required, known), text
    except tables.CsvProblem as problem:
        form.file.errors = [csv_problem_text(problem)]
        return None, text


def _import_status(form: CsvImportForm, report) -> int:
    """422 when the file could not be read or a row is refused, so that a script sees the refusal too."""
    return 422 if form.errors or (report is not None and report.problems) else 200


@bp.route("/municipalities/<int:municipality_id>/districts/import", methods=["GET", "POST"])
@requires(can_administer)
def import_districts(municipality_id: int):
    """Districts from a CSV file (code, name, population): a preview with every row's problems, then the
    import as previewed."""
    municipality = db.get_or_404(Municipality, municipality_id)
    form = CsvImportForm()
    report, text = None, None
    if form.validate_on_submit():
        rows, text = _csv_rows(form, ("code", "name"), ("code", "name", "population"))
        if rows is not None:
            apply = "confirm" in request.form
            values = [DistrictValues(r.values.get("code"), r.values.get("name"), r.values.get("population"))
                      for r in rows]
            report = attempt(lambda: services.import_districts(current_user, municipality, values, apply=apply,
                                                               line_numbers=[r.line for r in rows])).value
            if apply and report is not None and not report.problems:
                flash(_("%(count)d districts were imported.", count=len(report.rows)), "success")
                return redirect(url_for("setup.districts", municipality_id=municipality.id))
    return render_template("setup/import_districts.html", municipality=municipality, form=form, report=report,
                           content=text), _import_status(form, report)


# --- Editions (clerks) ---------------------------------------------------------------------------------------

def _edition_choices(form: EditionForm) -> None:
    form.tally_rule.choices = choices(RULE_LABELS.items())


def _process(process_id: int) -> Process:
    return db.get_or_404(Process, process_id)


@bp.route("/processes/new", methods=["GET", "POST"])
@requires(can_manage_processes)
def new_edition():
    """A new edition of a municipality: its settings first; pools, phases and vocabulary on its own pages."""
    form = EditionForm()
    all_municipalities = queries.municipalities(municipality_scope(current_user))
    form.municipality_id.choices = choices((m.id, m.name) for m in all_municipalities)
    _edition_choices(form)
    if request.method == "GET":
        form.fiscal_year.data = str(utcnow().year + 1)
        form.currency.data, form.min_voter_age.data, form.appeal_days.data = "EUR", "16", "14"
        form.tally_rule.data, form.tie_break.data = "greedy", "lexico"
    if form.validate_on_submit():
        municipality = next((m for m in all_municipalities if m.id == form.municipality_id.data), None)
        if municipality is None:
            form.municipality_id.errors = [_("Choose the municipality.")]
        else:
            done = attempt(lambda: services.create_edition(current_user, municipality, form.to_values()), form,
                           EditionForm.FIELDS)
            if done.ok:
                flash(_("The edition was created. Add its pools and dates next."), "success")
                return redirect(url_for("setup.edition", process_id=done.value.id))
    return render_template("setup/edition_form.html", form=form, process=None, municipalities=all_municipalities,
                           describe=rule_description), 200 if not form.errors else 422


@bp.get("/processes/<int:process_id>")
@requires(can_manage_processes)
def edition(process_id: int):
    """An edition's dashboard: where it stands, what each phase still needs, and what waits for staff."""
    process = _process(process_id)
    now = utcnow()
    return render_template("setup/edition.html", process=process, board=queries.dashboard(process, now), now=now,
                           item_text=item_text, links=LINKS, started=process.voting_has_started(now))


@bp.route("/processes/<int:process_id>/edit", methods=["GET", "POST"])
@requires(can_manage_processes)
def edit_edition(process_id: int):
    """Change an edition's settings; the counting rule and eligibility are fixed once voting opens."""
    process = _process(process_id)
    if request.method == "GET":
        form = EditionForm(formdata=None, data=_edition_data(process))
    else:
        form = EditionForm()
    form.municipality_id.choices = []
    _edition_choices(form)
    if form.validate_on_submit():
        done = attempt(lambda: services.update_edition(current_user, process, form.to_values()), form,
                       EditionForm.FIELDS)
        if done.ok:
            flash(_("The settings were saved; the change is in the audit log."), "success")
            return redirect(url_for("setup.edition", process_id=process.id))
    return render_template("setup/edition_form.html", form=form, process=process, describe=rule_description,
                           started=process.voting_has_started()), 200 if not form.errors else 422


def _edition_data(process: Process) -> dict:
    values = files.edition_settings(process)
    share = values.pop("min_vote_share")
    values["min_vote_share_percent"] = None if share is None else format((share * 100).normalize(), "f")
    return {name: "" if value is None else value for name, value in values.items()}


@bp.get("/processes/<int:process_id>/setup.toml")
@requires(can_manage_processes)
def export_file(process_id: int):
    """The edition's set-up as a file, for version control or `flask --app pb process create`."""
    process = _process(process_id)
    response = make_response(files.export_edition(process))
    response.headers["Content-Type"] = "application/toml; charset=utf-8"
    response.headers["Content-Disposition"] = (f'attachment; filename="{process.municipality.slug}-'
                                               f'{process.slug}.toml"')
    return response


# --- Pools ---------------------------------------------------------------------------------------------------

def _district_choices(form: PoolForm, process: Process) -> None:
    form.district.choices = choices([("", _("The whole municipality (city-wide)")),
                                     *((d.code, d.name) for d in process.municipality.districts)])


@bp.route("/processes/<int:process_id>/pools", methods=["GET", "POST"])
@requires(can_manage_processes)
def pools(process_id: int):
    """An edition's pools with their ballot rules, and a form to add one (until voting opens)."""
    process = _process(process_id)
    form = PoolForm()
    _district_choices(form, process)
    if form.validate_on_submit():
        done = attempt(lambda: services.save_pool(current_user, process, form.to_values()), form, PoolForm.FIELDS)
        if done.ok:
            flash(_("The pool %(name)s was added.", name=done.value.name), "success")
            return redirect(url_for("setup.pools", process_id=process.id))
    return render_template("setup/pools.html", process=process, form=form, started=process.voting_has_started()), \
        200 if not form.errors else 422


@bp.route("/pools/<int:pool_id>/edit", methods=["GET", "POST"])
@requires(can_manage_processes)
def edit_pool(pool_id: int):
    """Change a pool's money or ballot rules, until voting opens."""
    pool = db.get_or_404(Pool, pool_id)
    process = pool.process
    if request.method == "GET":
        values = services.pool_values(pool)
        data = {name: "" if value is None else value for name, value in values.__dict__.items()}
        share = values.min_spend_share
        data["min_spend_percent"] = "" if share is None else format((share * 100).normalize(), "f")
        form = PoolForm(formdata=None, data=data)
    else:
        form = PoolForm()
    _district_choices(form, process)
    if form.validate_on_submit():
        done = attempt(lambda: services.save_pool(current_user, process, form.to_values(), pool), form,
                       PoolForm.FIELDS)
        if done.ok:
            flash(_("The pool %(name)s was saved.", name=pool.name), "success")
            return redirect(url_for("setup.pools", process_id=process.id))
    return render_template("setup/pool_form.html", process=process, pool=pool, form=form,
                           started=process.voting_has_started()), 200 if not form.errors else 422


@bp.post("/pools/<int:pool_id>/delete")
@requires(can_manage_processes)
def delete_pool(pool_id: int):
    """Remove a pool without projects, until voting opens."""
    pool = db.get_or_404(Pool, pool_id)
    process_id, name = pool.process_id, pool.name
    if attempt(lambda: services.delete_pool(current_user, pool)).ok:
        flash(_("The pool %(name)s was removed.", name=name), "success")
    return redirect(url_for("setup.pools", process_id=process_id))


# --- Phases and vocabulary -----------------------------------------------------------------------------------

@bp.route("/processes/<int:process_id>/schedule", methods=["GET", "POST"])
@requires(can_manage_processes)
def schedule(process_id: int):
    """The dates of the phases that have not started, in the municipality's time zone."""
    process = _process(process_id)
    now = utcnow()
    zone = process.municipality.timezone
    started = {phase.kind: phase for phase in process.phases if phase.starts_at <= now}
    open_kinds = [kind for kind in PhaseKind if kind not in started]
    current = {phase.kind: phase for phase in process.phases}
    data = {}
    for kind in open_kinds:
        if kind in current:
            data[f"{kind.value}_starts"] = local_inputs(current[kind].starts_at, zone)
            data[f"{kind.value}_ends"] = local_inputs(current[kind].ends_at, zone)
    form = schedule_form(open_kinds, data=data, formdata=request.form if request.method == "POST" else None)
    fields = {}
    if form.validate_on_submit():
        wanted = []
        for kind in open_kinds:
            starts = getattr(form, f"{kind.value}_starts").data
            ends = getattr(form, f"{kind.value}_ends").data
            if starts is None and ends is None:
                continue
            index = len(wanted) + 1
            fields[f"phases[{index}].starts"] = f"{kind.value}_starts"
            fields[f"phases[{index}].ends"] = f"{kind.value}_ends"
            fields[f"phases[{index}].kind"] = f"{kind.value}_starts"
            wanted.append(PhaseValues(kind.value, starts, ends))
        done = attempt(lambda: services.set_schedule(current_user, process, wanted, now), form, fields)
        if done.ok:
            flash(_("The dates were saved; the change is in the audit log."), "success")
            return redirect(url_for("setup.edition", process_id=process.id))
    return render_template("setup/schedule.html", process=process, form=form, kinds=list(PhaseKind),
                           started=started, phase_label=phase_label, zone=zone), 200 if not form.errors else 422


@bp.route("/processes/<int:process_id>/vocabulary", methods=["GET", "POST"])
@requires(can_manage_processes)
def vocabulary(process_id: int):
    """The categories and beneficiary groups residents of the edition choose from."""
    process = _process(process_id)
    if request.method == "GET":
        form = VocabularyForm(formdata=None, data={"categories": "\n".join(process.categories),
                                                   "beneficiary_groups": "\n".join(process.beneficiary_groups)})
    else:
        form = VocabularyForm()
    if form.validate_on_submit():
        done = attempt(lambda: services.set_vocabulary(current_user, process, form.categories.data,
                                                       form.beneficiary_groups.data), form)
        if done.ok:
            flash(_("The lists were saved."), "success")
            return redirect(url_for("setup.edition", process_id=process.id))
    return render_template("setup/vocabulary.html", process=process, form=form), 200 if not form.errors else 422


# --- Projects from staff -------------------------------------------------------------------------------------

@bp.route("/processes/<int:process_id>/projects/new", methods=["GET", "POST"])
@requires(can_manage_processes)
def new_project(process_id: int):
    """A project a clerk enters for a department, or from a resident's paper form."""
    process = _process(process_id)
    form = StaffProjectForm()
    form.fill_in(process)
    if form.validate_on_submit():
        data = form.to_input(request.files.getlist(form.images.name), with_coauthors=False)
        done = attempt(lambda: enter_project(current_user, process, data, origin=ProjectOrigin(form.origin.data),
                                             author_name=form.author_name.data or ""), form)
        if done.ok:
            flash(_("The project %(code)s was entered and published; it goes to review like every other.",
                    code=done.value.code), "success")
            return redirect(url_for("proposals.project", project_id=done.value.id))
    return render_template("setup/project_form.html", process=process, form=form), 200 if not form.errors else 422


@bp.route("/processes/<int:process_id>/projects/import", methods=["GET", "POST"])
@requires(can_manage_processes)
def import_projects_page(process_id: int):
    """Projects from a CSV file: a dry run that names every bad row, then the import as previewed."""
    process = _process(process_id)
    form = CsvImportForm()
    report, text = None, None
    if form.validate_on_submit():
        rows, text = _csv_rows(form, PROJECT_REQUIRED, PROJECT_COLUMNS)
        if rows is not None:
            apply = "confirm" in request.form
            # A report with problems stored nothing; attempt() commits only what a clean import wrote.
            report = attempt(lambda: import_projects(current_user, process, rows,
                                                     origin=ProjectOrigin(form.origin.data), apply=apply)).value
            if apply and report is not None and not report.problems:
                flash(_("%(count)d projects were imported and published; they go to review.",
                        count=len(report.projects)), "success")
                return redirect(url_for("setup.edition", process_id=process.id))
    return render_template("setup/import_projects.html", process=process, form=form, report=report, content=text,
                           columns=PROJECT_COLUMNS), _import_status(form, report)


# --- A new edition from this one -----------------------------------------------------------------------------

@bp.route("/processes/<int:process_id>/copy", methods=["GET", "POST"])
@requires(can_manage_processes)
def copy(process_id: int):
    """A new edition with this one's settings, pools, rules, vocabulary and phases a year (or more) later."""
    process = _process(process_id)
    if request.method == "GET":
        year = process.fiscal_year + 1
        form = CopyForm(formdata=None, data={"fiscal_year": str(year), "slug": str(year),
                                             "name": process.name.replace(str(process.fiscal_year), str(year))})
    else:
        form = CopyForm()
    if form.validate_on_submit():
        done = attempt(lambda: services.copy_edition(current_user, process, form.slug.data, form.name.data,
                                                     form.fiscal_year.data), form)
        if done.ok:
            flash(_("The new edition was created from %(name)s; check its dates.", name=process.name), "success")
            return redirect(url_for("setup.edition", process_id=done.value.id))
    return render_template("setup/copy.html", process=process, form=form), 200 if not form.errors else 422

