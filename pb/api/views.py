"""The read-only open data API: processes and their public projects as JSON, never personal data."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify

from pb.accounts.permissions import public
from pb.core.db import utcnow
from pb.core.page_cache import cached_for_visitors
from pb.delivery.queries import api_summaries
from pb.extensions import db
from pb.processes.models import Process
from pb.processes.phases import current_phase
from pb.proposals import queries

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _process_json(process: Process, now) -> dict:
    phase = current_phase(process.phases, now)
    return {
        "id": process.id,
        "municipality": process.municipality.slug,
        "slug": process.slug,
        "name": process.name,
        "fiscal_year": process.fiscal_year,
        "currency": process.currency,
        "total_amount": process.total_amount,
        "current_phase": phase.kind.value if phase else None,
        "phases": [{"kind": p.kind.value, "starts_at": p.starts_at.isoformat(), "ends_at": p.ends_at.isoformat()}
                   for p in process.phases],
        "pools": [{"id": pool.id, "name": pool.name, "amount": pool.amount,
                   "district": pool.district.code if pool.district else None} for pool in process.pools],
    }


@bp.get("/processes")
@public
@cached_for_visitors()
def processes():
    """Every process, with its phases and pools; amounts in minor units of its currency."""
    now = utcnow()
    return jsonify({"processes": [_process_json(p, now) for p in queries.public_process_list()]})


@bp.get("/processes/<int:process_id>/projects")
@public
@cached_for_visitors()
def process_projects(process_id: int):
    """The public projects of a process (no drafts, nothing hidden), with support counts and review outcomes."""
    process = db.session.get(Process, process_id)
    if process is None:
        abort(404)
    rows = queries.public_projects_with_supports(process)
    reviews = queries.latest_reviews([project.id for project, _ in rows])
    deliveries = api_summaries([project.id for project, _ in rows])
    projects = []
    for project, supports in rows:
        review = reviews.get(project.id)
        projects.append({
            "id": project.id,
            "code": project.code,
            "title": project.title,
            "summary": project.summary,
            "cost": project.cost,
            "currency": process.currency,
            "district": project.district.code if project.district else None,
            "categories": project.category_names,
            "beneficiaries": project.beneficiary_names,
            "status": project.status.value,
            "latitude": project.latitude,
            "longitude": project.longitude,
            "supports": supports,
            "review": None if review is None else {
                "feasibility": review.feasibility.value,
                "public_reason": review.public_reason or None,
            },
            # None until the council adopts the project and a clerk opens its delivery record.
            "delivery": deliveries.get(project.id),
        })
    return jsonify({"process": {"id": process.id, "name": process.name, "currency": process.currency},
                    "projects": projects})
