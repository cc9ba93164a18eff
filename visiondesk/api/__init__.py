"""The API modes: one module per mode, all speaking `visiondesk.events` (openai SDK, no Qt)."""
