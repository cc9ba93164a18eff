"""The request doctor: check a request a person wrote, and fix it."""
