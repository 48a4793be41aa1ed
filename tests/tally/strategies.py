"""Hypothesis strategies for small random elections of every ballot kind, with awkward ids and names."""

from __future__ import annotations

from hypothesis import strategies as st

from pb.tally.election import VOTE_TYPES, WITHDRAWN_COST, Ballot, Election, Project
from pb.tally.pabulib import SECTIONS

#: Ids that real files or careless exporters produce: dots and slashes, leading zeros, a quoted `;`,
#: a quote, unicode, numbers that sort differently as strings, and a section name.
AWKWARD_IDS = ("BO.OM.1/24", "01", "1", "10", "9", "a;b", 'q"uote', "Łódź-7", "c12", "VOTES", "1440")

_WORD = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zs", "Zl", "Zp"), blacklist_characters=","),
    min_size=1,
    max_size=8,
)
#: Free text: spaces, `;`, quotes and line breaks inside, nothing to strip at the ends.
_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\x85\u2028\u2029"),
    max_size=12,
).filter(lambda s: s == s.strip())
#: A comma-free item (category, beneficiary, attribute value, extra column value).
_ITEM = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters=","),
    min_size=1,
    max_size=8,
).filter(lambda s: s == s.strip() and s != "")

_PROJECT_COLUMNS = ("project_id", "cost", "name", "category", "beneficiaries")
_VOTE_COLUMNS = ("voter_id", "vote", "points")


def _amount(units: int, decimals: int) -> str:
    """Cost units as a decimal string with exactly this many decimals."""
    if not decimals:
        return str(units)
    whole, frac = divmod(units, 10**decimals)
    return f"{whole}.{frac:0{decimals}d}"


@st.composite
def elections(
    draw: st.DrawFn,
    vote_types: tuple[str, ...] = VOTE_TYPES,
    max_projects: int = 6,
    max_voters: int = 12,
    weighted: bool = False,
) -> Election:
    """A small election as the parser would return it (weight 1, voter ids), or grouped when weighted.

    The cost scale is the smallest that makes costs and budget whole, as the parser chooses it, so that
    ``parse(write(e)) == e`` holds for every unweighted election drawn here.
    """
    vote_type = draw(st.sampled_from(vote_types))
    decimals = draw(st.integers(0, 2))
    scale = 10**decimals
    any_id = st.one_of(st.sampled_from(AWKWARD_IDS), _WORD)
    ids = draw(st.lists(any_id, min_size=1, max_size=max_projects, unique=True))
    extra_keys = draw(
        st.lists(
            st.one_of(st.sampled_from(("votes", "score", "selected", "latitude", "district")), _WORD).filter(
                lambda k: k not in _PROJECT_COLUMNS
            ),
            max_size=3,
            unique=True,
        )
    )
    projects = []
    for project_id in ids:
        withdrawn = draw(st.integers(0, 9)) == 0
        projects.append(
            Project(
                id=project_id,
                cost=WITHDRAWN_COST * scale if withdrawn else draw(st.integers(0, 10**6 * scale)),
                name=draw(_TEXT),
                categories=tuple(draw(st.lists(_ITEM, max_size=2))),
                beneficiaries=tuple(draw(st.lists(_ITEM, max_size=2))),
                # As the parser reads them: every column, empty or not.
                extra={key: draw(_ITEM) if draw(st.booleans()) else "" for key in extra_keys},
            )
        )
    budget = draw(st.integers(0, 10**7 * scale))
    if decimals and budget % 10 == 0:
        budget += 1  # the last decimal must not be 0, or the parser would choose a smaller scale
    meta = {"description": draw(_ITEM), "budget": _amount(budget, decimals), "vote_type": vote_type}
    # Keys the reader checks against the rest of the file are left to the tests of those checks.
    checked = ("num_votes", "num_projects", "incompatible_projects", "min_vote_share")
    meta.update(draw(st.dictionaries(_WORD.filter(lambda k: k not in meta and k not in checked), _ITEM, max_size=2)))

    attribute_keys = draw(
        st.lists(
            st.one_of(st.sampled_from(("age", "sex", "voting_method", "district")), _WORD).filter(
                lambda k: k not in _VOTE_COLUMNS
            ),
            max_size=3,
            unique=True,
        )
    )
    ballots = []
    # A voter called VOTES with an empty vote would write the line "VOTES;", which reads as a section.
    voter_ids = draw(
        st.lists(_WORD.filter(lambda v: v.upper() not in SECTIONS), max_size=max_voters, unique=True)
    )
    for voter_id in voter_ids:
        choices = tuple(draw(st.permutations(ids))[: draw(st.integers(0, len(ids)))])
        points = None
        if vote_type in ("cumulative", "scoring"):
            points = tuple(draw(st.integers(0, 20)) for _ in choices)
        attributes = {key: draw(_ITEM) if draw(st.booleans()) else "" for key in attribute_keys}
        ballots.append(
            Ballot(
                choices=choices,
                points=points,
                weight=draw(st.integers(1, 3)) if weighted else 1,
                voter_id=None if weighted else voter_id,
                attributes=attributes,
            )
        )
    return Election(meta=meta, projects=tuple(projects), ballots=tuple(ballots), cost_scale=scale)
