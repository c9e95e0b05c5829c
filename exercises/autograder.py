"""Self-contained otter autograder zips, one per exercise, for Gradescope (``make autograders``).

    python -m exercises.autograder [OUT_DIR]            # default _build/autograders
    python -m exercises.autograder OUT_DIR ex01 ex03    # some exercises only
    python -m exercises.autograder --requirements       # print the pinned requirements

Each zip (``OUT_DIR/ex01_rnn_cell-autograder.zip``, ...) is written by ``otter generate``
and carries everything its tests need, nothing fetched from a course checkout:

- ``files/rnn_course-VERSION-py3-none-any.whl``: a wheel of this package (lib and the
  exercise checks; no master notebook, so no solution);
- ``environment.yml`` (what Gradescope installs) and the same list as ``requirements.txt``:
  otter-grader, ipykernel and every package the grading needs, pinned to the version
  installed here (the versions the tests ran with), and the wheel as
  ``./files/rnn_course-...whl`` (pip runs in the folder of ``environment.yml``);
- ``tests/qK.py``: per question, a public test case worth 0 points (the learner's
  ``grader.check``) and one hidden test case per graded part, each worth its share of the
  points, so that otter gives the same partial credit as ``make grade``;
- ``otter_config.json``: the assignment name, so a notebook of another exercise is refused.

Grade one notebook the way Gradescope does, in an environment with those requirements
(see tests/exercises/test_autograder.py): ``otter run -a ZIP submission.ipynb``.
"""

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from exercises import checks
from exercises.checks.core import parts_of

ROOT = Path(__file__).resolve().parents[1]
# otter and the kernel it grades in (otter's "grading" extra minus pypdf, which only its
# PDF export needs), besides the course wheel's own dependencies
GRADING_ROOTS = ("otter-grader", "ipykernel")

TEST_FILE = '''"""{exercise} {question}, written by exercises/autograder.py."""

from otter.test_files import test_case

OK_FORMAT = False

name = "{question}"
points = {points!r}


@test_case(points=0, hidden=False)
def test_{question}_public(env):
    from exercises.checks import check

    check("{exercise}", "{question}", env)
'''

PART_CASE = """

@test_case(hidden=True)
def test_{question}_{index}_{slug}(env):
    from exercises.checks import check_part

    check_part("{exercise}", "{question}", "{part}", env)
"""


@contextlib.contextmanager
def working_directory(folder):
    """contextlib.chdir, which Python 3.10 lacks: otter generate zips files from the cwd."""
    before = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def course_version():
    return metadata.version("rnn-course")


def pinned_requirements():
    """Every distribution the grading needs, pinned to the installed version, sorted by name.

    The closure of the course package's dependencies and otter-grader[grading], read from
    the installed packages' metadata (markers evaluated for this interpreter).
    """
    course = [Requirement(r) for r in metadata.requires("rnn-course") or []]
    roots = [r for r in course if r.marker is None] + [Requirement(r) for r in GRADING_ROOTS]
    pins, todo = {}, list(roots)
    while todo:
        requirement = todo.pop()
        name = canonicalize_name(requirement.name)
        if name in pins:
            continue
        distribution = metadata.distribution(requirement.name)
        pins[name] = distribution.version
        for text in distribution.requires or []:
            needed = Requirement(text)
            extras = requirement.extras or {""}
            if needed.marker is None or any(needed.marker.evaluate({"extra": e}) for e in extras):
                todo.append(needed)
    return [f"{name}=={version}" for name, version in sorted(pins.items())]


def build_wheel(folder):
    """A wheel of this checkout (no build isolation: offline, with the installed setuptools).

    Built from a copy of the package's files, so that setuptools' build/ folder and
    egg-info stay out of the checkout.
    """
    source = Path(folder) / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for package in ("lib", "exercises"):
        shutil.copytree(
            ROOT / package,
            source / package,
            ignore=shutil.ignore_patterns("__pycache__", "*.ipynb", "master"),
        )
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
        + ["-w", str(folder), str(source)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"could not build the course wheel:\n{done.stdout}{done.stderr}")
    (wheel,) = Path(folder).glob(f"rnn_course-{course_version()}-*.whl")
    return wheel


def test_files(exercise):
    """{file name: source} of the otter test files of one exercise."""
    files = {}
    for question in exercise.questions:
        text = TEST_FILE.format(
            exercise=exercise.name, question=question.name, points=question.points
        )
        for index, part in enumerate(parts_of(question)):
            slug = "".join(c if c.isalnum() else "_" for c in part)
            text += PART_CASE.format(
                exercise=exercise.name, question=question.name, part=part, index=index, slug=slug
            )
        files[f"{question.name}.py"] = text
    return files


def write_zip(exercise, wheel, requirements, out_dir):
    """Write OUT_DIR/<notebook name>-autograder.zip for one exercise; return its path."""
    from otter.generate import main as otter_generate  # slow to import: only when building

    assignment = Path(exercise.notebook).stem
    target = Path(out_dir).resolve() / f"{assignment}-autograder.zip"
    with (
        tempfile.TemporaryDirectory(prefix="autograder-") as folder,
        working_directory(folder),
    ):
        Path("tests").mkdir()
        for name, text in test_files(exercise).items():
            Path("tests", name).write_text(text)
        Path(wheel.name).write_bytes(wheel.read_bytes())
        lines = [*requirements, f"./files/{wheel.name}"]
        Path("requirements.txt").write_text("\n".join(lines) + "\n")
        config = {"assignment_name": assignment, "lang": "python"}
        Path("otter_config.json").write_text(json.dumps(config, indent=2))
        otter_generate(
            tests_dir="tests",
            output_path=str(target),
            config="otter_config.json",
            requirements="requirements.txt",
            overwrite_requirements=True,
            no_environment=True,
            files=[wheel.name],
            python_version=f"{sys.version_info.major}.{sys.version_info.minor}",
        )
        with zipfile.ZipFile(target, "a") as archive:
            archive.write("requirements.txt", "requirements.txt")
    return target


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m exercises.autograder", description=__doc__.split("\n")[0]
    )
    parser.add_argument("out_dir", nargs="?", default=str(ROOT / "_build" / "autograders"))
    parser.add_argument("names", nargs="*", help="exercises (default: all), e.g. ex01")
    parser.add_argument(
        "--requirements", action="store_true", help="print the pinned requirements and stop"
    )
    options = parser.parse_args(argv)
    requirements = pinned_requirements()
    if options.requirements:
        print("\n".join(requirements))
        return 0
    Path(options.out_dir).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="rnn-course-wheel-") as folder:
        wheel = build_wheel(folder)
        for name in options.names or checks.available():
            path = write_zip(checks.load(name), wheel, requirements, options.out_dir)
            print(f"{name}: wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
