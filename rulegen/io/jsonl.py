"""JSON Lines encoding of Arrow batches, vectorised with ``pyarrow.compute``.

Each column becomes an array of JSON fragments, and the fragments of a row are joined into
its line, so no Python code runs per row. Strings are escaped as RFC 8259 requires; NaN and
infinities, which JSON cannot hold, are written as null; dates and timestamps are ISO 8601
(a zoned timestamp as its local time with the offset, RFC 3339 style: ``+02:00``); durations are
a number of seconds (:mod:`rulegen.io.durations`).
"""

from __future__ import annotations

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from rulegen.io.durations import seconds_of

__all__ = ["encode_jsonl"]

_ESCAPES = [("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t"),
            ("\b", "\\b"), ("\f", "\\f")]
_OTHER_CONTROL = r"[\x00-\x07\x0b\x0e-\x1f]"


def encode_jsonl(batch: pa.RecordBatch) -> bytes:
    """The batch as JSON Lines: one object per row, keys in column order, a newline after each."""
    if batch.num_rows == 0:
        return b""
    pieces: list[pa.Array | str] = []
    for i, field in enumerate(batch.schema):
        key = orjson.dumps(field.name).decode()
        pieces.append(("{" if i == 0 else ",") + key + ":")
        pieces.append(_fragments(batch.column(i)))
    pieces.append("}\n")
    lines = pc.binary_join_element_wise(*pieces, "")
    # The lines are back to back in the Arrow data buffer: take that byte range as it is.
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)[lines.offset:lines.offset + len(lines) + 1]
    return lines.buffers()[2].to_pybytes()[offsets[0]:offsets[-1]]


def _fragments(column: pa.Array) -> pa.Array:
    """Each value of ``column`` as JSON text (``null`` for nulls)."""
    kind = column.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        text = _quoted(column)
    elif pa.types.is_floating(kind):
        text = pc.cast(column, pa.string())
        whole = pc.match_substring_regex(text, r"^-?[0-9]+$")  # keep floats floats: 2.0, not 2
        text = pc.if_else(whole, pc.binary_join_element_wise(text, ".0", ""), text)
        text = pc.if_else(pc.is_finite(column), text, pa.scalar(None, pa.string()))
    elif pa.types.is_timestamp(kind):
        iso = pc.replace_substring(pc.cast(column, pa.string()), " ", "T", max_replacements=1)
        if kind.tz is not None:  # Arrow writes the local time with +0200; RFC 3339 wants +02:00
            iso = pc.replace_substring_regex(iso, r"([+-][0-9]{2})([0-9]{2})$", r"\1:\2")
        text = _quoted(iso)
    elif pa.types.is_duration(kind):  # a number of seconds (rulegen.io.durations)
        return _fragments(seconds_of(column))
    elif pa.types.is_date(kind) or pa.types.is_time(kind):
        text = _quoted(pc.cast(column, pa.string()))
    elif pa.types.is_integer(kind) or pa.types.is_boolean(kind) or pa.types.is_null(kind):
        text = pc.cast(column, pa.string())
    else:
        text = pa.array([orjson.dumps(v).decode() for v in column.to_pylist()], pa.string())
    return pc.fill_null(text, "null")


def _needs_escape(text: pa.Array) -> bool:
    """Whether any string holds a quote, a backslash or a control character (a scan of the raw bytes)."""
    offsets, data = text.buffers()[1], text.buffers()[2]
    if data is None:
        return False
    bounds = np.frombuffer(offsets, dtype=np.int32)[text.offset:text.offset + len(text) + 1]
    raw = np.frombuffer(data, dtype=np.uint8)[bounds[0]:bounds[-1]]
    return bool(((raw < 0x20) | (raw == ord('"')) | (raw == ord("\\"))).any())


def _quoted(text: pa.Array) -> pa.Array:
    if not _needs_escape(text):
        return pc.binary_join_element_wise('"', text, '"', "")  # the common case: nothing to escape
    if pc.any(pc.match_substring_regex(text, _OTHER_CONTROL)).as_py():
        # Rare control characters need \\u escapes: let orjson write this column.
        return pa.array([None if v is None else orjson.dumps(v).decode() for v in text.to_pylist()], pa.string())
    for old, new in _ESCAPES:
        text = pc.replace_substring(text, old, new)
    return pc.binary_join_element_wise('"', text, '"', "")
