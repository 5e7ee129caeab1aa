"""The part of the build pyproject.toml cannot yet declare stably: the compiled edit distance.

``src/entityfix/spelling/_align.c`` fills phonetic.similarity's table a dozen times faster than
Python.  It is optional: where no C compiler is at hand the install still succeeds and
phonetic.py uses the same table written in Python (same results, slower).
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("entityfix.spelling._align", ["src/entityfix/spelling/_align.c"], optional=True)])
