"""Compare: one question through 2–4 columns side by side, each with what its model saw."""
