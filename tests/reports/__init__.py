"""Tests of the reports: metrics, the social impact assessment PDF and the budget annex."""
