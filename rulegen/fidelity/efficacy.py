"""Machine-learning efficacy: does a model trained on the synthetic data predict the real data
as well as one trained on real data?

For a target column of a table, two models of one family are fitted, one on the synthetic rows
and one on real training rows, and both predict the same real test rows:

- the real test rows are ``holdout`` when given (rows the synthetic data was not fitted on, the
  honest setting), else a seeded :data:`TEST_SHARE` of the real rows, the rest training the
  real model;
- a categorical target is classified (score: accuracy), a numeric or date one regressed
  (score: R², floored at 0);
- features are the table's other numeric, date and categorical columns (categories as codes of
  the real training side's commonest :data:`TOP_CATEGORIES`); keys and free text are left out;
- the model is scikit-learn's HistGradientBoostingClassifier or Regressor (missing values
  handled natively), seeded, with default settings, on one thread.

``ratio = synth_score / real_score`` (capped at 1; 1 when the real model scores 0 too) is what
enters the compare score. scikit-learn is imported only here, when a target is asked for.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from rulegen.fidelity.datafiles import DataError
from rulegen.fidelity.distances import PreparedColumn

__all__ = ["TEST_SHARE", "TOP_CATEGORIES", "Efficacy", "measure_efficacy"]

TEST_SHARE = 0.3
TOP_CATEGORIES = 50
_MIN_ROWS = 10


@dataclass(frozen=True, slots=True)
class Efficacy:
    """Train on synthetic, test on real, against train on real.

    Attributes:
        table, target: the column predicted.
        task: ``classification`` or ``regression``.
        metric: ``accuracy`` or ``R2``.
        real_score: the model trained on real rows, on the real test rows.
        synth_score: the model trained on synthetic rows, on the same test rows.
        features: the columns the models read.
        test_rows: how many real rows were predicted.
    """

    table: str
    target: str
    task: str
    metric: str
    real_score: float
    synth_score: float
    features: tuple[str, ...]
    test_rows: int

    @property
    def ratio(self) -> float:
        """``synth_score / real_score`` in [0, 1]."""
        if self.real_score <= 0:
            return 1.0 if self.synth_score >= self.real_score else 0.0
        return float(min(1.0, max(0.0, self.synth_score / self.real_score)))


def _models(classify: bool, seed: int) -> object:
    try:
        from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    except ImportError as exc:
        raise DataError("the machine-learning efficacy score (--target) needs scikit-learn: "
                        "pip install 'rulegen[compare]'") from exc
    kind = HistGradientBoostingClassifier if classify else HistGradientBoostingRegressor
    return kind(random_state=seed)


def _matrix(columns: dict[str, PreparedColumn], side: str, rows: np.ndarray | None,
            vocab: dict[str, list[str]]) -> np.ndarray:
    parts = []
    for name, column in columns.items():
        values = getattr(column, side)
        values = values if rows is None else values[rows]
        if column.kind == "categorical":
            codes = pd.Categorical(pd.Series(values, dtype=object), categories=vocab[name]).codes.astype(np.float64)
            parts.append(np.where(codes < 0, np.nan, codes))
        else:
            parts.append(np.asarray(values, dtype=np.float64))
    return np.column_stack(parts) if parts else np.zeros((0 if rows is None else len(rows), 0))


def measure_efficacy(table: str, target: str, columns: dict[str, PreparedColumn],
                     holdout: dict[str, PreparedColumn] | None = None, *, seed: int = 0) -> Efficacy:
    """Train on synthetic and on real, test both on real (see the module docstring).

    Args:
        table: the table's name (for the result).
        target: the column to predict.
        columns: the table's columns present on both sides, as prepared by
            :func:`rulegen.fidelity.distances.prepare_column` (keys already left out).
        holdout: the same columns of real rows kept apart for testing (``real`` side read), or None.
        seed: seeds the split and the models.

    Raises:
        DataError: no such column, a column that cannot be predicted (free text), too few rows,
            or scikit-learn is missing.
    """
    if target not in columns:
        raise DataError(f"--target {table}.{target}: no such column on both sides (keys are not predicted); "
                        f"columns: {', '.join(columns) or 'none'}")
    goal = columns[target]
    if goal.kind not in ("categorical", "numeric", "datetime"):
        raise DataError(f"--target {table}.{target}: a {goal.kind} column cannot be predicted; "
                        "name a category, a number or a date")
    features = {n: c for n, c in columns.items() if n != target and c.kind in ("categorical", "numeric", "datetime")}
    classify = goal.kind == "categorical"
    real_n = len(goal.real)
    if holdout is None:
        order = np.random.default_rng(seed).permutation(real_n)
        cut = round(real_n * (1 - TEST_SHARE))
        train_rows, test_rows = order[:cut], order[cut:]
        test_columns, test_side = columns, "real"
    else:
        train_rows, test_rows = np.arange(real_n), None
        test_columns, test_side = holdout, "real"
        missing = [n for n in (target, *features) if n not in holdout]
        if missing:
            raise DataError(f"--holdout lacks the column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                            f"of table {table}")
    vocab = {n: [str(v) for v in pd.Series(c.real[train_rows], dtype=object).dropna().value_counts()
                 .index[:TOP_CATEGORIES]] for n, c in features.items() if c.kind == "categorical"}
    sets = {"real": (_matrix(features, "real", train_rows, vocab), goal.real[train_rows]),
            "synth": (_matrix(features, "synth", None, vocab), goal.synth),
            "test": (_matrix({n: test_columns[n] for n in features}, test_side, test_rows, vocab),
                     test_columns[target].real if test_rows is None else goal.real[test_rows])}
    sets = {k: _labelled(x, y, classify) for k, (x, y) in sets.items()}
    small = [k for k, (x, _) in sets.items() if len(x) < _MIN_ROWS]
    if small:
        raise DataError(f"--target {table}.{target}: fewer than {_MIN_ROWS} rows with a value in the "
                        f"{' and '.join(small)} data")
    scores = [_fit_score(*sets[side], *sets["test"], classify, seed) for side in ("real", "synth")]
    return Efficacy(table, target, "classification" if classify else "regression", "accuracy" if classify else "R2",
                    scores[0], scores[1], tuple(features), len(sets["test"][0]))


def _labelled(x: np.ndarray, y: np.ndarray, classify: bool) -> tuple[np.ndarray, np.ndarray]:
    """Rows whose target is known; a categorical target as text."""
    if classify:
        known = pd.notna(pd.Series(y, dtype=object)).to_numpy()
        return x[known], np.asarray([str(v) for v in y[known]], dtype=object)
    known = np.isfinite(np.asarray(y, dtype=np.float64))
    return x[known], np.asarray(y, dtype=np.float64)[known]


def _fit_score(x: np.ndarray, y: np.ndarray, test_x: np.ndarray, test_y: np.ndarray, classify: bool,
               seed: int) -> float:
    if classify and len(set(y)) < 2:  # one class only: every prediction is that class
        return float(np.mean(test_y == y[0]))
    if not classify and np.ptp(y) == 0:
        prediction = np.full(len(test_y), y[0])
    else:
        model = _models(classify, seed)
        from threadpoolctl import threadpool_limits  # installed with scikit-learn

        if x.shape[1] == 0:
            x, test_x = np.zeros((len(x), 1)), np.zeros((len(test_x), 1))
        # One thread: OpenMP's threads thrash on small data and busy machines (25x slower on 2 loaded cores).
        with threadpool_limits(limits=1):
            model.fit(x, y)  # type: ignore[attr-defined]
            prediction = model.predict(test_x)  # type: ignore[attr-defined]
    if classify:
        return float(np.mean(prediction == test_y))
    total = float(((test_y - test_y.mean()) ** 2).sum())
    if total <= 0:
        return 1.0 if np.allclose(prediction, test_y) else 0.0
    return float(max(0.0, 1.0 - ((test_y - prediction) ** 2).sum() / total))
