"""The `visiondesk` subcommands, one module each; no Qt."""
