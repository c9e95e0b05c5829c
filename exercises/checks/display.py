"""How ``grader.check("q1")`` shows its result in the learner's notebook: diagnosis first.

Otter prints a failed check as a test report ("q1 results: q1 - 1 result: Test case
failed, Error at line 11 in test q1: ...") in a ``<pre>`` block, which JupyterLab wraps in
the middle of words. ``show_diagnosis_first`` registers IPython display formatters for
otter's result objects that put our one-line diagnosis first, in ordinary wrapping text,
and fold otter's report away under it. It only changes what is displayed: the result
object, its score and otter's own grading are untouched.
"""

import html
import re
import sys

STYLE = "white-space: normal; word-break: normal; overflow-wrap: normal; line-height: 1.45"
PRE = "white-space: pre; word-break: normal; overflow-x: auto"  # otter's report: scrolls


def show_diagnosis_first():
    """Register the formatters in the running IPython kernel (once; nothing outside one)."""
    shell = _shell()
    test_file = _otter_test_file()
    if shell is None or test_file is None:
        return
    formatters = shell.display_formatter.formatters
    formatters["text/html"].for_type(test_file, to_html)
    formatters["text/plain"].for_type(test_file, to_text)


def _shell():
    ipython = sys.modules.get("IPython")
    return ipython.get_ipython() if ipython is not None else None


def _otter_test_file():
    module = sys.modules.get("otter.test_files.abstract_test")
    return getattr(module, "TestFile", None)


def diagnoses(result):
    """The first line of each failed test case's AssertionError: our diagnosis, in order."""
    found = []
    for case in result.test_case_results:
        if case.passed:
            continue
        match = re.search(r"AssertionError: (.*)", case.message or "")
        lines = (case.message or "").strip().splitlines()
        line = match.group(1).strip() if match else (lines[-1].strip() if lines else "")
        if line and line not in found:
            found.append(line)
    return found


def points_lines(result):
    found = []
    for case in result.test_case_results:
        match = re.search(r"^\((q\w+, .* points)\)$", case.message or "", re.M)
        if not case.passed and match:
            found.append(match.group(1))
    return found


def to_html(result):
    if result.passed_all:
        return result._repr_html_()
    lines = "".join(
        f"<p style='margin: 0 0 0.3em 0'><strong>{html.escape(result.name)}</strong> "
        f"&#10007; {with_code(line)}</p>"
        for line in diagnoses(result)
    )
    points = "; ".join(points_lines(result))
    scored = f"<p style='margin: 0; opacity: 0.7'>{html.escape(points)}</p>" if points else ""
    report = (
        "<details style='margin-top: 0.3em; opacity: 0.7'><summary>otter's test report"
        f"</summary>{result._repr_html_().replace('<pre>', f'<pre style={PRE!r}>')}</details>"
    )
    return f"<div style='{STYLE}'>{lines}{scored}{report}</div>"


def with_code(text):
    """Escaped HTML of a message, its `backquoted` code shown as code."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


def to_text(result, printer, cycle):
    if result.passed_all:
        printer.text(result.summary())
        return
    lines = [f"{result.name} ✗ {line}" for line in diagnoses(result)]
    lines += [f"  {line}" for line in points_lines(result)]
    printer.text("\n".join(lines) + "\n\n" + result.summary())
