"""Pages of the delivery area: the staff desk and record page, the public "From vote to delivery" page and
its CSV, delivery pictures, and residents' offers, ratings and e-mail choice on a project's page."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from pb.accounts.permissions import is_signed_in, public, requires
from pb.core.money import to_major
from pb.core.page_cache import cached_for_visitors
from pb.delivery import queries, services
from pb.delivery.forms import (AgreementForm, HideForm, MilestoneDoneForm, MilestoneForm, OfferForm, PhotoForm,
                               PolicyForm, RatingForm, RecordForm, StatusForm, UpdateForm)
from pb.delivery.labels import OFFER_STATUS_LABELS, PARTY_LABELS, PHOTO_LABELS, ROLE_LABELS, STATUS_LABELS, status_label
from pb.delivery.models import (CoProduction, DeliveryMilestone, DeliveryPhoto, DeliveryRating,
                                DeliveryRecord)
from pb.delivery.permissions import can_edit_delivery, can_manage_delivery, can_work_on_delivery
from pb.delivery.rules import allowed_next
from pb.errors import attempt
from pb.extensions import db
from pb.processes import queries as process_queries
from pb.processes.models import Municipality, Process
from pb.proposals.images import ImageUpload
from pb.proposals.models import Project, ProjectStatus

bp = Blueprint("delivery", __name__)


@bp.app_context_processor
def delivery_helpers():
    """What other templates need from this area: a project's delivery story and the labels it uses."""
    return {"project_delivery": lambda project: queries.project_delivery(project, current_user),
            "delivery_status_label": status_label, "delivery_role_labels": ROLE_LABELS,
            "delivery_party_labels": PARTY_LABELS, "delivery_photo_labels": PHOTO_LABELS,
            "can_work_on_delivery": can_work_on_delivery,
            "delivery_desk": lambda: queries.desk(current_user) if can_work_on_delivery(current_user) else []}


# -- staff -----------------------------------------------------------------------------------------------------


@bp.get("/staff/delivery")
@requires(can_work_on_delivery)
def desk():
    """The delivery records a member of staff works on, late first, and adopted projects still without one."""
    manages = can_manage_delivery(current_user)
    return render_template("delivery/desk.html", rows=queries.desk(current_user), can_manage=manages,
                           waiting=queries.adoptable_without_record() if manages else [])


@bp.post("/staff/delivery/projects/<int:project_id>/open")
@requires(can_manage_delivery)
def open_record(project_id: int):
    """Open the delivery record of an adopted project."""
    project = db.get_or_404(Project, project_id)
    done = attempt(lambda: services.open_record(current_user, project))
    if done.ok:
        flash(_("The delivery record is open."), "success")
        return redirect(url_for("delivery.record", record_id=done.value.id))
    return redirect(url_for("delivery.desk"))


def _editable(record_id: int) -> DeliveryRecord:
    delivery = db.get_or_404(DeliveryRecord, record_id)
    if not can_edit_delivery(current_user, delivery):
        abort(403)
    return delivery


def _record_form(delivery: DeliveryRecord, process: Process, formdata=None) -> RecordForm:
    form = RecordForm(formdata, data=None if formdata is not None else {
        "department": delivery.department, "officer_id": str(delivery.officer_id or ""),
        "planned_start_on": delivery.planned_start_on, "planned_end_on": delivery.planned_end_on,
        "actual_start_on": delivery.actual_start_on, "actual_end_on": delivery.actual_end_on,
        "committed": to_major(delivery.committed, process.currency),
        "spent": to_major(delivery.spent, process.currency),
        "spending_explanation": delivery.spending_explanation})
    officers = queries.department_officers()
    form.officer_id.choices = [("", _("Nobody yet"))] + [
        (str(user.id), user.display_name or user.email) for user in officers]
    if not can_manage_delivery(current_user):
        form.officer_id.render_kw = {"disabled": True}
    return form


def _render_record(delivery: DeliveryRecord, status: int = 200, **forms):
    process = db.session.get(Process, delivery.process_id)
    project = db.session.get(Project, delivery.project_id)
    status_form = forms.get("status_form") or StatusForm()
    status_form.status.choices = [(s.value, STATUS_LABELS[s]) for s in allowed_next(delivery.status)]
    photos, ratings = queries.photos_of(delivery.id), queries.ratings_of(delivery.id)
    return render_template(
        "delivery/record.html", record=delivery, process=process, project=project,
        record_form=forms.get("record_form") or _record_form(delivery, process), status_form=status_form,
        milestone_form=forms.get("milestone_form") or MilestoneForm(),
        done_form=forms.get("done_form") or MilestoneDoneForm(), update_form=forms.get("update_form") or UpdateForm(),
        photo_form=forms.get("photo_form") or PhotoForm(), agreement_form=forms.get("agreement_form") or AgreementForm(),
        hide_form=HideForm(), offers=queries.offers(project.id), photos=photos, ratings=ratings,
        can_manage=can_manage_delivery(current_user), offer_status_labels=OFFER_STATUS_LABELS,
        tolerance=services.tolerance_of(process.municipality_id), deadline=queries.deadline(process)), status


@bp.route("/staff/delivery/<int:record_id>", methods=["GET", "POST"])
@requires(can_work_on_delivery)
def record(record_id: int):
    """A delivery record: its facts, status, milestones, updates, pictures, co-producers and ratings."""
    delivery = _editable(record_id)
    if request.method == "GET":
        return _render_record(delivery)
    process = db.session.get(Process, delivery.process_id)
    form = _record_form(delivery, process, request.form)
    if not can_manage_delivery(current_user):
        form.officer_id.data = str(delivery.officer_id or "")
    if form.validate() and attempt(lambda: services.update_record(current_user, delivery, form.to_input()), form).ok:
        flash(_("The delivery record is saved."), "success")
        return redirect(url_for("delivery.record", record_id=record_id))
    return _render_record(delivery, 422, record_form=form)


@bp.post("/staff/delivery/<int:record_id>/status")
@requires(can_work_on_delivery)
def change_status(record_id: int):
    """Move the record to another status (a public reason when it is cancelled or merged)."""
    delivery = _editable(record_id)
    form = StatusForm()
    form.status.choices = [(s.value, STATUS_LABELS[s]) for s in allowed_next(delivery.status)]
    if form.validate() and attempt(lambda: services.change_status(
            current_user, delivery, form.status.data, form.reason.data or "", form.decision_reference.data or ""),
            form).ok:
        flash(_("The status is changed and residents who follow the project are told."), "success")
        return redirect(url_for("delivery.record", record_id=record_id))
    return _render_record(delivery, 422, status_form=form)


@bp.post("/staff/delivery/<int:record_id>/milestones")
@requires(can_work_on_delivery)
def add_milestone(record_id: int):
    """Add a milestone."""
    delivery = _editable(record_id)
    form = MilestoneForm()
    if form.validate() and attempt(lambda: services.add_milestone(current_user, delivery, form.title.data,
                                                                  form.planned_on.data), form).ok:
        flash(_("The milestone is added."), "success")
        return redirect(url_for("delivery.record", record_id=record_id))
    return _render_record(delivery, 422, milestone_form=form)


@bp.post("/staff/delivery/milestones/<int:milestone_id>/done")
@requires(can_work_on_delivery)
def milestone_done(milestone_id: int):
    """Mark a milestone done."""
    milestone = db.get_or_404(DeliveryMilestone, milestone_id)
    delivery = _editable(milestone.record_id)
    form = MilestoneDoneForm()
    if form.validate() and attempt(lambda: services.complete_milestone(current_user, milestone, form.done_on.data),
                                   form).ok:
        flash(_("The milestone is marked done."), "success")
        return redirect(url_for("delivery.record", record_id=delivery.id))
    return _render_record(delivery, 422, done_form=form)


@bp.post("/staff/delivery/<int:record_id>/updates")
@requires(can_work_on_delivery)
def post_update(record_id: int):
    """Publish an update and tell the people who follow the project."""
    delivery = _editable(record_id)
    form = UpdateForm()
    if form.validate() and attempt(lambda: services.post_update(current_user, delivery, form.body.data), form).ok:
        flash(_("The update is published and residents who follow the project are told."), "success")
        return redirect(url_for("delivery.record", record_id=record_id))
    return _render_record(delivery, 422, update_form=form)


@bp.post("/staff/delivery/<int:record_id>/photos")
@requires(can_work_on_delivery)
def add_photo(record_id: int):
    """Add a before/after photo or a scanned document."""
    delivery = _editable(record_id)
    form = PhotoForm()
    if form.validate():
        upload = request.files.get("photo")
        if upload is None or not upload.filename:
            form.photo.errors = [_("Choose a picture to send.")]
        elif attempt(lambda: services.add_photo(
                current_user, delivery, ImageUpload(upload.filename, upload.read()), form.kind.data,
                form.caption.data or ""), form).ok:
            flash(_("The picture is added."), "success")
            return redirect(url_for("delivery.record", record_id=record_id))
    return _render_record(delivery, 422, photo_form=form)


def _offer_record(offer_id: int) -> tuple[CoProduction, DeliveryRecord | None]:
    offer = db.get_or_404(CoProduction, offer_id)
    return offer, queries.record_of(offer.project_id)


@bp.post("/staff/delivery/offers/<int:offer_id>/agreement")
@requires(can_manage_delivery)
def record_agreement(offer_id: int):
    """Record the co-production agreement of an offer."""
    offer, delivery = _offer_record(offer_id)
    form = AgreementForm()
    if form.validate() and attempt(lambda: services.record_agreement(current_user, offer, form.to_input()), form).ok:
        flash(_("The co-production agreement is recorded and shown on the project's page."), "success")
        return redirect(url_for("delivery.record", record_id=delivery.id) if delivery else url_for("delivery.desk"))
    if delivery is None:
        return redirect(url_for("delivery.desk"))
    return _render_record(delivery, 422, agreement_form=form)


@bp.post("/staff/delivery/offers/<int:offer_id>/decline")
@requires(can_manage_delivery)
def decline_offer(offer_id: int):
    """Decline an offer to co-produce."""
    offer, delivery = _offer_record(offer_id)
    if attempt(lambda: services.decline_offer(current_user, offer)).ok:
        flash(_("The offer is declined."), "success")
    return redirect(url_for("delivery.record", record_id=delivery.id) if delivery else url_for("delivery.desk"))


@bp.post("/staff/delivery/ratings/<int:rating_id>/hide")
@requires(can_manage_delivery)
def hide_rating(rating_id: int):
    """Hide a rating, with a reason."""
    rating = db.get_or_404(DeliveryRating, rating_id)
    form = HideForm()
    if form.validate():
        if attempt(lambda: services.hide_rating(current_user, rating, form.reason.data)).ok:
            flash(_("The rating is hidden."), "success")
    else:
        flash(_("Give the reason for hiding it."), "error")
    return redirect(url_for("delivery.record", record_id=rating.record_id))


@bp.route("/staff/delivery/municipalities/<int:municipality_id>/policy", methods=["GET", "POST"])
@requires(can_manage_delivery)
def policy(municipality_id: int):
    """The municipality's spending tolerance."""
    municipality = db.get_or_404(Municipality, municipality_id)
    form = PolicyForm(data={"tolerance": Decimal(services.tolerance_of(municipality.id)) / 100})
    if request.method == "POST":
        form = PolicyForm()
        if form.validate():
            points = form.tolerance.data * 100
            if points != points.to_integral_value():
                form.tolerance.errors = [_("Give the share with at most two decimals.")]
            elif attempt(lambda: services.set_tolerance(current_user, municipality.id, int(points)), form).ok:
                flash(_("The delivery policy is saved."), "success")
                return redirect(url_for("delivery.policy", municipality_id=municipality.id))
        return render_template("delivery/policy.html", municipality=municipality, form=form), 422
    return render_template("delivery/policy.html", municipality=municipality, form=form)


# -- public ----------------------------------------------------------------------------------------------------


def _process_or_404(municipality: str, slug: str) -> Process:
    process = process_queries.process_by_slug(municipality, slug)
    if process is None:
        abort(404)
    return process


@bp.get("/m/<municipality>/<slug>/delivery")
@public
@cached_for_visitors()
def edition(municipality: str, slug: str):
    """From vote to delivery: each adopted project's status, money and timeline, and what was delivered."""
    process = _process_or_404(municipality, slug)
    rows = queries.adopted_rows(process)
    return render_template("delivery/edition.html", process=process, rows=rows,
                           carry_overs=queries.carry_overs(process, rows),
                           value=queries.edition_value(process, rows), deadline=queries.deadline(process),
                           districts={d.code: d.name for d in process.municipality.districts})


CSV_COLUMNS = ["project_code", "project_title", "district", "categories", "department", "status", "status_reason",
               "decision_reference", "planned_start_on", "planned_end_on", "actual_start_on", "actual_end_on",
               "voted", "committed", "spent", "spending_explanation", "milestones_done", "milestones_total",
               "last_update", "overdue", "co_producers"]


@bp.get("/m/<municipality>/<slug>/delivery.csv")
@public
def edition_csv(municipality: str, slug: str):
    """Every adopted project's delivery record as CSV (amounts in minor units of the currency)."""
    process = _process_or_404(municipality, slug)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in queries.adopted_rows(process):
        r, p = row.record, row.project
        writer.writerow([
            p.code, p.title, p.district.code if p.district else "", ",".join(p.category_names),
            r.department if r else "", row.status.value if row.status else "", r.status_reason if r else "",
            r.decision_reference if r else "",
            *[(getattr(r, name).isoformat() if r and getattr(r, name) else "")
              for name in ("planned_start_on", "planned_end_on", "actual_start_on", "actual_end_on")],
            p.cost, r.committed if r else 0, r.spent if r else 0, r.spending_explanation if r else "",
            row.milestones_done, row.milestones_total,
            row.last_update_at.date().isoformat() if row.last_update_at else "",
            "yes" if row.lateness.is_overdue else "no", len(row.co_producers)])
    response = make_response(out.getvalue())
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="delivery-{process.slug}.csv"'
    return response


@bp.get("/delivery/photos/<int:photo_id>")
@public
def photo(photo_id: int):
    """One delivery picture, with its stored type; browsers must not guess another."""
    stored = db.get_or_404(DeliveryPhoto, photo_id)
    project = db.session.get(Project, db.session.get(DeliveryRecord, stored.record_id).project_id)
    if project.hidden_at is not None:
        abort(404)
    response = make_response(stored.data)
    response.headers["Content-Type"] = stored.content_type
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["ETag"] = f'"{stored.sha256}"'
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.headers["Content-Disposition"] = "inline"
    return response


def _public_project(project_id: int) -> Project:
    project = db.get_or_404(Project, project_id)
    if project.hidden_at is not None or project.status is ProjectStatus.DRAFT:
        abort(404)
    return project


@bp.route("/projects/<int:project_id>/co-production", methods=["GET", "POST"])
@requires(is_signed_in)
def offer(project_id: int):
    """A resident offers to co-design, co-implement or maintain an adopted project."""
    project = _public_project(project_id)
    process = db.session.get(Process, project.process_id)
    form = OfferForm()
    if request.method == "POST":
        if form.validate() and attempt(lambda: services.offer_co_production(current_user, project, form.to_input()),
                                       form).ok:
            flash(_("Thank you: the council will answer your offer."), "success")
            return redirect(url_for("proposals.project", project_id=project.id))
        return render_template("delivery/offer.html", project=project, process=process, form=form), 422
    return render_template("delivery/offer.html", project=project, process=process, form=form)


@bp.post("/projects/<int:project_id>/delivery/rating")
@requires(is_signed_in)
def rate(project_id: int):
    """Rate a delivered project once."""
    project = _public_project(project_id)
    delivery = queries.record_of(project.id)
    if delivery is None:
        abort(404)
    form = RatingForm()
    if form.validate():
        if attempt(lambda: services.rate(current_user, delivery, int(form.score.data), form.comment.data or "")).ok:
            flash(_("Thank you for your rating."), "success")
    else:
        flash(_("Choose a rating from 1 to 5."), "error")
    return redirect(url_for("proposals.project", project_id=project.id) + "#delivery-heading")


@bp.post("/projects/<int:project_id>/delivery/mail")
@requires(is_signed_in)
def mail_choice(project_id: int):
    """Ask for (or stop) e-mail about the project's delivery."""
    project = _public_project(project_id)
    wanted = request.form.get("wanted") == "yes"
    if attempt(lambda: services.set_mail_opt_in(current_user, project, wanted)).ok:
        flash(_("You will get an e-mail when its delivery moves.") if wanted
              else _("You will get no more e-mail about its delivery."), "success")
    return redirect(url_for("proposals.project", project_id=project.id) + "#delivery-heading")



