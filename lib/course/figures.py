"""How the book's matplotlib figures look: sharp on every screen and readable on a phone.

Every chapter calls ``use_book_style()`` in its first code cell. Figures are then
embedded as SVG (vector: sharp on high-density screens, and small for line plots) with
fonts that stay at least 11 px when the figure fills the text column.
"""

import matplotlib as mpl

BOOK_RC = {
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.fontsize": 10,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "figure.dpi": 100,
    "svg.fonttype": "path",  # text as outlines: the page needs no font to show it
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def use_book_style(formats=("svg",)):
    """Set the book's rcParams and, in a notebook, the inline figure format (SVG)."""
    mpl.rcParams.update(BOOK_RC)
    try:
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:  # not in a notebook (a script or a test): rcParams only
        return
    set_matplotlib_formats(*formats)
