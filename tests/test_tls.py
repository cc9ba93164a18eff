"""HTTPS trust: one TLS context for every client, made again only when the trust settings
change (reading the trust store costs ~20 ms on the UI thread each time)."""

from __future__ import annotations

from pathlib import Path

import pytest

from visiondesk.api.tls import shared_context, trust_store


def test_every_client_shares_one_context_until_the_trust_settings_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    first = shared_context()
    assert shared_context() is first

    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))  # e.g. a company's own authority
    other = shared_context()
    assert other is not first and shared_context() is other
    found, where = trust_store()
    assert found and str(tmp_path) in where
