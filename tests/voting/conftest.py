"""A process whose vote is open now, with a register, a district pool and projects on both ballots."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

REGISTER = """reference,birth_year,district
AB-1001,1980,north
AB-1002,1975,north
AB-1003,2015,north
AB-1004,1990,
AB-1005,1960,north
"""


@pytest.fixture
def voting_world(db, make_user, make_process, make_project, put_mandate_in_force):
    """Process "vote" (voting open until 14 days from now, budget 100,000.00 EUR city-wide, 40,000.00 for North),
    five projects in the city-wide pool and two in North's, the register above, a clerk and two residents,
    the first verified as AB-1001."""
    from types import SimpleNamespace

    from pb.processes.models import BallotKind, Pool
    from pb.voting import services

    process = make_process(slug="vote", vote_in_days=-1, collect_demographics=True)
    put_mandate_in_force(process)
    north = process.municipality.districts[0]
    city = process.pools[0]
    district_pool = Pool(process_id=process.id, district_id=north.id, name="North", amount=4_000_000,
                         ballot_kind=BallotKind.APPROVAL, min_choices=1, max_choices=2)
    db.session.add(district_pool)
    db.session.commit()
    # The vote is already open, when pools can no longer change: set the city-wide rules beneath the ORM.
    db.session.execute(sa.update(Pool).where(Pool.id == city.id).values(ballot_kind=BallotKind.KNAPSACK,
                                                                        amount=10_000_000))
    db.session.commit()
    db.session.refresh(city)
    costs = [4_000_000, 3_000_000, 2_500_000, 5_000_000, 1_000_000]
    projects = [make_project(process, status="on_ballot", cost=cost, code=f"C{i}") for i, cost in enumerate(costs, 1)]
    north_projects = [make_project(process, status="on_ballot", cost=cost, code=f"N{i}")
                      for i, cost in enumerate((1_500_000, 2_000_000), 1)]
    for project in north_projects:
        project.pool_id = district_pool.id
    db.session.commit()
    clerk = make_user(role="clerk")
    services.import_register(clerk, process, REGISTER)
    resident, other = make_user(), make_user()
    services.verify_by_register(resident, process, "AB-1001", 1980)
    db.session.commit()
    return SimpleNamespace(process=process, city=city, north=district_pool, projects=projects,
                           north_projects=north_projects, clerk=clerk, resident=resident, other=other)
