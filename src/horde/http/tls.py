"""Client TLS contexts, built once per (verify, cert) and shared by every session.

Building an ``SSLContext`` loads the system CA store, which costs milliseconds; thousands of
simulated users must not each pay it (Locust had to fix the same problem for requests).
"""

from __future__ import annotations

import os
import ssl

VerifySetting = bool | str
CertSetting = str | tuple[str, str] | None

_contexts: dict[tuple[VerifySetting, CertSetting], ssl.SSLContext] = {}


def client_context(verify: VerifySetting = True, cert: CertSetting = None) -> ssl.SSLContext:
    """A cached context: ``verify`` True (system CAs), False (no checks), or a CA file/dir path.

    ``cert`` is a client certificate: a PEM path holding cert and key, or a (cert, key) pair.
    """
    key = (verify, cert)
    context = _contexts.get(key)
    if context is None:
        context = _build(verify, cert)
        _contexts[key] = context
    return context


def _build(verify: VerifySetting, cert: CertSetting) -> ssl.SSLContext:
    if verify is False:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    elif verify is True:
        context = ssl.create_default_context()
    elif os.path.isdir(verify):
        context = ssl.create_default_context(capath=verify)
    else:
        context = ssl.create_default_context(cafile=verify)
    if cert is not None:
        if isinstance(cert, tuple):
            context.load_cert_chain(cert[0], cert[1])
        else:
            context.load_cert_chain(cert)
    context.set_alpn_protocols(["http/1.1"])
    return context
