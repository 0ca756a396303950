"""Numeric edges through the command line, in a real interpreter: each is a located error or a
defined result, with exit codes 0, 1 or 2, and never a traceback, an internal error or a NumPy
RuntimeWarning on stderr.

Every case runs in one subprocess (an interpreter start per case would take minutes), with
``-W always::RuntimeWarning`` so that a warning is printed each time it happens, not once.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

MAX = 2**63 - 1


def spec(columns: dict[str, str], rows: int = 20, extra: str = "") -> str:
    body = "\n".join(f"      {name}: {value}" for name, value in columns.items())
    return f"version: 1\ntables:\n  t:\n    rows: {rows}\n    columns:\n{body}\n{extra}"


# name: (spec, command, exit code, what stderr must hold)
REFUSED = {  # `validate` refuses them: a diagnostic at the option, exit 1
    "expr_tower": (spec({"a": "{kind: sequence}", "b": "{kind: expr, expr: 'a + 2 ** 2 ** 2 ** 2 ** 2'}"}), "RG271"),
    "expr_10_400": (spec({"a": "{kind: sequence}", "b": "{kind: expr, expr: '10 ** 400 + a'}"}), "RG271"),
    "expr_long_literal": (spec({"a": "{kind: sequence}", "b": "{kind: expr, expr: 'a + " + "7" * 1000 + "'}"}),
                          "RG271"),
    "expr_float_literal": (spec({"a": "{kind: uniform}", "b": "{kind: expr, expr: 'a * 1e999'}"}), "RG271"),
    "expr_negative_power": (spec({"a": "{kind: sequence}", "b": "{kind: expr, expr: 'a ** -2'}"}), "RG272"),
    "expr_days_literal": (spec({"a": "{kind: sequence}", "b": "{kind: expr, expr: 'days(1e12)'}"}), "RG280"),
    "expr_round_400": (spec({"a": "{kind: uniform}", "b": "{kind: expr, expr: 'round(a, 400)'}"}), "RG273"),
    "expr_round_minus_400": (spec({"a": "{kind: uniform}", "b": "{kind: expr, expr: 'round(a, -400)'}"}), "RG273"),
    "sequence_overflow": (spec({"a": f"{{kind: sequence, start: {MAX - 5}}}"}), "RG274"),
    "sequence_step": (spec({"a": f"{{kind: sequence, step: {MAX}}}"}), "RG274"),
    "sequence_start_beyond": (spec({"a": "{kind: sequence, start: 99999999999999999999}"}), "RG203"),
    "integers_beyond": (spec({"a": "{kind: integers, low: 0, high: 99999999999999999999}"}), "RG203"),
    "integers_shift": (spec({"a": f"{{kind: integers, low: 0, high: {MAX}, shift: 10}}"}), "RG275"),
    "uniform_inf": (spec({"a": "{kind: uniform, low: 0, high: .inf}"}), "RG270"),
    "uniform_nan": (spec({"a": "{kind: uniform, low: .nan, high: 1}"}), "RG270"),
    "uniform_width": (spec({"a": "{kind: uniform, low: -1.0e+308, high: 1.0e+308}"}), "RG275"),
    "normal_inf_scale": (spec({"a": "{kind: normal, scale: .inf}"}), "RG270"),
    "lognormal_overflow": (spec({"a": "{kind: lognormal, mean: 1000}"}), "RG275"),
    "poisson_1e19": (spec({"a": "{kind: poisson, lam: 1.0e+19}"}), "RG275"),
    "poisson_inf": (spec({"a": "{kind: poisson, lam: .inf}"}), "RG270"),
    "negative_binomial_tiny_p": (spec({"a": "{kind: negative_binomial, n: 1, p: 1.0e-300}"}), "RG275"),
    "geometric_tiny_p": (spec({"a": "{kind: geometric, p: 1.0e-300}"}), "RG275"),
    "binomial_huge_n": (spec({"a": "{kind: binomial, n: 99999999999999999999, p: 0.5}"}), "RG203"),
    "zipf_a_1": (spec({"a": "{kind: zipf, a: 1}"}), "RG203"),
    "truncate_unreachable": (spec({"a": "{kind: normal, truncate: [50, 60]}"}), "RG210"),
    "truncate_inf": (spec({"a": "{kind: normal, truncate: [.inf, .inf]}"}), "RG270"),
    "histogram_inf_weight": (spec({"a": "{kind: histogram, edges: [0, 1, 2], weights: [.inf, 1]}"}), "RG270"),
    "histogram_integer_edges": (spec({"a": "{kind: histogram, edges: [0, 1.0e+300], weights: [1], integer: true}"}),
                                "RG276"),
    "choice_inf_weight": (spec({"a": "{kind: choice, values: {x: .inf, y: 1}}"}), "RG270"),
    "choice_nan_weight": (spec({"a": "{kind: choice, values: {x: .nan, y: 1}}"}), "RG270"),
    "choice_negative_weight": (spec({"a": "{kind: choice, values: {x: -1, y: 2}}"}), "RG203"),
    "choice_zero_weights": (spec({"a": "{kind: choice, values: {x: 0, y: 0}}"}), "RG210"),
    "constant_huge": (spec({"a": "{kind: constant, value: 99999999999999999999}"}), "RG278"),
    "delay_too_long": (spec({"d": "{kind: timestamp, min: 2020-01-01, max: 2020-12-31}",
                             "e": "{kind: timestamp, after: d, delay: {kind: exponential, scale: 1000000y}}"}),
                       "RG277"),
    "correlation_self": (spec({"a": "{kind: normal}", "b": "{kind: normal}"},
                              extra="    correlations:\n      - {columns: [a, a], rho: 0.5}\n"), "RG214"),
    "correlation_nan": (spec({"a": "{kind: normal}", "b": "{kind: normal}"},
                             extra="    correlations:\n      - {columns: [a, b], rho: .nan}\n"), "RG270"),
    "correlation_twice": (spec({"a": "{kind: normal}", "b": "{kind: normal}"},
                               extra="    correlations:\n      - {columns: [a, b], rho: 0.5}\n"
                                     "      - {columns: [b, a], rho: 0.2}\n"), "RG279"),
}

STOPPED = {  # valid specs whose run stops at a value that does not exist: exit 1, the row named
    "expr_overflow_row_70000": (spec({"a": "{kind: sequence, start: 4611686018427317904}",
                                      "b": "{kind: expr, expr: 'a * 2'}"}, rows=80_000), "RG410", "row 70000"),
    "expr_power": (spec({"a": "{kind: sequence, start: 10}", "b": "{kind: expr, expr: 'a ** 30'}"}), "RG410", "row 0"),
    "expr_min_int_negated": (spec({"a": f"{{kind: constant, value: {-MAX - 1}}}", "b": "{kind: expr, expr: '-a'}"}),
                             "RG410", "row 0"),
    "expr_negative_exponent": (spec({"a": "{kind: integers, low: -3, high: -1}",
                                     "b": "{kind: expr, expr: '2 ** a'}"}), "RG411", "row 0"),
    "expr_past_9999": (spec({"d": "{kind: date, min: 9999-12-01, max: 9999-12-31}",
                             "b": "{kind: expr, expr: 'd + days(400)'}"}), "RG412", "the year 10,001"),
    "expr_days_1e12": (spec({"a": "{kind: sequence}", "b": "{kind: expr, expr: 'days(a * 1e12)'}"}), "RG413",
                       "row 0"),
    "expr_round_huge": (spec({"a": "{kind: uniform, low: 1.0e+300, high: 1.0e+301}",
                              "b": "{kind: expr, expr: 'round(a)'}"}), "RG410", "row 0"),
    "when_overflow": (spec({"a": f"{{kind: constant, value: {MAX}}}", "b": "{kind: normal, when: 'a + 1 > 0'}"}),
                      "RG410", "row 0"),
    "constraint_overflow": (spec({"a": f"{{kind: constant, value: {MAX}}}", "b": "{kind: normal}"},
                                 extra="    constraints:\n      - 'a * 2 > b'\n"), "RG410", "row 0"),
    "delay_past_9999": (spec({"d": "{kind: timestamp, min: 9999-12-01, max: 9999-12-31}",
                              "e": "{kind: timestamp, after: d, delay: {kind: uniform, low: 0d, high: 60d}}"}),
                        "RG412", "the year 10,000"),
}

DEFINED = {  # valid specs with defined results: exit 0, the values checked below
    "division_by_zero": spec({"a": "{kind: sequence, start: -1}", "q": "{kind: expr, expr: '7 // (a * 0)'}",
                              "r": "{kind: expr, expr: '7 % (a * 0)'}", "f": "{kind: expr, expr: 'a / 0'}",
                              "g": "{kind: expr, expr: 'log(a * 0)'}", "h": "{kind: expr, expr: '-7 // a'}"}),
    "huge_weights": spec({"a": "{kind: choice, values: {x: 1.0e+308, y: 1.0e+308}}"}, rows=2_000),
    "zipf_far_tail": spec({"a": "{kind: zipf, a: 3, truncate: [1.0e+15, 1.0e+16]}"}),
    "normal_far_tail": spec({"a": "{kind: normal, truncate: [37, 38]}"}),
    "full_int64": spec({"a": f"{{kind: integers, low: {-MAX - 1}, high: {MAX}, unique: true}}"}),
}

USAGE = {  # out-of-range options: click usage errors, exit 2 and one `Error:` line
    "scale_negative": ["--scale", "-1"], "scale_zero": ["--scale", "0"], "scale_nan": ["--scale", "nan"],
    "scale_inf": ["--scale", "inf"], "scale_huge": ["--scale", "1e300"],
    "rows_huge": ["--rows", "t=99999999999999999999"], "rows_negative": ["--rows", "t=-1"],
    "seed_negative": ["--seed", "-1"], "seed_past_64_bits": ["--seed", str(2**64)],
}

_DRIVER = """
import json, sys
from rulegen.cli import main
for name, args in json.load(open(sys.argv[1])):
    print(f"@@ {name}", file=sys.stderr, flush=True)
    try:
        main(args)
    except SystemExit as exc:
        print(f"@@ exit {exc.code or 0}", file=sys.stderr, flush=True)
"""


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, tuple[int, str]]]:
    """Every case's exit code and stderr, from one interpreter."""
    folder = tmp_path_factory.mktemp("numeric")
    cases = []
    for name, (text, *_) in {**REFUSED, **STOPPED}.items():
        (folder / f"{name}.yaml").write_text(text)
    for name in DEFINED:
        (folder / f"{name}.yaml").write_text(DEFINED[name])
    (folder / "ok.yaml").write_text(spec({"a": "{kind: sequence}"}))
    cases += [(name, ["validate", f"{name}.yaml"]) for name in REFUSED]
    cases += [(name, ["generate", f"{name}.yaml", "-o", f"out_{name}", "--format", "csv", "--workers", "1"])
              for name in {**STOPPED, **DEFINED}]
    cases += [(name, ["generate", "ok.yaml", "-o", f"out_{name}", *args]) for name, args in USAGE.items()]
    (folder / "cases.json").write_text(json.dumps(cases))
    done = subprocess.run([sys.executable, "-W", "always::RuntimeWarning", "-c", _DRIVER, "cases.json"],
                          cwd=folder, capture_output=True, text=True, timeout=600)
    found: dict[str, tuple[int, str]] = {}
    name, lines = "", []
    for line in done.stderr.splitlines():
        if line.startswith("@@ exit "):
            found[name] = (int(line.removeprefix("@@ exit ")), "\n".join(lines))
        elif line.startswith("@@ "):
            name, lines = line.removeprefix("@@ "), []
        else:
            lines.append(line)
    assert set(found) == {name for name, _ in cases}, done.stderr[-3000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    return folder, found


def _clean(stderr: str) -> None:
    for word in ("RuntimeWarning", "Traceback", "internal error"):
        assert word not in stderr, stderr


@pytest.mark.parametrize("name", REFUSED)
def test_refused_forms_are_located_diagnostics(runs, name):
    code, stderr = runs[1][name]
    _clean(stderr)
    assert code == 1, stderr
    assert f"{name}.yaml:" in stderr and f"error[{REFUSED[name][1]}]" in stderr, stderr


@pytest.mark.parametrize("name", STOPPED)
def test_values_that_do_not_exist_stop_the_run_naming_the_row(runs, name):
    code, stderr = runs[1][name]
    _clean(stderr)
    _, diagnostic, where = STOPPED[name]
    assert code == 1, stderr
    assert f"{name}.yaml:" in stderr and f"error[{diagnostic}] tables.t." in stderr and where in stderr, stderr


@pytest.mark.parametrize("name", DEFINED)
def test_defined_results_generate(runs, name):
    code, stderr = runs[1][name]
    _clean(stderr)
    assert code == 0, stderr


def _rows(folder: Path, name: str) -> list[dict[str, str]]:
    with open(folder / f"out_{name}" / "t.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def test_division_by_zero_gives_null(runs):
    rows = _rows(runs[0], "division_by_zero")
    assert len(rows) == 20
    assert all(row["q"] == row["r"] == row["f"] == row["g"] == "" for row in rows)
    # -7 // a with a = -1, 0, 1, 2...: Python's floor division, and null at 0
    assert [row["h"] for row in rows[:4]] == ["7", "", "-7", "-4"]


def test_huge_weights_keep_their_proportions(runs):
    values = [row["a"] for row in _rows(runs[0], "huge_weights")]
    assert 800 < values.count("x") < 1200 and values.count("x") + values.count("y") == 2_000


def test_far_tails_are_drawn_inside_the_truncation(runs):
    assert all(1e15 <= int(row["a"]) <= 1e16 for row in _rows(runs[0], "zipf_far_tail"))
    assert all(37 <= float(row["a"]) <= 38 for row in _rows(runs[0], "normal_far_tail"))


@pytest.mark.parametrize("name", USAGE)
def test_out_of_range_options_are_usage_errors(runs, name):
    code, stderr = runs[1][name]
    _clean(stderr)
    assert code == 2, stderr
    errors = [line for line in stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and USAGE[name][0] in errors[0], stderr
