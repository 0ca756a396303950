"""Thrift's compact protocol, read into a generic tree and written back byte for byte.

Parquet keeps its footer (``FileMetaData``) in this encoding. Reading it as plain structs of
numbered fields, without the Parquet IDL, is all :mod:`rulegen.io.parquet` needs to move row
groups from one file into another: it shifts a few offsets and writes the tree back. Fields
it does not know pass through unchanged, so newer writers' footers survive too.
"""

from __future__ import annotations

import struct as _struct
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Struct", "decode", "encode"]

_TRUE, _FALSE, _BYTE, _I16, _I32, _I64, _DOUBLE, _BINARY, _LIST, _SET, _MAP, _STRUCT = range(1, 13)
_INTEGERS = (_I16, _I32, _I64)


@dataclass(slots=True)
class Struct:
    """A struct's fields in wire order: field id -> (compact type, value); a bool field's type
    is 1 (its wire type says true or false)."""

    fields: dict[int, tuple[int, Any]] = field(default_factory=dict)

    def get(self, fid: int, default: Any = None) -> Any:
        return self.fields[fid][1] if fid in self.fields else default

    def set(self, fid: int, value: Any) -> None:
        """Replace the value of an existing field (its type stays)."""
        self.fields[fid] = (self.fields[fid][0], value)


@dataclass(slots=True)
class Sequence:
    """A list or set: its compact type, its elements' type and the elements."""

    kind: int
    element: int
    items: list[Any]


@dataclass(slots=True)
class Mapping:
    key: int
    value: int
    items: list[tuple[Any, Any]]


def decode(data: bytes | memoryview) -> Struct:
    """The struct encoded in ``data`` (which it must fill exactly)."""
    reader = _Reader(memoryview(data).cast("B"))  # unsigned bytes, whatever the exporter's format
    result = reader.struct()
    if reader.at != len(data):
        raise ValueError(f"{len(data) - reader.at} bytes left after the struct")
    return result


def encode(value: Struct) -> bytes:
    """The compact encoding of ``value``."""
    out = bytearray()
    _write_struct(out, value)
    return bytes(out)


class _Reader:
    def __init__(self, data: memoryview) -> None:
        self.data, self.at = data, 0

    def byte(self) -> int:
        self.at += 1
        return self.data[self.at - 1]

    def varint(self) -> int:
        result = shift = 0
        while True:
            byte = self.byte()
            result |= (byte & 0x7F) << shift
            if byte < 0x80:
                return result
            shift += 7

    def zigzag(self) -> int:
        n = self.varint()
        return (n >> 1) ^ -(n & 1)

    def value(self, kind: int) -> Any:
        if kind in _INTEGERS:
            return self.zigzag()
        if kind == _BINARY:
            size = self.varint()
            self.at += size
            return bytes(self.data[self.at - size:self.at])
        if kind == _STRUCT:
            return self.struct()
        if kind in (_LIST, _SET):
            header = self.byte()
            size = header >> 4 if header >> 4 != 15 else self.varint()
            element = header & 0x0F
            return Sequence(kind, element, [self.value(element) for _ in range(size)])
        if kind == _MAP:
            size = self.varint()
            types = self.byte() if size else 0
            return Mapping(types >> 4, types & 0x0F,
                           [(self.value(types >> 4), self.value(types & 0x0F)) for _ in range(size)])
        if kind == _DOUBLE:
            self.at += 8
            return _struct.unpack("<d", self.data[self.at - 8:self.at])[0]
        if kind in (_BYTE, _TRUE, _FALSE):  # a byte, or a bool inside a list (1 or 2, kept as is)
            return self.byte()
        raise ValueError(f"unknown compact type {kind} at byte {self.at}")

    def struct(self) -> Struct:
        result, last = Struct(), 0
        while (header := self.byte()) != 0:
            kind, delta = header & 0x0F, header >> 4
            fid = last + delta if delta else self.zigzag()
            if kind in (_TRUE, _FALSE):  # a bool field: the value is in the type
                kind, value = _TRUE, kind == _TRUE
            else:
                value = self.value(kind)
            result.fields[fid] = (kind, value)
            last = fid
        return result


def _write_varint(out: bytearray, n: int) -> None:
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)


def _write_zigzag(out: bytearray, n: int) -> None:
    _write_varint(out, (n << 1) ^ (n >> 63))


def _write_value(out: bytearray, kind: int, value: Any) -> None:
    if kind in _INTEGERS:
        _write_zigzag(out, value)
    elif kind == _BINARY:
        _write_varint(out, len(value))
        out += value
    elif kind == _STRUCT:
        _write_struct(out, value)
    elif kind in (_LIST, _SET):
        size = len(value.items)
        out.append((size << 4 | value.element) if size < 15 else (0xF0 | value.element))
        if size >= 15:
            _write_varint(out, size)
        for item in value.items:
            _write_value(out, value.element, item)
    elif kind == _MAP:
        _write_varint(out, len(value.items))
        if value.items:
            out.append(value.key << 4 | value.value)
        for key, item in value.items:
            _write_value(out, value.key, key)
            _write_value(out, value.value, item)
    elif kind == _DOUBLE:
        out += _struct.pack("<d", value)
    else:  # a byte, or a bool inside a list
        out.append(value)


def _write_struct(out: bytearray, value: Struct) -> None:
    last = 0
    for fid, (kind, item) in value.fields.items():
        wire = (_TRUE if item else _FALSE) if kind in (_TRUE, _FALSE) else kind
        if 0 < fid - last <= 15:
            out.append((fid - last) << 4 | wire)
        else:
            out.append(wire)
            _write_zigzag(out, fid)
        if kind not in (_TRUE, _FALSE):
            _write_value(out, kind, item)
        last = fid
    out.append(0)
