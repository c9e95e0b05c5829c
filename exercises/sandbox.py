"""The grading sandbox: runs one submission's code and probes its answers (untrusted side).

Started by exercises/grade.py as ``python -m exercises.sandbox WORKDIR EXERCISE
MEMORY_MB CELL_TIMEOUT PROBE_TIMEOUT``, in its own session, with the probe inputs on
stdin. It caps its own memory, installs the lib tripwire, runs the learner's code cells
in an IPython shell (an error or a timeout in one cell does not stop the next), then
calls each question's probe on the inputs and writes the outputs to
WORKDIR/results.npz. It never judges or scores: the parent does that with its own
copy of the inputs, out of reach of anything the learner's code patches here.

Progress lines (``cell N``, ``error N TYPE: MESSAGE``, ``probes``) go to WORKDIR/progress,
so that the parent can say where a notebook that died or hung got to.
"""

import json
import os
import resource
import signal
import sys


class CellTimeout(BaseException):
    """Raised by the alarm inside a cell or probe that runs too long."""


def limit_resources(memory_mb, cpu_seconds):
    memory = memory_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
    resource.setrlimit(resource.RLIMIT_FSIZE, (512 * 2**20, 512 * 2**20))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


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


def main(argv):
    workdir, exercise_name = argv[0], argv[1]
    memory_mb, cell_timeout, probe_timeout = int(argv[2]), float(argv[3]), float(argv[4])
    limit_resources(memory_mb, int(4 * cell_timeout + 60))
    # The inputs arrive on stdin; keep them on a private descriptor until the probes,
    # and give the learner's code an empty stdin.
    inputs_fd = os.dup(0)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)

    progress = open(os.path.join(workdir, "progress"), "a", buffering=1)  # noqa: SIM115

    def note(line):
        progress.write(line.replace("\n", " ")[:500] + "\n")

    from traitlets.config import Config

    import exercises.checks as checks
    from exercises.checks.core import Tripwire, pack, run_probe, unpack

    exercise = checks.load(exercise_name)
    with open(os.path.join(workdir, "cells.json")) as f:
        cells = json.load(f)

    tripwire = Tripwire().install(exercise.forbidden())
    from IPython.core.interactiveshell import InteractiveShell

    config = Config()
    config.HistoryManager.enabled = False
    shell = InteractiveShell.instance(config=config)

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
        if hooks() != baseline:
            note(
                f"tamper {index} installed IPython input or AST transformers (they rewrite later "
                "cells)"
            )
            baseline = hooks()
        if "otter" in sys.modules and not getattr(main, "otter_seen", False):
            main.otter_seen = True
            note(f"tamper {index} imports otter (its check cells are not run here)")

    note("probes")
    chunks = []
    while chunk := os.read(inputs_fd, 1 << 20):
        chunks.append(chunk)
    inputs = unpack(b"".join(chunks))
    outputs = {}
    namespace = shell.user_ns
    for question in exercise.questions:
        cases = sorted({key.split("/")[1] for key in inputs if key.startswith(question.name + "/")})
        for case in cases:
            prefix = f"{question.name}/{case}/"
            case_inputs = {k[len(prefix) :]: v for k, v in inputs.items() if k.startswith(prefix)}
            case_inputs = {k: (v if v.shape else v[()]) for k, v in case_inputs.items()}
            fn = namespace.get(question.function)
            try:
                with Alarm(probe_timeout):
                    result = run_probe(question, fn, case_inputs, tripwire)
            except BaseException as escaped:  # noqa: BLE001
                result = {"__error__": f"{type(escaped).__name__}: {escaped}"}
            if isinstance(result.get("__error__"), str) and "CellTimeout" in result["__error__"]:
                result["__error__"] = (
                    f"TimeoutError: your function did not return within {probe_timeout:g} s"
                )
            for key, value in result.items():
                outputs[prefix + key] = value
    if not tripwire.intact():
        note("tripwire removed")
        outputs["__tripwire__"] = "removed"
    data = pack(outputs)
    path = os.path.join(workdir, "results.npz")
    with open(path + ".tmp", "wb") as f:
        f.write(data)
    os.replace(path + ".tmp", path)
    note("done")
    progress.close()
    os._exit(0)  # no atexit handlers, no lingering threads of the learner's code


if __name__ == "__main__":
    main(sys.argv[1:])
