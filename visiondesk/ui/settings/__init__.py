"""The Settings dialog and its profile form."""
