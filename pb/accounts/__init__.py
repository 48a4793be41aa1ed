"""Accounts and roles: residents, clerks, legal officers and administrators."""
