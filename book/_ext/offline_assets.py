"""Serve MathJax, require.js and the ipywidgets HTML manager from the book itself.

The built pages then read offline: nothing they need comes from the network. The files
come from the npm packages pinned in ``js/package.json`` (``make book`` runs ``npm ci``
there); this extension copies just the needed ones into ``_build/html/_static/offline/``
when the build finishes and points Sphinx (``mathjax_path``) and myst-nb
(``nb_ipywidgets_js``) at them.

Why not ``_static/``: Jupyter Book 1 adds every ``.js`` and ``.css`` file it finds under
``_static/`` to every page, and MathJax alone has dozens. The copy happens after that
scan, and each page loads only its entry points.

Without ``js/node_modules`` (no Node.js/npm on the machine) the build still succeeds, and
says that the pages will load these scripts from CDNs instead (Sphinx's and myst-nb's
defaults).

Either way a small shim maps ``MathJax.Hub.Queue`` (the MathJax 2 API that the widget
manager calls to typeset widget labels) onto MathJax 3, which Sphinx loads.
"""

import json
import re
import shutil
from pathlib import Path

from sphinx.util import logging

try:  # Sphinx >= 7.1
    from sphinx.builders.html._assets import _JavaScript
except ImportError:  # pragma: no cover - older Sphinx
    from sphinx.builders.html import JavaScript as _JavaScript

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
SHIM = HERE / "mathjax2_shim.js"
WIDGETS_CONFIG = HERE / "widgets_config.js"
# The book's own small widget host (no npm needed): see choose_widget_host.
ANYWIDGET_HOST = HERE.parents[1] / "lib" / "course" / "js" / "anywidget_host.js"
TARGET = "offline"  # _static/offline/ in the built HTML
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"

# What each page loads, relative to _static/.
MATHJAX_ENTRY = f"{TARGET}/mathjax/tex-chtml.js"
REQUIRE_ENTRY = f"{TARGET}/requirejs/require.js"
EMBED_ENTRY = f"{TARGET}/html-manager/embed-amd.js"
SHIM_ENTRY = f"{TARGET}/mathjax2_shim.js"
WIDGETS_CONFIG_ENTRY = f"{TARGET}/widgets_config.js"
HOST_ENTRY = f"{TARGET}/anywidget_host.js"
# Widget modules the small host renders (anywidget views and the Layout models they own).
HOST_MODULES = {"anywidget", "@jupyter-widgets/base"}

# (package folder in node_modules, files or folders to copy, destination under offline/)
VENDORED = [
    # The combined TeX -> CommonHTML bundle, its fonts, and the components it may load on
    # demand (TeX extensions through autoload, the menu's accessibility tools).
    (
        "mathjax/es5",
        ["tex-chtml.js", "output/chtml", "input/tex/extensions", "ui", "a11y", "sre"],
        "mathjax",
    ),
    ("requirejs", ["require.js"], "requirejs"),
    # embed-amd.js defines @jupyter-widgets/base and /controls inline; the fonts beside it
    # (Font Awesome, for icons such as the Play button's) are loaded relative to it.
    (
        "@jupyter-widgets/html-manager/dist",
        ["embed-amd.js", "*.woff2", "*.woff", "*.ttf", "*.eot", "*.svg"],
        "html-manager",
    ),
    # anywidget's front end for the manager (an AMD module, define(["@jupyter-widgets/base"])),
    # mapped by widgets_config.js; used on pages that mix anywidgets and other widgets.
    ("anywidget/dist", ["index.js"], "anywidget"),
]


def node_modules(app):
    return Path(app.srcdir) / "js" / "node_modules"


def missing_files(app):
    """The vendored files that are not installed (empty when ``npm ci`` has run)."""
    modules = node_modules(app)
    missing = []
    for package, items, _ in VENDORED:
        for item in items:
            if "*" not in item and not (modules / package / item).exists():
                missing.append(f"{package}/{item}")
    return missing


def configure(app, config):
    """Point MathJax and the widget manager at the local copies (config-inited)."""
    # pydata-sphinx-theme writes html_context["default_mode"] into <html data-mode>; left
    # empty, every page logs the console error "Got invalid theme mode" (then uses "auto").
    config.html_context.setdefault("default_mode", "auto")
    missing = missing_files(app)
    app.offline_assets_ready = not missing  # read again on build-finished
    if missing:
        logger.info(
            "offline_assets: js/node_modules is not installed (missing %s). The pages will "
            "load MathJax, require.js and the ipywidgets manager from CDNs, so they need the "
            "network. Install Node.js/npm and run `make book` (it runs `npm ci` in js/) to "
            "serve them from the book.",
            missing[0],
        )
        return
    config.mathjax_path = MATHJAX_ENTRY
    # myst-nb adds these, in this order, to every page that holds widget state:
    # require.js first (the AMD loader), then where the manager's modules live (so that
    # their fonts load from the book), then the embedding manager, which finds the widget
    # state in the page and renders every view. No data-jupyter-widgets-cdn: only the
    # standard widget modules are used, and embed-amd.js defines them itself.
    config.nb_ipywidgets_js = {REQUIRE_ENTRY: {}, WIDGETS_CONFIG_ENTRY: {}, EMBED_ENTRY: {}}


# Fixes to the theme's own markup, applied to every built page (build-finished):
PAGE_FIXES = [
    # pydata-sphinx-theme's template loads Font Awesome's SVG+JS kit (1.5 MB) on every page,
    # though its stylesheet already draws every icon with Font Awesome's web fonts.
    (
        re.compile(
            r'<script[^>]*src="[^"]*_static/scripts/fontawesome\.js[^"]*"[^>]*></script>\s*'
        ),
        "",
    ),
    # The search button says "Search Ctrl+K" but is named "Search" (axe-core, serious:
    # label-content-name-mismatch); without the aria-label its name is what it shows.
    (
        re.compile(r'(<button class="btn search-button-field[^"]*"[^>]*?) aria-label="Search"'),
        r"\1",
    ),
    # The same for the folded code cells: "Show code cell source" named "Toggle hidden content".
    (re.compile(r'<summary aria-label="Toggle hidden content">'), "<summary>"),
    # The sidebar's fold toggle of a chapter with sub-pages is an unnamed <summary>
    # (axe-core, serious: summary-name): name it by what it does.
    (
        re.compile(r'<summary>(<span class="toctree-toggle")'),
        r'<summary aria-label="Show or hide the pages of this chapter">\1',
    ),
    # docutils puts the bibliography's entries (role doc-biblioentry, deprecated in ARIA
    # 1.2) in a role="list": axe-core (critical: aria-required-children) wants list items.
    (re.compile(r'role="doc-biblioentry"'), 'role="listitem"'),
]


def add_page_scripts(app):
    """On every page: the MathJax.Hub shim (after MathJax: both deferred)."""
    app.add_js_file(SHIM_ENTRY, priority=900, defer="defer")


def drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    """Keep one copy of each script (html-page-context).

    In this Jupyter Book 1 stack, sphinx-thebe's and sphinx-togglebutton's inline scripts
    reach every page twice (once with filename None, once with "", so Sphinx keeps both);
    the second
    ``const THEBE_JS_URL = ...`` is a page error: "Identifier 'THEBE_JS_URL' has already
    been declared".
    """
    scripts = context.get("script_files")
    if not isinstance(scripts, list):
        return
    seen = set()
    kept = []
    for script in scripts:
        attributes = getattr(script, "attributes", {}) or {}
        key = (getattr(script, "filename", None) or "", tuple(sorted(attributes.items())))
        if key in seen:
            continue
        seen.add(key)
        kept.append(script)
    scripts[:] = kept


def _widget_modules(script):
    """The model modules named in a widget-state script (an empty set for other scripts)."""
    attributes = getattr(script, "attributes", {}) or {}
    if attributes.get("type") != WIDGET_STATE:
        return None
    state = json.loads(attributes.get("body") or "{}").get("state", {})
    return {model.get("model_module") for model in state.values()}


def choose_widget_host(app, pagename, templatename, context, doctree):
    """Serve a page whose widgets are all anywidgets with the small host (html-page-context).

    The ipywidgets manager (embed-amd.js, 3.5 MB, and require.js) is only needed for the
    standard widgets; anywidget views need the model API of anywidget's front-end modules
    and nothing more, which ``anywidget_host.js`` provides in a few kilobytes. Pages with
    any other widget keep the manager, which loads anywidget's own front end locally
    (``widgets_config.js``).
    """
    scripts = context.get("script_files")
    if not isinstance(scripts, list):
        return
    modules = [m for m in map(_widget_modules, scripts) if m is not None]
    if not modules or not set().union(*modules) <= HOST_MODULES:
        return
    manager = set(app.config.nb_ipywidgets_js)  # Sphinx prefixes local ones with _static/
    scripts[:] = [
        s
        for s in scripts
        if (getattr(s, "filename", None) or "").removeprefix("_static/") not in manager
    ]
    scripts.append(_JavaScript(f"_static/{HOST_ENTRY}", defer="defer", priority=900))


def fix_pages(outdir):
    """Apply PAGE_FIXES to every built page."""
    for page in Path(outdir).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        fixed = text
        for pattern, replacement in PAGE_FIXES:
            fixed = pattern.sub(replacement, fixed)
        if fixed != text:
            page.write_text(fixed, encoding="utf-8")


def copy_assets(app, exception):
    """Copy the vendored files into the built HTML (build-finished)."""
    if exception is not None or app.builder.format != "html":
        return
    fix_pages(app.builder.outdir)
    static = Path(app.builder.outdir) / "_static"
    dest_root = static / TARGET
    dest_root.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SHIM, static / SHIM_ENTRY)
    shutil.copyfile(ANYWIDGET_HOST, static / HOST_ENTRY)
    if not getattr(app, "offline_assets_ready", False):
        return
    shutil.copyfile(WIDGETS_CONFIG, static / WIDGETS_CONFIG_ENTRY)
    modules = node_modules(app)
    for package, items, dest in VENDORED:
        source = modules / package
        target = dest_root / dest
        for item in items:
            for path in sorted(source.glob(item)):
                out = target / path.relative_to(source)
                if path.is_dir():
                    shutil.copytree(path, out, dirs_exist_ok=True)
                else:
                    out.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(path, out)
    logger.info(
        "offline_assets: MathJax, require.js and the widget manager served from %s", dest_root
    )


def setup(app):
    # Before myst-nb and sphinx.ext.mathjax read these values (default priority 500).
    app.connect("config-inited", configure, priority=100)
    app.connect("builder-inited", add_page_scripts)
    app.connect("html-page-context", drop_duplicate_scripts, priority=900)
    app.connect("html-page-context", choose_widget_host, priority=901)
    app.connect("build-finished", copy_assets)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
