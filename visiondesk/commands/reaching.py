"""Which server a command asks, and with which key: `--profile` (a saved or built-in profile;
the offline one starts the emulator) or `--base-url`, the key from an environment variable,
never from the command line. Shared by the commands that talk to a model."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from visiondesk.escaping import for_terminal

if TYPE_CHECKING:
    from visiondesk.config.profiles import Profile
    from visiondesk.connection import Connections

EXIT_USAGE = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--profile", help="a saved profile, or: openai, ollama, lmstudio, emulator")
    where.add_argument("--base-url", help="any OpenAI-compatible base URL, e.g. …:11434/v1")
    parser.add_argument("--api-key-env", metavar="NAME", help="variable holding the key")


def reach(
    options: argparse.Namespace, connections: Connections, command: str
) -> tuple[Profile, str | None] | int:
    """The profile (the emulator's real address filled in) and its key, or the exit code
    after one line saying what is wrong."""
    from visiondesk.config.profile_store import load_profiles
    from visiondesk.config.profiles import Profile, ProviderKind

    try:
        profiles = load_profiles()
    except ValueError as exc:
        print(for_terminal(f"visiondesk {command}: {exc}"), file=sys.stderr)
        return EXIT_USAGE
    if options.base_url:
        profile = Profile("command line", ProviderKind.COMPATIBLE, options.base_url)
    else:
        key = options.profile or "openai"
        if key not in profiles:
            known = ", ".join(sorted(profiles))
            print(
                for_terminal(f"visiondesk {command}: no profile '{key}' (known: {known})"),
                file=sys.stderr,
            )
            return EXIT_USAGE
        profile = connections.resolve(profiles[key])  # the offline profile starts its emulator
    variable = options.api_key_env or profile.api_key_env
    api_key = os.environ.get(variable) if variable else None
    if profile.needs_key and not api_key:
        print(
            f"visiondesk {command}: set ${variable or 'OPENAI_API_KEY'} to the API key of "
            f"{profile.name}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    return profile, api_key
