"""The staff area: the shell that clerks, legal officers and administrators work in."""
