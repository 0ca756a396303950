"""Fidelity: learn a spec from real data (`rulegen infer`), as rules a person can read.

:func:`infer` reads CSV and Parquet files, fits each column's law, finds keys and relations
between the files, and writes an ordinary spec whose comments say what was inferred and how
well it fits.
"""

from rulegen.fidelity.infer import infer
from rulegen.fidelity.read import InferError

__all__ = ["InferError", "infer"]
