"""Kyosei (共生): a shrinking, aging Japanese community and the policies that connect it.

This package holds the command line; the model lives in
``model``, scenario files in ``scenarios``, sweeps in ``experiments`` and the
browser dashboard in ``dashboards``.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("kyosei")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+source"
