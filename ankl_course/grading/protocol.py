"""The one definition of what the grader and its workers say to each other.

Two channels, two levels of trust:

- **grader <-> worker** (the worker's stdin and stdout): frames of an 8-byte length and a JSON
  object. The grader sends a :class:`Job`, then its :class:`Seal` (the job's id and a per-job
  secret); the worker answers with one :class:`Reply` that repeats both. The worker reads the seal
  only after it has forked the student's process, so no student process ever holds the secret in
  its memory; and no student process can reach this channel (it runs in its own PID namespace with
  every other descriptor closed). A reply whose id or secret does not match is rejected.
- **student process -> worker** (a pipe): one JSON object per line, :class:`CellReport`,
  :class:`ProbeAnswer` and :class:`ProbesDone`. Student code can write anything here, so the grader
  treats these lines as untrusted data, parses them defensively and judges the plain answers
  against values the student process never saw.

This file runs inside the sandbox too (the worker loads it by path), so it imports only the
standard library.
"""

from __future__ import annotations

import json
import os
import select
import struct
import time
from typing import Any, Literal, TypedDict

HEADER = struct.Struct(">Q")
#: A frame larger than this is a broken or hostile peer, not a message.
MAX_FRAME = 64 * 1024 * 1024

#: How a student's process ended, as the worker saw it.
End = Literal["exited", "time", "output"]


class Limits(TypedDict):
    """Per-submission limits (see ``executor.Limits`` for their meaning and defaults)."""

    cell_seconds: float
    submission_seconds: float
    probe_seconds: float
    memory_mb: int
    output_chars: int
    file_mb: int
    result_bytes: int
    processes: int


class Cell(TypedDict):
    number: int
    source: str


class Probe(TypedDict):
    """A question to the student's namespace: read ``name``, or call it with these arguments."""

    name: str
    kind: Literal["value", "call"]
    args: list[Any]
    kwargs: dict[str, Any]


class Job(TypedDict):
    kind: Literal["job"]
    id: str
    cells: list[Cell]
    probes: list[Probe]
    files: dict[str, str]  # name -> base64, written into the working folder before the cells run
    probe_files: dict[str, str]  # name -> base64, written just before the probes (hidden inputs)
    skip_names: list[str]  # functions not to call (calling them crashed an earlier attempt)
    limits: Limits


class Seal(TypedDict):
    kind: Literal["seal"]
    id: str
    secret: str


class Hello(TypedDict):
    kind: Literal["hello"]
    preload_failed: list[str]  # "module: error" for each library the worker could not import
    isolation_error: str  # "" when a test process could be started (confined, if asked); else why not


class Reply(TypedDict, total=False):
    kind: Literal["reply"]
    id: str
    secret: str
    end: End
    exit_code: int | None  # as os.waitstatus_to_exitcode: negative for a signal
    lines: str  # what the student's process wrote on its pipe (untrusted)
    error: str  # set instead of the fields above when the worker itself failed


# -- what the student's process writes on its pipe (untrusted) ---------------------------------
class CellReport(TypedDict):
    cell: int
    outputs: list[dict[str, Any]]


class ProbeAnswer(TypedDict):
    answer: int
    result: dict[str, Any]  # {"ok": plain value} or {"error": "Type: message"}


class ProbesDone(TypedDict):
    probes_done: int


class ChannelError(Exception):
    """The peer closed the channel, broke a frame, or missed the deadline."""


def write_frame(fd: int, message: Any) -> None:
    """Write one frame on a raw file descriptor (no Python buffering: see :func:`read_frame`)."""
    data = json.dumps(message, allow_nan=True).encode("utf-8")
    view = memoryview(HEADER.pack(len(data)) + data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def read_frame(fd: int, deadline: float | None = None) -> Any:
    """Read exactly one frame from a raw descriptor, by ``deadline`` (time.monotonic) if given.

    Raw reads of exact sizes, never a buffered reader: a buffer would read ahead and pull the
    next frame (the seal) into memory before the worker forks a student's process.
    """
    (size,) = HEADER.unpack(_read_exactly(fd, HEADER.size, deadline))
    if size > MAX_FRAME:
        raise ChannelError(f"a frame of {size} bytes is over the limit")
    try:
        return json.loads(_read_exactly(fd, size, deadline).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ChannelError(f"an unreadable frame ({exc})") from exc


def _read_exactly(fd: int, size: int, deadline: float | None) -> bytes:
    parts: list[bytes] = []
    remaining = size
    while remaining:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise ChannelError("no answer before the deadline")
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            raise ChannelError("the channel was closed")
        parts.append(chunk)
        remaining -= len(chunk)
    return b"".join(parts)
