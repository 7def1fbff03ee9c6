"""A warm grading worker: imports the scientific stack once, then forks a clean child per submission.

Starting a Jupyter kernel costs about a second per submission (start plus shutdown);
forking a process that has already imported numpy, lifelines and IPython costs a few
milliseconds and gives the same isolation: each child is a new process that has never
seen another student's code, and dies when its submission is done.

This file runs inside the sandbox, where the course package and the exercise sources
are not visible, so it imports nothing from ``ankl_course``: only the standard
library, IPython and whatever ``--preload`` names. It speaks with the grader over
stdin/stdout in frames (8-byte length + JSON). Per submission it answers with the
child's result lines (one JSON object per executed cell, then the probe answers),
the exit status, and whether it had to kill the child (wall clock or output size).

The child: new process group, standard streams on /dev/null, limits on address
space, CPU time and file size, a private working folder, and a per-cell alarm. It
reports to the worker over a pipe of its own. Nothing it sends is trusted: the
grader parses it defensively and judges it against values the child never saw.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import resource
import select
import shutil
import signal
import struct
import sys
import tempfile
import time
import traceback
from typing import Any

HEADER = struct.Struct(">Q")


def read_frame(stream: Any) -> Any:
    head = stream.read(HEADER.size)
    if len(head) < HEADER.size:
        return None
    (size,) = HEADER.unpack(head)
    return json.loads(stream.read(size).decode("utf-8"))


def write_frame(stream: Any, message: Any) -> None:
    data = json.dumps(message, allow_nan=True).encode("utf-8")
    stream.write(HEADER.pack(len(data)) + data)
    stream.flush()


class CellTimeout(Exception):
    """Raised inside a student's cell when its time is up."""


class BoundedText(io.TextIOBase):
    """A stdout/stderr replacement that keeps at most ``limit`` characters."""

    def __init__(self, limit: int) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.limit = limit
        self.dropped = 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        text = str(text)
        room = self.limit - self.size
        if room > 0:
            self.parts.append(text[:room])
            self.size += min(room, len(text))
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def text(self) -> str:
        note = f"\n[... {self.dropped} more characters of output cut]" if self.dropped else ""
        return "".join(self.parts) + note


def make_shell() -> Any:
    """An IPython shell with captured results: no history file, no prompts, plain tracebacks."""
    from IPython.core.display_trap import DisplayTrap
    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import CapturingDisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    class CapturingHook(DisplayHook):
        def write_output_prompt(self) -> None:
            pass

        def write_format_data(self, format_dict: dict, md_dict: Any = None) -> None:
            self.shell.captured.append({"output_type": "execute_result", "data": dict(format_dict)})

        def finish_displayhook(self) -> None:
            pass

    class GradingShell(InteractiveShell):
        captured: list = []

        def _showtraceback(self, etype: Any, evalue: Any, stb: Any) -> None:
            self.captured.append({"output_type": "error", "ename": getattr(etype, "__name__", str(etype)),
                                  "evalue": str(evalue)[:2000], "traceback": self.InteractiveTB.stb2text(stb)})

        def init_displayhook(self) -> None:
            super().init_displayhook()
            self.displayhook = CapturingHook(shell=self, cache_size=0)
            self.display_trap = DisplayTrap(hook=self.displayhook)

    config = Config()
    config.HistoryManager.enabled = False
    config.InteractiveShell.colors = "NoColor"
    config.InteractiveShell.xmode = "Plain"
    shell = GradingShell.instance(config=config)
    shell.display_pub = CapturingDisplayPublisher()
    return shell


def to_plain(value: Any, depth: int = 0) -> Any:
    """A student's value as JSON-ready plain data (numbers, strings, lists, dicts)."""
    if depth > 6:
        raise ValueError("value nested too deeply")
    if value is None or isinstance(value, bool | int | float | str):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**63:
            return float(value)
        return value
    if hasattr(value, "to_dict") and hasattr(value, "columns"):  # a DataFrame
        return {str(c): to_plain(list(value[c]), depth + 1) for c in value.columns}
    if hasattr(value, "tolist"):  # numpy arrays and scalars, pandas Series
        return to_plain(value.tolist(), depth + 1)
    if isinstance(value, dict):
        return {str(k): to_plain(v, depth + 1) for k, v in list(value.items())[:100000]}
    if isinstance(value, list | tuple):
        return [to_plain(v, depth + 1) for v in value[:1000000]]
    if isinstance(value, set | frozenset):
        items = [to_plain(v, depth + 1) for v in value]
        return sorted(items, key=repr)
    raise TypeError(f"returned a {type(value).__name__}, which is not a number, text, list or dict")


def _alarm(signum: int, frame: Any) -> None:
    raise CellTimeout("time limit of this cell reached (an endless loop?)")


def _output_records(shell: Any, out: BoundedText, err: BoundedText) -> list[dict]:
    records = []
    if out.text():
        records.append({"output_type": "stream", "name": "stdout", "text": out.text()})
    if err.text():
        records.append({"output_type": "stream", "name": "stderr", "text": err.text()})
    for item in shell.display_pub.outputs:
        records.append({"output_type": "display_data", "data": _bounded_data(item.get("data", {}))})
    for item in shell.captured:
        if item["output_type"] == "execute_result":
            item = {"output_type": "execute_result", "data": _bounded_data(item["data"])}
        records.append(item)
    return records


def _bounded_data(data: dict) -> dict:
    kept = {}
    for mime in ("text/plain", "text/html", "image/png"):
        if mime in data and isinstance(data[mime], str):
            kept[mime] = data[mime] if len(data[mime]) <= 200_000 else data[mime][:2000] + "\n[... cut]"
    return kept


def run_cells(shell: Any, job: dict, send: Any) -> None:
    limits = job["limits"]
    signal.signal(signal.SIGALRM, _alarm)
    for cell in job["cells"]:
        out, err = BoundedText(limits["output_chars"]), BoundedText(limits["output_chars"])
        shell.captured = []
        shell.display_pub.outputs = []
        sys.stdout, sys.stderr = out, err
        started = time.monotonic()
        signal.setitimer(signal.ITIMER_REAL, limits["cell_seconds"])
        try:
            shell.run_cell(cell["source"], store_history=True)
        except BaseException as exc:  # noqa: BLE001 - anything escaping IPython is the cell's failure
            shell.captured.append({"output_type": "error", "ename": type(exc).__name__, "evalue": str(exc)[:2000],
                                   "traceback": ""})
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
        send({"cell": cell["number"], "seconds": round(time.monotonic() - started, 4),
              "outputs": _output_records(shell, out, err)})


def answer_probes(shell: Any, job: dict, send: Any) -> None:
    for name, data in job.get("probe_files", {}).items():
        with open(name, "wb") as handle:
            handle.write(base64.b64decode(data))
    seconds = job["limits"]["probe_seconds"]
    namespace = shell.user_ns
    sys.stdout = sys.stderr = BoundedText(1000)
    hung: set[str] = set()  # a function that timed out once is not waited for again
    crashed = set(job.get("skip_names", []))  # calling these killed the process in an earlier attempt
    for index, probe in enumerate(job["probes"]):
        if probe["name"] in crashed:
            send({"answer": index, "result": {"error": "not called: an earlier call crashed the Python process"}})
            continue
        if probe["name"] in hung:
            send({"answer": index, "result": {
                "error": f"CellTimeout: not run, an earlier call did not return within {seconds:g} s"}})
            continue
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            if probe["name"] not in namespace:
                raise NameError(f"name '{probe['name']}' is not defined (did the cell that defines it run?)")
            target = namespace[probe["name"]]
            if probe["kind"] == "call":
                if not callable(target):
                    raise TypeError(f"'{probe['name']}' is a {type(target).__name__}, not a function")
                target = target(*probe["args"], **probe["kwargs"])
            result = {"ok": to_plain(target)}
        except BaseException as exc:  # noqa: BLE001 - every failure is an answer
            if isinstance(exc, CellTimeout):
                hung.add(probe["name"])
                exc = CellTimeout(f"did not return within {seconds:g} s")
            message = str(exc)[:300]
            result = {"error": f"{type(exc).__name__}: {message}" if message else type(exc).__name__}
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        send({"answer": index, "result": result})
    send({"probes_done": len(job["probes"])})


def child_main(shell: Any, job: dict, result_fd: int, workdir_base: str) -> None:
    """In the forked child: confine, run the student's cells, answer the probes, exit."""
    os.setpgid(0, 0)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.closerange(3, result_fd)
    os.closerange(result_fd + 1, 4096)
    limits = job["limits"]
    base_vm = job["base_vm_bytes"]
    memory = base_vm + limits["memory_mb"] * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = int(limits["submission_seconds"]) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits["file_mb"] * 1024 * 1024,) * 2)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    workdir = tempfile.mkdtemp(prefix="submission-", dir=workdir_base)
    os.chdir(workdir)
    for name, data in job.get("files", {}).items():
        with open(name, "wb") as handle:
            handle.write(base64.b64decode(data))
    pipe = os.fdopen(result_fd, "wb", buffering=0)

    def send(message: dict) -> None:
        pipe.write(json.dumps(message).encode("utf-8") + b"\n")

    run_cells(shell, job, send)
    answer_probes(shell, job, send)
    send({"done": True})
    os._exit(0)


def run_job(shell: Any, job: dict, workdir_base: str) -> dict:
    """Fork a child for one submission; wait for it under the wall clock and the output cap."""
    limits = job["limits"]
    read_fd, write_fd = os.pipe()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        os.close(read_fd)
        try:
            child_main(shell, job, write_fd, workdir_base)
        finally:
            os._exit(70)
    os.close(write_fd)
    chunks: list[bytes] = []
    size, killed, status = 0, None, None
    deadline = started + limits["submission_seconds"]
    while True:
        ready, _, _ = select.select([read_fd], [], [], 0.05)
        if ready:
            data = os.read(read_fd, 65536)
            if data:
                chunks.append(data)
                size += len(data)
                if size > limits["result_bytes"]:
                    killed = "output"
                    break
                continue
            break  # EOF: the child (and any grandchild) closed the pipe
        done, code = os.waitpid(pid, os.WNOHANG)
        if done:
            status = code
            while True:  # drain what is left, without waiting for grandchildren
                ready, _, _ = select.select([read_fd], [], [], 0)
                data = os.read(read_fd, 65536) if ready else b""
                if not data:
                    break
                chunks.append(data)
            break
        if time.monotonic() > deadline:
            killed = "time"
            break
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
    if status is None:
        _, status = os.waitpid(pid, 0)
    os.close(read_fd)
    return {
        "id": job["id"],
        "lines": b"".join(chunks)[: limits["result_bytes"]].decode("utf-8", errors="replace"),
        "exit_code": os.waitstatus_to_exitcode(status),
        "killed": killed,
        "seconds": round(time.monotonic() - started, 4),
    }


def vm_bytes() -> int:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def main(argv: list[str]) -> int:
    preload = [name for arg in argv if arg.startswith("--preload=") for name in arg[10:].split(",") if name]
    scrub = "--scrub-tmp" in argv  # only inside the sandbox, where /tmp is this worker's own tmpfs
    workdir_base = tempfile.mkdtemp(prefix="ankl-grading-")
    os.environ.setdefault("MPLBACKEND", "Agg")
    failed = []
    for name in preload:
        try:
            __import__(name)
        except Exception as exc:  # noqa: BLE001 - a missing optional library is the student's to meet
            failed.append(f"{name}: {type(exc).__name__}: {exc}")
    shell = make_shell()
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but frames on the protocol stream
    base_vm = vm_bytes()
    write_frame(stdout, {"ready": True, "pid": os.getpid(), "preload_failed": failed, "base_vm_bytes": base_vm})
    while True:
        job = read_frame(stdin)
        if job is None:
            return 0
        job["base_vm_bytes"] = base_vm
        try:
            reply = run_job(shell, job, workdir_base)
        except Exception:  # noqa: BLE001 - report and keep serving
            reply = {"id": job.get("id"), "worker_error": traceback.format_exc(limit=5)}
        clean(workdir_base, scrub)
        write_frame(stdout, reply)


def clean(workdir_base: str, scrub: bool) -> None:
    """Remove what the last submission wrote, so the next one in this worker cannot read it."""
    for entry in os.scandir(workdir_base):
        shutil.rmtree(entry.path, ignore_errors=True)
    if scrub:
        tmp = tempfile.gettempdir()
        # Python itself may be bound read-only under /tmp (a venv in a checkout there): keep it,
        # and clean around it rather than walking into it.
        roots = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
        _scrub(tmp, {workdir_base, os.path.join(tmp, ".matplotlib")} | roots)


def _scrub(folder: str, keep: set[str]) -> None:
    """Delete everything under ``folder`` except the paths in ``keep`` (and the folders leading to them)."""
    for entry in os.scandir(folder):
        if entry.path in keep:
            continue
        if any(kept.startswith(entry.path + os.sep) for kept in keep):
            _scrub(entry.path, keep)
        elif entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                os.unlink(entry.path)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
