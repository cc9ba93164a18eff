"""Where HTTPS trust comes from: the SDK's HTTP stack (httpcore2) uses the OS trust store,
or SSL_CERT_FILE / SSL_CERT_DIR when set. The self-test checks a bundle can find it."""

from __future__ import annotations

import functools
import os
import ssl


def shared_context() -> ssl.SSLContext:
    """One TLS context for every client, as the SDK's stack builds it by default: building one
    reads the whole trust store (~20 ms), which the window paid on the UI thread again each
    time a key arrived from the keychain or a profile changed. Made again if SSL_CERT_FILE or
    SSL_CERT_DIR change."""
    return _context(os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))


@functools.lru_cache(maxsize=2)
def _context(cert_file: str | None, cert_dir: str | None) -> ssl.SSLContext:
    import httpx2

    return httpx2.create_ssl_context()


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
    paths = ssl.get_default_verify_paths()
    for folder in (paths.openssl_capath, paths.capath or ""):
        if folder and os.path.isdir(folder) and os.listdir(folder):
            return True, f"system certificate folder {folder}"
    return False, "no CA certificates found: set SSL_CERT_FILE to a PEM bundle"
