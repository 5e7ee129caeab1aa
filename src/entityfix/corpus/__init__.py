"""The corpus engine: ``entityfix check|fix --engine dask`` over folders, JSONL and Parquet, on a
Dask cluster (an existing one, a local one, or Dask's synchronous scheduler).

A layer over the library like the command line and the language server, and beside them: it uses
``Checker``, ``Settings`` and ``text.document``, never the command line's internals.  Dask is an
optional extra (``pip install "entityfix[dask]"``); importing this package does not import it.

One module per job:

* ``inputs``   paths -> documents (files, JSONL lines, Parquet rows), and a worker's reading of them
* ``tasks``    documents -> coarse tasks of a few megabytes
* ``worker``   one Checker per worker process (a worker plugin); a task -> plain-data results
* ``cluster``  where tasks run: an address, a LocalCluster, or the synchronous scheduler
* ``output``   the progress file (resuming) and the output, written atomically in input order
* ``records``  findings as plain dicts (the JSON report's fields) and as the text report's lines
* ``engine``   one run: plan, skip what is done, run, report in order, write; the exit code
"""

from __future__ import annotations

__all__ = ["run", "execute", "Outcome"]


def __getattr__(name: str):
    # Lazy: the command line imports this package for every ``check``; the engine's modules load on use.
    if name in __all__:
        from entityfix.corpus import engine

        return getattr(engine, name)
    raise AttributeError(name)
