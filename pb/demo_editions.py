"""The demo's editions that run around today, each made from a set-up file in ``pb/demo_data`` by the same
services as ``flask --app pb process create``: Kalamata in its proposals phase and Nea Akti in its
deliberation phase (supports), so that a newcomer can try every resident action.

Everything here is invented: the residents, their projects and comments.
"""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from pb.accounts.models import Role, User
from pb.accounts.passwords import hash_password
from pb.accounts.services import find_user, grant_municipalities
from pb.core.db import utcnow
from pb.deliberation.forms import CommentInput
from pb.deliberation.models import Stance
from pb.deliberation.services import add_comment, support_project
from pb.extensions import db
from pb.processes.models import Municipality, Process
from pb.proposals.models import Feasibility, Project, ProjectOrigin, ProjectStatus, Review
from pb.proposals.services import ProposalInput, enter_project, submit_project
from pb.setup import files, services

DEMO_DATA = Path(__file__).resolve().parent / "demo_data"

# Kalamata: title, summary, cost in euro, district code (None: city-wide), categories; the first three come from
# residents' accounts, the last two were entered by the clerk (a paper form, a department).
KALAMATA_PROJECTS = (
    ("Σκιερές στάσεις λεωφορείων / Shaded bus stops", "Στέγαστρα και παγκάκια σε 12 στάσεις. / Shelters and "
     "benches at 12 stops.", 84_000, None, ("κυκλοφορία",)),
    ("Δέντρα στην παραλιακή / Trees on the seafront road", "60 δέντρα με άρδευση. / 60 trees with irrigation.",
     45_000, "paralia", ("πράσινο",)),
    ("Θερινό σινεμά στο πάρκο / Open-air cinema in the park", "Οθόνη και ήχος για 20 προβολές. / A screen and "
     "sound for 20 screenings.", 30_000, None, ("πολιτισμός",)),
    ("Ράμπα προς τη θάλασσα / A ramp down to the sea", "Πρόσβαση για αναπηρικά αμαξίδια. / Access for "
     "wheelchairs.", 38_000, "paralia", ("κυκλοφορία",)),
    ("Ποδηλατόδρομος κέντρου / A cycle lane in the centre", "1,5 km ποδηλατόδρομου. / 1.5 km of cycle lane.",
     160_000, None, ("κυκλοφορία", "πράσινο")),
)

# Where some of the projects would be (latitude, longitude; None for a project all over the city), inside the
# demo's invented district boundaries (pb/demo_data/boundaries).
KALAMATA_LOCATIONS = (None, (37.0205, 22.1180), (37.0425, 22.1130), (37.0190, 22.1020), None)
NEA_AKTI_LOCATIONS = ((37.9585, 22.9500), (37.9420, 22.9560), (37.9500, 22.9380), None, (37.9720, 22.9530),
                      (37.9660, 22.9450))

# Nea Akti: title, cost in euro, pool ("city" or a district code), category; all reviewed as feasible.
NEA_AKTI_PROJECTS = (
    ("Παιδική χαρά στην πλατεία / A playground on the square", 60_000, "city", "public space"),
    ("Ηλιακά φωτιστικά στον παραλιακό / Solar lamps on the promenade", 45_000, "city",
     "environmental protection"),
    ("Δημοτικός λαχανόκηπος / A community vegetable garden", 25_000, "city", "urban greenery"),
    ("Κοινόχρηστα ποδήλατα / Shared bicycles", 90_000, "city", "public transit and roads"),
    ("Γήπεδο μπάσκετ Βορρά / A basketball court in the North", 30_000, "vorras", "sport"),
    ("Βιβλιοθήκη στο ΚΑΠΗ / A library in the seniors' centre", 12_000, "vorras", "culture"),
)


def days_ago_at_midnight(days: int, zone: str = "Europe/Athens") -> dt.datetime:
    """Midnight, in the municipality's time zone, ``days`` days before today: phases begin as a day begins."""
    local = utcnow().astimezone(ZoneInfo(zone)).date() - dt.timedelta(days=days)
    return dt.datetime.combine(local, dt.time(), ZoneInfo(zone)).astimezone(dt.UTC)


# The demo's clerk and legal officer work in every demo municipality; the clerk of Assen only there.
DEMO_STAFF_EVERYWHERE = ("clerk@example.org", "legal@example.org")
DEMO_STAFF_OF = {"clerk.assen@example.org": ("assen",)}


def grant_demo_municipalities() -> list[str]:
    """Give the demo staff the municipalities the demo has so far (each edition's services check them)."""
    done = []
    everything = list(db.session.scalars(sa.select(Municipality).order_by(Municipality.name)))
    wanted = {email: everything for email in DEMO_STAFF_EVERYWHERE}
    wanted.update({email: [m for m in everything if m.slug in slugs] for email, slugs in DEMO_STAFF_OF.items()})
    for email, municipalities in wanted.items():
        user = find_user(email)
        if user is None or not municipalities or (not user.all_municipalities and user.municipality_ids == {
                m.id for m in municipalities}):
            continue
        grant_municipalities(None, user, municipalities)
        done.append(f"account {email}: works in {', '.join(m.name for m in municipalities)}")
    return done


def create_demo_edition(filename: str, phase: str, starts: dt.datetime) -> Process:
    """The edition a demo file describes, with its phases moved so that ``phase`` starts at ``starts``; the demo
    staff are granted its municipality."""
    edition = files.read_edition_file((DEMO_DATA / filename).read_text(encoding="utf-8"), DEMO_DATA
                                      ).moved(phase, starts)
    process, _done = files.create_from_file(None, edition, list(current_app.config["PB_LOCALES"]), via="demo")
    grant_demo_municipalities()
    return process


def _residents(domain: str, count: int) -> list[User]:
    """Demo residents who cannot sign in (no one knows their passwords)."""
    unusable = hash_password(secrets.token_urlsafe(32))
    people = []
    for number in range(1, count + 1):
        user = User(email=f"resident{number}@{domain}", password_hash=unusable, role=Role.RESIDENT,
                    display_name=f"Resident {number}", email_confirmed_at=utcnow())
        db.session.add(user)
        people.append(user)
    db.session.flush()
    return people


def _pool_id(process: Process, district: str | None) -> int:
    return next(pool.id for pool in process.pools if (pool.district.code if pool.district else None) == district)


def build_proposals_edition(clerk: User) -> str:
    """Kalamata 2027, its proposals phase open since a week ago, with five projects; nothing if it exists."""
    if services.find_municipality("kalamata") is not None:
        return ""
    process = create_demo_edition("kalamata-2027.toml", "proposals", days_ago_at_midnight(7))
    authors = _residents("kalamata.example", 3)
    for number, (title, summary, euros, district, categories) in enumerate(KALAMATA_PROJECTS):
        latitude, longitude = KALAMATA_LOCATIONS[number] or (None, None)
        data = ProposalInput(title=title, summary=summary, description="", cost=str(euros),
                             pool_id=_pool_id(process, district), categories=categories, latitude=latitude,
                             longitude=longitude, publish=True)
        if number < len(authors):
            submit_project(authors[number], process, data)
        else:
            origin = ProjectOrigin.PAPER_FORM if number == len(authors) else ProjectOrigin.DEPARTMENT
            enter_project(clerk, process, data, origin=origin,
                          author_name="Μ. Παπαδάκη" if origin is ProjectOrigin.PAPER_FORM
                          else "Διεύθυνση Τεχνικών Υπηρεσιών (Technical services)")
    return "Kalamata 2027: proposals open now (propose a project as the demo resident)"


def build_supports_edition(clerk: User) -> str:
    """Nea Akti 2027, its deliberation phase (supports) open since three days ago, with reviewed projects,
    supports and comments; nothing if it exists."""
    if services.find_municipality("nea-akti") is not None:
        return ""
    started = days_ago_at_midnight(3)
    process = create_demo_edition("nea-akti-2027.toml", "deliberation", started)
    projects = []
    for (title, euros, pool_key, category), place in zip(NEA_AKTI_PROJECTS, NEA_AKTI_LOCATIONS, strict=True):
        latitude, longitude = place or (None, None)
        data = ProposalInput(title=title, summary=title.split(" / ")[-1] + ".", description="",
                             cost=str(euros), pool_id=_pool_id(process, None if pool_key == "city" else pool_key),
                             categories=(category,), latitude=latitude, longitude=longitude, publish=True)
        projects.append(_entered_before(process, clerk, data, started))
    residents = _residents("nea-akti.example", 8)
    for number, resident in enumerate(residents):
        for project in projects[number % 3: number % 3 + 2]:
            support_project(resident, project)
    add_comment(residents[0], projects[0], CommentInput("Επιτέλους! Τα παιδιά δεν έχουν πού να παίξουν. / "
                                                        "At last: the children have nowhere to play.", Stance.FOR))
    add_comment(residents[1], projects[3], CommentInput("Ποιος θα συντηρεί τα ποδήλατα; / Who will maintain the "
                                                        "bicycles?", None))
    return "Nea Akti 2027: supports open now (support and discuss projects as the demo resident)"


def _entered_before(process: Process, clerk: User, data: ProposalInput, started: dt.datetime) -> Project:
    """A department's project that was entered during the proposals phase and reviewed as feasible."""
    # The phases were moved around today, so the proposals phase is over: enter it as the clerk did then.
    project = enter_project(clerk, process, data, origin=ProjectOrigin.DEPARTMENT,
                            author_name="Διεύθυνση Περιβάλλοντος (Environment department)")
    project.status = ProjectStatus.ON_BALLOT
    project.published_at = started - dt.timedelta(days=40)
    db.session.add(Review(project_id=project.id, reviewer_id=clerk.id, feasibility=Feasibility.FEASIBLE,
                          legally_compliant=True, public_reason="Εφικτό. / Feasible.",
                          created_at=started - dt.timedelta(days=5)))
    db.session.flush()
    return project
