"""lib's docstrings on the API page: indented blocks are code, as a reader of the source sees.

lib writes its docstrings for ``help()`` and for reading the source (Karpathy's style):
equations and examples sit in indented blocks under a plain sentence. reStructuredText
would read such a block as a quotation and run its lines together, so before autodoc
parses a docstring this hook marks every indented block that follows a blank line as a
literal block (``::``), unless it already is one.
"""


def literal_blocks(lines):
    """The docstring's lines with ``::`` put before each indented block that lacks it."""
    result = []
    previous_text = ""  # the last non-blank line, to see whether it opened a literal block
    base = None  # the indentation of the docstring's own text
    for index, line in enumerate(lines):
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if stripped and base is None:
            base = indent
        starts_block = (
            stripped
            and base is not None
            and indent > base
            and index > 0
            and not lines[index - 1].strip()
            and not previous_text.rstrip().endswith("::")
            and not previous_text.lstrip().startswith((".. ", "- ", "* "))
        )
        if starts_block:
            result += [" " * base + "::", ""]
            previous_text = "::"
        result.append(line)
        if stripped and indent <= base:
            previous_text = line
    return result


def mark_literal_blocks(app, what, name, obj, options, lines):
    lines[:] = literal_blocks(lines)


def setup(app):
    app.connect("autodoc-process-docstring", mark_literal_blocks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
