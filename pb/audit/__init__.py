"""The append-only, hash-chained audit log of everything staff do."""
