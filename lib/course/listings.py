"""Code listings for the chapters: the lines of lib that compute an equation, shown as code.

    from lib.course.listings import source_lines
    source_lines(lib.functional.lstm_step, "c_new = f")   # the line of the cell update

A chapter ties each equation to the line of ``lib`` that computes it by showing that line,
read from the running library (``inspect``), so the listing cannot drift from the code. A
needle that matches no line raises: a renamed variable breaks the build, not the text.
"""

import inspect

from IPython.display import Code


def body(func):
    """The source of ``func`` with its docstring replaced by ``\"\"\" ... \"\"\"``."""
    source = inspect.getsource(func)
    doc = func.__doc__
    quote = '"' * 3
    return source.replace(quote + doc + quote, quote + " ... " + quote) if doc else source


def matching_lines(func, *needles):
    """The lines of ``func``'s code (not its docstring) that contain one of ``needles``.

    Each line is stripped of its indentation. Raises ValueError when a needle matches no
    line, so a listing never silently shows less than the text promises.
    """
    if not needles:
        raise ValueError("give at least one piece of text to look for")
    lines = [line.strip() for line in body(func).splitlines()]
    missing = [needle for needle in needles if not any(needle in line for line in lines)]
    if missing:
        raise ValueError(f"no line of {func.__qualname__} contains {missing}")
    return [line for line in lines if any(needle in line for needle in needles)]


def source_lines(func, *needles):
    """``matching_lines`` shown as a Python listing (an IPython ``Code`` object)."""
    return Code("\n".join(matching_lines(func, *needles)), language="python")
