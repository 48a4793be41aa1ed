"""Submitting and editing projects: every rule is checked before anything is written, so an error
stores nothing; the caller commits once."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from pb.accounts.models import Role, User
from pb.accounts.permissions import can_manage_processes, check_works_in
from pb.audit.services import record
from pb.core.db import utcnow
from pb.core.mail import Message, queue
from pb.core.money import format_money, minor_units
from pb.core.urls import external_url
from pb.errors import InvalidTransition, NotAllowed, ValidationError
from pb.extensions import db
from pb.processes.models import Pool, Process
from pb.processes.services import Action, lock_process, require_phase
from pb.proposals.images import MAX_IMAGES, ImageUpload, PreparedImage, prepare_images
from pb.proposals.models import (Project, ProjectBeneficiary, ProjectCategory, ProjectCoauthor, ProjectImage,
                                 ProjectOrigin, ProjectStatus, ProjectVersion)
from pb.proposals.permissions import can_edit_project, can_propose
from pb.review.services import revision_deadline

TITLE_MAX = 200
SUMMARY_MAX = 500
DESCRIPTION_MAX = 20_000
MAX_COAUTHORS = 10


@dataclass(frozen=True)
class ProposalInput:
    """What a resident entered for a project, as the form read it (shape checked, rules not yet)."""

    title: str
    summary: str
    description: str
    cost: str
    pool_id: int | None
    categories: tuple[str, ...] = ()
    beneficiaries: tuple[str, ...] = ()
    latitude: float | None = None
    longitude: float | None = None
    # None leaves the co-authors as they are (a co-author editing cannot change them).
    coauthor_emails: tuple[str, ...] | None = ()
    images: tuple[ImageUpload, ...] = ()
    remove_image_ids: tuple[int, ...] = ()
    publish: bool = False


@dataclass
class _Checked:
    """The input after every rule passed: what will be written."""

    title: str
    summary: str
    description: str
    cost: int
    pool: Pool
    categories: list[str]
    beneficiaries: list[str]
    latitude: float | None
    longitude: float | None
    # The co-authors' addresses as listed (None: leave them as they are).
    coauthor_emails: list[str] | None
    images: list[PreparedImage] = field(default_factory=list)


def parse_cost(text: str, currency: str) -> int:
    """A cost typed in major units (e.g. "12500.50") as integer minor units; refuses what is not a positive
    amount with at most the currency's decimals."""
    cleaned = (text or "").strip().replace(" ", "").replace("\u00a0", "")
    if not cleaned:
        raise ValidationError("cost", _("Enter the estimated cost."))
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    if not re.fullmatch(r"-?\d{1,15}(\.\d+)?", cleaned):
        raise ValidationError("cost", _("Enter the cost as a number, like 12500 or 12500.50."))
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise ValidationError("cost", _("Enter the cost as a number, like 12500 or 12500.50.")) from None
    if amount <= 0:
        raise ValidationError("cost", _("The cost must be more than zero."))
    units = minor_units(currency)
    minor = amount * units
    if minor != minor.to_integral_value():
        digits = len(str(units)) - 1
        if digits == 0:
            raise ValidationError("cost", _("Enter the cost in whole %(currency)s, without decimals.",
                                            currency=currency))
        raise ValidationError("cost", _("Enter at most %(digits)d decimals for %(currency)s.",
                                        digits=digits, currency=currency))
    return int(minor)


def check_proposal(actor: User, process: Process, data: ProposalInput, *, project: Project | None = None) -> _Checked:
    """Apply every rule to the input; raise the first ValidationError found."""
    title = (data.title or "").strip()
    summary = (data.summary or "").strip()
    description = (data.description or "").strip()
    if not title:
        raise ValidationError("title", _("Enter a title."))
    if len(title) > TITLE_MAX:
        raise ValidationError("title", _("The title is too long: at most %(max)d characters.", max=TITLE_MAX))
    if not summary:
        raise ValidationError("summary", _("Enter a short summary."))
    if len(summary) > SUMMARY_MAX:
        raise ValidationError("summary", _("The summary is too long: at most %(max)d characters.", max=SUMMARY_MAX))
    if len(description) > DESCRIPTION_MAX:
        raise ValidationError("description", _("The description is too long: at most %(max)d characters.",
                                               max=DESCRIPTION_MAX))
    pool = next((p for p in process.pools if p.id == data.pool_id), None)
    if pool is None:
        raise ValidationError("pool_id", _("Choose the district, or city-wide."))
    cost = parse_cost(data.cost, process.currency)
    if process.max_project_cost is not None and cost > process.max_project_cost:
        raise ValidationError("cost", _("The cost is above the most a project may cost in this process (%(max)s).",
                                        max=format_money(process.max_project_cost, process.currency, _locale())))
    if cost > pool.amount:
        raise ValidationError("cost", _("The cost is above the whole budget of “%(pool)s” (%(amount)s).",
                                        pool=pool.name, amount=format_money(pool.amount, process.currency, _locale())))
    unknown = [c for c in data.categories if c not in process.categories]
    if unknown:
        raise ValidationError("categories", _("Choose categories from the list."))
    unknown = [b for b in data.beneficiaries if b not in process.beneficiary_groups]
    if unknown:
        raise ValidationError("beneficiaries", _("Choose beneficiary groups from the list."))
    if (data.latitude is None) != (data.longitude is None):
        raise ValidationError("latitude", _("Give both the latitude and the longitude, or neither."))
    if data.latitude is not None and not -90 <= data.latitude <= 90:
        raise ValidationError("latitude", _("The latitude is between -90 and 90."))
    if data.longitude is not None and not -180 <= data.longitude <= 180:
        raise ValidationError("longitude", _("The longitude is between -180 and 180."))
    coauthors = None if data.coauthor_emails is None else _coauthor_addresses(actor, data.coauthor_emails)
    kept = 0
    if project is not None:
        kept = len([i for i in _image_ids(project) if i not in data.remove_image_ids])
    if kept + len(data.images) > MAX_IMAGES:
        raise ValidationError("images", _("A project has at most %(max)d images.", max=MAX_IMAGES))
    images = prepare_images(data.images)
    return _Checked(title=title, summary=summary, description=description, cost=cost, pool=pool,
                    categories=sorted(set(data.categories)), beneficiaries=sorted(set(data.beneficiaries)),
                    latitude=data.latitude, longitude=data.longitude, coauthor_emails=coauthors, images=images)


def _locale() -> str:
    """The language of the messages, for amounts inside them."""
    return str(get_locale() or "en")


def _coauthor_addresses(actor: User, emails: tuple[str, ...]) -> list[str]:
    """The co-authors' addresses as listed, lower-cased, without the author's own and without repeats.

    Whether an address has an account is never said here: an address is only invited (``_set_coauthors``).
    """
    wanted = []
    for email in emails:
        email = email.strip().lower()
        if email and email not in wanted and email != actor.email.lower():
            wanted.append(email)
    if len(wanted) > MAX_COAUTHORS:
        raise ValidationError("coauthors", _("A project has at most %(max)d co-authors.", max=MAX_COAUTHORS))
    return wanted


_INVITE_SALT = "pb co-author invitation"
INVITE_MAX_AGE = 14 * 24 * 3600


def _invitations() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_INVITE_SALT)


def invitation_for(token: str) -> tuple[int, int] | None:
    """The (project id, account id) a co-author invitation link is for, while it is valid (14 days)."""
    try:
        data = _invitations().loads(token, max_age=INVITE_MAX_AGE)
    except (BadSignature, SignatureExpired):
        return None
    if not (isinstance(data, dict) and isinstance(data.get("p"), int) and isinstance(data.get("u"), int)):
        return None
    return data["p"], data["u"]


def accept_invitation(actor: User, project: Project, token: str) -> None:
    """The invited resident becomes a co-author of the project by following their link and accepting."""
    if invitation_for(token) != (project.id, getattr(actor, "id", None)):
        raise NotAllowed(_("This invitation is not valid for your account, or it has expired. Ask the project's "
                           "author to invite you again."))
    if not can_propose(actor):
        raise NotAllowed(_("Only residents can be co-authors of a project."))
    if project.author_id == actor.id or db.session.get(ProjectCoauthor, (project.id, actor.id)) is not None:
        return
    count = db.session.scalar(sa.select(sa.func.count()).select_from(ProjectCoauthor)
                              .where(ProjectCoauthor.project_id == project.id))
    if count >= MAX_COAUTHORS:
        raise InvalidTransition(_("A project has at most %(max)d co-authors.", max=MAX_COAUTHORS))
    db.session.add(ProjectCoauthor(project_id=project.id, user_id=actor.id))
    db.session.flush()


def _image_ids(project: Project) -> list[int]:
    return list(db.session.execute(
        sa.select(ProjectImage.id).where(ProjectImage.project_id == project.id)).scalars())


def _next_code(process: Process) -> str:
    """The next free number of the process, as the project's code."""
    number = db.session.execute(
        sa.select(sa.func.count()).select_from(Project).where(Project.process_id == process.id)).scalar_one() + 1
    existing = set(db.session.execute(
        sa.select(Project.code).where(Project.process_id == process.id)).scalars())
    while str(number) in existing:
        number += 1
    return str(number)


def _lock(process: Process) -> None:
    """Serialise submissions to one process (codes and per-resident limits); SQLite serialises writers anyway."""
    lock_process(process)


def _apply(project: Project, checked: _Checked) -> None:
    project.title = checked.title
    project.summary = checked.summary
    project.description = checked.description
    project.cost = checked.cost
    project.estimated_cost = checked.cost
    project.pool_id = checked.pool.id
    project.district_id = checked.pool.district_id
    project.latitude = checked.latitude
    project.longitude = checked.longitude
    project.categories = [ProjectCategory(category=c) for c in checked.categories]
    project.beneficiaries = [ProjectBeneficiary(group=b) for b in checked.beneficiaries]


def _store_images(project: Project, images: list[PreparedImage]) -> None:
    start = db.session.execute(sa.select(sa.func.coalesce(sa.func.max(ProjectImage.position), -1))
                               .where(ProjectImage.project_id == project.id)).scalar_one() + 1
    for offset, image in enumerate(images):
        db.session.add(ProjectImage(project_id=project.id, position=start + offset, content_type=image.content_type,
                                    data=image.data, byte_size=len(image.data), width=image.width,
                                    height=image.height, sha256=image.sha256))


def _set_coauthors(project: Project, emails: list[str]) -> None:
    """Keep the co-authors still listed, drop the others, and mail an invitation to each new address that belongs
    to a resident's account (nothing to the others). The author is told the same whatever the answer: an address
    becomes a co-author only when its owner accepts (issue 18: the form told whether an address had an account).
    """
    current = dict(db.session.execute(
        sa.select(sa.func.lower(User.email), User.id).join(ProjectCoauthor, ProjectCoauthor.user_id == User.id)
        .where(ProjectCoauthor.project_id == project.id)).all())
    dropped = [user_id for email, user_id in current.items() if email not in emails]
    if dropped:
        db.session.execute(sa.delete(ProjectCoauthor).where(ProjectCoauthor.project_id == project.id,
                                                            ProjectCoauthor.user_id.in_(dropped)))
    new = [email for email in emails if email not in current]
    if not new:
        return
    invited = db.session.scalars(sa.select(User).where(
        sa.func.lower(User.email).in_(new), User.role == Role.RESIDENT, User.blocked_at.is_(None),
        User.id != project.author_id)).all()
    author = db.session.get(User, project.author_id)
    for user in invited:
        token = _invitations().dumps({"p": project.id, "u": user.id})
        with force_locale(user.locale or "en"):
            queue(db.session, Message(to=user.email, subject=_("An invitation to co-author a project on pb"), body=_(
                "%(name)s invites you to propose the project “%(title)s” with them. Open this link to accept, "
                "signed in to your account: %(url)s\n\nIf you do not know them, ignore this mail.",
                name=author.display_name if author else _("A resident"), title=project.title,
                url=external_url("proposals.accept_invitation", project_id=project.id, token=token))))


def submit_project(actor: User, process: Process, data: ProposalInput) -> Project:
    """A resident's new project, saved as a draft or published; refused outside the proposals phase."""
    if not can_propose(actor):
        raise NotAllowed(_("Only residents can propose projects."))
    require_phase(process, Action.PROPOSE)
    checked = check_proposal(actor, process, data)
    _lock(process)
    if process.max_proposals_per_resident is not None:
        count = db.session.execute(
            sa.select(sa.func.count()).select_from(Project).where(
                Project.process_id == process.id, Project.author_id == actor.id,
                Project.status != ProjectStatus.WITHDRAWN)).scalar_one()
        if count >= process.max_proposals_per_resident:
            raise NotAllowed(_("You have already proposed %(count)d projects, the most this process allows.",
                               count=process.max_proposals_per_resident))
    project = Project(process_id=process.id, code=_next_code(process), author_id=actor.id,
                      status=ProjectStatus.DRAFT)
    _apply(project, checked)
    if data.publish:
        project.status = ProjectStatus.PUBLISHED
        project.published_at = utcnow()
    db.session.add(project)
    db.session.flush()
    _store_images(project, checked.images)
    _set_coauthors(project, checked.coauthor_emails or [])
    db.session.flush()
    return project


def _snapshot(project: Project) -> dict:
    return {"title": project.title, "summary": project.summary, "description": project.description,
            "cost": project.cost, "district_id": project.district_id, "pool_id": project.pool_id,
            "categories": sorted(project.category_names), "beneficiaries": sorted(project.beneficiary_names),
            "latitude": project.latitude, "longitude": project.longitude}


def update_project(actor: User, project: Project, data: ProposalInput) -> Project:
    """An author's or co-author's edit; after publication the previous state is kept as a version."""
    if not can_edit_project(actor, project):
        raise NotAllowed(_("Only the authors of this project can change it, and only before its review."))
    process = db.session.get(Process, project.process_id)
    # A review that asked for changes lets the authors revise until its deadline, after the proposals phase.
    revising = revision_deadline(project) is not None
    if not revising:
        require_phase(process, Action.EDIT_PROPOSAL)
    if project.author_id != actor.id:
        data = ProposalInput(**{**data.__dict__, "coauthor_emails": None})
    checked = check_proposal(actor, process, data, project=project)
    before = _snapshot(project)
    after = {"title": checked.title, "summary": checked.summary, "description": checked.description,
             "cost": checked.cost, "district_id": checked.pool.district_id, "pool_id": checked.pool.id,
             "categories": checked.categories, "beneficiaries": checked.beneficiaries,
             "latitude": checked.latitude, "longitude": checked.longitude}
    # Only a change of what a version keeps makes a new version (adding an image alone does not).
    if project.status is not ProjectStatus.DRAFT and after != before:
        db.session.add(ProjectVersion(
            project_id=project.id, version=project.version, title=project.title, summary=project.summary,
            description=project.description, cost=project.cost, district_id=project.district_id,
            categories=before["categories"], beneficiaries=before["beneficiaries"],
            latitude=project.latitude, longitude=project.longitude, edited_by_id=actor.id))
        project.version += 1
    elif project.status is ProjectStatus.DRAFT and data.publish:
        project.status = ProjectStatus.PUBLISHED
        project.published_at = utcnow()
    _apply(project, checked)
    if revising:
        # Back to the reviewers, who check the revised project (pb.review.services.record_review).
        project.status = ProjectStatus.UNDER_REVIEW
    if data.remove_image_ids:
        db.session.execute(sa.delete(ProjectImage).where(ProjectImage.project_id == project.id,
                                                         ProjectImage.id.in_(data.remove_image_ids)))
    _store_images(project, checked.images)
    if checked.coauthor_emails is not None:
        _set_coauthors(project, checked.coauthor_emails)
    db.session.flush()
    return project


def enter_project(actor: User, process: Process, data: ProposalInput, *, origin: ProjectOrigin,
                  author_name: str = "") -> Project:
    """A project a clerk enters for a department or for a resident who handed in a paper form; published at
    once, so that it is reviewed like every other, and marked with where it came from. Possible until voting
    opens (after that no new project can reach the ballot)."""
    if not can_manage_processes(actor):
        raise NotAllowed(_("Only a clerk can enter projects for departments or from paper forms."))
    check_works_in(actor, process.municipality_id)
    if origin not in (ProjectOrigin.PAPER_FORM, ProjectOrigin.DEPARTMENT):
        raise ValidationError("origin", _("Say whether a resident's paper form or a department proposes it."))
    if process.voting_has_started():
        raise NotAllowed(_("Voting has started: a project entered now could not reach the ballot."))
    name = (author_name or "").strip()
    if len(name) > 200:
        raise ValidationError("author_name", _("The name is too long: at most %(max)d characters.", max=200))
    checked = check_proposal(actor, process, ProposalInput(**{**data.__dict__, "coauthor_emails": ()}))
    _lock(process)
    project = Project(process_id=process.id, code=_next_code(process), author_id=None, origin=origin,
                      author_name=name or None, entered_by_id=actor.id, status=ProjectStatus.PUBLISHED,
                      published_at=utcnow())
    _apply(project, checked)
    db.session.add(project)
    db.session.flush()
    _store_images(project, checked.images)
    db.session.flush()
    record(db.session, actor, "project.enter", "project", project.id, after={
        "process": process.id, "code": project.code, "origin": origin, "author_name": project.author_name,
        **_snapshot(project)})
    return project
