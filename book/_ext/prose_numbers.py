"""``{eval}`name``` in the book: the value a chapter published under ``name``.

Chapters publish computed numbers with ``lib.course.prose.publish(name=text)``, which
glues them (myst-nb's glue) and binds them in the kernel. Their markdown writes
``{eval}`name```: in JupyterLab, jupyterlab-myst evaluates that in the kernel; here the
role is mapped onto myst-nb's glue lookup, so the build needs no live kernel and works
with the execution cache. myst-nb's own ``{eval}`` role (which needs inline execution)
is replaced. A name that was not published is a warning, which ``-W`` makes an error.
"""

from myst_nb.ext.glue.roles import PasteTextRole


def setup(app):
    app.setup_extension("myst_nb")  # so that this override comes after myst-nb's role
    app.add_role("eval", PasteTextRole(), override=True)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
