"""Profile, model, API mode and detail in the toolbar, and the first-run welcome."""
