"""``-f -``: what the master sends of its locustfiles, and what a worker makes of the answer."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from horde.distributed import locustfile, protocol
from horde.distributed.protocol import Message
from horde.distributed.transport import MasterSocket
from horde.exception import UsageError


def test_the_answer_carries_each_file_by_name(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    first, second = tmp_path / "a" / "shop.py", tmp_path / "extra.py"
    first.write_text("print('shop')\n")
    second.write_text("X = 1\n")
    assert locustfile.locustfile_answer([str(first), str(second)]) == {
        "locustfiles": [
            {"filename": "shop.py", "contents": "print('shop')\n"},
            {"filename": "extra.py", "contents": "X = 1\n"},
        ]
    }


def test_two_files_of_one_name_or_an_unreadable_one_are_an_error_the_worker_prints(tmp_path: Path) -> None:
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "tasks.py").write_text("")
    same = [str(tmp_path / "a" / "tasks.py"), str(tmp_path / "b" / "tasks.py")]
    assert locustfile.locustfile_answer(same) == {
        "error": "two locustfiles are named tasks.py: -f - sends files by name"
    }
    assert "cannot read the locustfile" in locustfile.locustfile_answer([str(tmp_path / "gone.py")])["error"]


def serve_once(answer: object) -> tuple[int, threading.Thread]:
    """A master socket on a thread of its own that answers one ``locustfile`` question."""
    ready = threading.Event()
    port: list[int] = []

    def run() -> None:
        async def main() -> None:
            master = MasterSocket("127.0.0.1", 0)
            port.append(master.port)
            ready.set()
            client_id, question = await master.recv()
            assert question.type == protocol.LOCUSTFILE and question.data["version"]
            assert "_download_locustfile_" in client_id  # Locust's form of the asking socket's id
            master.send(client_id, Message(protocol.LOCUSTFILE, answer, client_id))
            await asyncio.sleep(0.2)
            master.close()

        asyncio.run(main())

    thread = threading.Thread(target=run)
    thread.start()
    ready.wait(5)
    return port[0], thread


def test_a_worker_writes_the_files_it_fetched_and_imports_them_from_there() -> None:
    port, thread = serve_once({"locustfiles": [{"filename": "../../shop.py", "contents": "A = 1\n"}]})
    paths = locustfile.fetch_locustfiles("127.0.0.1", port, None, wait=5)
    thread.join(5)
    assert [Path(p).name for p in paths] == ["shop.py"]  # never where the master said: its name only
    assert Path(paths[0]).parent.name.startswith("horde-locustfile-")
    assert Path(paths[0]).read_text() == "A = 1\n"


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        ({"error": "boom"}, "-f -: the master could not send its locustfile: boom"),
        ({"locustfiles": []}, "-f -: the master's answer holds no locustfile"),
        ({"locustfiles": ["https://example.com/lf.py"]}, "a locustfile Horde cannot fetch: https://"),
        (
            {"locustfiles": [{"filename": "notes.txt", "contents": ""}]},
            "'notes.txt', which is not a .py file",
        ),
    ],
)
def test_a_bad_answer_is_one_clear_error(answer: object, error: str) -> None:
    port, thread = serve_once(answer)
    with pytest.raises(UsageError) as raised:
        locustfile.fetch_locustfiles("127.0.0.1", port, None, wait=5)
    thread.join(5)
    assert error in str(raised.value)


def test_no_master_gives_up_after_the_wait() -> None:
    with pytest.raises(UsageError, match=r"no locustfile came from the master at 127.0.0.1:1 in 0.3 s"):
        locustfile.fetch_locustfiles("127.0.0.1", 1, None, wait=0.3)
