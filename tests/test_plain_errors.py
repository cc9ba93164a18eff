"""Offline and refused connections read in plain words, never as errno text."""

from __future__ import annotations

import socket

import httpx2
import openai
import pytest

from visiondesk.api.errors import translate
from visiondesk.config.profile_store import BUILTIN
from visiondesk.errors import NetworkError


def failure(cause: BaseException) -> openai.APIConnectionError:
    request = httpx2.Request("POST", "https://api.openai.com/v1/chat/completions")
    try:
        try:
            raise httpx2.ConnectError(str(cause)) from cause
        except httpx2.ConnectError as transport:
            raise openai.APIConnectionError(request=request) from transport
    except openai.APIConnectionError as error:
        return error


@pytest.mark.parametrize(
    ("cause", "expected"),
    [
        (
            socket.gaierror(-2, "Name or service not known"),
            "Can't reach api.openai.com — check your connection.",
        ),
        (
            ConnectionRefusedError(111, "Connection refused"),
            "api.openai.com refused the connection — check the base URL and any proxy.",
        ),
    ],
)
def test_offline_errors_are_plain(cause: BaseException, expected: str) -> None:
    error = translate(failure(cause), BUILTIN["openai"])
    assert isinstance(error, NetworkError)
    assert error.message == expected and "Errno" not in error.message


def test_a_local_server_that_is_not_running_is_named() -> None:
    error = translate(failure(ConnectionRefusedError(111, "Connection refused")), BUILTIN["ollama"])
    assert error.message == (
        f"Nothing is answering at {BUILTIN['ollama'].base_url} — is the server running?"
    )
