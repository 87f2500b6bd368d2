"""``-f -``: a worker fetches its locustfiles from the master (Locust 2.47's ``locustfile`` message).

The worker asks before it imports anything, from a socket of its own, once a second until the
master answers with the contents of the files it was given (``{"locustfiles": [{"filename",
"contents"}, ...]}``, or ``{"error": ...}``); the worker writes them into a private temporary
directory, removed when it exits, and imports them from there.
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import sys
import tempfile
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from horde.distributed import protocol
from horde.distributed.protocol import Message
from horde.distributed.transport import ask
from horde.exception import UsageError
from horde.version import LOCUST_VERSION

WAIT = 300.0  # seconds, as Locust's worker waits for the answer (CONNECT_TIMEOUT x CONNECT_RETRY_COUNT)
SAY_AFTER = 10.0  # seconds without an answer before the worker says it is waiting


def locustfile_answer(paths: Sequence[str]) -> dict[str, Any]:
    """The master's answer to a ``locustfile`` message: the files it imported, by name."""
    files: dict[str, str] = {}
    try:
        for path in paths:
            name = os.path.basename(path)
            if name in files:
                return {"error": f"two locustfiles are named {name}: -f - sends files by name"}
            files[name] = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return {"error": f"cannot read the locustfile: {error}"}
    return {"locustfiles": [{"filename": name, "contents": text} for name, text in files.items()]}


def fetch_locustfiles(
    host: str, port: int, secret: str | None, wait: float = WAIT, say_after: float = SAY_AFTER
) -> list[str]:
    """Ask the master at ``host:port`` for its locustfiles; the paths of local copies."""
    client_id = f"{socket.gethostname()}_download_locustfile_{uuid.uuid4().hex}"  # Locust's form
    question = Message(protocol.LOCUSTFILE, {"version": LOCUST_VERSION}, client_id)
    key = secret.encode() if secret else None
    answer = ask(host, port, client_id, question, key, min(wait, say_after))
    if answer is None and wait > say_after:
        print(
            f"Waiting to connect to the master at {host}:{port} to receive the locustfile...", file=sys.stderr
        )
        answer = ask(host, port, client_id, question, key, wait - say_after)
    if answer is None:
        raise UsageError(
            f"-f -: no locustfile came from the master at {host}:{port} in {wait:g} s (is it running"
            + (", with the same --master-secret?)" if secret else "?)")
        )
    data = answer.data if isinstance(answer.data, dict) else {}
    if answer.type != protocol.LOCUSTFILE:
        raise UsageError(f"-f -: the master answered {answer.type!r} instead of a locustfile")
    if "error" in data:
        raise UsageError(f"-f -: the master could not send its locustfile: {data['error']}")
    return _write(data.get("locustfiles"))


def _write(sources: Any) -> list[str]:
    if not isinstance(sources, list) or not sources:
        raise UsageError("-f -: the master's answer holds no locustfile")
    directory = tempfile.mkdtemp(prefix="horde-locustfile-")
    owner = os.getpid()

    def remove() -> None:
        if os.getpid() == owner:  # forked workers (--processes) leave it to the process that made it
            shutil.rmtree(directory, ignore_errors=True)

    atexit.register(remove)
    paths = []
    for source in sources:
        if not isinstance(source, dict) or "contents" not in source:
            raise UsageError(f"-f -: the master sent a locustfile Horde cannot fetch: {str(source)[:100]}")
        name = os.path.basename(str(source.get("filename", "")))  # never a path the master chose
        if not name.endswith(".py"):
            raise UsageError(f"-f -: the master sent {name!r}, which is not a .py file")
        path = Path(directory, name)
        path.write_text(str(source["contents"]), encoding="utf-8")
        paths.append(str(path))
    return paths
