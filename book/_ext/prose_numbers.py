"""``{eval}`name``` in the book: the value a chapter published under ``name``.

Chapters publish computed numbers with ``lib.course.prose.publish(name=text)``, which
glues them (myst-nb's glue) and binds them in the kernel. Their markdown writes
``{eval}`name```: in JupyterLab, jupyterlab-myst evaluates that in the kernel; here the
role is mapped onto myst-nb's glue lookup, so the build needs no live kernel and works
with the execution cache. myst-nb's own ``{eval}`` role (which needs inline execution)
is replaced. A name that was not published is a warning, which ``-W`` makes an error.
The text is shown exactly as published: myst-nb's ``{glue:text}`` would first read it as a
Python literal, turning "0.50" into 0.5 and "1.000" into 1.0.
"""

from docutils import nodes
from myst_nb.core.variables import RetrievalError
from myst_nb.ext.glue.utils import glue_warning, retrieve_glue_data
from myst_nb.ext.utils import RoleBase


class PublishedText(RoleBase):
    """The text published under the role's content, verbatim, as an inline node."""

    def run(self):
        try:
            result = retrieve_glue_data(self.document, self.text)
        except RetrievalError as error:
            hint = "publish it with lib.course.prose.publish in this notebook"
            return [], [glue_warning(f"{error} ({hint})", self.document, self.line)]
        text = result.data.get("text/plain")
        if text is None:
            message = f"{self.text!r} was published without a text/plain value"
            return [], [glue_warning(message, self.document, self.line)]
        node = nodes.inline(text, text, classes=["pasted-text"])
        self.set_source_info(node)
        return [node], []


def setup(app):
    app.setup_extension("myst_nb")  # so that this override comes after myst-nb's role
    app.add_role("eval", PublishedText(), override=True)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
