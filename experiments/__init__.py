"""Experiments: sweeps over towns, policies and parameters, and their results.

Run specifications, the runner (local processes or a Dask cluster), the results store
(Parquet + manifest) and its analysis.
"""
