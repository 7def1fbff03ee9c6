"""The sandbox the grading workers run in: bubblewrap, from Debian's ``bubblewrap`` package.

Inside, a worker (and every student's child it forks) sees the Python installation and
the system libraries read-only, a private ``/tmp``, and nothing else of the machine:
no network (``--unshare-net``), no other processes (``--unshare-pid``), not the
exercise sources, the other submissions, the gradebook or the feedback folder. It
runs as user ``nobody`` in its own user namespace and dies with the grader
(``--die-with-parent``).

When bubblewrap is missing or not allowed (some containers forbid user namespaces),
:func:`probe` says so; the grader refuses to start unless the teacher passes
``--no-sandbox``, and then warns loudly that student code runs with the teacher's rights.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

WORKER_IN_SANDBOX = "/grader/worker.py"
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


@dataclass(frozen=True)
class SandboxStatus:
    available: bool
    message: str


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


def bwrap_command(worker: Path, hide: list[Path], tmp_mb: int = 512) -> list[str]:
    """The bubblewrap command line that runs ``worker`` with nothing but Python visible."""
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
    command += ["--ro-bind", str(worker), WORKER_IN_SANDBOX]
    for path in hide:  # anything secret that happens to sit inside a bound folder
        resolved = path.resolve()
        if any(resolved == r or r in resolved.parents for r in roots) and resolved.exists():
            command += ["--tmpfs", str(resolved)] if resolved.is_dir() else ["--ro-bind", "/dev/null", str(resolved)]
    command += ["--chdir", "/tmp", "--", sys.executable, "-I", WORKER_IN_SANDBOX]
    return command


def probe() -> SandboxStatus:
    """Can bubblewrap start a process here with the options the grader uses?"""
    if shutil.which("bwrap") is None:
        return SandboxStatus(False, "bubblewrap (bwrap) is not installed: on Debian/Ubuntu run "
                                    "'sudo apt-get install bubblewrap' (or scripts/system-deps.sh)")
    command = bwrap_command(Path(__file__), [])
    command = command[: command.index("--")] + ["--", sys.executable, "-I", "-c", "import socket, os; print('ok')"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return SandboxStatus(False, f"bubblewrap could not start: {exc}")
    if done.returncode != 0 or done.stdout.strip() != "ok":
        reason = (done.stderr.strip().splitlines() or ["no reason given"])[-1]
        return SandboxStatus(False, f"bubblewrap is installed but cannot create a sandbox here: {reason} "
                                    "(user namespaces may be disabled; try as root or enable "
                                    "kernel.unprivileged_userns_clone)")
    return SandboxStatus(True, "sandbox: bubblewrap (no network, private /tmp, Python read-only, runs as nobody)")
