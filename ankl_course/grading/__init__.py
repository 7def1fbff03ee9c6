"""Auto-graded exercises: author once with nbgrader's markup, release, grade a class safely.

The pieces, each in the module named for what it holds:

* :mod:`.markup` reads nbgrader's cell metadata (which cell is a solution, a test, locked);
* :mod:`.exercises` finds the exercise sources and their grader-side check specs;
* :mod:`.release` writes the student version (what ``nbgrader generate_assignment`` writes);
* :mod:`.sanitize` repairs a submission against its source before anything runs;
* :mod:`.checks` describes hidden checks and judges the student's answers in the grader;
* :mod:`.protocol` defines the messages between the grader and its workers (sealed replies);
* :mod:`.worker` / :mod:`.executor` run submissions in forked children of warm workers, on the grader's clock;
* :mod:`.confine` gives each student's process namespaces of its own; :mod:`.answers` answers probes;
* :mod:`.sandbox` wraps the workers in bubblewrap and probes every protection;
* :mod:`.gradebook` and :mod:`.feedback` record and report the results;
* :mod:`.bridge` runs the same checks inside a notebook, for the sources' hidden test regions (nbgrader);
* :mod:`.grader` runs the ordered steps for ``ankl-course grade``; :mod:`.cli` holds the commands.
"""
