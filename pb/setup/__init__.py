"""Set-up: a municipality with its districts, and each edition (process) with its rules, pools, phases and
vocabulary, from the staff area or from a file; and what each phase still needs before it can open."""
