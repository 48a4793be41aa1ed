"""Municipalities, districts and PB processes with their phases and pools."""
