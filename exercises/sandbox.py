"""The grading sandbox: runs one submission's code and probes its answers (untrusted side).

Started by exercises/grade.py as ``python -m exercises.sandbox WORKDIR EXERCISE
MEMORY_MB CELL_TIMEOUT PROBE_TIMEOUT``, in its own session, with the probe inputs on
stdin. It caps its own memory, installs the lib tripwire and runs the learner's code cells
in an IPython shell (an error or a timeout in one cell does not stop the next). It never
judges or scores: the parent does that with its own copy of the inputs, out of reach of
anything the learner's code patches here.

Answers are probed as the notebook runs, so that a process that dies later keeps them:
after each cell, every question whose function is new (or was redefined) is called on the
inputs and its outputs are written to WORKDIR/probe-NNN.npz (atomically); once every cell
has run, all questions are probed again into the last file. The parent scores each
question by the best of its probes.

A cell that runs out of memory and leaves it full ends the run, as the kernel would be
killed for it on a real machine. Progress lines (``cell N``, ``error N TYPE: MESSAGE``,
``probe K after N: q1 q2``, ``memory full after cell N``, ``probes``, ``done``) go to
WORKDIR/progress, so that the parent can say where a notebook that died or hung got to.
"""

import json
import os
import resource
import signal
import sys

import exercises.checks as checks
from exercises.checks.core import Tripwire, pack, run_probe, unpack


class CellTimeout(BaseException):
    """Raised by the alarm inside a cell or probe that runs too long."""


def limit_resources(memory_mb, cpu_seconds):
    memory = memory_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
    resource.setrlimit(resource.RLIMIT_FSIZE, (512 * 2**20, 512 * 2**20))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def address_space():
    """Bytes of address space this process holds (what RLIMIT_AS caps); 0 if unknown."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


class Alarm:
    def __init__(self, seconds):
        self.seconds = seconds

    def __enter__(self):
        signal.signal(signal.SIGALRM, self._raise)
        signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, *exc):
        signal.setitimer(signal.ITIMER_REAL, 0)

    @staticmethod
    def _raise(signum, frame):
        raise CellTimeout("time limit reached")


def read_all(fd):
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    os.close(fd)
    return b"".join(chunks)


def probe_question(question, fn, case_inputs, tripwire, probe_timeout):
    """{case/part: array} for one question; after a time-out its other cases are skipped."""
    outputs = {}
    late = None
    for case, inputs in case_inputs.items():
        if late is not None:
            result = {"__error__": late}
        else:
            try:
                with Alarm(probe_timeout):
                    result = run_probe(question, fn, inputs, tripwire)
            except BaseException as escaped:  # noqa: BLE001 - the alarm may fire anywhere
                result = {"__error__": f"{type(escaped).__name__}: {escaped}"}
            if "CellTimeout" in str(result.get("__error__", "")):
                late = f"TimeoutError: your function did not return within {probe_timeout:g} s"
                result = {"__error__": late}
        outputs.update({f"{case}/{key}": value for key, value in result.items()})
        outputs[f"{case}/__probed__"] = True  # even when the function returned nothing
    return outputs


def split_inputs(inputs, question):
    """{case: {name: value}} of one question from the flat {q/case/name: array} payload."""
    cases = {}
    for key, value in inputs.items():
        name, case, field = key.split("/", 2)
        if name == question.name:
            cases.setdefault(case, {})[field] = value if value.shape else value[()]
    return dict(sorted(cases.items()))


def main(argv):
    workdir, exercise_name = argv[0], argv[1]
    memory_mb, cell_timeout, probe_timeout = int(argv[2]), float(argv[3]), float(argv[4])
    limit_resources(memory_mb, int(4 * cell_timeout + 60))
    # The inputs arrive on stdin (read now: answers are probed as the notebook runs); the
    # learner's code gets an empty stdin.
    payload = read_all(os.dup(0))
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)

    progress = open(os.path.join(workdir, "progress"), "a", buffering=1)  # noqa: SIM115

    def note(line):
        try:
            progress.write(line.replace("\n", " ")[:500] + "\n")
        except MemoryError:  # the learner's code may have taken all the memory
            pass

    from traitlets.config import Config

    exercise = checks.load(exercise_name)
    flat = unpack(payload)
    inputs = {q.name: split_inputs(flat, q) for q in exercise.questions}
    del payload, flat
    with open(os.path.join(workdir, "cells.json")) as f:
        cells = json.load(f)

    tripwire = Tripwire().install(exercise.forbidden())
    from IPython.core.interactiveshell import InteractiveShell

    config = Config()
    config.HistoryManager.enabled = False
    shell = InteractiveShell.instance(config=config)
    probed = {}  # question name -> the function object it was last probed with
    snapshots = []

    def probe(questions, label):
        """Probe ``questions`` and write their outputs to the next probe-NNN.npz."""
        outputs = {}
        for question in questions:
            fn = shell.user_ns.get(question.function)
            probed[question.name] = fn
            found = probe_question(question, fn, inputs[question.name], tripwire, probe_timeout)
            outputs.update({f"{question.name}/{key}": value for key, value in found.items()})
        if not tripwire.intact():
            note("tripwire removed")
            outputs["__tripwire__"] = "removed"
        path = os.path.join(workdir, f"probe-{len(snapshots):03d}.npz")
        try:
            data = pack(outputs)
            with open(path + ".tmp", "wb") as f:
                f.write(data)
            os.replace(path + ".tmp", path)
        except MemoryError:
            note(f"probe {len(snapshots)} not saved: out of memory")
            return
        note(f"probe {len(snapshots)} {label}: {' '.join(q.name for q in questions)}")
        snapshots.append(path)

    def hooks():
        return (
            list(shell.input_transformers_cleanup),
            list(shell.input_transformers_post),
            list(shell.ast_transformers),
        )

    baseline = hooks()
    for index, source in enumerate(cells):
        note(f"cell {index}")
        try:
            with Alarm(cell_timeout):
                result = shell.run_cell(source, store_history=False)
            error = result.error_before_exec or result.error_in_exec
        except BaseException as escaped:  # noqa: BLE001 - the alarm may fire outside exec
            error = escaped
        if error is not None:
            kind = "timeout" if isinstance(error, CellTimeout) else type(error).__name__
            note(f"error {index} {kind}: {error}")
        if isinstance(error, MemoryError) and address_space() > 0.9 * memory_mb * 2**20:
            # The memory stays full: a kernel would have been killed for it here, so the
            # rest is not run (answers probed so far keep their points).
            note(f"memory full after cell {index}")
            progress.close()
            os._exit(0)
        if hooks() != baseline:
            note(
                f"tamper {index} installed IPython input or AST transformers (they rewrite later "
                "cells)"
            )
            baseline = hooks()
        if "otter" in sys.modules and not getattr(main, "otter_seen", False):
            main.otter_seen = True
            note(f"tamper {index} imports otter (its check cells are not run here)")
        changed = [
            q
            for q in exercise.questions
            if callable(shell.user_ns.get(q.function))
            and shell.user_ns.get(q.function) is not probed.get(q.name)
        ]
        if changed:
            probe(changed, f"after cell {index}")

    note("probes")
    probe(exercise.questions, "final")
    note("done")
    progress.close()
    os._exit(0)  # no atexit handlers, no lingering threads of the learner's code


if __name__ == "__main__":
    main(sys.argv[1:])
