"""Grade a folder of submitted exercise notebooks into one CSV (``make grade``).

    python -m exercises.grade SUBMISSIONS GRADES.csv [--jobs 2] [--timeout 120] [--memory-mb 2048]

Every ``*.ipynb`` under SUBMISSIONS (any file name: the exercise is read from the
notebook) gets one row: submission, exercise, score, possible, status, message, then
the points of each question. Statuses:

    ok                 every cell ran
    error              some cell raised (the rest was still run and graded)
    timeout            a cell ran past the cell limit (interrupted, rest graded), or
                       the whole notebook ran past --timeout (killed, 0 points)
    memory             a cell ran out of the --memory-mb cap (the rest graded)
    crashed            the Python process died (killed itself, segfault): 0 points
    tampered           a check cell or the stored tests were edited or deleted, or the
                       notebook undid the lib tripwire; graded with our own tests
    invalid_notebook   not a readable .ipynb (bad JSON, not a notebook): 0 points
    unknown_exercise   no exercise recognised in the notebook: 0 points

How a submission is graded, and why the learner's code cannot change its score: the
learner's code cells run in a separate Python process (exercises/sandbox.py: fresh,
own session, memory cap, CPU and wall-clock limits, killed at the end). That process
only *calls* the learner's functions on inputs drawn here from a secret per-run seed
and sends back the arrays they return (an .npz, read without pickles). The reference
answers, the diagnosis and the points are computed here, in this process, which the
learner's code never runs in: patching otter's TestFile.score, editing the tests or
blanking later cells (IPython input transformers) inside the notebook changes nothing.
Otter's own check cells are not run at all.
"""

import argparse
import csv
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from exercises import checks
from exercises.checks.core import PUBLIC_SEED, make_cases, pack, score_cases, unpack

ROOT = Path(__file__).resolve().parents[1]
EXERCISES_DIR = Path(__file__).resolve().parent
COLUMNS = ["submission", "exercise", "score", "possible", "status", "message"]
STATUS_ORDER = ["tampered", "timeout", "memory", "error", "ok"]
CHECK_CELL = re.compile(
    r"^\s*(grader\s*\.\s*(check|check_all|export)\s*\(|.*otter\.Notebook\()", re.M
)


def source(cell):
    value = cell.get("source", "")
    return "".join(value) if isinstance(value, list) else str(value)


def read_notebook(path):
    """The notebook as a dict, or raise ValueError saying why it is not one."""
    try:
        nb = json.loads(Path(path).read_bytes())
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"not valid JSON ({error})") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise ValueError("not a Jupyter notebook (no list of cells)")
    for index, cell in enumerate(nb["cells"]):
        if not isinstance(cell, dict) or not isinstance(cell.get("source", ""), (str, list)):
            raise ValueError(f"cell {index} is not a notebook cell")
    return nb


def identify(nb):
    """The exercise name: notebook metadata first, then the title cell."""
    meta = nb.get("metadata", {})
    name = meta.get("rnn_course", {}).get("exercise") if isinstance(meta, dict) else None
    if isinstance(name, str) and name in checks.available():
        return name
    for cell in nb["cells"][:5]:
        match = re.search(r"Exercise\s+(\d+)\b", source(cell))
        if match and f"ex{int(match.group(1)):02d}" in checks.available():
            return f"ex{int(match.group(1)):02d}"
    return None


def template(exercise):
    """(protected cell sources, stored tests) of the shipped student notebook."""
    nb = json.loads((EXERCISES_DIR / exercise.notebook).read_text())
    protected = [
        source(c) for c in nb["cells"] if c["cell_type"] == "code" and CHECK_CELL.search(source(c))
    ]
    return protected, nb.get("metadata", {}).get("otter", {}).get("tests")


def tampering(nb, exercise):
    """Why the submission's check cells or stored tests differ from the shipped ones."""
    protected, tests = template(exercise)
    code = [source(c).strip() for c in nb["cells"] if c.get("cell_type") == "code"]
    reasons = []
    for cell in protected:
        if cell.strip() not in code:
            reasons.append(f"check cell edited or deleted: {cell.strip().splitlines()[-1]!r}")
    meta = nb.get("metadata", {})
    stored = meta.get("otter", {}).get("tests") if isinstance(meta, dict) else None
    if stored != tests:
        reasons.append("the tests stored in the notebook metadata were changed")
    return reasons


def learner_cells(nb):
    """[(notebook cell number from 1, source)] of the code cells to run: all but otter's."""
    return [
        (number, source(c))
        for number, c in enumerate(nb["cells"], start=1)
        if c.get("cell_type") == "code" and not CHECK_CELL.search(source(c))
    ]


def run_sandbox(exercise, cells, payload, options):
    """Run the learner's cells and probes; returns (outputs or None, progress lines, info)."""
    workdir = Path(tempfile.mkdtemp(prefix="rnn-grade-"))
    try:
        (workdir / "cwd").mkdir()
        (workdir / "cells.json").write_text(json.dumps([text for _, text in cells]))
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "MPLBACKEND": "Agg",
            "IPYTHONDIR": str(workdir / "ipython"),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        command = [
            sys.executable,
            "-m",
            "exercises.sandbox",
            str(workdir),
            exercise.name,
            str(options.memory_mb),
            str(options.cell_timeout),
            str(options.probe_timeout),
        ]
        timed_out = False
        with open(workdir / "stderr", "wb") as stderr:
            process = subprocess.Popen(
                command,
                cwd=workdir / "cwd",
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                start_new_session=True,
            )
            try:
                process.communicate(payload, timeout=options.timeout)
            except subprocess.TimeoutExpired:
                timed_out = True
            finally:
                try:
                    os.killpg(process.pid, signal.SIGKILL)  # the child and anything it started
                except (ProcessLookupError, PermissionError):
                    pass
                process.wait()
        progress = (
            (workdir / "progress").read_text(errors="replace").splitlines()
            if (workdir / "progress").exists()
            else []
        )
        stderr_tail = (workdir / "stderr").read_bytes()[-4000:].decode(errors="replace")
        outputs = None
        results = workdir / "results.npz"
        if not timed_out and results.exists() and "done" in progress:
            outputs = unpack(results.read_bytes())
        info = {"timed_out": timed_out, "returncode": process.returncode, "stderr": stderr_tail}
        return outputs, progress, info
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def where(progress, numbers):
    cells = [line for line in progress if line.startswith("cell ")]
    if progress and progress[-1] == "probes":
        return "while calling the answers' functions"
    return f"in cell {numbers[int(cells[-1].split()[1])]}" if cells else "at start-up"


def grade_notebook(path, options):
    """One CSV row (a dict) for the notebook at ``path``; never raises."""
    row = {"submission": str(path.relative_to(options.submissions)), "exercise": "", "score": 0.0}
    try:
        return _grade(path, options, row)
    except Exception as error:  # noqa: BLE001 - one bad notebook never stops the batch
        return {**row, "status": "grader_error", "message": f"{type(error).__name__}: {error}"}


def _grade(path, options, row):
    try:
        nb = read_notebook(path)
    except (OSError, ValueError) as error:
        return {**row, "possible": "", "status": "invalid_notebook", "message": str(error)}
    name = identify(nb)
    if name is None:
        return {
            **row,
            "possible": "",
            "status": "unknown_exercise",
            "message": "no exercise found (metadata rnn_course.exercise or an 'Exercise N' title)",
        }
    exercise = checks.load(name)
    row.update(exercise=name, possible=exercise.points)
    for question in exercise.questions:
        row[question.name] = 0.0
    reasons = tampering(nb, exercise)

    # Inputs: the public cases plus hidden ones from a secret seed that never leaves here.
    secret = secrets.randbits(128)
    cases = {}
    for number, question in enumerate(exercise.questions, start=1):
        public = make_cases(question, PUBLIC_SEED + number, hidden=False)
        hidden = make_cases(question, secret + number, hidden=True)
        cases[question.name] = {f"p{k}": c for k, c in enumerate(public)} | {
            f"h{k}": c for k, c in enumerate(hidden)
        }
    payload = pack(
        {
            f"{q}/{case}/{key}": value
            for q, by_case in cases.items()
            for case, inputs in by_case.items()
            for key, value in inputs.items()
        }
    )
    cells = learner_cells(nb)
    numbers = [number for number, _ in cells]
    outputs, progress, info = run_sandbox(exercise, cells, payload, options)

    notes = list(reasons)
    if info["timed_out"]:
        notes.insert(
            0, f"stopped after the time limit of {options.timeout:g} s {where(progress, numbers)}"
        )
        ran_out = any("MemoryError" in line for line in progress)
        status = "memory" if ran_out else "timeout"
        if ran_out:
            notes.append("after a cell ran out of memory")
        return {**row, "status": status, "message": "; ".join(notes)}
    if outputs is None:
        signal_name = signal.Signals(-info["returncode"]).name if info["returncode"] < 0 else None
        died = f"killed by {signal_name}" if signal_name else f"exit code {info['returncode']}"
        memory = re.search(
            r"MemoryError|Cannot allocate|bad_alloc|out of memory", info["stderr"]
        ) or any("MemoryError" in line for line in progress)
        notes.insert(0, f"the Python process died ({died}) {where(progress, numbers)}")
        return {**row, "status": "memory" if memory else "crashed", "message": "; ".join(notes)}

    flags = set(["tampered"] if reasons else [])
    for line in progress:
        if line.startswith("error "):
            _, index, rest = line.split(" ", 2)
            kind = rest.split(":", 1)[0]
            flag = (
                "timeout" if kind == "timeout" else "memory" if "MemoryError" in kind else "error"
            )
            flags.add(flag)
            what = "ran past the cell time limit" if flag == "timeout" else f"raised {rest}"
            notes.append(f"cell {numbers[int(index)]} {what}"[:300])
        elif line.startswith("tamper "):
            _, index, rest = line.split(" ", 2)
            flags.add("tampered")
            notes.append(f"cell {numbers[int(index)]} {rest}")
    tripwire_removed = "__tripwire__" in outputs
    if tripwire_removed:
        flags.add("tampered")
        notes.append("the notebook removed the grader's lib tripwire: no points")

    total = 0.0
    for question in exercise.questions:
        results = []
        for case, inputs in cases[question.name].items():
            prefix = f"{question.name}/{case}/"
            got = {k[len(prefix) :]: v for k, v in outputs.items() if k.startswith(prefix)}
            results.append((inputs, got))
        points, message = score_cases(question, results)
        if tripwire_removed:
            points = 0
        row[question.name] = points
        total += points
        if points < question.points and not tripwire_removed:
            notes.append(f"{question.name} {points:g}/{question.points:g}: {message}")
    status = next(s for s in STATUS_ORDER if s in flags or s == "ok")
    row.update(score=round(total, 4), status=status, message=" | ".join(notes) or "all correct")
    return row


def grade_folder(submissions, grades, options):
    submissions = Path(submissions)
    options.submissions = submissions
    paths = sorted(p for p in submissions.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool:
        rows = list(pool.map(lambda p: grade_notebook(p, options), paths))
    questions = sorted(
        {k for row in rows for k in row if re.fullmatch(r"q\d+", k)}, key=lambda q: int(q[1:])
    )
    grades = Path(grades)
    if grades.parent != Path(""):
        grades.parent.mkdir(parents=True, exist_ok=True)
    with open(grades, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS + questions, restval="")
        writer.writeheader()
        writer.writerows(rows)
    for row in rows:
        score = f"{row['score']}/{row.get('possible') or '-'}"
        print(f"{row['submission']}: {row['exercise'] or '-'} {score} {row['status']}")
    print(f"graded {len(rows)} notebooks in {time.monotonic() - start:.1f} s -> {grades}")
    return rows


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m exercises.grade", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "submissions", help="folder of submitted .ipynb files (searched recursively)"
    )
    parser.add_argument("grades", help="CSV file to write")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks graded at once (default 2)")
    parser.add_argument(
        "--timeout", type=float, default=120, help="seconds per notebook (default 120)"
    )
    parser.add_argument(
        "--cell-timeout",
        type=float,
        default=None,
        help="seconds per cell (default: half of --timeout)",
    )
    parser.add_argument(
        "--probe-timeout", type=float, default=None, help="seconds per function call (default 10)"
    )
    parser.add_argument(
        "--memory-mb", type=int, default=2048, help="memory cap per notebook (default 2048)"
    )
    options = parser.parse_args(argv)
    if options.cell_timeout is None:
        options.cell_timeout = options.timeout / 2
    if options.probe_timeout is None:
        options.probe_timeout = min(10.0, options.timeout / 4)
    return options


def main(argv=None):
    options = parse_args(sys.argv[1:] if argv is None else argv)
    if not Path(options.submissions).is_dir():
        print(f"error: {options.submissions} is not a folder", file=sys.stderr)
        return 2
    grade_folder(options.submissions, options.grades, options)
    return 0


if __name__ == "__main__":
    sys.exit(main())
