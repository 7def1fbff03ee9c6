"""Namespaces of its own for each student's process: nothing of the worker to see, signal or open.

The worker forks an intermediate process per submission, which enters a new user namespace
(where the student has a uid of its own, :data:`STUDENT_UID`, not the worker's) together with new
PID, mount and IPC namespaces, and forks the student's process. That process is PID 1 of its PID
namespace, so:

- it cannot name the worker, the grader or an earlier submission: they are outside its PID
  namespace, ``getppid()`` is 0, and ``kill(-1, ...)`` reaches only its own processes;
- ``/proc`` is an empty read-only tmpfs, ``/tmp`` and ``/dev/shm`` are fresh tmpfs mounts that
  vanish with the mount namespace: no file of an earlier submission reaches it;
- when it ends, or the worker kills it, the kernel kills every process left in its namespace,
  including helpers started with ``setsid``: nothing survives a submission;
- it holds no capabilities and cannot gain any (``no_new_privs``, empty bounding set); the mounts
  it inherits are locked, so it cannot uncover what lies beneath them either.

Needs unprivileged user namespaces (nested in bubblewrap's own). Standard library only: the
worker loads this file by path inside the sandbox.
"""

from __future__ import annotations

import ctypes
import os

CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REC, MS_PRIVATE = 1, 2, 4, 8, 1 << 14, 1 << 18
PR_SET_NO_NEW_PRIVS, PR_CAPBSET_DROP = 38, 24
CAPABILITY_VERSION_3 = 0x20080522
#: The student's uid inside its own user namespace (the worker's is 65534, bubblewrap's ``nobody``).
STUDENT_UID = 2000

_libc = ctypes.CDLL(None, use_errno=True)


class ConfineError(OSError):
    """A namespace, mount or capability call failed: this machine cannot confine as promised."""


def _call(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise ConfineError(errno, f"{what}: {os.strerror(errno)}")


def enter_namespaces() -> None:
    """In the intermediate process: new user, mount, IPC and PID namespaces (the PID one for its children)."""
    uid, gid = os.getuid(), os.getgid()
    _call(_libc.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWPID), "unshare")
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"{STUDENT_UID} {uid} 1")
    _write("/proc/self/gid_map", f"{STUDENT_UID} {gid} 1")


def seal_off(tmp_mb: int) -> None:
    """In the student's process (PID 1 of the new namespace): private mounts, then no capabilities."""
    _call(_libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None), "making mounts private")
    _mount_tmpfs("/proc", "size=4k,mode=555", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)
    _mount_tmpfs("/tmp", f"size={tmp_mb}m,mode=1777", MS_NOSUID | MS_NODEV)
    if os.path.isdir("/dev/shm"):
        _mount_tmpfs("/dev/shm", "size=64m,mode=1777", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    drop_capabilities()


def drop_capabilities() -> None:
    """No capabilities now or after any exec: no_new_privs, empty bounding set, empty sets."""
    _call(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    for cap in range(64):
        if _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            break  # past the last capability this kernel knows

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                    ("inheritable", ctypes.c_uint32)]

    header, data = Header(CAPABILITY_VERSION_3, 0), (Data * 2)()
    _call(_libc.capset(ctypes.byref(header), data), "dropping capabilities")


def _mount_tmpfs(target: str, options: str, flags: int) -> None:
    _call(_libc.mount(b"tmpfs", target.encode(), b"tmpfs", flags, options.encode()), f"mounting a tmpfs on {target}")


def _write(path: str, text: str) -> None:
    try:
        with open(path, "w") as handle:
            handle.write(text)
    except OSError as exc:
        raise ConfineError(exc.errno or 0, f"writing {path}: {exc.strerror}") from exc
