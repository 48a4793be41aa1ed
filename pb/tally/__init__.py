"""The tally library: Pabulib in and out, the rules cities use, explanations and measures.

Pure Python and NumPy: it imports nothing of Flask or SQLAlchemy, so it runs and is tested on its own.
"""

from pb.tally.election import Ballot, Election, Project

__all__ = ["Ballot", "Election", "Project"]
