"""The project list: filters, sort, word search and pages; hidden projects and drafts are never listed."""

from __future__ import annotations

import re

from pb.core.db import utcnow
from pb.deliberation.models import Support
from pb.proposals.models import ProjectBeneficiary


def _titles(client, query: str = "") -> list[str]:
    page = client.get(f"/m/testville/2026/projects{query}").get_data(as_text=True)
    return re.findall(r'<h3><a href="/projects/\d+">([^<]+)</a></h3>', page)


def test_filters_search_and_visibility(client, db, make_process, make_project):
    process = make_process()
    make_project(process, title="Park benches", summary="Seats by the river", cost=100_000)
    kids = make_project(process, title="Playground", description="Swings for the PARK", cost=900_000)
    kids.beneficiaries = [ProjectBeneficiary(group="children")]
    make_project(process, title="Secret draft park", status="draft")
    make_project(process, title="Hidden park", hidden_at=utcnow(), hidden_reason="Spam")
    make_project(process, title="Feasible library", status="feasible", cost=300_000)
    db.session.commit()
    assert sorted(_titles(client)) == ["Feasible library", "Park benches", "Playground"]
    assert sorted(_titles(client, "?q=park")) == ["Park benches", "Playground"]
    assert _titles(client, "?q=park+river") == ["Park benches"]
    assert _titles(client, "?q=100%25") == []
    assert _titles(client, "?beneficiary=children") == ["Playground"]
    assert _titles(client, "?status=feasible") == ["Feasible library"]
    assert sorted(_titles(client, "?cost_min=2000&cost_max=9000")) == ["Feasible library", "Playground"]
    assert _titles(client, "?category=sport") == []
    assert _titles(client, f"?pool={process.pools[0].id}&sort=cost") == ["Park benches", "Feasible library",
                                                                           "Playground"]
    assert _titles(client, "?sort=cost_desc")[0] == "Playground"
    page = client.get("/m/testville/2026/projects?cost_min=abc&sort=nonsense&page=-3")
    assert page.status_code == 200 and page.get_data(as_text=True).count("<h1") == 1


def test_search_ignores_case_and_accents_in_greek_and_polish(client, db, make_process, make_project):
    process = make_process()
    make_project(process, title="Πάρκο της γειτονιάς", summary="Παγκάκια")
    make_project(process, title="Δημοτική βιβλιοθήκη", description="ΑΝΟΙΧΤΉ ΤΑ ΒΡΆΔΙΑ")
    make_project(process, title="Ścieżka rowerowa w Łodzi")
    db.session.commit()
    assert _titles(client, "?q=πάρκο") == _titles(client, "?q=Πάρκο") == ["Πάρκο της γειτονιάς"]
    assert _titles(client, "?q=ΠΑΡΚΟ") == ["Πάρκο της γειτονιάς"]
    assert _titles(client, "?q=βιβλιοθηκη") == _titles(client, "?q=ΒΙΒΛΙΟΘΉΚΗ") == ["Δημοτική βιβλιοθήκη"]
    assert _titles(client, "?q=ανοιχτη+βραδια") == ["Δημοτική βιβλιοθήκη"]
    assert _titles(client, "?q=sciezka+łodzi") == ["Ścieżka rowerowa w Łodzi"]
    assert _titles(client, "?q=γειτονιας") == ["Πάρκο της γειτονιάς"]  # a final sigma typed as it is
    assert _titles(client, "?q=πάρκα") == []


def test_search_follows_edits_and_bulk_inserts(client, db, make_process, make_project):
    import sqlalchemy as sa

    from pb.proposals.models import Project

    process = make_process()
    project = make_project(process, title="Παιδική χαρά")
    db.session.commit()
    project.summary = "Κούνιες και τσουλήθρα"
    db.session.commit()
    assert _titles(client, "?q=κουνιες") == ["Παιδική χαρά"]
    project.title = "Νέα παιδική χαρά"
    db.session.commit()
    assert _titles(client, "?q=νεα+κουνιες") == ["Νέα παιδική χαρά"]
    # Imports write projects with Core inserts; they are found as well.
    db.session.execute(sa.insert(Project), [{
        "process_id": process.id, "pool_id": project.pool_id, "code": "IMP-1", "title": "Ποδηλατόδρομος",
        "summary": "", "description": "Στην ΠΑΡΑΛΊΑ", "cost": 100, "status": project.status,
        "published_at": project.published_at}])
    db.session.commit()
    assert _titles(client, "?q=παραλια") == ["Ποδηλατόδρομος"]


def test_sorted_by_supports_and_random_order_is_stable(client, db, make_process, make_project, make_user):
    process = make_process()
    projects = [make_project(process, title=f"Project {n:02d}") for n in range(12)]
    for user in (make_user(), make_user()):
        db.session.add(Support(project_id=projects[5].id, user_id=user.id))
    db.session.add(Support(project_id=projects[7].id, user_id=user.id))
    db.session.commit()
    assert _titles(client, "?sort=supported")[:2] == ["Project 05", "Project 07"]
    first = _titles(client, "?sort=random")
    assert first == _titles(client, "?sort=random") and sorted(first) == sorted(p.title for p in projects)
    newest = _titles(client, "?sort=newest")
    assert len(newest) == 12


def test_pages_of_twenty(client, make_process, make_project):
    process = make_process()
    for n in range(45):
        make_project(process, title=f"Item {n:02d}", cost=1000 + n)
    first = _titles(client, "?sort=cost")
    assert len(first) == 20 and first[0] == "Item 00"
    page = client.get("/m/testville/2026/projects?sort=cost&page=3").get_data(as_text=True)
    assert "Page 3 of 3" in page and 'rel="prev"' in page and 'rel="next"' not in page
    assert "sort=cost" in re.search(r'href="([^"]+)" rel="prev"', page).group(1)
    assert len(_titles(client, "?sort=cost&page=3")) == 5
    assert _titles(client, "?sort=cost&page=99") == _titles(client, "?sort=cost&page=3")


def test_project_page_and_process_page_link(client, make_process, make_project):
    process = make_process()
    project = make_project(process, title="Trees", latitude=40.5, longitude=22.9)
    hidden = make_project(process, title="Rude", hidden_at=utcnow(), hidden_reason="Offensive words")
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "Trees" in page and "openstreetmap.org/?mlat=40.5&amp;mlon=22.9" in page and page.count("<h1") == 1
    process_page = client.get("/m/testville/2026").get_data(as_text=True)
    assert f'href="/projects/{project.id}"' in process_page and "Rude" not in process_page
    hidden_page = client.get(f"/projects/{hidden.id}").get_data(as_text=True)
    assert "Offensive words" in hidden_page and "A description" not in hidden_page
