"""Counter-based random streams: every draw is a pure function of its address.

A stream is keyed by (seed, table, column, purpose) through a stable hash (blake2b, never
Python's ``hash()``); a block of rows reads the stream at counter ``block`` (and ``attempt`` for
deterministic redraws). So any block can be generated alone, in any process, in any order, and
gets the same numbers. :func:`hash_rows` gives per-row randomness that does not depend on the
block at all (splitmix64 over row ids), used for keyed permutations.
"""

from __future__ import annotations

import hashlib
import struct

import numpy as np

__all__ = ["block_rng", "hash_rows", "splitmix64", "stream_key", "stream_seed"]

_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)


def stream_key(seed: int, *names: object) -> tuple[int, int]:
    """A 128-bit key for the stream named by ``seed`` and ``names`` (table, column, purpose…)."""
    digest = hashlib.blake2b(
        "\x1f".join([str(seed), *map(str, names)]).encode("utf-8"), digest_size=16
    ).digest()
    return struct.unpack("<QQ", digest)


def stream_seed(seed: int, *names: object) -> int:
    """A 64-bit integer seed for libraries seeded by an int (Faker pools, permutations)."""
    return stream_key(seed, *names)[0]


def block_rng(key: tuple[int, int], block: int, attempt: int = 0) -> np.random.Generator:
    """The generator of one block (and redraw attempt) of a stream.

    Philox's 256-bit counter starts at (0, 0, attempt, block): draws inside a block advance the
    low words, so blocks never overlap unless one block draws 2**128 numbers.
    """
    bit_gen = np.random.Philox(key=np.array(key, dtype=np.uint64),
                               counter=np.array([0, 0, attempt, block], dtype=np.uint64))
    return np.random.Generator(bit_gen)


def splitmix64(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser: a fast bijective mix of 64-bit values (wrapping arithmetic)."""
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def hash_rows(key: int, rows: np.ndarray) -> np.ndarray:
    """64 random bits per row id, independent of how rows are cut into blocks."""
    with np.errstate(over="ignore"):
        return splitmix64(rows.astype(np.uint64) ^ splitmix64(np.array([key], dtype=np.uint64)))
