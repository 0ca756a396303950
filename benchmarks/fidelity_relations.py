#!/usr/bin/env python
"""Multi-table fidelity (issue 16): rulegen `infer` -> `generate` against SDV's HMASynthesizer
on real parent/child data shipped inside PyPI packages (nothing is downloaded).

    python benchmarks/fidelity_relations.py            # every data set, prints the table
    python benchmarks/fidelity_relations.py --only grunfeld

Data sets:

* ``grunfeld`` (statsmodels): 11 firms -> 220 yearly rows of investment, firm value and capital
  (the firms' names left out: see :func:`grunfeld`).
* ``airports`` (vega_datasets joined to statsmodels' ``statecrime``): 51 states with their crime,
  poverty and urban figures -> 3,376 airports with their city and coordinates; the states' codes
  come from Faker's list of US state names and codes (the two lists, aligned).
* ``modechoice`` (statsmodels): 210 travellers with income and party size -> 4 travel modes each
  with time, cost and choice.
* ``penguins`` (palmerpenguins' raw table): 172 nests (a study's N<k>: species, island, clutch
  completion, egg date) -> their 2 birds each (sex, bill, flipper, body mass, blood isotopes).
* ``fertility`` (statsmodels): 219 countries -> 10,284 yearly fertility rates, 0 to 52 years each
  (the years without a figure dropped; the countries' names left out).
* ``riots`` (vega_datasets' la-riots): 38 Los Angeles neighbourhoods -> 63 deaths of the 1992
  riots, 1 to 4 each, with age, gender, race, cause and place (names and addresses left out).
* ``stocks`` (vega_datasets): 5 ticker symbols -> 560 monthly prices, 68 to 123 each.

Both tools learn from the whole real data once and generate five synthetic copies with as many
parent rows (rulegen: ``rulegen.infer`` on the CSV files, then ``rulegen.generate`` with seeds
1..5; SDV: the detected metadata with the keys and relation set by hand, ``HMASynthesizer.fit``
then ``sample``); each score is the mean over the copies, each copy against the real data (a
data set of 51 parents gives a children-per-parent KS that varies by 0.1 from copy to copy).
"seconds" is the fit and the five samples. Scores:

* children-per-parent KS: the two-sample Kolmogorov-Smirnov statistic between the real and the
  synthetic numbers of children of each parent row (lower is better);
* parent effect: for each numeric child column, the share of its variance explained by its
  parent row (the variance of the per-parent means, spread over the children, over the total
  variance); for a categorical one (or a number of at most five values), the same share of its
  one-hot indicators' variance summed (Goodman and Kruskal's tau, marked τ); the table shows
  real / synthetic per column and the largest gap (target: <= 0.1);
* SDMetrics' multi-table QualityReport: Intertable Trends (the correlations between parent and
  child columns over the joined rows; target: at least HMA's), Cardinality, and the overall score.

Timings are wall seconds on a shared machine: compare them only within one run.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import ks_2samp

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run from a clone without installing it, as the other benchmarks
    sys.path.insert(0, str(ROOT))

import rulegen  # noqa: E402
from rulegen.fidelity.infer import infer  # noqa: E402

Relation = tuple[str, str, str, str]  # parent, its key, child, the child's reference to it
SAMPLES = 5  # synthetic copies scored per tool (each score is their mean)
CATEGORIES = 20  # child columns of at most this many values are judged as categories


def grunfeld() -> tuple[dict[str, pd.DataFrame], Relation]:
    import statsmodels.api as sm

    data = sm.datasets.grunfeld.load_pandas().data
    names = list(dict.fromkeys(data["firm"]))
    # The firm's name is left out: a label of one row each, that rulegen does not copy (SDMetrics
    # would score its association with the yearly figures, which only a copy of the names keeps).
    firms = pd.DataFrame({"firm_id": np.arange(1, len(names) + 1)})
    years = data.assign(firm_id=data["firm"].map(dict(zip(names, firms["firm_id"], strict=True))),
                        year=data["year"].astype(int)).drop(columns="firm")
    return {"firms": firms, "years": years[["firm_id", "year", "invest", "value", "capital"]]}, \
        ("firms", "firm_id", "years", "firm_id")


def airports() -> tuple[dict[str, pd.DataFrame], Relation]:
    import statsmodels.api as sm
    from faker.providers.address.en_US import Provider
    from vega_datasets import data as vega

    codes = [code for code in Provider.states_abbr if code != "DC"][: len(Provider.states)]
    to_code = dict(zip(Provider.states, codes, strict=True)) | {"District of Columbia": "DC"}
    crime = sm.datasets.statecrime.load_pandas().data
    states = crime.reset_index().assign(state=lambda f: f["state"].str.strip().map(to_code))
    states = states[["state", "violent", "murder", "hs_grad", "poverty", "urban"]]
    places = vega.airports()
    places = places[places["state"].isin(states["state"])][["iata", "state", "latitude", "longitude"]]
    return {"states": states, "airports": places.reset_index(drop=True)}, ("states", "state", "airports", "state")


def modechoice() -> tuple[dict[str, pd.DataFrame], Relation]:
    import statsmodels.api as sm

    data = sm.datasets.modechoice.load_pandas().data.astype({"individual": int, "mode": int, "choice": int,
                                                              "psize": int})
    travellers = data.groupby("individual", as_index=False)[["hinc", "psize"]].first()
    modes = data[["individual", "mode", "choice", "ttme", "invc", "invt", "gc"]]
    return {"travellers": travellers, "modes": modes}, ("travellers", "individual", "modes", "individual")


def penguins() -> tuple[dict[str, pd.DataFrame], Relation]:
    from palmerpenguins import load_penguins_raw

    data = load_penguins_raw()
    # A nest is a study's N<k>: its two birds (A1, A2) share species, island, clutch and egg date.
    nest = data["studyName"] + data["Individual ID"].str.extract(r"^(N\d+)")[0]
    ids = {name: number for number, name in enumerate(dict.fromkeys(nest), start=1)}
    data = data.assign(nest_id=nest.map(ids), bird=data["Individual ID"].str.extract(r"A(\d+)$")[0].astype(int))
    nests = data.groupby("nest_id", as_index=False).first()[["nest_id", "Species", "Island", "Clutch Completion",
                                                             "Date Egg"]]
    nests = nests.rename(columns={"Species": "species", "Island": "island", "Clutch Completion": "clutch",
                                  "Date Egg": "egg_date"}).assign(species=lambda f: f["species"].str.split().str[0])
    birds = data.rename(columns={"Culmen Length (mm)": "culmen_length", "Culmen Depth (mm)": "culmen_depth",
                                 "Flipper Length (mm)": "flipper", "Body Mass (g)": "body_mass", "Sex": "sex",
                                 "Delta 15 N (o/oo)": "delta_15n", "Delta 13 C (o/oo)": "delta_13c"})
    birds = birds[["nest_id", "bird", "sex", "culmen_length", "culmen_depth", "flipper", "body_mass", "delta_15n",
                   "delta_13c"]]
    return {"nests": nests, "birds": birds}, ("nests", "nest_id", "birds", "nest_id")


def fertility() -> tuple[dict[str, pd.DataFrame], Relation]:
    import statsmodels.api as sm

    data = sm.datasets.fertility.load_pandas().data
    # The countries' names are left out (a label of one row each, as grunfeld's firms).
    countries = data[["Country Code"]].rename(columns={"Country Code": "country_code"})
    years = data.melt(id_vars="Country Code", value_vars=[c for c in data.columns if c.isdigit()],
                      var_name="year", value_name="fertility").dropna()
    years = years.rename(columns={"Country Code": "country_code"}).astype({"year": int})
    years = years.sort_values(["country_code", "year"]).reset_index(drop=True)
    return {"countries": countries, "years": years}, ("countries", "country_code", "years", "country_code")


def riots() -> tuple[dict[str, pd.DataFrame], Relation]:
    from vega_datasets import data as vega

    # Names and addresses are left out: labels of one row each.
    deaths = vega("la-riots")[["neighborhood", "age", "gender", "race", "type", "latitude", "longitude"]]
    neighborhoods = pd.DataFrame({"neighborhood": sorted(deaths["neighborhood"].unique())})
    return {"neighborhoods": neighborhoods, "deaths": deaths}, ("neighborhoods", "neighborhood", "deaths",
                                                                "neighborhood")


def stocks() -> tuple[dict[str, pd.DataFrame], Relation]:
    from vega_datasets import data as vega

    prices = vega.stocks()[["symbol", "date", "price"]]
    symbols = pd.DataFrame({"symbol": list(dict.fromkeys(prices["symbol"]))})
    return {"symbols": symbols, "prices": prices}, ("symbols", "symbol", "prices", "symbol")


DATASETS: dict[str, Callable[[], tuple[dict[str, pd.DataFrame], Relation]]] = {
    "grunfeld": grunfeld, "airports": airports, "modechoice": modechoice, "penguins": penguins,
    "fertility": fertility, "riots": riots, "stocks": stocks}


def fit_rulegen(real: dict[str, pd.DataFrame], relation: Relation) -> Callable[[int], dict[str, pd.DataFrame]]:
    """``rulegen infer`` on the tables written as CSV files; returns a sampler by seed."""
    with tempfile.TemporaryDirectory() as folder:
        for name, frame in real.items():
            frame.to_csv(Path(folder) / f"{name}.csv", index=False)
        text = infer(folder)

    def sample(seed: int) -> dict[str, pd.DataFrame]:
        made = rulegen.generate(text, seed=seed)
        return {name: made[name][list(frame.columns)] for name, frame in real.items()}

    return sample


def _metadata(real: dict[str, pd.DataFrame], relation: Relation):
    from sdv.metadata import Metadata

    parent, key, child, ref = relation
    metadata = Metadata.detect_from_dataframes(real)
    for table in list(metadata.relationships):
        metadata.remove_relationship(table["parent_table_name"], table["child_table_name"])
    for table, frame in real.items():
        for column in frame.columns:
            if column not in (key, ref) and frame[column].dtype.kind in "if" and frame[column].nunique() > 5:
                metadata.update_column(column, table, sdtype="numerical")
    metadata.update_column(key, parent, sdtype="id")
    metadata.set_primary_key(key, parent)
    key_of_child = metadata.tables[child].primary_key
    # SDV may take a unique number (la-riots' latitude) for the child's key: only ids are keys.
    if key_of_child == ref or (key_of_child and metadata.tables[child].columns[key_of_child]["sdtype"] != "id"):
        metadata.tables[child].primary_key = None
    metadata.update_column(ref, child, sdtype="id")
    metadata.add_relationship(parent, child, key, ref)
    metadata.validate()
    return metadata


def fit_hma(real: dict[str, pd.DataFrame], relation: Relation) -> Callable[[int], dict[str, pd.DataFrame]]:
    """SDV's HMASynthesizer fitted once; returns a sampler (as many parent rows as the data)."""
    from sdv.multi_table import HMASynthesizer

    synthesizer = HMASynthesizer(_metadata(real, relation), verbose=False)
    synthesizer.fit(real)

    def sample(seed: int) -> dict[str, pd.DataFrame]:
        np.random.seed(seed)  # HMA draws from NumPy's global state (a benchmark may set it)
        return synthesizer.sample(num_rows=len(real[relation[0]]), main_table_name=relation[0])

    return sample


def children_ks(real: dict[str, pd.DataFrame], made: dict[str, pd.DataFrame], relation: Relation) -> float:
    parent, key, child, ref = relation

    def counts(data: dict[str, pd.DataFrame]) -> np.ndarray:
        return data[child][ref].value_counts().reindex(data[parent][key], fill_value=0).to_numpy()

    return float(ks_2samp(counts(real), counts(made)).statistic)


def parent_effects(data: dict[str, pd.DataFrame], relation: Relation) -> dict[str, float]:
    """The share of each child column's variance its parent explains; a category's (at most
    ``CATEGORIES`` values, or a number of at most five) is of its one-hot indicators summed
    (Goodman and Kruskal's tau), named ``column (τ)``."""
    _, _, child, ref = relation
    frame = data[child]
    shares = {}
    for column in frame.columns:
        if column == ref:
            continue
        if frame[column].dtype.kind in "if" and frame[column].nunique() > 5:
            values = frame[column].astype(float)
            shares[column] = float(values.groupby(frame[ref]).transform("mean").var() / values.var())
        elif 1 < frame[column].nunique() <= CATEGORIES:
            flags = pd.get_dummies(frame[column].astype(str)).astype(float)
            shares[f"{column} (τ)"] = float(flags.groupby(frame[ref]).transform("mean").var().sum() / flags.var().sum())
    return shares


def quality(real: dict[str, pd.DataFrame], made: dict[str, pd.DataFrame], metadata) -> dict[str, float]:
    from sdmetrics.reports.multi_table import QualityReport

    report = QualityReport()
    report.generate(real, made, metadata.to_dict(), verbose=False)
    scores = report.get_properties().set_index("Property")["Score"]
    return {"overall": float(report.get_score()), **{name: float(scores[name]) for name in scores.index}}


def _typed(made: dict[str, pd.DataFrame], real: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Synthetic tables with the real columns' types (SDMetrics compares like with like)."""
    return {name: made[name].astype({c: real[name][c].dtype for c in real[name].columns}, errors="ignore")
            for name in real}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=list(DATASETS), action="append")
    parser.add_argument("--samples", type=int, default=SAMPLES, help="synthetic copies scored per tool")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    rows = []
    for name in args.only or list(DATASETS):
        real, relation = DATASETS[name]()
        metadata = _metadata(real, relation)
        real_effects = parent_effects(real, relation)
        for tool, fit in (("rulegen", fit_rulegen), ("SDV HMA", fit_hma)):
            start = time.perf_counter()
            sample = fit(real, relation)
            made = [_typed(sample(seed), real) for seed in range(1, args.samples + 1)]
            seconds = time.perf_counter() - start
            effects = pd.DataFrame([parent_effects(m, relation) for m in made]).mean()
            scores = pd.DataFrame([quality(real, m, metadata) for m in made]).mean()
            gap = max(abs(effects.get(c, 0.0) - real_effects[c]) for c in real_effects)
            rows.append({
                "data": name, "tool": tool, "seconds": round(seconds, 1),
                "children KS": round(float(np.mean([children_ks(real, m, relation) for m in made])), 3),
                "parent effect real / synthetic": ", ".join(f"{c} {real_effects[c]:.2f}/{effects.get(c, 0):.2f}"
                                                            for c in real_effects),
                "largest gap": round(gap, 2),
                "Intertable Trends": round(scores.get("Intertable Trends", float("nan")), 3),
                "Cardinality": round(scores.get("Cardinality", float("nan")), 3),
                "overall": round(scores["overall"], 3),
            })
    print(_markdown(rows))


def _markdown(rows: list[dict[str, object]]) -> str:
    """The rows as a Markdown table (as BENCHMARKS.md shows them)."""
    header = list(rows[0])
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(row[c]) for c in header) + " |" for row in rows]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
