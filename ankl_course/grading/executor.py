"""Run many submissions at once on a pool of warm workers (see :mod:`.worker`), on the grader's clock.

One worker per core by default. Each is a long-lived Python process (inside the sandbox when
there is one) that has imported the scientific stack once and forks a confined child per
submission, so a submission costs milliseconds of start-up instead of a kernel's second.

The grader owns the clock: a thread per worker sends it a job and its seal and waits for the
sealed reply until a deadline (the submission's time plus a grace). On expiry, or on a reply that
is not the job's (wrong id or secret), or when the worker dies, that worker's whole sandbox is
killed, its cgroup emptied, and a fresh worker takes the next job: nothing sent from inside can
stall the batch or speak for another submission.
"""

from __future__ import annotations

import contextlib
import os
import queue
import secrets
import subprocess
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from . import protocol, sandbox

#: Imported once per worker so that students' imports of them cost nothing.
PRELOAD = ("numpy", "pandas", "scipy", "lifelines", "flowio", "matplotlib", "matplotlib.pyplot")
#: Seconds the grader waits past a submission's own limit before it kills the worker.
GRACE_SECONDS = 10.0
#: Processes of a worker's sandbox besides the student's own (bubblewrap's init, the worker, the intermediate).
WORKER_PROCESSES = 8


@dataclass(frozen=True)
class Limits:
    """Per-submission limits a teacher can set from the command line."""

    cell_seconds: float = 10.0
    submission_seconds: float = 60.0
    probe_seconds: float = 5.0
    memory_mb: int = 1024
    output_chars: int = 20_000
    file_mb: int = 64
    result_bytes: int = 4_000_000
    processes: int = 64

    def as_message(self) -> protocol.Limits:
        return protocol.Limits(cell_seconds=self.cell_seconds, submission_seconds=self.submission_seconds,
                               probe_seconds=self.probe_seconds, memory_mb=self.memory_mb,
                               output_chars=self.output_chars, file_mb=self.file_mb,
                               result_bytes=self.result_bytes, processes=self.processes)


@dataclass
class WorkerOptions:
    use_sandbox: bool = True
    isolate: bool = True  # each submission in namespaces of its own (see confine.py)
    pids_cgroup: bool = True  # a cgroup with pids.max per worker, where the machine allows
    hide: list[Path] = field(default_factory=list)
    preload: tuple[str, ...] = PRELOAD


#: Why a job has no trustworthy reply.
Failure = Literal["", "timeout", "rejected", "worker"]


@dataclass(frozen=True)
class Execution:
    """What running one job gave: the worker's sealed reply, or why there is none."""

    reply: protocol.Reply | None
    failure: Failure = ""
    message: str = ""


class WorkerStartError(RuntimeError):
    """A worker could not start (the sandbox, or a library it must load)."""


class Worker:
    """One warm worker process, its protocol pipes, and (as root) its pids cgroup."""

    def __init__(self, options: WorkerOptions, max_pids: int) -> None:
        command = sandbox.worker_command(options.use_sandbox, options.isolate, options.hide, options.preload)
        self.cgroup: Path | None = None
        pids = sandbox.PidsCgroup.find() if options.pids_cgroup else None
        if pids is not None:
            self.cgroup = pids.create(f"ankl-grade-{os.getpid()}-{secrets.token_hex(4)}", max_pids + WORKER_PROCESSES)
            command = pids.enter_command(self.cgroup, command)
        env = None if options.use_sandbox else {**os.environ, **sandbox.ENVIRONMENT,
                                                "HOME": os.environ.get("HOME", "/tmp")}
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        assert self.process.stdin is not None and self.process.stdout is not None
        self._in, self._out = self.process.stdin.fileno(), self.process.stdout.fileno()
        try:
            hello = protocol.read_frame(self._out, time.monotonic() + 120)
        except protocol.ChannelError as exc:
            self.kill()
            raise WorkerStartError(f"a grading worker failed to start ({exc}); run with --no-sandbox to see "
                                   "whether the sandbox is the cause") from exc
        if hello.get("isolation_error"):
            self.kill()
            raise WorkerStartError(f"a grading worker could not confine submissions: {hello['isolation_error']}")
        self.preload_failed: list[str] = list(hello.get("preload_failed", []))

    def run(self, job: protocol.Job, deadline: float) -> Execution:
        """Send ``job`` and its seal; the reply must come by ``deadline`` and carry both back."""
        secret = secrets.token_hex(16)
        try:
            protocol.write_frame(self._in, job)
            protocol.write_frame(self._in, protocol.Seal(kind="seal", id=job["id"], secret=secret))
            reply = protocol.read_frame(self._out, deadline)
        except protocol.ChannelError as exc:
            if time.monotonic() >= deadline:
                return Execution(None, "timeout", "the grader's clock ran out: the worker was stopped and replaced")
            return Execution(None, "worker", f"the grading worker stopped ({exc})")
        except OSError as exc:
            return Execution(None, "worker", f"the grading worker could not be reached ({exc})")
        if not isinstance(reply, dict) or reply.get("id") != job["id"] or reply.get("secret") != secret:
            return Execution(None, "rejected", "a reply that was not this job's (wrong id or seal) was rejected")
        if "error" in reply:
            last = (str(reply["error"]).strip().splitlines() or ["no reason given"])[-1]
            return Execution(None, "worker", f"the grader's worker failed ({last})")
        return Execution(protocol.Reply(**reply))

    def close(self) -> None:
        """Ask the worker to finish (end of its input), then make sure all of it is gone."""
        with contextlib.suppress(OSError):
            assert self.process.stdin is not None
            self.process.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        self.kill()

    def kill(self) -> None:
        """Kill the whole sandbox now: bubblewrap takes every process in it along, the cgroup the rest."""
        with contextlib.suppress(OSError):
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError):
                if stream is not None:
                    stream.close()
        if self.cgroup is not None:
            sandbox.PidsCgroup.destroy(self.cgroup)
            self.cgroup = None


class Pool:
    """Up to ``workers`` warm workers, each owned by a thread that lives until :meth:`close`.

    The threads must outlive the workers: bubblewrap's ``--die-with-parent`` ends the sandbox
    when the *thread* that started it exits, so a worker is never started from a short-lived thread.
    """

    def __init__(self, workers: int, options: WorkerOptions, limits: Limits) -> None:
        self.size = max(1, workers)
        self.options = options
        self.limits = limits
        self._jobs: queue.Queue = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._broken = ""
        self._lock = threading.Lock()
        self.preload_failed: set[str] = set()

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def map(self, jobs: Iterable[tuple[Any, protocol.Job]]) -> Iterator[tuple[Any, Execution]]:
        """Yield (key, execution) for each job, in the order they finish."""
        done: queue.Queue = queue.Queue()
        count = 0
        for key, job in jobs:
            self._jobs.put((key, job, done))
            count += 1
        self.warm(count)
        for _ in range(count):
            yield done.get()

    def warm(self, jobs: int) -> None:
        """Start the workers for ``jobs`` jobs now (at most one per slot), before any job arrives."""
        while len(self._threads) < min(self.size, max(jobs, 1)):
            thread = threading.Thread(target=self._serve, daemon=True)
            thread.start()
            self._threads.append(thread)

    def _start(self) -> Worker:
        with self._lock:
            if self._broken:
                raise WorkerStartError(self._broken)
        try:
            worker = Worker(self.options, self.limits.processes)
        except (OSError, WorkerStartError) as exc:
            with self._lock:
                self._broken = str(exc)
            raise WorkerStartError(str(exc)) from exc
        with self._lock:
            self.preload_failed.update(worker.preload_failed)
        return worker

    def _serve(self) -> None:
        worker: Worker | None = None
        with contextlib.suppress(WorkerStartError):  # a failed start is reported with the first job
            worker = self._start()
        try:
            while True:
                item = self._jobs.get()
                if item is None:
                    return
                key, job, done = item
                deadline = time.monotonic() + self.limits.submission_seconds + GRACE_SECONDS
                try:
                    if worker is None:
                        worker = self._start()
                    result = worker.run(job, deadline)
                except WorkerStartError as exc:
                    result = Execution(None, "worker", str(exc))
                if result.failure and worker is not None:
                    worker.kill()  # its state is unknown: a fresh worker takes the next job
                    worker = None
                done.put((key, result))
        finally:
            if worker is not None:
                worker.close()

    def close(self) -> None:
        for _ in self._threads:
            self._jobs.put(None)
        for thread in self._threads:
            thread.join()
        self._threads = []
