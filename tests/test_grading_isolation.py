"""Grader isolation: hostile submissions cannot reach the worker, the grader or the next student.

One batch, one worker, in this order: each attack is followed in the same worker by a correct and a
wrong submission, which must get exactly their scores. Then the cases that need a hostile *worker*
(a forged reply, a worker that never answers) and another program holding the gradebook.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from grading_helpers import correct, fill, write

from ankl_course.grading import sandbox
from ankl_course.grading.executor import Limits
from ankl_course.grading.exercises import find_exercises
from ankl_course.grading.grader import Grader, Options, Status, collect

EX = "immunophenotype"
STATUS = sandbox.probe()
pytestmark = pytest.mark.skipif(not STATUS.available, reason=f"a protection is missing here: {STATUS.message}")
MARKER = "ankl-isolation-test-helper"

#: Attacks, as code in the student's first answer cell (the rest of the notebook is correct, so
#: each attacker earns exactly what its other answers are worth).
STOP_PARENT = """
import os, signal
os.kill(0, signal.SIGSTOP)  # its process group: the worker's own group, before each child got a session
hits = 0
for target in [-1, *range(2, 4096)]:
    try:
        os.kill(target, signal.SIGSTOP)
        hits += 1
    except OSError:
        pass
print("STOPPED", hits, "PPID", os.getppid())
"""
FORGE_REPLY = """
import json, os, struct
forged = json.dumps({"kind": "reply", "id": "03_victim/immunophenotype", "secret": "guess", "end": "exited",
                     "exit_code": 0, "lines": ""}).encode()
frame = struct.pack(">Q", len(forged)) + forged + b"\\n"
written, seen = 0, []
for pid in os.listdir("/proc"):
    seen.append(pid)
    for fd in (os.listdir(f"/proc/{pid}/fd") if os.path.isdir(f"/proc/{pid}/fd") else []):
        try:
            with open(f"/proc/{pid}/fd/{fd}", "wb") as handle:
                handle.write(frame)
            written += 1
        except OSError:
            pass
for fd in range(0, 1024):
    try:
        os.write(fd, frame)
        written += 1
    except OSError:
        pass
print("PROC_ENTRIES", len(seen), "FORGED_WRITES", written)
"""
SETSID_HELPER = f"""
import subprocess, sys
code = '''
import os, signal, time
deadline = time.time() + 30
while time.time() < deadline:
    for pid in range(2, 4096):
        for sig in (signal.SIGSTOP, signal.SIGKILL):
            try:
                os.kill(pid, sig)
            except OSError:
                pass
    time.sleep(0.05)
'''
helper = subprocess.Popen([sys.executable, "-c", code, "{MARKER}"], start_new_session=True,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print("HELPER_STARTED", helper.pid > 0)
"""
FORK_BOMB = """
import os, time
children = 0
try:
    while children < 5000:
        if os.fork() == 0:
            time.sleep(30)
            os._exit(0)
        children += 1
except OSError as exc:
    print("FORK_REFUSED", type(exc).__name__)
print("FORKED", children)
"""
WORKER_MEMORY = """
import ctypes, os
opened = 0
for path in ["/proc/1/mem", *(f"/proc/{p}/mem" for p in range(2, 64))]:
    for mode in ("rb", "r+b"):
        try:
            with open(path, mode):
                opened += 1
        except OSError:
            pass
libc = ctypes.CDLL(None, use_errno=True)
attached = sum(1 for pid in range(2, 4096) if libc.ptrace(16, pid, 0, 0) == 0)  # PTRACE_ATTACH
print("MEM_OPENED", opened, "PTRACE_ATTACHED", attached, "UID", os.getuid())
"""
ATTACKS = {"stop_parent": STOP_PARENT, "forge_reply": FORGE_REPLY, "setsid_helper": SETSID_HELPER,
           "fork_bomb": FORK_BOMB, "worker_memory": WORKER_MEMORY}
WRONG = {"is_nk_phenotype": "def is_nk_phenotype(profile):\n    return False",
         "classify": "def classify(profile):\n    return 'normal'",
         "cases": "def count_diagnoses(profiles):\n    return {}"}


def _attacker(exercise, attack: str):
    """The attack, with wrong answers everywhere: it has earned nothing and must get nothing."""
    return fill(exercise, {**WRONG, "is_nk_phenotype": attack + "\n" + WRONG["is_nk_phenotype"]})


def _helpers_running() -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if MARKER in (entry / "cmdline").read_bytes().decode("utf-8", "replace"):
                    found.append(entry.name)
            except OSError:
                continue
    return found


@pytest.fixture(scope="module")
def attacked(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("isolation")
    exercise = find_exercises()[EX]
    order = []
    for number, (name, attack) in enumerate(ATTACKS.items()):
        for suffix, notebook in (("attacker", _attacker(exercise, attack)), ("correct", correct(exercise)),
                                 ("wrong", fill(exercise, WRONG))):
            student = f"{number}{suffix[0]}_{name}_{suffix}"
            write(root / "submitted", student, EX, notebook)
            order.append(student)
    options = Options(gradebook=root / "gradebook.db", feedback_dir=root / "feedback", workers=1,
                      limits=Limits(cell_seconds=5.0, submission_seconds=10.0, probe_seconds=2.0, memory_mb=512,
                                    processes=32),
                      seed=11, progress=False)
    submissions, _ = collect([root / "submitted"], {EX: exercise})
    started = time.monotonic()
    outcomes = Grader({EX: exercise}, options).grade(submissions)
    return {o.submission.student: o for o in outcomes}, order, time.monotonic() - started


def _page(outcome) -> str:
    return outcome.feedback.read_text()


@pytest.mark.slow
@pytest.mark.parametrize("attack", list(ATTACKS))
def test_each_attack_leaves_the_next_correct_and_wrong_submissions_their_exact_scores(attacked, attack):
    outcomes, _, _ = attacked
    number = list(ATTACKS).index(attack)
    correct_one = outcomes[f"{number}c_{attack}_correct"]
    wrong_one = outcomes[f"{number}w_{attack}_wrong"]
    assert (correct_one.status, correct_one.score, correct_one.max_score) == (Status.GRADED, 4, 4)
    assert (wrong_one.status, wrong_one.score) == (Status.GRADED, 0)
    attacker = outcomes[f"{number}a_{attack}_attacker"]
    assert (attacker.status, attacker.score) == (Status.GRADED, 0)  # what it earned, with the usual messages
    assert attacker.message == "0 of 3 tasks passed"
    assert all(t.messages for t in attacker.tasks)


@pytest.mark.slow
def test_a_student_cannot_stop_its_parent_or_anyone_else(attacked):
    outcomes, _, _ = attacked
    page = _page(outcomes["0a_stop_parent_attacker"])
    assert "STOPPED 0 PPID 0" in page  # no parent to see, nothing outside its own namespace to signal


@pytest.mark.slow
def test_no_forged_reply_can_be_written_to_the_worker(attacked):
    outcomes, _, _ = attacked
    page = _page(outcomes["1a_forge_reply_attacker"])
    # /proc is empty; what it could write to are /dev/null (fds 0-2) and its own result pipe
    assert "PROC_ENTRIES 0 FORGED_WRITES 4" in page


@pytest.mark.slow
def test_a_setsid_helper_dies_with_its_submission(attacked):
    outcomes, _, _ = attacked
    assert "HELPER_STARTED True" in _page(outcomes["2a_setsid_helper_attacker"])
    assert _helpers_running() == []


@pytest.mark.slow
def test_a_fork_bomb_stops_at_the_process_limit(attacked):
    outcomes, _, _ = attacked
    page = _page(outcomes["3a_fork_bomb_attacker"])
    assert "FORK_REFUSED BlockingIOError" in page
    forked = int(page.split("FORKED ")[1].split()[0].strip("<"))
    assert forked <= 32 + 8  # the submission's 32, plus the sandbox's own few where a pids cgroup is the bound


@pytest.mark.slow
def test_the_worker_memory_cannot_be_opened_or_traced(attacked):
    outcomes, _, _ = attacked
    page = _page(outcomes["4a_worker_memory_attacker"])
    assert "MEM_OPENED 0 PTRACE_ATTACHED 0 UID 2000" in page


@pytest.mark.slow
def test_the_attacked_batch_finishes_promptly(attacked):
    outcomes, order, seconds = attacked
    assert set(outcomes) == set(order)
    assert seconds < 120


# -- a hostile worker: only the grader's seal and clock stand between it and the gradebook ---------
FAKE_WORKER = r"""
import json, os, struct, sys, time
from pathlib import Path
marker = Path(sys.argv[1])
mode = sys.argv[2]
real = sys.argv[3:]
if marker.exists():
    os.execv(real[0], real)
marker.write_text("attacked once")
def send(message):
    data = json.dumps(message).encode()
    os.write(1, struct.pack(">Q", len(data)) + data)
def read():
    size = struct.unpack(">Q", os.read(0, 8))[0]
    data = b""
    while len(data) < size:
        data += os.read(0, size - len(data))
    return json.loads(data)
send({"kind": "hello", "preload_failed": [], "isolation_error": ""})
job, seal = read(), read()
if mode == "forge":
    send({"kind": "reply", "id": job["id"], "secret": "0" * 32, "end": "exited", "exit_code": 0,
          "lines": json.dumps({"probes_done": 0})})
    time.sleep(60)
else:
    os.kill(os.getpid(), 19)  # SIGSTOP itself: a hung worker
"""


@pytest.mark.slow
@pytest.mark.parametrize(("mode", "status", "words"), [
    ("forge", Status.REJECTED, "was rejected"),
    ("hang", Status.TIMEOUT, "the grader's clock ran out"),
])
def test_a_worker_that_forges_or_hangs_is_replaced_and_the_batch_goes_on(tmp_path, monkeypatch, mode, status, words):
    exercise = find_exercises()[EX]
    fake = tmp_path / "fake_worker.py"
    fake.write_text(FAKE_WORKER)
    real_command = sandbox.worker_command

    def hostile_first(use_sandbox, isolate, hide, preload):
        return [sys.executable, str(fake), str(tmp_path / "marker"), mode, *real_command(use_sandbox, isolate,
                                                                                             hide, preload)]

    monkeypatch.setattr(sandbox, "worker_command", hostile_first)
    monkeypatch.setattr("ankl_course.grading.executor.GRACE_SECONDS", 2.0)
    paths = [write(tmp_path / "submitted", "1_attacked", EX, correct(exercise)),
             write(tmp_path / "submitted", "2_correct", EX, correct(exercise)),
             write(tmp_path / "submitted", "3_wrong", EX, fill(exercise, WRONG))]
    options = Options(gradebook=tmp_path / "gb.db", feedback_dir=tmp_path / "fb", workers=1, seed=3, progress=False,
                      limits=Limits(submission_seconds=5.0))
    submissions = collect(paths, {EX: exercise})[0]
    outcomes = {o.submission.student: o for o in Grader({EX: exercise}, options).grade(submissions)}
    first = outcomes["1_attacked"]
    assert first.status == status and first.score == 0 and words in first.message
    assert (outcomes["2_correct"].status, outcomes["2_correct"].score) == (Status.GRADED, 4)
    assert (outcomes["3_wrong"].status, outcomes["3_wrong"].score) == (Status.GRADED, 0)
    with sqlite3.connect(options.gradebook) as db:
        assert dict(db.execute("SELECT student, status FROM submission")) == {
            "1_attacked": status.value, "2_correct": "graded", "3_wrong": "graded"}


# -- the gradebook shared with another program --------------------------------------------------------
LOCKER = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
db.execute("COMMIT")
"""


@pytest.mark.slow
def test_a_gradebook_locked_for_30_s_is_reported_then_waited_for(tmp_path):
    exercise = find_exercises()[EX]
    paths = [write(tmp_path / "submitted", "correct", EX, correct(exercise)),
             write(tmp_path / "submitted", "wrong", EX, fill(exercise, WRONG))]
    gradebook = tmp_path / "gb.db"
    with sqlite3.connect(gradebook) as db:  # an existing gradebook, as after an earlier run
        db.execute("CREATE TABLE other_program (x)")
    locker = subprocess.Popen([sys.executable, "-c", LOCKER, str(gradebook), "30"], stdout=subprocess.PIPE, text=True)
    try:
        assert locker.stdout is not None and locker.stdout.readline().strip() == "locked"
        locked_at = time.monotonic()
        options = Options(gradebook=gradebook, feedback_dir=tmp_path / "fb", workers=1, seed=3, progress=False,
                          lock_wait=2.0)
        submissions = collect(paths, {EX: exercise})[0]
        with pytest.raises(Exception, match="locked by another program for more than 2 s"):
            Grader({EX: exercise}, options).grade(submissions)  # cannot even open it: one clear error
        options.lock_wait = 60.0  # now wait: the lock is released after 30 s and everything is recorded
        grader = Grader({EX: exercise}, options)
        outcomes = {o.submission.student: o for o in grader.grade(submissions)}
        assert time.monotonic() - locked_at >= 29
    finally:
        locker.kill()
        locker.wait()
    assert {name: (o.score, o.recorded) for name, o in outcomes.items()} == {"correct": (4, True), "wrong": (0, True)}


@pytest.mark.slow
def test_a_lock_taken_during_the_batch_is_reported_for_that_submission_and_the_batch_goes_on(tmp_path, monkeypatch):
    exercise = find_exercises()[EX]
    paths = [write(tmp_path / "submitted", "correct", EX, correct(exercise)),
             write(tmp_path / "submitted", "wrong", EX, fill(exercise, WRONG))]
    gradebook = tmp_path / "gb.db"
    options = Options(gradebook=gradebook, feedback_dir=tmp_path / "fb", workers=1, seed=3, progress=False,
                      lock_wait=1.0)
    grader = Grader({EX: exercise}, options)
    locker: list[subprocess.Popen] = []
    real_execute = Grader._execute

    def lock_first(self, book, pool, jobs, attempt, progress, outcomes):  # the lock arrives after the claims
        process = subprocess.Popen([sys.executable, "-c", LOCKER, str(gradebook), "30"], stdout=subprocess.PIPE,
                                   text=True)
        assert process.stdout is not None and process.stdout.readline().strip() == "locked"
        locker.append(process)
        try:
            return real_execute(self, book, pool, jobs, attempt, progress, outcomes)
        finally:
            process.kill()  # the other program lets go once the batch has been graded
            process.wait()

    monkeypatch.setattr(Grader, "_execute", lock_first)
    try:
        outcomes = {o.submission.student: o for o in grader.grade(collect(paths, {EX: exercise})[0])}
    finally:
        for process in locker:
            process.kill()
            process.wait()
    assert {name: (o.score, o.recorded) for name, o in outcomes.items()} == {"correct": (4, False), "wrong": (0, False)}
    assert all("NOT RECORDED" in o.message and "locked by another program" in o.message for o in outcomes.values())
    monkeypatch.undo()
    again = Grader({EX: exercise}, options).grade(collect(paths, {EX: exercise})[0])  # its claims were given up
    assert sorted((o.submission.student, o.score, o.recorded) for o in again) == [("correct", 4, True),
                                                                                  ("wrong", 0, True)]


@pytest.mark.slow
def test_two_runs_on_one_folder_grade_each_submission_once(tmp_path):
    exercise = find_exercises()[EX]
    paths = [write(tmp_path / "submitted", f"student{n:02d}", EX, correct(exercise)) for n in range(8)]
    options = Options(gradebook=tmp_path / "gb.db", feedback_dir=tmp_path / "fb", workers=1, seed=3, progress=False)
    results: list[list[str]] = [[], []]

    def run(index: int) -> None:
        outcomes = Grader({EX: exercise}, options).grade(collect(paths, {EX: exercise})[0])
        results[index] = [o.submission.student for o in outcomes]

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    graded = results[0] + results[1]
    assert sorted(graded) == [f"student{n:02d}" for n in range(8)]  # each exactly once, by one run or the other


def test_missing_protections_are_named_and_refused_unless_accepted(monkeypatch, capsys):
    from ankl_course.errors import CourseDataError
    from ankl_course.grading import cli

    missing = sandbox.SandboxStatus((sandbox.Protection("sandbox", True, "ok"),
                                     sandbox.Protection("namespaces", False, "no user namespaces"),
                                     sandbox.Protection("process-limit", False, "root without a pids cgroup")))
    monkeypatch.setattr(sandbox, "probe", lambda: missing)
    with pytest.raises(CourseDataError) as refused:
        cli._confinement(False, [])
    text = str(refused.value)
    assert "'namespaces' is missing: no user namespaces" in text
    assert "'process-limit' is missing: root without a pids cgroup" in text
    assert "--accept-risk namespaces --accept-risk process-limit" in text
    with pytest.raises(CourseDataError, match="'process-limit' is missing"):
        cli._confinement(False, ["namespaces"])
    chosen = cli._confinement(False, ["namespaces", "process-limit"])
    assert (chosen.use_sandbox, chosen.isolate) == (True, False)
    assert "WARNING: grading without the 'namespaces' protection" in capsys.readouterr().err


@pytest.mark.slow
def test_nothing_is_left_running_after_the_tests(attacked):
    outcomes, _, _ = attacked
    ours = f"{sys.prefix}/bin/python -I /grader/worker.py|{Path(sandbox.__file__).parent}/worker.py"
    leftovers = subprocess.run(["pgrep", "-f", ours], capture_output=True, text=True).stdout.split()
    assert [pid for pid in leftovers if int(pid) != os.getpid()] == []
    assert _helpers_running() == []


LEAVE_TRACES = """
import os, sys
os.environ["LEFT_BEHIND"] = "answers"
for path in ("/tmp/left.txt", "/dev/shm/left.txt", "left.txt"):
    open(path, "w").write("answers")
sys.modules["numpy"].left_behind = "answers"
import builtins
builtins.left_behind = "answers"
"""
LOOK_FOR_TRACES = """
import glob, os, sys, builtins
print("ENV", os.environ.get("LEFT_BEHIND"))
print("FILES", glob.glob("/tmp/**/left*", recursive=True) + glob.glob("/dev/shm/*") + glob.glob("left*"))
print("STATE", getattr(sys.modules.get("numpy"), "left_behind", None), getattr(builtins, "left_behind", None))
print("PROCESSES", sorted(os.listdir("/proc")))
"""


@pytest.mark.slow
def test_nothing_of_a_submission_reaches_the_next_in_the_same_worker(tmp_path):
    exercise = find_exercises()[EX]
    leaver = fill(exercise, {**WRONG, "is_nk_phenotype": LEAVE_TRACES + WRONG["is_nk_phenotype"]})
    looker = fill(exercise, {**WRONG, "is_nk_phenotype": LOOK_FOR_TRACES + WRONG["is_nk_phenotype"]})
    paths = [write(tmp_path / "submitted", "1_leaver", EX, leaver),
             write(tmp_path / "submitted", "2_looker", EX, looker)]
    options = Options(gradebook=tmp_path / "gb.db", feedback_dir=tmp_path / "fb", workers=1, seed=3, progress=False)
    graded = Grader({EX: exercise}, options).grade(collect(paths, {EX: exercise})[0])
    page = _page(next(o for o in graded if o.submission.student == "2_looker"))
    for line in ("ENV None", "FILES []", "STATE None None", "PROCESSES []"):
        assert line in page


def test_the_pipeline_steps_are_the_graders_methods_in_order():
    import inspect

    from ankl_course.grading import grader

    source = inspect.getsource(grader.Grader)
    positions = [source.index(f"    def _{step}(") for step in grader.STEPS]
    assert positions == sorted(positions)  # defined in the order they run, one method per named step
