"""pb: participatory budgeting for municipalities."""
