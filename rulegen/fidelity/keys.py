"""Primary keys found through the tables that refer to them: a unique, never-null column of a
table that has no key by its name (``state``, ``sku_code`` of two letters...) is its key when
another table has a column of the same name whose values it holds, so that a file of states
and a file of airports by state are tied, whatever the key's name says.
"""

from __future__ import annotations

import numpy as np

from rulegen.fidelity.profile import ColumnProfile

__all__ = ["shared_keys"]


def shared_keys(profiles: dict[str, dict[str, ColumnProfile]],
                keys: dict[str, str | None]) -> dict[str, str | None]:
    """``keys`` with a key for each table that had none and that another table refers to by a
    column of the same name (every value of that column found in the key)."""
    found = dict(keys)
    for table, columns in profiles.items():
        if found.get(table) is not None:
            continue
        for name, profile in columns.items():
            if not (profile.unique and profile.nulls == 0 and profile.category in ("integer", "string")):
                continue
            if any(_refers(other[name], profile) for child, other in profiles.items()
                   if child != table and name in other):
                found[table] = name
                break
    return found


def _refers(column: ColumnProfile, key: ColumnProfile) -> bool:
    """Whether ``column`` repeats values of ``key`` (its values all among the key's, some twice)."""
    if column.category != key.category or not column.present or column.unique:
        return False
    return bool(np.isin(column.values, key.values).all())
