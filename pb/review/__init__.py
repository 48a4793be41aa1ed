"""Staff review of projects: reviewers, feasibility and legal checks, revised costs, appeals."""
