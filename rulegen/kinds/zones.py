"""Time zones of ``timestamp`` columns: IANA names checked, wall clocks to instants and back.

A zoned column stores UTC instants and names its zone in its Arrow type, the way Arrow and
pandas do. Conversions run over whole arrays through Arrow's time-zone kernels, which read the
same tz database as :mod:`zoneinfo`. A wall-clock time that a DST change makes ambiguous is
read as its first occurrence (summer time), and one that does not exist (in the hour skipped in
spring) as the instant of the change: so the conversion never goes backwards.
"""

from __future__ import annotations

import zoneinfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from rulegen.errors import Diagnostic, did_you_mean

__all__ = ["check_zone", "to_local", "to_utc"]


def check_zone(name: str, pointer: str) -> Diagnostic | None:
    """A diagnostic when ``name`` is not an IANA time-zone name that both the tz database and
    Arrow know, else None."""
    try:
        zoneinfo.ZoneInfo(name)
        pc.local_timestamp(pa.array([0], pa.timestamp("s", tz=name)))
        return None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError, pa.ArrowException):
        pass
    names = zoneinfo.available_timezones()
    folded = {zone.lower(): zone for zone in names}
    hint = (f"did you mean `{folded[name.lower()]}`?" if name.lower() in folded
            else did_you_mean(name, names) or "use an IANA name such as Europe/Berlin or America/New_York")
    return Diagnostic("RG206", f"unknown time zone `{name}`", pointer, hint=hint)


def to_utc(wall: np.ndarray, zone: str, unit: str = "s") -> np.ndarray:
    """The UTC instants (int64 ``unit`` since the epoch) of wall-clock times in ``zone``."""
    local = pa.array(np.asarray(wall, dtype=np.int64), type=pa.timestamp(unit))
    zoned = pc.assume_timezone(local, zone, ambiguous="earliest", nonexistent="latest")
    return zoned.view(pa.int64()).to_numpy(zero_copy_only=False)


def to_local(instants: np.ndarray, zone: str, unit: str = "s") -> np.ndarray:
    """The wall-clock times in ``zone`` (int64 ``unit`` since the epoch) of UTC instants."""
    zoned = pa.array(np.asarray(instants, dtype=np.int64), type=pa.timestamp(unit, tz=zone))
    return pc.local_timestamp(zoned).view(pa.int64()).to_numpy(zero_copy_only=False)
