"""The Batch window: a folder × a prompt, live or on the Batch API."""
