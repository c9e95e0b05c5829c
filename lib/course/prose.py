"""Numbers in the prose come from the run: a chapter publishes what it computed, and its
text shows the published value, so that text and output cannot disagree.

In a chapter's code::

    from lib.course.prose import publish
    publish(rnn_lag40=f"{accuracy:.2f}", lstm_gain=f"{gain:.0f}x")

and in its markdown: ``the plain RNN reaches {eval}`rnn_lag40` at lag 40``.

The role ``{eval}`` reads properly in both places a learner meets the text:

- the built book: ``book/_ext/prose_numbers.py`` maps ``{eval}`` onto myst-nb's glue,
  which this function writes into the cell's outputs (invisibly: the glue prefix keeps it
  out of the page);
- JupyterLab with ``jupyterlab-myst``: ``{eval}`name``` is evaluated in the kernel when
  the markdown cell is run, and ``publish`` has bound ``name`` there to a value whose
  ``repr`` is the formatted text (no quotes around it).

Values are text, formatted by the chapter (``f"{x:.2f}"``), so the same digits appear
everywhere. Names must be Python identifiers.
"""

GLUE_PREFIX = "application/papermill.record/"  # myst-nb's mark for glued, not shown, data


class Shown(str):
    """A published value: a string whose repr is itself, so a kernel displays 0.27, not '0.27'."""

    def __repr__(self):
        return str(self)


def publish(**values):
    """Publish formatted values under their names, for ``{eval}`name``` in the prose.

    Each value is turned into text with ``str`` (format numbers before publishing). In an
    IPython kernel the names are bound in the notebook's namespace and glued for the book;
    elsewhere (a test, a script) nothing is displayed. Returns {name: Shown text}.
    """
    shown = {}
    for name, value in values.items():
        if not name.isidentifier():
            raise ValueError(f"a published name must be a Python identifier, got {name!r}")
        shown[name] = Shown(value)
    shell = _ipython()
    if shell is not None:
        from IPython.display import display

        shell.user_ns.update(shown)
        for name, text in shown.items():
            display(  # the text itself: the book's {eval} role shows it verbatim
                {GLUE_PREFIX + "text/plain": str(text)},
                raw=True,
                metadata={"scrapbook": {"name": name, "mime_prefix": GLUE_PREFIX}},
            )
    return shown


_SUPERSCRIPTS = str.maketrans(
    "-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079"
)


def scientific(value, digits=2):
    """A number in scientific notation as prose writes it: 4.9e-04 -> "4.9 × 10⁻⁴".

    digits: significant digits of the mantissa. For ``publish`` (the text reads well in
    the book and in JupyterLab, where math inside a published value would not render).
    """
    if digits < 1:
        raise ValueError(f"digits must be at least 1, got {digits!r}")
    mantissa, exponent = f"{float(value):.{digits - 1}e}".split("e")
    return f"{mantissa} × 10{str(int(exponent)).translate(_SUPERSCRIPTS)}"


def _ipython():
    """The running IPython shell, or None outside one (without importing IPython)."""
    import sys

    module = sys.modules.get("IPython")
    return module.get_ipython() if module is not None else None
