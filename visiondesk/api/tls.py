"""Where HTTPS trust comes from: the SDK's HTTP stack (httpcore2) uses the OS trust store,
or SSL_CERT_FILE / SSL_CERT_DIR when set. The self-test checks a bundle can find it."""

from __future__ import annotations

import os


def trust_store() -> tuple[bool, str]:
    """(found, where) for the context the SDK will use."""
    import httpcore2

    context = httpcore2.default_ssl_context()
    certificates = len(context.get_ca_certs())
    override = os.environ.get("SSL_CERT_FILE") or os.environ.get("SSL_CERT_DIR")
    if override:
        return certificates > 0 or os.path.isdir(override), f"SSL_CERT_* = {override}"
    if certificates:
        return True, f"{certificates} CA certificates from the system trust store"
    # A capath is read lazily: certificates appear once a handshake needs them.
    import ssl

    paths = ssl.get_default_verify_paths()
    for folder in (paths.openssl_capath, paths.capath or ""):
        if folder and os.path.isdir(folder) and os.listdir(folder):
            return True, f"system certificate folder {folder}"
    return False, "no CA certificates found: set SSL_CERT_FILE to a PEM bundle"
