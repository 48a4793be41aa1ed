"""Pages of the proposals area: submitting and editing projects, the project list and a project's page."""

from __future__ import annotations

import secrets
from decimal import Decimal

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from pb.accounts.permissions import is_signed_in, public, requires
from pb.core.db import utcnow
from pb.core.money import minor_units, to_major
from pb.core.page_cache import cached_for_visitors
from pb.core.requests import id_arg, page_arg
from pb.deliberation.queries import project_deliberation
from pb.errors import NotAllowed, ValidationError, attempt
from pb.extensions import db, limiter
from pb.maps.pages import map_settings, marker, with_tiles_allowed
from pb.processes import queries as process_queries
from pb.processes.models import Process
from pb.processes.services import Action, PhaseClosed, is_open, require_phase
from pb.proposals import queries
from pb.proposals.forms import SORTS, ProjectFilterForm, ProposalForm, choices, pool_choices
from pb.proposals.models import Project, ProjectStatus
from pb.proposals.permissions import can_edit_project, can_propose, can_view_hidden_content, can_view_project
from pb.proposals import services
from pb.proposals.services import submit_project, update_project
from pb.review.services import revision_deadline
from pb.proposals.vocabulary import beneficiary_choices, beneficiary_label, category_choices
from pb.review.queries import project_review

bp = Blueprint("proposals", __name__)

SEED_KEY = "pb_list_seed"


@bp.app_context_processor
def proposal_helpers():
    """What other templates need from this area: whether a process takes proposals now."""
    return {"can_propose_now": lambda process: is_open(process, Action.PROPOSE),
            "beneficiary_label": beneficiary_label}


def _process_or_404(municipality: str, slug: str) -> Process:
    process = process_queries.process_by_slug(municipality, slug)
    if process is None:
        abort(404)
    return process


def _show_error(form: ProposalForm, error: ValidationError) -> None:
    target = getattr(form, error.field, None) if error.field else None
    if target is None:
        flash(error.message, "error")
    else:
        target.errors = [*target.errors, error.message] if isinstance(target.errors, list) else [error.message]


def _list_seed() -> int:
    """A visitor's own random order of projects, the same on every page they turn."""
    if SEED_KEY not in session:
        session[SEED_KEY] = secrets.randbelow(2_000_000_000)
    return session[SEED_KEY]


def _list_variant() -> object:
    # Only the random order differs between visitors.
    return _list_seed() if request.args.get("sort") == "random" else None


@bp.get("/m/<municipality>/<slug>/projects")
@public
@cached_for_visitors(vary=_list_variant)
def index(municipality: str, slug: str):
    """The projects of a process: filters, word search, sort and pages, all as GET parameters."""
    process = _process_or_404(municipality, slug)
    form, filters = _filters(process)
    result = queries.list_projects(process, filters)
    args = {k: v for k, v in request.args.items() if k != "page" and v}

    def page_url(number: int) -> str:
        return url_for("proposals.index", municipality=municipality, slug=slug, **args, page=number)

    return render_template("proposals/index.html", process=process, form=form, result=result, page_url=page_url,
                           map_url=url_for("proposals.project_map", municipality=municipality, slug=slug, **args),
                           can_propose_here=is_open(process, Action.PROPOSE))


def _account_key() -> str:
    return f"user:{current_user.get_id()}"


# Submitting and editing proposals share one budget per account: each request may decode five images.
_proposal_limit = limiter.shared_limit(lambda: current_app.config["PB_PROPOSAL_LIMIT"], scope="proposal",
                                       key_func=_account_key, methods=["POST"])


@bp.get("/m/<municipality>/<slug>/projects/map")
@public
@cached_for_visitors()
def project_map(municipality: str, slug: str):
    """The same filtered list on a map, markers clustered where they crowd, and as a list of links beside it."""
    process = _process_or_404(municipality, slug)
    form, filters = _filters(process)
    found = queries.located_projects(process, filters)
    markers = [marker(p, url_for("proposals.project", project_id=p.id)) for p in found.projects]
    settings = {**map_settings(process.municipality), "markers": markers, "cluster": True}
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return with_tiles_allowed(render_template(
        "proposals/map.html", process=process, form=form, found=found, projects_map=settings,
        list_url=url_for("proposals.index", municipality=municipality, slug=slug, **args)), process.municipality)


def _filters(process: Process) -> tuple[ProjectFilterForm, queries.ProjectFilters]:
    """The list's filter form, read from the GET parameters, and the filters it asks for."""
    form = ProjectFilterForm(request.args)
    form.pool.choices = choices([("", _("All districts"))] + [(str(i), label) for i, label in pool_choices(process)])
    form.category.choices = choices([("", _("All categories")), *category_choices(process)])
    form.beneficiary.choices = choices([("", _("Everyone")), *beneficiary_choices(process)])
    form.validate()
    pool_id = id_arg("pool")
    status = form.status.data if form.status.data in {s.value for s in ProjectStatus} - {"draft"} else None
    return form, queries.ProjectFilters(
        words=queries.search_words(form.q.data if not form.q.errors else ""), pool_id=pool_id,
        category=form.category.data or None, beneficiary=form.beneficiary.data or None,
        status=ProjectStatus(status) if status else None,
        cost_min=queries.parse_amount(form.cost_min.data, process.currency),
        cost_max=queries.parse_amount(form.cost_max.data, process.currency),
        sort=form.sort.data if form.sort.data in SORTS else "supported", seed=_list_seed(),
        page=page_arg())


@bp.route("/m/<municipality>/<slug>/propose", methods=["GET", "POST"])
@requires(can_propose)
@_proposal_limit
def new(municipality: str, slug: str):
    """A resident's new project, saved as a draft or published."""
    process = _process_or_404(municipality, slug)
    try:
        require_phase(process, Action.PROPOSE)
    except PhaseClosed as closed:
        return render_template("proposals/closed.html", process=process, message=closed.message)
    form = ProposalForm()
    form.fill_in(process)
    if form.validate_on_submit():
        try:
            project = submit_project(current_user, process, form.to_input(request.files.getlist(form.images.name)))
        except ValidationError as error:
            db.session.rollback()
            _show_error(form, error)
        except NotAllowed as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            if project.status is ProjectStatus.DRAFT:
                flash(_("Your draft was saved. Only you and your co-authors can see it."), "success")
            else:
                flash(_("Your project was published."), "success")
            return redirect(url_for("proposals.project", project_id=project.id))
    return _form_page(process, form, project=None, images=[], is_author=True)


def _form_page(process: Process, form: ProposalForm, **context):
    """The proposal form, with a map to choose the location on (the coordinate fields work without it)."""
    location_map = {**map_settings(process.municipality),
                    "pick": {"lat": form.latitude.id, "lon": form.longitude.id, "label": _("The project's place")}}
    return with_tiles_allowed(render_template("proposals/form.html", process=process, form=form,
                                              location_map=location_map, **context), process.municipality)


@bp.route("/projects/<int:project_id>/invitation/<token>", methods=["GET", "POST"])
@requires(is_signed_in)
def accept_invitation(project_id: int, token: str):
    """The page a co-author invitation links to: the project, and a button that makes the visitor a co-author."""
    project = db.get_or_404(Project, project_id)
    form = FlaskForm()
    if form.validate_on_submit():
        done = attempt(lambda: services.accept_invitation(current_user, project, token))
        if done.ok:
            flash(_("You are now a co-author of “%(title)s”.", title=project.title), "success")
            return redirect(url_for("proposals.project", project_id=project.id))
    valid = services.invitation_for(token) == (project.id, current_user.id)
    return render_template("proposals/invitation.html", project=project, form=form, valid=valid)


def _project_or_404(project_id: int) -> Project:
    project = queries.project_with_details(project_id)
    if project is None or not can_view_project(current_user, project):
        abort(404)
    return project


@bp.route("/projects/<int:project_id>/edit", methods=["GET", "POST"])
@requires(is_signed_in)
@_proposal_limit
def edit(project_id: int):
    """The author's or a co-author's edit of a project, until its review starts."""
    project = _project_or_404(project_id)
    if not can_edit_project(current_user, project):
        abort(403)
    process = db.get_or_404(Process, project.process_id)
    try:
        if revision_deadline(project) is None:
            require_phase(process, Action.EDIT_PROPOSAL)
    except PhaseClosed as closed:
        return render_template("proposals/closed.html", process=process, message=closed.message, project=project)
    is_author = project.author_id == current_user.id
    images = queries.image_list(project)
    if request.method == "GET":
        form = ProposalForm(obj=project, formdata=None)
        form.cost.data = format(to_major(project.cost, process.currency).quantize(
            Decimal(1) / minor_units(process.currency)), "f")
        form.pool_id.data = project.pool_id
        form.categories.data = project.category_names
        form.beneficiaries.data = project.beneficiary_names
        form.coauthors.data = "\n".join(queries.coauthor_emails(project))
    else:
        form = ProposalForm()
    form.fill_in(process)
    form.remove_images.choices = choices((image_id, _("Image %(number)d", number=n))
                                        for n, (image_id, _w, _h) in enumerate(images, start=1))
    if form.validate_on_submit():
        try:
            update_project(current_user, project,
                           form.to_input(request.files.getlist(form.images.name), with_coauthors=is_author))
        except ValidationError as error:
            db.session.rollback()
            _show_error(form, error)
        except NotAllowed as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("Your changes were saved."), "success")
            return redirect(url_for("proposals.project", project_id=project.id))
    return _form_page(process, form, project=project, images=images, is_author=is_author)


@bp.get("/projects/<int:project_id>")
@public
@cached_for_visitors()
def project(project_id: int):
    """A project's page: what it proposes, its cost and place, its review outcome and its discussion."""
    found = _project_or_404(project_id)
    process = db.get_or_404(Process, found.process_id)
    show_content = found.hidden_at is None or can_view_hidden_content(current_user, found)
    place = marker(found, url_for("proposals.project", project_id=found.id)) if show_content else None
    location_map = None if place is None else {**map_settings(process.municipality), "markers": [place]}
    return with_tiles_allowed(render_template(
        "proposals/project.html", project=found, process=process, show_content=show_content,
        location_map=location_map,
        images=queries.image_list(found) if show_content else [], supports=queries.support_count(found),
        can_edit=can_edit_project(current_user, found) and (is_open(process, Action.EDIT_PROPOSAL)
                                                            or revision_deadline(found) is not None),
        versions=queries.versions(found) if show_content else [],
        **project_review(found, current_user),
        **project_deliberation(found, current_user, page_arg("comments"), id_arg("comment"))),
        process.municipality if location_map else None)


@bp.get("/projects/<int:project_id>/versions")
@public
def versions(project_id: int):
    """Every earlier version of a published project, newest first."""
    found = _project_or_404(project_id)
    if found.hidden_at is not None and not can_view_hidden_content(current_user, found):
        abort(404)
    process = db.get_or_404(Process, found.process_id)
    return render_template("proposals/versions.html", project=found, process=process,
                           versions=queries.versions(found))


@bp.get("/projects/<int:project_id>/images/<int:image_id>")
@public
def image(project_id: int, image_id: int):
    """One image of a project, with its stored type; browsers must not guess another."""
    found = _project_or_404(project_id)
    if found.hidden_at is not None and not can_view_hidden_content(current_user, found):
        abort(404)
    stored = queries.image_of(found.id, image_id)
    if stored is None:
        abort(404)
    if request.if_none_match and stored.sha256 in request.if_none_match:
        response = make_response("", 304)
    else:
        response = make_response(stored.data)
        response.headers["Content-Type"] = stored.content_type
        response.headers["Content-Length"] = str(stored.byte_size)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["ETag"] = f'"{stored.sha256}"'
    # Drafts and hidden projects' images are private; public images are immutable (new uploads get new ids).
    is_public = found.status is not ProjectStatus.DRAFT and found.hidden_at is None
    response.headers["Cache-Control"] = ("public, max-age=3600" if is_public else "private, no-store")
    response.headers["Content-Disposition"] = "inline"
    response.headers["Last-Modified"] = stored.created_at.strftime("%a, %d %b %Y %H:%M:%S GMT")
    return response


@bp.get("/my/proposals")
@requires(is_signed_in)
def mine():
    """The projects a resident wrote or co-signs, drafts included."""
    projects = queries.projects_of(current_user.id)
    return render_template("proposals/mine.html", projects=projects,
                           processes=queries.processes_by_id({p.process_id for p in projects}), now=utcnow())
