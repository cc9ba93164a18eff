"""The conversation list (sidebar), its presenter (open, rename, export, back up) and the
uploaded-files dialog."""
