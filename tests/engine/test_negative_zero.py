"""No output shows a negative zero: rounding a small negative number, or multiplying one by 0,
gives 0.0 in every format, and a spec rulegen writes says 0.0."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import rulegen
from rulegen.spec.emit import yaml_scalar

SPEC = """
version: 1
seed: 3
tables:
  t:
    rows: 3000
    columns:
      a: {kind: normal, loc: 0, scale: 0.1, round: 1}
      b: {kind: expr, expr: "round(a * 0.1, 1)"}
      c: {kind: expr, expr: "a * 0"}
      d: {kind: uniform, low: -0.04, high: 0.04, round: 1, null: 0.1}
"""


def test_no_negative_zero_in_memory():
    frame = rulegen.generate(SPEC)["t"]
    for name in "abcd":
        values = frame[name].dropna().to_numpy(dtype=np.float64)
        assert (values == 0).any(), name  # the case arises
        assert not np.signbit(values[values == 0]).any(), name


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_no_negative_zero_in_files(tmp_path, fmt):
    path = rulegen.write(SPEC, tmp_path, fmt)["t"]
    text = path.read_text()
    assert re.search(r"[,:]0(\.0)?[,}\n]", text)  # zeros are written
    assert not re.search(r"-0(\.0*)?(?![.\d])", text)


def test_a_written_spec_says_zero():
    assert yaml_scalar(-0.0) == "0.0"
    assert yaml_scalar(-1.5) == "-1.5"
    assert pd.isna(float(yaml_scalar(float("nan")).replace(".nan", "nan")))
