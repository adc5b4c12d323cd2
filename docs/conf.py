"""Sphinx settings of the course's site: `make html` builds it into build/html from the outputs stored
in the notebooks (nothing is executed), with no request leaving the site once built.

The source folder is the repository's root (so that the notebooks' links to ../docs/*.md resolve);
this folder holds the settings, the home page (index.md) and the site's extension (_ext/).
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))

from course_site import settings  # noqa: E402

SITE = settings(HERE.parent)

project = "se-tutorial"
html_title = "se-tutorial: learn Squeeze-and-Excitation"
author = "The se-tutorial authors"
copyright = "the se-tutorial authors, MIT licence"

extensions = ["myst_nb", "sphinx.ext.mathjax", "sphinx-mathjax-offline", "course_site"]

# The pages: the home page, the notebooks, their solutions, the assignments' student versions, docs/*.md.
root_doc = "docs/index"
include_patterns = ["docs/*.md", "notebooks/*.ipynb", "notebooks/solutions/*.ipynb", "assignments/release/*/*.ipynb"]
exclude_patterns = [".*", "build", "data", "**/.ipynb_checkpoints"]  # folders not even to walk through
html_extra_path = ["_extra"]  # index.html at the site's root: opens the home page

# Notebooks: shown with their stored outputs; widgets frozen to their stored figures (course_site).
nb_execution_mode = "off"
nb_custom_formats = {".ipynb": ["course_site.read_notebook", {}, False]}
nb_ipywidgets_js = {}  # no widget scripts (myst-nb would load them from a CDN)
nb_merge_streams = True

# Markdown: $...$ and $$...$$ are formulas; headings get JupyterLab's anchors, which the notebooks link to.
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 4
myst_heading_slug_func = "course_site.jupyter_slug"

# The theme: a sidebar with the course map, a contents list per page, search, and a Colab launch button.
html_theme = "sphinx_book_theme"
html_theme_options = {
    "repository_url": SITE["repository"],
    "repository_branch": SITE["ref"],
    "path_to_docs": "",
    "use_repository_button": True,
    "launch_buttons": {"colab_url": "https://colab.research.google.com"},
    "home_page_in_toc": True,
    "show_toc_level": 2,
}
html_static_path = ["_static"]
html_js_files = ["search_snippets.js"]  # search results quote the page, not the theme's buttons
html_sourcelink_suffix = ""  # the download button gives the notebook itself (.ipynb), with its outputs
