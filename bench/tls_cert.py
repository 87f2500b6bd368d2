"""A throwaway certificate for the HTTPS target, made fresh for every benchmark invocation.

Issued by a throwaway CA (``trustme``, part of Horde's test dependencies); neither tool verifies
it (FastHttpUser is ``insecure`` by default, the HttpUser locustfile sets ``verify = False``).
"""

from __future__ import annotations

from pathlib import Path

from prerequisites import SetupError


def write_throwaway_cert(directory: Path) -> tuple[Path, Path]:
    """Write a certificate chain and its key for 127.0.0.1 into ``directory``; their paths."""
    try:
        import trustme
    except ImportError as exc:
        raise SetupError("the HTTPS workload needs `trustme` (pip install trustme)") from exc
    directory.mkdir(parents=True, exist_ok=True)
    leaf = trustme.CA().issue_cert("127.0.0.1", "localhost")
    chain, key = directory / "cert-chain.pem", directory / "key.pem"
    chain.write_bytes(b"".join(blob.bytes() for blob in leaf.cert_chain_pems))
    leaf.private_key_pem.write_to_path(str(key))
    key.chmod(0o600)
    return chain, key
