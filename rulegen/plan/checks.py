"""Checks of a spec that need no compiled column: the locale, the common options of a column,
its keys and its correlations. Each returns every problem it finds (see :mod:`rulegen.plan.compiler`)."""

from __future__ import annotations

from collections.abc import Mapping

from rulegen.errors import Diagnostic, did_you_mean
from rulegen.kinds.base import Kind
from rulegen.plan.copula import copula_plan
from rulegen.spec.model import ColumnSpec, Spec, TableSpec
from rulegen.spec.source_map import join_pointer

__all__ = ["check_common_options", "check_correlations", "check_keys", "check_locale"]


def check_locale(spec: Spec) -> list[Diagnostic]:
    """The spec's Faker locale is one Faker has."""
    if spec.locale == "en_US":
        return []  # the default: no need to import Faker to know it
    from rulegen.kinds.text import faker_locales

    if spec.locale in faker_locales():
        return []
    return [Diagnostic("RG216", f"unknown Faker locale `{spec.locale}`", "/locale",
                       hint=did_you_mean(spec.locale, faker_locales()))]


def check_common_options(column: ColumnSpec) -> list[Diagnostic]:
    """A column's ``clip`` is ordered and its ``else`` has a ``when``."""
    problems = []
    if column.clip is not None and None not in column.clip and column.clip[0] > column.clip[1]:
        problems.append(Diagnostic("RG210", f"clip needs lo <= hi, got [{column.clip[0]}, {column.clip[1]}]",
                                   join_pointer(column.pointer, "clip")))
    if column.else_ is not None and column.when is None:
        problems.append(Diagnostic("RG210", "`else` needs `when`", join_pointer(column.pointer, "else")))
    return problems


def check_keys(spec: TableSpec) -> list[Diagnostic]:
    """The primary key and ``unique`` lists name columns of the table; key columns have no nulls."""
    problems = []
    groups = [("primary_key", spec.primary_key, join_pointer(spec.pointer, "primary_key"))]
    groups += [("unique", names, join_pointer(join_pointer(spec.pointer, "unique"), i))
               for i, names in enumerate(spec.unique)]
    for option, names, pointer in groups:
        for name in names:
            if name not in spec.columns:
                problems.append(Diagnostic("RG212", f"{option} names unknown column `{name}`", pointer,
                                           hint=did_you_mean(name, spec.columns)))
            elif option == "primary_key" and spec.columns[name].null > 0:
                problems.append(Diagnostic(
                    "RG213", f"primary key column `{name}` cannot have nulls (null: {spec.columns[name].null})",
                    join_pointer(spec.columns[name].pointer, "null")))
    return problems


def check_correlations(spec: TableSpec, kinds: Mapping[str, Kind]) -> list[Diagnostic]:
    """Each correlation pairs two numeric distributions once, and all of them can hold together."""
    problems: list[Diagnostic] = []
    pairs: set[frozenset[str]] = set()
    for corr in spec.correlations:
        for i, name in enumerate(corr.columns):
            pointer = join_pointer(join_pointer(corr.pointer, "columns"), i)
            if name not in kinds:
                problems.append(Diagnostic("RG212", f"correlation names unknown column `{name}`", pointer,
                                           hint=did_you_mean(name, kinds)))
            elif not hasattr(kinds[name], "inverse_cdf"):
                problems.append(Diagnostic(
                    "RG214", f"correlated column `{name}` must be a numeric distribution, not `{kinds[name].name}`",
                    pointer))
            elif (problem := getattr(kinds[name], "quantile_problem", lambda: None)()) is not None:
                problems.append(problem)
        if corr.columns[0] == corr.columns[1]:
            problems.append(Diagnostic("RG214", "a correlation needs two different columns", corr.pointer))
        elif frozenset(corr.columns) in pairs:  # the later rho would silently replace the earlier one
            problems.append(Diagnostic("RG279", f"the correlation of `{corr.columns[0]}` and `{corr.columns[1]}` is "
                                                "given twice", corr.pointer, hint="keep one of them"))
        pairs.add(frozenset(corr.columns))
    if not problems and spec.correlations and copula_plan(spec) is None:
        problems.append(Diagnostic(
            "RG214", "these correlations cannot hold together (the matrix is not positive definite)",
            spec.correlations[0].pointer, hint="lower some of the rho values"))
    return problems
