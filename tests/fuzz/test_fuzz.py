"""Fuzzing the loader, the spec pipeline and the expression parser: any input ends in a result or
a located user error, never another exception or a NumPy warning.

CI runs a few hundred examples of each; ``python -m tests.fuzz.run --minutes 60`` runs them for
as long as asked, with a memory limit (see that module).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings

from tests.fuzz import strategies, targets

EXAMPLES = int(os.environ.get("RULEGEN_FUZZ_EXAMPLES", "150"))
# Derandomized: CI runs the same inputs every time (the long runs of tests.fuzz.run explore).
_SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                            HealthCheck.data_too_large])


@_SETTINGS
@given(strategies.mutated_yaml())
def test_loader(text):
    targets.loader(text)


@_SETTINGS
@given(strategies.spec_texts())
def test_spec(text):
    targets.spec(text)


@_SETTINGS
@given(strategies.expressions())
def test_expression(text):
    targets.expression(text)
