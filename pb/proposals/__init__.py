"""Projects from a resident's idea to the ballot: submission, review, comments and supports."""
