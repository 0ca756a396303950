"""Fidelity: learn a spec from real data (`rulegen infer`), compare synthetic data with real
data (`rulegen compare`) and add synthetic rows to real ones (`rulegen augment`).

The entry points are :func:`rulegen.infer`, :func:`rulegen.compare` and their commands. The
package imports nothing itself, so that the CLI registers those commands without importing
scipy and pandas.
"""

DEFAULT_SAMPLE_ROWS = 100_000  # rows read per file for fitting (here: the CLI reads it without pyarrow)
