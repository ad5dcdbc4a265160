"""
Sphinx configuration for nodenet's documentation.

Build with ``sphinx-build -W --keep-going docs docs/_build/html``.  The build
needs no network: Python's and Twisted's names are linked through the
inventories in ``docs/_inventories`` (set ``NODENET_DOCS_ONLINE=1`` to try
the published inventories first).  API pages of modules that cannot be
imported (``nodenet.tls`` without OpenSSL, for instance) are left out.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE / "_ext"))

import nodenet  # noqa: E402

project = "nodenet"
version = release = nodenet.__version__
language = "en"

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.intersphinx",
    "nodenetdocs",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "_inventories", "_ext", "examples", "Thumbs.db", ".DS_Store"]

#: Optional API pages: left out when their module cannot be imported.
OPTIONAL_API_PAGES = {
    "api/tls": "nodenet.tls",
    "api/tap": "nodenet.tap",
    "api/apps": "nodenet.apps",
}
for page, module in OPTIONAL_API_PAGES.items():
    try:
        importlib.import_module(module)
    except ImportError:
        exclude_patterns.append(page + ".rst")

myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3

autodoc_member_order = "bysource"
autodoc_typehints = "none"
autodoc_preserve_defaults = True
autodoc_class_signature = "mixed"
add_module_names = False
python_display_short_literal_types = True

_online = os.environ.get("NODENET_DOCS_ONLINE") == "1"


def _inventory(name: str) -> tuple[str | None, ...] | str:
    local = str(HERE / "_inventories" / f"{name}.inv")
    return (None, local) if _online else local


intersphinx_mapping = {
    "python": ("https://docs.python.org/3", _inventory("python")),
    "twisted": ("https://docs.twisted.org/en/stable/api", _inventory("twisted")),
}
intersphinx_timeout = 10

html_theme = "alabaster"
html_title = f"nodenet {version}"
html_static_path = ["_static"]
html_css_files = ["nodenet.css"]
html_theme_options = {
    "description": "Node.js's net module for Python, on Twisted",
    "page_width": "1150px",
    "sidebar_width": "240px",
    "fixed_sidebar": False,
}
html_sidebars = {"**": ["about.html", "navigation.html", "searchbox.html"]}
html_show_sourcelink = False

# Every cross-reference must resolve, so a renamed method, a Twisted name
# missing from the offline inventories, or a reference to a private name
# (which the reference does not document) fails the build.  OpenSSL/zope have
# no inventory here.
nitpicky = True
nitpick_ignore_regex = [
    (r"py:.*", r"(OpenSSL|zope|service_identity|cryptography)(\..*)?"),
]
