"""The protections around student code, what each needs, and whether this machine has it.

Three layers, each by construction rather than by catching tricks:

- **sandbox**: each worker runs in bubblewrap (Debian's ``bubblewrap``): the Python installation and
  system libraries read-only, a private ``/tmp``, no network, nothing else of the machine (not the
  exercise sources, the other submissions, the gradebook or the feedback folder), as ``nobody`` in
  its own user namespace, killed with the grader.
- **namespaces**: each student's process runs in user, PID, mount and IPC namespaces of its own,
  as a uid of its own, with no capabilities (:mod:`.confine`): it cannot see, signal, trace or open
  the worker, the grader or another submission, and every process it starts dies with it. Needs
  unprivileged user namespaces nested in bubblewrap's (Linux 3.8+, ``user.max_user_namespaces`` > 0).
- **process-limit**: a bound on the processes and threads of a submission, so a fork bomb stops at
  the bound, not only at the wall clock. As a non-root user, ``RLIMIT_NPROC`` does it; as root the
  kernel exempts the process from that limit, so a cgroup with ``pids.max`` is used, which needs a
  writable pids controller (cgroup v1 ``/sys/fs/cgroup/pids`` or a delegated cgroup v2 subtree).

:func:`probe` tries each on this machine. ``ankl-course grade`` names every missing protection
before it starts and refuses to grade unless the teacher accepts that risk explicitly.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from . import protocol
from .worker import FILES as WORKER_FILES

GRADER_DIR = "/grader"
SYSTEM_DIRS = ("/usr", "/bin", "/lib", "/lib64", "/sbin", "/etc/alternatives", "/etc/ld.so.cache",
               "/etc/localtime", "/etc/ssl/certs", "/etc/fonts")
ENVIRONMENT = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "HOME": "/tmp",
    "LANG": "C.UTF-8",
    "MPLBACKEND": "Agg",
    "MPLCONFIGDIR": "/tmp/.matplotlib",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYTHONDONTWRITEBYTECODE": "1",
}
PROTECTIONS = ("sandbox", "namespaces", "process-limit")
WORKER_FILE = Path(__file__).with_name("worker.py")


@dataclass(frozen=True)
class Protection:
    name: str
    available: bool
    detail: str  # what it gives when available; why it is missing and what it needs otherwise


@dataclass(frozen=True)
class SandboxStatus:
    """The protections this machine offers, as :func:`probe` found them."""

    protections: tuple[Protection, ...]

    @property
    def available(self) -> bool:
        return all(p.available for p in self.protections)

    @property
    def missing(self) -> list[str]:
        return [p.name for p in self.protections if not p.available]

    def has(self, name: str) -> bool:
        return any(p.name == name and p.available for p in self.protections)

    @property
    def message(self) -> str:
        return "; ".join(f"{p.name}: {'yes' if p.available else 'MISSING'} ({p.detail})" for p in self.protections)


def python_roots() -> list[Path]:
    """The folders the worker's Python needs: the venv and the base installation, real paths too."""
    roots: list[Path] = []
    for prefix in {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}:
        for path in (Path(prefix), Path(prefix).resolve()):
            if path not in roots:
                roots.append(path)
    executable = Path(sys.executable).resolve().parent.parent
    if executable not in roots:
        roots.append(executable)
    return roots


def bwrap_command(hide: list[Path], tmp_mb: int = 512) -> list[str]:
    """The bubblewrap command line that runs the worker with nothing but Python visible."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise FileNotFoundError("bwrap")
    command = [bwrap, "--unshare-all", "--unshare-user", "--uid", "65534", "--gid", "65534",
               "--die-with-parent", "--new-session", "--clearenv"]
    for name, value in ENVIRONMENT.items():
        command += ["--setenv", name, value]
    for folder in SYSTEM_DIRS:
        command += ["--ro-bind-try", folder, folder]
    # The private /tmp comes before the Python folders: a venv that lives under /tmp (a CI clone,
    # a teacher's scratch checkout) is then bound on top of it instead of being hidden by it.
    command += ["--proc", "/proc", "--dev", "/dev", "--size", str(tmp_mb * 1024 * 1024), "--tmpfs", "/tmp"]
    roots = python_roots()
    for root in roots:
        command += ["--ro-bind", str(root), str(root)]
    for name in WORKER_FILES:
        command += ["--ro-bind", str(WORKER_FILE.with_name(name)), f"{GRADER_DIR}/{name}"]
    for path in hide:  # anything secret that happens to sit inside a bound folder
        resolved = path.resolve()
        if any(resolved == r or r in resolved.parents for r in roots) and resolved.exists():
            command += ["--tmpfs", str(resolved)] if resolved.is_dir() else ["--ro-bind", "/dev/null", str(resolved)]
    command += ["--chdir", "/tmp", "--", sys.executable, "-I", f"{GRADER_DIR}/worker.py"]
    return command


def worker_command(use_sandbox: bool, isolate: bool, hide: list[Path], preload: tuple[str, ...]) -> list[str]:
    """How to start one worker: in bubblewrap or not, confining each student's process or not."""
    command = bwrap_command(hide) if use_sandbox else [sys.executable, "-I", str(WORKER_FILE)]
    command.append("--preload=" + ",".join(preload))
    if isolate:
        command.append("--isolate")
    return command


class PidsCgroup:
    """A cgroup of the pids controller per worker, where the machine lets us make one (root)."""

    def __init__(self, base: Path) -> None:
        self.base = base

    @classmethod
    def find(cls) -> PidsCgroup | None:
        """The pids controller's folder for this process, if it is there and writable."""
        if os.geteuid() != 0:
            return None
        own = _own_cgroups()
        candidates = []
        if "pids" in own:
            candidates.append(Path("/sys/fs/cgroup/pids") / own["pids"].lstrip("/"))
        if "" in own:
            unified = Path("/sys/fs/cgroup") / own[""].lstrip("/")
            with contextlib.suppress(OSError):
                if "pids" in (unified / "cgroup.subtree_control").read_text().split():
                    candidates.append(unified)
        for base in candidates:
            if (base / "cgroup.procs").exists() and os.access(base, os.W_OK):
                return cls(base)
        return None

    def create(self, name: str, max_pids: int) -> Path:
        path = self.base / name
        path.mkdir(exist_ok=True)
        (path / "pids.max").write_text(str(max_pids))
        return path

    @staticmethod
    def enter_command(path: Path, command: list[str]) -> list[str]:
        """``command``, started inside the cgroup (so that everything it forks is counted there too)."""
        return ["/bin/sh", "-c", 'echo $$ > "$0/cgroup.procs" && exec "$@"', str(path), *command]

    @staticmethod
    def destroy(path: Path) -> None:
        """Kill whatever is left in the cgroup, then remove it."""
        for _ in range(50):
            try:
                pids = [int(p) for p in (path / "cgroup.procs").read_text().split()]
            except OSError:
                return
            for pid in pids:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, 9)
            with contextlib.suppress(OSError):
                path.rmdir()
                return
            time.sleep(0.02)


def _own_cgroups() -> dict[str, str]:
    """controller -> this process's cgroup path ("" for cgroup v2)."""
    found: dict[str, str] = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            for name in controllers.split(","):
                found[name] = path
    return found


def probe() -> SandboxStatus:
    """Try each protection here: bubblewrap, per-submission namespaces, and a process limit."""
    sandbox = _probe_bwrap()
    namespaces = _probe_namespaces(sandbox.available)
    if os.geteuid() != 0:
        limit = Protection("process-limit", True, "RLIMIT_NPROC for the non-root uid that grades")
    elif PidsCgroup.find() is not None:
        limit = Protection("process-limit", True, "a cgroup with pids.max per worker")
    else:
        limit = Protection("process-limit", False, "grading as root, where RLIMIT_NPROC does not apply, and no "
                           "writable cgroup pids controller: a fork bomb is stopped only by the wall clock")
    return SandboxStatus((sandbox, namespaces, limit))


def _probe_bwrap() -> Protection:
    if shutil.which("bwrap") is None:
        return Protection("sandbox", False, "bubblewrap (bwrap) is not installed: on Debian/Ubuntu run "
                          "'sudo apt-get install bubblewrap' (or scripts/system-deps.sh)")
    command = bwrap_command([])
    command = command[: command.index("--")] + ["--", sys.executable, "-I", "-c", "print('ok')"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Protection("sandbox", False, f"bubblewrap could not start: {exc}")
    if done.returncode != 0 or done.stdout.strip() != "ok":
        reason = (done.stderr.strip().splitlines() or ["no reason given"])[-1]
        return Protection("sandbox", False, f"bubblewrap is installed but cannot create a sandbox here: {reason} "
                          "(user namespaces may be disabled: enable kernel.unprivileged_userns_clone)")
    return Protection("sandbox", True, "bubblewrap: no network, private /tmp, Python read-only, runs as nobody")


def _probe_namespaces(in_bwrap: bool) -> Protection:
    """Start a worker that confines one test process, and read what it says."""
    command = worker_command(in_bwrap, True, [], ())
    try:
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                   env=None if in_bwrap else {**os.environ, **ENVIRONMENT})
    except OSError as exc:
        return Protection("namespaces", False, f"the grading worker could not start: {exc}")
    try:
        assert process.stdout is not None
        hello = protocol.read_frame(process.stdout.fileno(), time.monotonic() + 60)
        problem = str(hello.get("isolation_error", "no answer")) if isinstance(hello, dict) else "no answer"
    except protocol.ChannelError as exc:
        problem = f"the grading worker did not answer ({exc})"
    finally:
        process.kill()
        process.wait()
    if problem:
        return Protection("namespaces", False, f"{problem}; needs unprivileged user namespaces "
                          "(user.max_user_namespaces > 0)")
    return Protection("namespaces", True, "each submission in its own user, PID, mount and IPC namespaces, "
                      "as a uid of its own, without capabilities")
