"""Experiments: sweeps over towns, policies and parameters, and their results.

One job per module:

* :mod:`~experiments.spec` — experiment files (TOML): read and check;
* :mod:`~experiments.designs` — design points (full factorial, LHS, Sobol, Morris);
* :mod:`~experiments.seeds` — replicate seeds from one root seed (common random numbers);
* :mod:`~experiments.plan` — every run of an experiment, with its scenario and identity;
* :mod:`~experiments.run` — ``run_one(spec) -> RunResult``, the pure run function, and
  ``run_group`` (runs that share a built, warmed-up town build it once);
* :mod:`~experiments.backends`, :mod:`~experiments.cluster` — local processes or Dask;
* :mod:`~experiments.writer`, :mod:`~experiments.store` — the results store (write, read);
* :mod:`~experiments.sweep` — ``run_experiment``: plan → store → backend → progress;
* :mod:`~experiments.analysis`, :mod:`~experiments.sensitivity` — bands, paired effects,
  replication advice, sensitivity indices;
* :mod:`~experiments.io`, :mod:`~experiments.provenance` — atomic writes, provenance.

See ``docs/results-store.md``.
"""
