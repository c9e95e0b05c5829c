"""The references page in alphabetical order, with the ``course`` bibliography style.

pybtex's ``plain`` style sorts by the author's name exactly as written in the .bib file:
a group author kept whole with braces (``{Keras team}``) then sorts after every letter,
and an entry without an author before every other. The ``course`` style is ``plain`` with
a sorting key that ignores braces and uses the title where there is no author.
"""

from pybtex.plugin import register_plugin
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.sorting.author_year_title import SortingStyle as AuthorYearTitle


class CourseSorting(AuthorYearTitle):
    def sorting_key(self, entry):
        author, year, title = super().sorting_key(entry)
        name = author.replace("{", "").replace("}", "") or title.lower()
        return (name, year, title)


class CourseStyle(PlainStyle):
    default_sorting_style = "course"


def setup(app):
    register_plugin("pybtex.style.sorting", "course", CourseSorting)
    register_plugin("pybtex.style.formatting", "course", CourseStyle)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
