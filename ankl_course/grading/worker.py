"""A warm grading worker: imports the scientific stack once, then forks a confined child per submission.

Starting a Jupyter kernel costs about a second per submission (start plus shutdown); forking a
process that has already imported numpy, lifelines and IPython costs milliseconds. Each child is a
new process that has never seen another student's code, and it runs confined (:mod:`.confine`):
its own user, PID, mount and IPC namespaces, no capabilities, limits on memory, processes, CPU
time and file size. It cannot see the worker, so it cannot signal, trace or open it.

This file runs inside the sandbox, where the course package and the exercise sources are not
visible: it imports only the standard library, IPython, whatever ``--preload`` names, and its three
sibling files (:mod:`.protocol`, :mod:`.answers`, :mod:`.confine`), loaded by path. It speaks the
frames of :mod:`.protocol` on stdin/stdout: for each :class:`~.protocol.Job` it forks the child,
then reads the job's seal, waits for the child under its own wall clock and output cap, and
answers with one sealed :class:`~.protocol.Reply`. The grader keeps a clock of its own on top.
"""

from __future__ import annotations

import base64
import contextlib
import importlib.util
import io
import json
import os
import resource
import select
import shutil
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path
from types import ModuleType
from typing import Any


def _sibling(name: str) -> ModuleType:
    """A sibling module of this file, as a package import when the package is there, else by path."""
    if __package__:
        return importlib.import_module(f"{__package__}.{name}")
    spec = importlib.util.spec_from_file_location(f"_grading_{name}", Path(__file__).with_name(f"{name}.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


protocol = _sibling("protocol")
answers = _sibling("answers")
confine = _sibling("confine")

#: Files the worker needs next to it inside the sandbox.
FILES = ("worker.py", "protocol.py", "answers.py", "confine.py")
#: Size of a confined child's private /tmp.
TMP_MB = 256


class CellTimeout(BaseException):
    """Raised inside a student's cell when its time is up (a BaseException: ``except Exception`` misses it)."""


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
            self.shell.captured.append(  # type: ignore[union-attr]
                {"output_type": "execute_result", "data": dict(format_dict)})

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


def _alarm(signum: int, frame: Any) -> None:
    raise CellTimeout("time limit of this cell reached (an endless loop?)")


def _output_records(shell: Any, out: BoundedText, err: BoundedText) -> list[dict]:
    records: list[dict[str, Any]] = []
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
        signal.setitimer(signal.ITIMER_REAL, limits["cell_seconds"])
        try:
            shell.run_cell(cell["source"], store_history=True)
        except BaseException as exc:  # noqa: BLE001 - anything escaping IPython is the cell's failure
            shell.captured.append({"output_type": "error", "ename": type(exc).__name__, "evalue": str(exc)[:2000],
                                   "traceback": ""})
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
        send({"cell": cell["number"], "outputs": _output_records(shell, out, err)})


def answer_probes(shell: Any, job: dict, send: Any) -> None:
    """Answer each probe with :func:`.answers.answer_probe`, under the probe timer."""
    _write_files(job.get("probe_files", {}))
    seconds = job["limits"]["probe_seconds"]
    sys.stdout = sys.stderr = BoundedText(1000)
    hung: set[str] = set()  # a function that timed out once is not waited for again
    crashed = set(job.get("skip_names", []))  # calling these killed the process in an earlier attempt
    for index, probe in enumerate(job["probes"]):
        if probe["name"] in crashed:
            result = {"error": "not called: an earlier call crashed the Python process"}
        elif probe["name"] in hung:
            result = {"error": f"CellTimeout: not run, an earlier call did not return within {seconds:g} s"}
        else:
            signal.setitimer(signal.ITIMER_REAL, seconds)
            try:
                result = answers.answer_probe(probe, shell.user_ns)
            except CellTimeout:
                hung.add(probe["name"])
                result = {"error": f"CellTimeout: did not return within {seconds:g} s"}
            except BaseException as exc:  # noqa: BLE001 - SystemExit and the like are answers too
                result = {"error": answers.error_text(exc)}
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        send({"answer": index, "result": result})
    send({"probes_done": len(job["probes"])})


def _write_files(files: dict[str, str]) -> None:
    for name, data in files.items():
        with open(name, "wb") as handle:
            handle.write(base64.b64decode(data))


def child_main(shell: Any, job: dict, result_fd: int, base_vm: int, workdir: str | None) -> None:
    """In the student's process: limits, a private working folder, the cells, the probes, exit."""
    os.setsid()  # a session and process group of its own: kill(0, ...) reaches nobody else
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.closerange(3, result_fd)
    os.closerange(result_fd + 1, 4096)
    limits = job["limits"]
    memory = base_vm + limits["memory_mb"] * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = int(limits["submission_seconds"]) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits["file_mb"] * 1024 * 1024,) * 2)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_NPROC, (limits["processes"],) * 2)
    os.chdir(workdir or tempfile.mkdtemp(prefix="submission-", dir="/tmp"))
    _write_files(job.get("files", {}))
    pipe = os.fdopen(result_fd, "wb", buffering=0)

    def send(message: dict) -> None:
        pipe.write(json.dumps(message).encode("utf-8") + b"\n")

    run_cells(shell, job, send)
    answer_probes(shell, job, send)
    os._exit(0)


def _start_child(shell: Any, job: dict, base_vm: int, workdir: str | None) -> tuple[int, int, int | None]:
    """Fork the student's process: (pid to wait for, result pipe to read, pid to kill or None for a group).

    Confined: the worker forks an intermediate process that enters the new namespaces and forks
    the student's process as PID 1 of its own PID namespace; the intermediate reports that
    process's pid (as the worker sees it) on a pipe, waits for it and exits with its status.
    """
    read_fd, write_fd = os.pipe()
    if not job["isolate"]:
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child
            os.close(read_fd)
            try:
                child_main(shell, job, write_fd, base_vm, workdir)
            finally:
                os._exit(70)
        os.close(write_fd)
        return pid, read_fd, None
    report_r, report_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the intermediate process
        os.close(read_fd)
        os.close(report_r)
        try:
            devnull = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1):  # the worker's channel to the grader: not this process's business
                os.dup2(devnull, fd)
            confine.enter_namespaces()
            student = os.fork()
            if student == 0:
                os.close(report_w)
                confine.seal_off(TMP_MB)
                child_main(shell, job, write_fd, base_vm, None)
            os.close(write_fd)
            os.write(report_w, f"{student}\n".encode())
            _, status = os.waitpid(student, 0)
            os._exit(_exit_code_for(status))
        except BaseException:  # noqa: BLE001 - tell the worker, whatever failed
            os.write(report_w, f"error {traceback.format_exc(limit=2)!r}\n".encode())
        finally:
            os._exit(71)
    os.close(write_fd)
    os.close(report_w)
    report = _read_line(report_r, time.monotonic() + 10)
    os.close(report_r)
    if not report.isdigit():
        os.close(read_fd)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise confine.ConfineError(0, f"the student's process could not be confined: {report or 'no report'}")
    return pid, read_fd, int(report)


def _exit_code_for(status: int) -> int:
    """The intermediate's own exit code for the student's wait status: 128 + signal for a kill."""
    code = os.waitstatus_to_exitcode(status)
    return 128 - code if code < 0 else code


def _read_line(fd: int, deadline: float) -> str:
    data = b""
    while not data.endswith(b"\n") and time.monotonic() < deadline:
        if not select.select([fd], [], [], max(0.0, deadline - time.monotonic()))[0]:
            break
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        data += chunk
    return data.decode("utf-8", "replace").strip()


def run_job(shell: Any, job: dict, base_vm: int) -> dict:
    """One submission: fork the confined child, read the seal, collect its lines under the clock and cap."""
    started = time.monotonic()
    workdir = None if job["isolate"] else tempfile.mkdtemp(prefix="submission-")
    started_child: tuple[int, int, int | None] | str
    try:
        started_child = _start_child(shell, job, base_vm, workdir)
    except Exception:  # noqa: BLE001 - reported in the sealed reply below
        started_child = traceback.format_exc(limit=5)
    seal = protocol.read_frame(0, time.monotonic() + 30)  # read only now: the student's process never held it
    reply: dict = {"kind": "reply", "id": seal.get("id"), "secret": seal.get("secret")}
    if isinstance(started_child, str):
        reply["error"] = started_child
        return reply
    pid, read_fd, student = started_child
    limits = job["limits"]
    chunks, end = _collect(read_fd, started + limits["submission_seconds"], limits["result_bytes"])
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if student is not None:
            os.kill(student, signal.SIGKILL)  # PID 1 of its namespace: the kernel kills the rest
        else:
            os.killpg(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    os.close(read_fd)
    if workdir:  # unconfined: at least its working folder goes (a confined child's /tmp vanishes whole)
        shutil.rmtree(workdir, ignore_errors=True)
    code = os.waitstatus_to_exitcode(status)
    if student is not None and code > 128:
        code = 128 - code  # the intermediate reports a signal as 128 + signal
    reply.update(end=end, exit_code=code,
                 lines=b"".join(chunks)[: limits["result_bytes"]].decode("utf-8", errors="replace"))
    return reply


def _collect(fd: int, deadline: float, cap: int) -> tuple[list[bytes], str]:
    """Read the child's lines until end of file (every process of it gone), the deadline, or the cap."""
    chunks: list[bytes] = []
    size = 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return chunks, "time"
        if not select.select([fd], [], [], min(left, 1.0))[0]:
            continue
        data = os.read(fd, 65536)
        if not data:
            return chunks, "exited"
        chunks.append(data)
        size += len(data)
        if size > cap:
            return chunks, "output"


def vm_bytes() -> int:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def self_test(shell: Any, isolate: bool, base_vm: int) -> str:
    """Run one empty job now; '' when the child could be started (confined, if asked), else why not."""
    limits = {"cell_seconds": 5, "submission_seconds": 10, "probe_seconds": 1, "memory_mb": 256,
              "output_chars": 1000, "file_mb": 1, "result_bytes": 10_000, "processes": 64}
    check = "import os\nassert os.getpid() == 1 and not os.listdir('/proc')" if isolate else "pass"
    job = {"cells": [{"number": 1, "source": check}], "probes": [], "files": {}, "limits": limits,
           "isolate": isolate}
    workdir = None if isolate else tempfile.mkdtemp(prefix="self-test-")
    try:
        pid, read_fd, student = _start_child(shell, job, base_vm, workdir)
    except OSError as exc:
        return str(exc)
    chunks, end = _collect(read_fd, time.monotonic() + 10, 10_000)
    os.close(read_fd)
    _, status = os.waitpid(pid, 0)
    if workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    text = b"".join(chunks).decode("utf-8", "replace")
    if end != "exited" or os.waitstatus_to_exitcode(status) != 0 or '"error"' in text:
        return f"a confined test process failed ({end}, status {status}): {text[:300]}"
    return ""


def main(argv: list[str]) -> int:
    preload = [name for arg in argv if arg.startswith("--preload=") for name in arg[10:].split(",") if name]
    isolate = "--isolate" in argv
    os.environ.setdefault("MPLBACKEND", "Agg")
    failed = []
    for name in preload:
        try:
            __import__(name)
        except Exception as exc:  # noqa: BLE001 - reported to the grader in the hello
            failed.append(f"{name}: {type(exc).__name__}: {exc}")
    shell = make_shell()
    sys.stdout = sys.stderr  # nothing but frames on the protocol stream (fd 1)
    base_vm = vm_bytes()
    problem = self_test(shell, isolate, base_vm)
    protocol.write_frame(1, {"kind": "hello", "preload_failed": failed, "isolation_error": problem})
    if problem:
        return 3
    while True:
        try:
            job = protocol.read_frame(0)
        except protocol.ChannelError:
            return 0  # the grader closed the channel: done
        job = {**job, "isolate": isolate}  # the worker's configuration decides, not the message
        reply = run_job(shell, job, base_vm)
        protocol.write_frame(1, reply)
        if "error" in reply:
            return 4  # its state is unknown: the grader starts a fresh worker


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
