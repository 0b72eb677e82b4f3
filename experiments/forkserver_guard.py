"""Imported only inside the forkserver of a local pool: end it the moment the sweep ends.

The forkserver is the parent of every pool worker; without this it lives on while a
worker holds its pipe, and a killed sweep's forkserver would linger for seconds with the
whole model imported. Importing this module anywhere else would tie that process to its
parent's life, so nothing but :func:`experiments.backends.local_context` names it.
"""

from __future__ import annotations

from .backends import die_with_parent

die_with_parent()
