"""Run many submissions at once on a pool of warm workers (see :mod:`.worker`).

One worker per core by default. Each is a long-lived Python process (inside the
sandbox when there is one) that has imported the scientific stack once and forks
a fresh child per submission, so a submission costs milliseconds of start-up
instead of a kernel's second. A thread per worker feeds it jobs and hands the raw
replies back; if a worker itself dies, its submission is reported as such and a
new worker takes its place, so one submission never stops the batch.
"""

from __future__ import annotations

import contextlib
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import sandbox
from .worker import read_frame, write_frame

WORKER_FILE = Path(__file__).with_name("worker.py")
#: Imported once per worker so that students' imports of them cost nothing.
PRELOAD = ("numpy", "pandas", "scipy", "lifelines", "flowio", "matplotlib", "matplotlib.pyplot")


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

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class WorkerOptions:
    use_sandbox: bool = True
    hide: list[Path] = field(default_factory=list)
    preload: tuple[str, ...] = PRELOAD


class Worker:
    """One warm worker process and its protocol pipes."""

    def __init__(self, options: WorkerOptions) -> None:
        if options.use_sandbox:
            command = sandbox.bwrap_command(WORKER_FILE, options.hide)
        else:
            command = [sys.executable, "-I", str(WORKER_FILE)]
        command.append("--preload=" + ",".join(options.preload))
        if options.use_sandbox:
            command.append("--scrub-tmp")
        env = None if options.use_sandbox else {**os.environ, **sandbox.ENVIRONMENT,
                                                "HOME": os.environ.get("HOME", "/tmp")}
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        hello = read_frame(self.process.stdout)
        if not hello or not hello.get("ready"):
            self.close()
            raise RuntimeError("a grading worker failed to start (run with --no-sandbox to see whether the sandbox "
                               "is the cause)")
        self.info = hello

    def run(self, job: dict[str, Any]) -> dict[str, Any]:
        write_frame(self.process.stdin, job)
        reply = read_frame(self.process.stdout)
        if reply is None:
            raise RuntimeError("the grading worker died")
        return reply

    def close(self) -> None:
        try:
            if self.process.stdin:
                self.process.stdin.close()
            self.process.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()


class Pool:
    """Up to ``workers`` warm workers, each owned by a thread that lives until :meth:`close`.

    The threads must outlive the workers: bubblewrap's ``--die-with-parent`` ends the sandbox
    when the *thread* that started it exits, so a worker is never started from a short-lived thread.
    """

    def __init__(self, workers: int, options: WorkerOptions) -> None:
        self.size = max(1, workers)
        self.options = options
        self._jobs: queue.Queue = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._broken = ""
        self._lock = threading.Lock()

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def map(self, jobs: Iterable[tuple[Any, dict[str, Any]]]) -> Iterator[tuple[Any, dict[str, Any]]]:
        """Yield (key, reply) for each job, in the order they finish."""
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
                raise RuntimeError(self._broken)
        try:
            return Worker(self.options)
        except (OSError, RuntimeError) as exc:
            with self._lock:
                self._broken = str(exc)
            raise RuntimeError(str(exc)) from exc

    def _serve(self) -> None:
        worker: Worker | None = None
        with contextlib.suppress(RuntimeError):  # a failed start is reported with the first job
            worker = self._start()
        try:
            while True:
                item = self._jobs.get()
                if item is None:
                    return
                key, job, done = item
                try:
                    if worker is None:
                        worker = self._start()
                    reply = worker.run(job)
                except (OSError, RuntimeError) as exc:
                    reply = {"id": job.get("id"), "worker_error": str(exc)}
                    if worker is not None:
                        worker.close()
                    worker = None
                done.put((key, reply))
        finally:
            if worker is not None:
                worker.close()

    def close(self) -> None:
        for _ in self._threads:
            self._jobs.put(None)
        for thread in self._threads:
            thread.join()
        self._threads = []


def run_all(jobs: list[tuple[Any, dict[str, Any]]], workers: int, options: WorkerOptions,
            on_done: Callable[[Any, dict[str, Any]], None]) -> None:
    """Run ``jobs`` on a pool and call ``on_done`` in this thread as each finishes."""
    with Pool(workers, options) as pool:
        for key, reply in pool.map(jobs):
            on_done(key, reply)
