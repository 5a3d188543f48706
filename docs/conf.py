"""Sphinx configuration: API reference from numpydoc docstrings, user guide, gallery of examples/."""

from __future__ import annotations

import logging
import os
import pkgutil
import re
import sys
from pathlib import Path

# Before torch is imported (by sklearn_rnn or an example): one thread per process. torch's
# default of one thread per core made small fits up to ~100x slower on a busy 2-core machine.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ["MPLBACKEND"] = "Agg"

# furo's code colours (accessible-pygments) call logging.basicConfig(level=INFO) when imported,
# which sends the INFO messages of every library the examples use (skorch's early stopping,
# TensorBoard's reader) to the console. Import it first and take that handler back out: the
# build prints Sphinx's own output and warnings only.
_root_handlers = list(logging.getLogger().handlers)
try:
    import a11y_pygments  # noqa: F401
except ImportError:
    pass
for _handler in list(logging.getLogger().handlers):
    if _handler not in _root_handlers:
        logging.getLogger().removeHandler(_handler)
logging.getLogger().setLevel(logging.WARNING)

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))  # _gallery_order, _forecaster_methods

from _forecaster_methods import METHODS as FORECASTER_METHODS  # noqa: E402

import sklearn_rnn  # noqa: E402

project = "sklearn_rnn"
author = "sklearn_rnn developers"
copyright = "sklearn_rnn developers"  # noqa: A001
version = release = sklearn_rnn.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "**.ipynb_checkpoints", "auto_examples/*.md5"]
root_doc = "index"
default_role = "literal"

# -- API reference ------------------------------------------------------------------------
autosummary_generate = True
autodoc_typehints = "none"  # the numpydoc "Parameters" section already gives the types
autodoc_member_order = "bysource"
# numpydoc would add a second members table to each class page; the template lists them.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True

# Inherited methods worth documenting on each class page; everything else that comes from
# scikit-learn or sktime (tags, metadata-routing setters, cloning helpers) is left out.
PUBLIC_INHERITED = {
    "fit",
    "predict",
    "predict_proba",
    "predict_interval",
    "predict_quantiles",
    "predict_var",
    "update",
    "update_predict",
    "fit_predict",
    "score",
    "get_params",
    "set_params",
}


# Public by sktime's conventions but meant for sktime's test machinery, not for users.
HIDDEN = {"get_test_params"}


def _skip_member(app, what, name, obj, skip, options):
    """Keep a class's own public members and the public methods in PUBLIC_INHERITED."""
    if what != "class" or skip or name.startswith("_"):
        return skip
    if name in HIDDEN:
        return True
    own = (getattr(obj, "__module__", "") or "").startswith("sklearn_rnn")
    return None if own else (name not in PUBLIC_INHERITED)


_REF = re.compile(r":(?:ref|term|doc):`([^`<]+?)\s*<[^`>]+>`|:(?:ref|term|doc):`([^`]+)`")


# "of shape (n_features_in_,)": in reST a bare word ending in "_" is a link to a target.
_SHAPE = re.compile(r"(of shape \()([^)]*)(\))")
_FITTED_NAME = re.compile(r"(?<![`\w])(\w+_)(?![`\w])")


def _literal_shape_attributes(app, what, name, obj, options, lines):
    """Quote fitted-attribute names in shapes, as scikit-learn writes them: (`n_features_in_`,)."""
    lines[:] = [
        _SHAPE.sub(lambda m: m.group(1) + _FITTED_NAME.sub(r"`\1`", m.group(2)) + m.group(3), line)
        for line in lines
    ]


def _plain_foreign_refs(app, what, name, obj, options, lines):
    """Turn ``:ref:``, ``:term:`` and ``:doc:`` roles in docstrings inherited from scikit-learn
    or sktime into plain text.

    They point at labels and glossaries of those projects' own docs, which do not exist here
    (and -W would fail on them).
    """
    if (getattr(obj, "__module__", "") or "").startswith("sklearn_rnn"):
        return
    lines[:] = [_REF.sub(lambda m: m.group(1) or m.group(2), line) for line in lines]


def _own_forecaster_docstrings(app, what, name, obj, options, lines):
    """Replace the docstrings RNNForecaster inherits from sktime by this library's (_forecaster_methods.py).

    Runs before numpydoc, which then formats the replacement. A method that
    sklearn_rnn itself defines keeps its own docstring.
    """
    owner, _, method = name.rpartition(".")
    if what != "method" or not owner.endswith("RNNForecaster") or method not in FORECASTER_METHODS:
        return
    if (getattr(obj, "__module__", "") or "").startswith("sklearn_rnn"):
        return
    lines[:] = FORECASTER_METHODS[method].splitlines()


def _check_api_page_complete(app):
    """Warn (so -W fails) when a public name is missing from api.rst."""
    from importlib import import_module

    from sphinx.util import logging

    text = (HERE / "api.rst").read_text()
    listed = set(re.findall(r"^ {3}([A-Za-z_]\w*)\s*$", text, re.MULTILINE))
    listed |= set(re.findall(r"^\.\. auto\w+:: [\w.]*\.(\w+)\s*$", text, re.MULTILINE))
    public = {name for name in sklearn_rnn.__all__ if not name.startswith("_")}
    # ... and the names of the public submodules (plotting, presets, ...).
    for module in pkgutil.iter_modules(sklearn_rnn.__path__):
        if not module.name.startswith("_"):
            public |= set(getattr(import_module(f"sklearn_rnn.{module.name}"), "__all__", ()))
    for name in sorted(public - listed):
        logging.getLogger(__name__).warning(f"public name {name!r} is not listed in docs/api.rst")


def setup(app):
    app.connect("autodoc-skip-member", _skip_member)
    app.connect("autodoc-process-docstring", _own_forecaster_docstrings, priority=400)
    app.connect("autodoc-process-docstring", _plain_foreign_refs)
    app.connect("autodoc-process-docstring", _literal_shape_attributes)
    app.connect("builder-inited", _check_api_page_complete)


# -- gallery --------------------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",  # execute every plot_*.py
    "ignore_pattern": r"__init__\.py|/_",
    "within_subsection_order": "_gallery_order.ExampleOrder",  # simplest first
    "image_scrapers": ("matplotlib",),
    "reset_modules": ("matplotlib",),
    "download_all_examples": False,
    "remove_config_comments": True,
    # Output blocks show what the examples print, not the repr of a block's last expression
    # (such as the Legend object a fig.legend(...) call returns).
    "capture_repr": (),
    "show_memory": False,
    # No timing pages: they are written into docs/ itself and load scripts from CDNs.
    "write_computation_times": False,
    "min_reported_time": 1,
    # "Examples using X" at the foot of each API page.
    "doc_module": ("sklearn_rnn",),
    "backreferences_dir": "generated/backreferences",
    # An example that raises fails the build (sphinx-gallery's default, stated here on purpose).
    "only_warn_on_example_error": False,
    "abort_on_example_error": False,
}

# -- HTML ---------------------------------------------------------------------------------
html_theme = "furo"
html_title = f"sklearn_rnn {release}"
html_show_sourcelink = False
html_static_path = ["_static"]
html_css_files = ["custom.css"]
