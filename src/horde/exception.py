"""Exceptions that user code raises or sees, with Locust's names and meanings."""

from __future__ import annotations


class LocustError(Exception):
    """Base of Horde's own errors (named as in Locust so ``except LocustError`` keeps working)."""


HordeError = LocustError


class ResponseError(Exception):
    """Raised in a ``catch_response`` block to mark the response as failed."""


class CatchResponseError(Exception):
    """Wraps a non-exception value passed to ``response.failure()``."""


class MissingWaitTimeError(LocustError):
    """A TaskSet has no ``wait_time`` of its own and its user has none either."""


class InterruptTaskSet(Exception):
    """Raised by ``TaskSet.interrupt()``: hands control back to the parent TaskSet or user.

    ``reschedule=True`` lets the parent pick its next task at once; ``False`` makes it wait first.
    """

    def __init__(self, reschedule: bool = True) -> None:
        super().__init__()
        self.reschedule = reschedule


class StopUser(Exception):
    """Ends the user that raises it; its ``on_stop`` still runs."""


class StopTest(Exception):
    """Inside a task: ends that user, as Locust does. Outside user code: stops the whole test."""


class RescheduleTask(Exception):
    """Ends the current task early; the user then waits as after a normal task."""


class RescheduleTaskImmediately(Exception):
    """Ends the current task early; the user runs its next task without waiting."""


class RunnerAlreadyExistsError(Exception):
    """An Environment already has a runner."""


class RPCError(Exception):
    """Base of distributed-transport errors (kept for import compatibility)."""


class RPCSendError(RPCError):
    """A message could not be sent to a peer."""


class RPCReceiveError(RPCError):
    """A message could not be received from a peer."""

    def __init__(self, *args: object, addr: str | None = None) -> None:
        super().__init__(*args)
        self.addr = addr


class UsageError(Exception):
    """A user mistake (bad flag, missing file, bad config): reported as one line, no traceback."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code
