"""Grade a folder of submitted exercise notebooks into one CSV (``make grade``).

    python -m exercises.grade SUBMISSIONS GRADES.csv [--jobs 2] [--timeout 120] [--memory-mb 2048]

Every ``*.ipynb`` under SUBMISSIONS (any file name: the exercise is read from the
notebook) gets one row: submission, exercise, score, possible, status, message, then
the points of each question. Beside the CSV, GRADES-feedback/ gets one Markdown file per
submission, safe to hand back to its author (points and named mistakes; no hidden inputs,
no reference outputs). Statuses:

    ok                 every cell ran
    error              some cell raised (the rest was still run and graded)
    timeout            a cell ran past the cell limit (interrupted, rest graded), or
                       the whole notebook ran past --timeout (killed)
    memory             a cell ran out of the --memory-mb cap
    crashed            the Python process died (exited, killed itself, segfault)
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

Answers are probed as the notebook runs (after the cell that defines each answer, and
again at the end), so a notebook that dies, loops or runs out of memory after an answer
keeps that answer's points: each question earns the best of its probes. The status and
the message say what happened and in which cell.
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
import zipfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from exercises import checks
from exercises.checks.core import PUBLIC_SEED, make_cases, pack, score_cases, unpack

ROOT = Path(__file__).resolve().parents[1]
EXERCISES_DIR = Path(__file__).resolve().parent
COLUMNS = ["submission", "exercise", "score", "possible", "status", "message"]
STATUS_ORDER = ["tampered", "timeout", "memory", "crashed", "error", "ok"]
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
    """Run the learner's cells and probes; returns ([probe outputs], progress lines, info)."""
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
        probes = []
        for path in sorted(workdir.glob("probe-*.npz")):
            try:
                probes.append(unpack(path.read_bytes()))
            except (OSError, ValueError, zipfile.BadZipFile):
                continue  # never written in full: that probe does not count
        info = {"timed_out": timed_out, "returncode": process.returncode, "stderr": stderr_tail}
        return probes, progress, info
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def where(progress, numbers):
    cells = [line for line in progress if line.startswith("cell ")]
    if progress and progress[-1] == "probes":
        return "while calling the answers' functions at the end"
    return f"in cell {numbers[int(cells[-1].split()[1])]}" if cells else "at start-up"


@dataclass
class Graded:
    """One submission's result: its CSV row, and what its author may be told."""

    row: dict
    questions: list = field(default_factory=list)  # [(name, points, possible, feedback)]
    notes: list = field(default_factory=list)  # how the run went, for the author


def ending(info, progress, numbers, options):
    """(status, note) for a sandbox that did not get to the end, else (None, None)."""
    place = where(progress, numbers)
    ran_out = any("MemoryError" in line for line in progress)
    if info["timed_out"]:
        note = f"stopped after the time limit of {options.timeout:g} s {place}"
        return (
            ("memory", note + ", after a cell ran out of memory") if ran_out else ("timeout", note)
        )
    if "done" in progress:
        return None, None
    full = [line for line in progress if line.startswith("memory full after cell ")]
    if full:
        cell = numbers[int(full[0].split()[-1])]
        return "memory", (
            f"cell {cell} filled the memory (--memory-mb) and kept it: the notebook stopped "
            "there, as a kernel killed for memory would"
        )
    code = info["returncode"]
    died = f"killed by {signal.Signals(-code).name}" if code < 0 else f"exit code {code}"
    memory = ran_out or re.search(
        r"MemoryError|Cannot allocate|bad_alloc|out of memory", info["stderr"]
    )
    return ("memory" if memory else "crashed"), f"the Python process died ({died}) {place}"


def cell_notes(progress, numbers):
    """(status flags, notes) from the cells that raised, timed out or installed hooks."""
    flags, notes = set(), []
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
    return flags, notes


def question_results(question, cases, outputs):
    """[(inputs, outputs)] of one question in one probe, or None when it was not probed."""
    results = []
    for case, inputs in cases.items():
        prefix = f"{question.name}/{case}/"
        got = {k[len(prefix) :]: v for k, v in outputs.items() if k.startswith(prefix)}
        if got.pop("__probed__", None) is None:
            return None
        results.append((inputs, got))
    return results


def best_probe(question, cases, probes):
    """(points, message for the instructor, message for the author) over every probe."""
    best = None
    for outputs in probes:
        results = question_results(question, cases, outputs)
        if results is None:
            continue
        points, message = score_cases(question, results)
        if best is None or points >= best[0]:  # the later probe wins a tie
            best = (points, message, author_message(question, results, message))
    if best is None:
        why = (
            f"not graded: the notebook stopped before `{question.function}` was defined, "
            "so it was never called"
        )
        return 0.0, why, why
    return best


def author_message(question, results, message):
    """What the author may read: the public tests' complaint, or a redacted hidden one.

    Public inputs are the same for everyone (``grader.check`` shows them); the hidden ones
    are not shown, so an exception raised on them is reported by its type and the line of
    the author's code, never by its text (which could print the inputs).
    """
    public = results[: len(question.public_cases)]
    _, said = score_cases(question, public)
    if said != "correct":
        return said
    hidden = [(i, redact(o)) for i, o in results[len(question.public_cases) :]]
    _, said = score_cases(question, hidden)
    if said == "correct":
        return message
    return f"right on the public tests, wrong on the hidden ones (fresh random inputs): {said}"


def redact(outputs):
    if "__error__" not in outputs:
        return outputs
    kind = str(outputs["__error__"]).split(":", 1)[0]
    return {**outputs, "__error__": f"{kind} (its message is not shown for hidden inputs)"}


def grade_notebook(path, options):
    """The ``Graded`` result of the notebook at ``path``; never raises."""
    row = {"submission": str(path.relative_to(options.submissions)), "exercise": "", "score": 0.0}
    try:
        return _grade(path, options, row)
    except Exception as error:  # noqa: BLE001 - one bad notebook never stops the batch
        return refused(row, "grader_error", f"{type(error).__name__}: {error}")


def refused(row, status, message):
    """The result of a notebook that could not be graded at all."""
    return Graded({**row, "possible": "", "status": status, "message": message}, notes=[message])


def _grade(path, options, row):
    try:
        nb = read_notebook(path)
    except (OSError, ValueError) as error:
        return refused(row, "invalid_notebook", str(error))
    name = identify(nb)
    if name is None:
        return refused(
            row,
            "unknown_exercise",
            "no exercise found (metadata rnn_course.exercise or an 'Exercise N' title)",
        )
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
    probes, progress, info = run_sandbox(exercise, cells, payload, options)

    flags, notes = cell_notes(progress, numbers)
    flags |= {"tampered"} if reasons else set()
    ended, how = ending(info, progress, numbers, options)
    if ended:
        flags.add(ended)
        notes.insert(0, how)
    notes = reasons + notes
    tripwire_removed = any("__tripwire__" in outputs for outputs in probes)
    if tripwire_removed:
        flags.add("tampered")
        notes.append("the notebook removed the grader's lib tripwire: no points")

    graded = Graded(row, notes=list(notes))
    total = 0.0
    for question in exercise.questions:
        points, message, feedback = best_probe(question, cases[question.name], probes)
        if tripwire_removed:
            points, feedback = 0.0, "no points: the notebook removed the grader's lib tripwire"
        row[question.name] = points
        total += points
        graded.questions.append((question.name, points, question.points, feedback))
        if points < question.points and not tripwire_removed:
            notes.append(f"{question.name} {points:g}/{question.points:g}: {message}")
    status = next(s for s in STATUS_ORDER if s in flags or s == "ok")
    row.update(score=round(total, 4), status=status, message=" | ".join(notes) or "all correct")
    return graded


def grade_folder(submissions, grades, options):
    """Grade every notebook under ``submissions``: the CSV, feedback files and a summary."""
    submissions = Path(submissions)
    options.submissions = submissions
    paths = sorted(p for p in submissions.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    start = time.monotonic()
    results = {}
    statuses = Counter()
    bar = tqdm(
        total=len(paths),
        desc="grading",
        unit="notebook",
        file=sys.stderr,
        disable=not options.progress,
        bar_format="{desc}: {percentage:3.0f}%|{bar:24}| {n_fmt}/{total_fmt} "
        "[{elapsed}, ETA {remaining}{postfix}]",
    )
    with bar, ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool:
        futures = {pool.submit(grade_notebook, path, options): path for path in paths}
        for future in as_completed(futures):
            results[futures[future]] = graded = future.result()
            statuses[graded.row["status"]] += 1
            bar.set_postfix_str(" ".join(f"{k} {v}" for k, v in statuses.most_common()))
            bar.update()
    graded = [results[path] for path in paths]
    rows = [g.row for g in graded]
    grades = Path(grades)
    write_csv(grades, rows)
    folder = feedback_folder(grades)
    for path, result in zip(paths, graded):
        target = folder / path.relative_to(submissions).with_suffix(".md")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(feedback(result))
    seconds = time.monotonic() - start
    print(summary(graded, seconds))
    print(f"-> {grades}; one feedback file per notebook in {folder}/")
    return rows


def write_csv(grades, rows):
    questions = sorted(
        {k for row in rows for k in row if re.fullmatch(r"q\d+", k)}, key=lambda q: int(q[1:])
    )
    if grades.parent != Path(""):
        grades.parent.mkdir(parents=True, exist_ok=True)
    with open(grades, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS + questions, restval="")
        writer.writeheader()
        writer.writerows(rows)


def feedback_folder(grades):
    """grades.csv -> grades-feedback/ beside it."""
    return grades.with_name(grades.stem + "-feedback")


def summary(graded, seconds):
    """Counts by status and the mean points of each question, per exercise."""
    count = len(graded)
    rate = f", {60 * count / seconds:.1f} per minute" if seconds > 0 and count else ""
    lines = [f"graded {count} notebooks in {seconds:.1f} s{rate}"]
    statuses = Counter(g.row["status"] for g in graded)
    lines.append("status: " + ", ".join(f"{k} {v}" for k, v in statuses.most_common()))
    by_exercise = {}
    for result in graded:
        if result.questions:
            by_exercise.setdefault(result.row["exercise"], []).append(result)
    for name, results in sorted(by_exercise.items()):
        possible = results[0].row["possible"]
        mean = sum(r.row["score"] for r in results) / len(results)
        per_question = ", ".join(
            f"{q} {sum(r.row[q] for r in results) / len(results):.2f}/{points:g}"
            for q, _, points, _ in results[0].questions
        )
        lines.append(
            f"{name} ({len(results)} notebook{'s' * (len(results) > 1)}): "
            f"mean {mean:.2f}/{possible:g} ({per_question})"
        )
    return "\n".join(lines)


def feedback(result):
    """The Markdown feedback for one submission: safe to hand back to its author."""
    row = result.row
    lines = [f"# Feedback on `{md(row['submission'])}`", ""]
    if row["exercise"]:
        title = checks.load(row["exercise"]).title
        lines += [f"{md(title)}", "", f"**Score: {row['score']:g} / {row['possible']:g}**", ""]
    else:
        lines += ["**Not graded.**", ""]
    for name, points, possible, said in result.questions:
        mark = "✓" if points == possible else "✗"
        lines += [f"## {name}: {points:g} / {possible:g} {mark}", "", md(said_for(said)), ""]
    if result.notes:
        lines += ["## How your notebook ran", ""]
        lines += [f"- {md(note)}" for note in result.notes]
        lines.append("")
    return "\n".join(lines)


def said_for(message):
    """The check's words as they are: most begin with a name (h, x, dW_ih) whose case matters."""
    return "Correct." if message == "correct" else message


def md(text):
    """Text for Markdown: no raw HTML from anybody's messages."""
    return str(text).replace("<", "&lt;").replace(">", "&gt;")


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
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show a progress bar with a time estimate (default: when stderr is a terminal)",
    )
    options = parser.parse_args(argv)
    if options.progress is None:
        options.progress = sys.stderr.isatty()
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
