"""Settings, profiles and secrets: platformdirs and keyring, no Qt."""
