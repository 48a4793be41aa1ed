"""The read-only JSON API for open data: processes and their projects, public fields only."""
