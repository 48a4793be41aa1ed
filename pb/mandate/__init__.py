"""The legal mandate of a process: advisory or binding, on what basis, signed off and versioned."""
