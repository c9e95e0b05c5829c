"""The Gradescope autograder zips, graded the way Gradescope grades: no course checkout.

One fresh virtual environment holds only what a zip's requirements name (otter-grader,
the pinned packages and the course wheel inside the zip), installed offline from the
wheelhouse that `make wheelhouse` fills (`make test` does it first). Then `otter run -a
ZIP submission.ipynb` grades a correct, an untouched and a wrong submission of every
exercise, from a folder outside the checkout and without PYTHONPATH: the scores must
equal `make grade`'s (the `graded` batch of conftest.py, same notebooks) and the wrong
one's output must name its mistake.
"""

import io
import json
import os
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from exercise_variants import WRONG

from exercises import autograder, checks
from exercises.build import masters, solutions

ROOT = Path(__file__).resolve().parents[2]
WHEELHOUSE = Path(os.environ.get("RNN_COURSE_WHEELHOUSE", Path(sys.prefix) / "wheelhouse"))
EXERCISES = sorted(masters())

pytestmark = pytest.mark.slow


def clean_env(venv):
    """The environment of a grading machine: the venv's tools, no course on any path."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return {**env, "PATH": f"{venv / 'bin'}{os.pathsep}{env['PATH']}", "PIP_NO_INDEX": "1"}


@pytest.fixture(scope="session")
def zips(tmp_path_factory):
    """{exercise: autograder zip}, built from this checkout by `make autograders`' code."""
    folder = tmp_path_factory.mktemp("autograders")
    assert autograder.main([str(folder)]) == 0
    found = {
        name: folder / f"{Path(checks.load(name).notebook).stem}-autograder.zip"
        for name in EXERCISES
    }
    assert all(path.exists() for path in found.values()), sorted(folder.iterdir())
    return found


@pytest.fixture(scope="session")
def grading_venv(tmp_path_factory, zips):
    """One fresh venv with the zips' requirements (all zips name the same ones)."""
    if not (WHEELHOUSE / ".complete").exists():
        pytest.fail(f"no wheelhouse at {WHEELHOUSE}: run `make wheelhouse` once (needs PyPI)")
    requirements = {zipfile.ZipFile(z).read("requirements.txt") for z in zips.values()}
    assert len(requirements) == 1, "every zip pins the same requirements"
    source = tmp_path_factory.mktemp("zip-source")
    zipfile.ZipFile(next(iter(zips.values()))).extractall(source)
    venv = tmp_path_factory.mktemp("grading-venv") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    install = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
    install += ["--no-index", "--find-links", str(WHEELHOUSE), "-r", "requirements.txt"]
    # pip runs in the zip's folder, as conda runs it beside environment.yml on Gradescope,
    # so that ./files/rnn_course-...whl is found
    done = subprocess.run(
        install, cwd=source, env=clean_env(venv), capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return venv


def test_zips_carry_the_course_wheel_and_pin_everything(zips):
    for path in zips.values():
        archive = zipfile.ZipFile(path)
        names = archive.namelist()
        wheel = f"files/rnn_course-{autograder.course_version()}-py3-none-any.whl"
        assert wheel in names and "environment.yml" in names and "otter_config.json" in names
        lines = archive.read("requirements.txt").decode().split()
        assert f"./{wheel}" in lines and any(ln.startswith("otter-grader==") for ln in lines)
        assert all("==" in ln for ln in lines if not ln.startswith("./"))
        environment = archive.read("environment.yml").decode()
        assert all(ln in environment for ln in lines), "Gradescope installs the same list"


def test_zips_hold_no_master_notebook(zips):
    """lib's and the checks' code ship (the references); the masters' solutions do not."""
    for name, path in zips.items():
        archive = zipfile.ZipFile(path)
        wheel = archive.read(next(n for n in archive.namelist() if n.endswith(".whl")))
        inner = zipfile.ZipFile(io.BytesIO(wheel))
        members = [(n, inner.read(n)) for n in inner.namelist()]
        members += [(n, archive.read(n)) for n in archive.namelist()]
        assert not [n for n, _ in members if n.endswith(".ipynb")]
        texts = [data.decode(errors="replace") for _, data in members]
        for question, solution in solutions(masters()[name]).items():
            assert not any(solution in text for text in texts), (name, question)


STARTUP_RACE = "Kernel died before replying to kernel_info"


def otter_run(venv, zip_path, notebook, folder):
    """Grade one notebook with `otter run`; returns its results.json as a dict."""
    folder.mkdir()
    submission = folder / "submission.ipynb"
    submission.write_bytes(notebook.read_bytes())
    command = [str(venv / "bin" / "otter"), "run", "-a", str(zip_path), "-o", str(folder)]
    for _ in range(2):
        done = subprocess.run(
            [*command, "--no-logo", str(submission)],
            cwd=folder,
            env=clean_env(venv),
            capture_output=True,
            text=True,
            timeout=600,
        )
        # Two kernels started at the same moment (two otter runs at a time here) can pick
        # the same free TCP port, and one dies before it answers: jupyter_client's race,
        # not a grading result. Gradescope runs one notebook per machine; retry once.
        if done.returncode == 0 or STARTUP_RACE not in done.stdout + done.stderr:
            break
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads((folder / "results.json").read_text())


@pytest.fixture(scope="session")
def otter_results(batch, zips, grading_venv, tmp_path_factory):
    """{submission name: results.json} for a correct, untouched and wrong notebook each."""
    folder = tmp_path_factory.mktemp("otter-runs")
    names = [
        f"{name}-{kind}"
        for name in EXERCISES
        for kind in ("solution", "untouched", f"wrong-{WRONG[name][0][0]}")
    ]

    def run(submission):
        exercise = submission[:4]
        notebook = batch.submissions / f"{submission}.ipynb"
        return submission, otter_run(grading_venv, zips[exercise], notebook, folder / submission)

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(run, names))


def total(results):
    return sum(test.get("score", 0) for test in results["tests"])


def earned(results, question):
    return sum(t.get("score", 0) for t in results["tests"] if t["name"] == question)


@pytest.mark.parametrize("name", EXERCISES)
def test_otter_run_scores_equal_make_grades(batch, otter_results, name):
    for kind in ("solution", "untouched", f"wrong-{WRONG[name][0][0]}"):
        submission = f"{name}-{kind}"
        results, row = otter_results[submission], batch.rows[submission]
        assert total(results) == pytest.approx(float(row["score"]), abs=1e-3), (submission, row)
        for question in checks.load(name).questions:
            points = earned(results, question.name)
            assert points == pytest.approx(float(row[question.name]), abs=1e-3), submission
    assert total(otter_results[f"{name}-solution"]) == checks.load(name).points


@pytest.mark.parametrize("name", EXERCISES)
def test_otter_run_names_the_wrong_ones_mistake(otter_results, name):
    _, question, _, words = WRONG[name][0]
    results = otter_results[f"{name}-wrong-{WRONG[name][0][0]}"]
    said = "\n".join(t.get("output", "") for t in results["tests"] if t["name"] == question)
    assert words in said, said[:2000]
