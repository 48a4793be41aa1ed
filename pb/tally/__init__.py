"""The tally library: Pabulib in and out, the rules cities use, explanations and measures.

Pure Python and NumPy: it imports nothing of Flask or SQLAlchemy, so it runs and is tested on its own.
"""

from pb.tally.election import Ballot, Election, Project

from importlib import metadata

# Stored with every result, so that a recount can say which version of the rules it used.
try:
    __version__ = metadata.version("pb")
except metadata.PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+source"

__all__ = ["Ballot", "Election", "Project", "__version__"]
