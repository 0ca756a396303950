"""Parquet blocks encoded apart and assembled by byte copies make the file one writer makes."""

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rulegen
from rulegen.engine.evaluate import evaluate_block
from rulegen.io import thrift
from rulegen.io.parquet import ParquetAssembler, ParquetEncoder
from rulegen.plan.compiler import compile_spec

# Every Arrow type rulegen writes: integers, floats with nulls, strings with dictionaries, dates,
# naive and zoned timestamps, booleans.
SPEC = """
version: 1
seed: 5
tables:
  t:
    rows: 2500
    columns:
      id: {kind: sequence}
      name: {kind: faker, provider: first_name}
      code: {kind: pattern, pattern: "[A-Z]{3}-[0-9]{4}", unique: true}
      score: {kind: normal, loc: 10, scale: 2, round: 3, null: 0.2}
      born: {kind: date, min: 1950-01-01, max: 2000-12-31}
      seen: {kind: timestamp, min: 2024-01-01, max: 2024-12-31}
      local: {kind: timestamp, min: 2024-03-01, max: 2024-04-01, tz: Europe/Paris}
      flag: {kind: bool, p: 0.3}
      tier: {kind: choice, values: {gold: 1, silver: 3, bronze: 6}}
"""


def streamed_and_assembled(table, seed: int, blocks: range) -> tuple[bytes, bytes]:
    encode = ParquetEncoder(table.schema, table.categorical)
    batches = [evaluate_block(table, seed, b)[0] for b in blocks]
    streamed = pa.BufferOutputStream()
    with encode.writer(streamed) as writer:
        for batch in batches:
            writer.write_batch(batch)
    assembled = pa.BufferOutputStream()
    assembler = ParquetAssembler(assembled)
    for batch in batches or [None]:
        assembler.append(encode(batch) if batch is not None else encode.empty())
    assembler.finish()
    return streamed.getvalue().to_pybytes(), assembled.getvalue().to_pybytes()


@pytest.mark.parametrize("block_rows", [1, 7, 1000, 65_536])
def test_assembled_blocks_are_the_bytes_of_one_streaming_writer(block_rows):
    plan = compile_spec(rulegen.load(SPEC), block_rows=block_rows)
    table = plan.tables["t"]
    streamed, assembled = streamed_and_assembled(table, plan.seed, range(min(table.blocks, 12)))
    assert assembled == streamed


def test_a_table_without_rows_is_its_schema(tmp_path):
    plan = compile_spec(rulegen.load(SPEC), rows={"t": 0})
    streamed, assembled = streamed_and_assembled(plan.tables["t"], plan.seed, range(0))
    assert assembled == streamed
    path = tmp_path / "empty.parquet"
    path.write_bytes(assembled)
    read = pq.read_table(path)
    assert read.num_rows == 0 and read.schema.names == plan.tables["t"].schema.names


def test_other_readers_read_every_row_group(tmp_path):
    plan = compile_spec(rulegen.load(SPEC), block_rows=300)
    table = plan.tables["t"]
    _, assembled = streamed_and_assembled(table, plan.seed, range(table.blocks))
    path = tmp_path / "t.parquet"
    path.write_bytes(assembled)
    metadata = pq.ParquetFile(path).metadata
    assert (metadata.num_row_groups, metadata.num_rows) == (table.blocks, table.rows)
    ids, codes = duckdb.sql(f"select sum(id), count(distinct code) from '{path}'").fetchall()[0]
    assert (ids, codes) == (table.rows * (table.rows + 1) // 2, table.rows)
    # row-group statistics still point at the right data: a filter on the last id finds its row
    last = pq.read_table(path, filters=[("id", "=", table.rows)])
    assert last.num_rows == 1


def test_a_part_that_is_not_parquet_is_refused():
    with pytest.raises(ValueError, match="not a Parquet file"):
        ParquetAssembler(pa.BufferOutputStream()).append(b"PAR1 not really")


# --- the compact protocol ------------------------------------------------------------------

scalars = st.one_of(
    st.tuples(st.just(5), st.integers(-2**31, 2**31 - 1)),  # i32
    st.tuples(st.just(6), st.integers(-2**63, 2**63 - 1)),  # i64
    st.tuples(st.just(8), st.binary(max_size=40)),
    st.tuples(st.just(7), st.floats(allow_nan=False)),
    st.tuples(st.just(1), st.booleans()),
    st.tuples(st.just(3), st.integers(0, 255)),
)


def structs(depth: int = 2) -> st.SearchStrategy[thrift.Struct]:
    values = scalars if depth == 0 else st.one_of(
        scalars,
        st.tuples(st.just(12), st.deferred(lambda: structs(depth - 1))),
        st.lists(st.integers(-5, 10**12), max_size=20).map(lambda xs: (9, thrift.Sequence(9, 6, xs))),
        st.lists(st.deferred(lambda: structs(depth - 1)), max_size=3).map(lambda xs: (9, thrift.Sequence(9, 12, xs))),
        st.lists(st.tuples(st.binary(max_size=5), st.integers(-2**31, 2**31 - 1)), min_size=1, max_size=4).map(
            lambda kv: (11, thrift.Mapping(8, 5, kv))),
    )
    ids = st.lists(st.integers(1, 300), unique=True, max_size=8).map(sorted)
    return ids.flatmap(lambda fids: st.tuples(*[values for _ in fids]).map(
        lambda vs: thrift.Struct(dict(zip(fids, vs, strict=True)))))


@settings(max_examples=200, deadline=None)
@given(value=structs())
def test_compact_protocol_round_trips(value):
    encoded = thrift.encode(value)
    assert thrift.encode(thrift.decode(encoded)) == encoded
    assert thrift.decode(encoded) == value  # (an empty map would lose its types: none here)


def test_parquet_footers_round_trip_byte_for_byte():
    plan = compile_spec(rulegen.load(SPEC), block_rows=1000)
    table = plan.tables["t"]
    data = ParquetEncoder(table.schema, table.categorical)(evaluate_block(table, plan.seed, 0)[0]).to_pybytes()
    size = int.from_bytes(data[-8:-4], "little")
    footer = data[-8 - size:-8]
    assert thrift.encode(thrift.decode(footer)) == footer
