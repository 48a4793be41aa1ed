"""Voting: the register of eligible residents, participations and secret ballots."""
