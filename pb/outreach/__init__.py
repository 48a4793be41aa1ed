"""Outreach: mail (and SMS) to residents who opted in, about the vote of their municipality's editions."""
