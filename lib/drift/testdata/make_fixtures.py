"""Generate reference values for lib/drift tests with scipy and Evidently.

Run (from the repository root) with a Python that has numpy, pandas (< 3 for Evidently 0.7),
scipy and evidently installed:

    python lib/drift/testdata/make_fixtures.py

Writes lib/drift/testdata/fixtures.json. Data come from a seeded numpy RNG and are stored in the
fixture, so the TypeScript tests do not need Python. Each data array (and each dataset's rows) is JSON
text inside a JSON string (decode with a second JSON.parse): `deno fmt` leaves strings alone, so
the formatted fixture stays small. Non-finite numbers are written as the strings "NaN",
"Infinity" and "-Infinity".
"""

import json
import math
import os
import warnings

import numpy as np
import pandas as pd
import scipy
import scipy.stats as st
import evidently
from evidently import DataDefinition, Dataset, Report
from evidently.legacy.calculations.stattests import (
    chi_stat_test,
    jensenshannon_stat_test,
    ks_stat_test,
    psi_stat_test,
    wasserstein_stat_test,
    z_stat_test,
)
from evidently.legacy.calculations.stattests.utils import get_unique_not_nan_values_list_from_series
from evidently.legacy.calculations.stattests.z_stattest import proportions_diff_z_stat_ind
from evidently.legacy.core import ColumnType
from evidently.presets import DataDriftPreset

warnings.filterwarnings("ignore")
rng = np.random.default_rng(20240607)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures.json")

TESTS = {
    "ks": ks_stat_test,
    "chisquare": chi_stat_test,
    "z": z_stat_test,
    "wasserstein": wasserstein_stat_test,
    "jensenshannon": jensenshannon_stat_test,
    "psi": psi_stat_test,
}
DISPLAY = {t.display_name: name for name, t in TESTS.items()}
KIND = {"numerical": ColumnType.Numerical, "categorical": ColumnType.Categorical}


def enc(v):
    """JSON-safe scalar."""
    if v is None:
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        f = float(v)
        if math.isnan(f):
            return "NaN"
        if math.isinf(f):
            return "Infinity" if f > 0 else "-Infinity"
        return f
    return str(v)


def col(values):
    return [None if (isinstance(v, float) and math.isnan(v)) else enc(v) for v in values]


def packed(values):
    """Data arrays are stored as JSON text inside a JSON string, so that `deno fmt` keeps each
    array on one line and the fixture stays small."""
    return json.dumps(values, separators=(",", ":"), allow_nan=False)


def series(values):
    return pd.Series(values)


def stat_case(name, test, ref, cur, kind, threshold=None, alternative=None):
    ref_s = series(ref)
    cur_s = series(cur)
    ref_c = ref_s.replace([-np.inf, np.inf], np.nan).dropna()
    cur_c = cur_s.replace([-np.inf, np.inf], np.nan).dropna()
    res = TESTS[test](ref_c, cur_c, KIND[kind], threshold)
    statistic = None
    p_value = None
    method = None
    if test == "ks":
        r = st.ks_2samp(ref_c, cur_c, alternative=alternative or "two-sided")
        statistic, p_value = float(r.statistic), float(r.pvalue)
        method = "exact" if max(len(ref_c), len(cur_c)) <= 10000 else "asymp"
    elif test == "chisquare":
        keys = get_unique_not_nan_values_list_from_series(current_data=cur_c, reference_data=ref_c)
        rd = {**dict.fromkeys(keys, 0), **dict(ref_c.value_counts())}
        cd = {**dict.fromkeys(keys, 0), **dict(cur_c.value_counts())}
        k = cur_c.shape[0] / ref_c.shape[0]
        r = st.chisquare([cd[x] for x in keys], [rd[x] * k for x in keys])
        statistic, p_value = float(r[0]), float(r[1])
    elif test == "z":
        if ref_c.nunique() == 1 and cur_c.nunique() == 1 and ref_c.unique()[0] == cur_c.unique()[0]:
            statistic = 0.0
        else:
            keys = sorted(get_unique_not_nan_values_list_from_series(current_data=cur_c, reference_data=ref_c))
            statistic = float(proportions_diff_z_stat_ind(
                ref_c.apply(lambda x, key=keys[0]: 0 if x == key else 1),
                cur_c.apply(lambda x, key=keys[0]: 0 if x == key else 1),
            ))
        p_value = float(res.drift_score)
    elif test == "wasserstein":
        norm = max(float(np.std(ref_c)), 0.001)
        statistic = float(st.wasserstein_distance(ref_c, cur_c)) / norm
    else:
        statistic = float(res.drift_score)
    return {
        "name": name,
        "test": test,
        "kind": kind,
        "threshold": threshold,
        "alternative": alternative,
        "reference": packed(col(ref)),
        "current": packed(col(cur)),
        "scipy": {"statistic": enc(statistic), "p_value": enc(p_value), "method": method},
        # Evidently's ks is always two-sided: no Evidently verdict for one-sided alternatives
        "evidently": None if alternative else {
            "score": enc(res.drift_score),
            "drifted": bool(res.drifted),
            "threshold": enc(res.actual_threshold),
        },
    }


def r4(x):
    return np.round(x, 4).tolist()


cases = []
# --- Kolmogorov-Smirnov -------------------------------------------------------------------------
cases.append(stat_case("ks small unequal sizes, shift", "ks", r4(rng.normal(0, 1, 20)), r4(rng.normal(0.8, 1, 30)), "numerical"))
cases.append(stat_case("ks small same distribution", "ks", r4(rng.normal(0, 1, 40)), r4(rng.normal(0, 1, 25)), "numerical"))
cases.append(stat_case("ks equal sizes (square path)", "ks", r4(rng.normal(0, 1, 100)), r4(rng.normal(0.3, 1, 100)), "numerical"))
cases.append(stat_case("ks equal sizes strong shift", "ks", r4(rng.normal(0, 1, 300)), r4(rng.normal(1.0, 1, 300)), "numerical"))
cases.append(stat_case("ks ties (integers)", "ks", rng.integers(0, 8, 150).astype(float).tolist(), rng.integers(1, 9, 90).astype(float).tolist(), "numerical"))
cases.append(stat_case("ks ties equal sizes", "ks", rng.integers(0, 5, 60).astype(float).tolist(), rng.integers(0, 5, 60).astype(float).tolist(), "numerical"))
same = r4(rng.normal(0, 1, 50))
cases.append(stat_case("ks identical samples", "ks", same, list(same), "numerical"))
cases.append(stat_case("ks with missing values", "ks", r4(rng.normal(0, 1, 30)) + [None, float("nan"), float("inf")], r4(rng.normal(0.5, 1, 35)) + [None], "numerical"))
cases.append(stat_case("ks exact path, 1000 vs 700", "ks", r4(rng.normal(0, 1, 1000)), r4(rng.normal(0.05, 1, 700)), "numerical"))
cases.append(stat_case("ks exact path, 10000 vs 9000 with ties", "ks", np.round(rng.normal(0, 1, 10000), 2).tolist(), np.round(rng.normal(0.03, 1, 9000), 2).tolist(), "numerical"))
cases.append(stat_case("ks exact path, 10000 vs 10000", "ks", r4(rng.normal(0, 1, 10000)), r4(rng.normal(0.02, 1, 10000)), "numerical"))
cases.append(stat_case("ks asymptotic path, 11000 vs 12000", "ks", r4(rng.normal(0, 1, 11000)), r4(rng.normal(0.03, 1, 12000)), "numerical"))
cases.append(stat_case("ks asymptotic path, 10500 vs 11000 no drift", "ks", r4(rng.normal(0, 1, 10500)), r4(rng.normal(0, 1, 11000)), "numerical"))
cases.append(stat_case("ks asymptotic path, 7 vs 10001 (small n kolmogn)", "ks", r4(rng.normal(0.4, 1, 7)), r4(rng.normal(0, 1, 10001)), "numerical"))
cases.append(stat_case("ks asymptotic path, 150 vs 10500 strong shift", "ks", r4(rng.normal(1.0, 1, 150)), r4(rng.normal(0, 1, 10500)), "numerical"))
cases.append(stat_case("ks one-sided less", "ks", r4(rng.normal(0, 1, 30)), r4(rng.normal(0.5, 1, 45)), "numerical", alternative="less"))
cases.append(stat_case("ks one-sided greater equal sizes", "ks", r4(rng.normal(0, 1, 40)), r4(rng.normal(-0.5, 1, 40)), "numerical", alternative="greater"))
cases.append(stat_case("ks custom threshold", "ks", r4(rng.normal(0, 1, 80)), r4(rng.normal(0.3, 1, 80)), "numerical", threshold=0.2))
# --- chi-square ---------------------------------------------------------------------------------
cases.append(stat_case("chisquare shifted proportions", "chisquare", rng.choice(["a", "b", "c", "d"], 400, p=[0.4, 0.3, 0.2, 0.1]).tolist(), rng.choice(["a", "b", "c", "d"], 300, p=[0.3, 0.3, 0.2, 0.2]).tolist(), "categorical"))
cases.append(stat_case("chisquare same proportions", "chisquare", rng.choice(["a", "b", "c"], 500).tolist(), rng.choice(["a", "b", "c"], 200).tolist(), "categorical"))
cases.append(stat_case("chisquare new category in current", "chisquare", rng.choice(["a", "b", "c"], 100).tolist(), rng.choice(["a", "b", "c", "z"], 100).tolist(), "categorical"))
cases.append(stat_case("chisquare category missing from current", "chisquare", rng.choice(["a", "b", "c", "d"], 200).tolist(), rng.choice(["a", "b", "c"], 150).tolist(), "categorical"))
cases.append(stat_case("chisquare numeric few values", "chisquare", rng.integers(0, 5, 300).tolist(), rng.integers(0, 5, 250).tolist(), "numerical"))
cases.append(stat_case("chisquare many categories", "chisquare", rng.integers(0, 400, 5000).tolist(), rng.integers(0, 400, 4000).tolist(), "categorical"))
cases.append(stat_case("chisquare single category", "chisquare", ["x"] * 20, ["x"] * 10, "categorical"))
cases.append(stat_case("chisquare with missing", "chisquare", ["a", "b", None, "a", "c", "b", "a"] * 10, ["a", None, "c", "c", "b"] * 9, "categorical"))
# --- z-test -------------------------------------------------------------------------------------
cases.append(stat_case("z binary shift", "z", rng.choice(["yes", "no"], 500, p=[0.5, 0.5]).tolist(), rng.choice(["yes", "no"], 400, p=[0.6, 0.4]).tolist(), "categorical"))
cases.append(stat_case("z binary no drift", "z", rng.choice([0, 1], 300).tolist(), rng.choice([0, 1], 300).tolist(), "categorical"))
cases.append(stat_case("z strong shift (tiny p)", "z", rng.choice(["s", "e"], 900, p=[0.9, 0.1]).tolist(), rng.choice(["s", "e"], 900, p=[0.6, 0.4]).tolist(), "categorical"))
cases.append(stat_case("z identical constant", "z", ["ok"] * 30, ["ok"] * 12, "categorical"))
cases.append(stat_case("z constant but different", "z", ["a"] * 30, ["b"] * 12, "categorical"))
cases.append(stat_case("z booleans", "z", rng.choice([True, False], 200).tolist(), rng.choice([True, False], 120, p=[0.7, 0.3]).tolist(), "categorical"))
# --- Wasserstein --------------------------------------------------------------------------------
cases.append(stat_case("wasserstein shift", "wasserstein", r4(rng.normal(0, 1, 3000)), r4(rng.normal(0.2, 1, 2500)), "numerical"))
cases.append(stat_case("wasserstein no drift", "wasserstein", r4(rng.normal(5, 2, 4000)), r4(rng.normal(5, 2, 4000)), "numerical"))
cases.append(stat_case("wasserstein scale change", "wasserstein", r4(rng.exponential(1, 2000)), r4(rng.exponential(1.3, 1500)), "numerical"))
cases.append(stat_case("wasserstein constant reference", "wasserstein", [3.0] * 1500, r4(rng.normal(3, 0.01, 1200)), "numerical"))
cases.append(stat_case("wasserstein ties", "wasserstein", rng.integers(0, 20, 2000).astype(float).tolist(), rng.integers(1, 21, 1800).astype(float).tolist(), "numerical"))
cases.append(stat_case("wasserstein threshold 0.05", "wasserstein", r4(rng.normal(0, 1, 1200)), r4(rng.normal(0.07, 1, 1100)), "numerical", threshold=0.05))
# --- Jensen-Shannon and PSI ---------------------------------------------------------------------
for test in ("jensenshannon", "psi"):
    cases.append(stat_case(f"{test} numeric sturges bins", test, r4(rng.normal(0, 1, 2000)), r4(rng.normal(0.3, 1.2, 1500)), "numerical"))
    cases.append(stat_case(f"{test} numeric no drift", test, r4(rng.normal(0, 1, 3000)), r4(rng.normal(0, 1, 3000)), "numerical"))
    cases.append(stat_case(f"{test} numeric empty bins (outlier)", test, r4(rng.normal(0, 1, 1500)).__add__([40.0]), r4(rng.normal(0, 1, 1500)), "numerical"))
    cases.append(stat_case(f"{test} integer column (int width)", test, rng.integers(0, 30, 2000).tolist(), rng.integers(0, 35, 1800).tolist(), "numerical"))
    cases.append(stat_case(f"{test} numeric few values", test, rng.integers(0, 6, 2000).astype(float).tolist(), rng.integers(0, 7, 1800).astype(float).tolist(), "numerical"))
    cases.append(stat_case(f"{test} categorical", test, rng.choice(["a", "b", "c"], 3000, p=[0.5, 0.3, 0.2]).tolist(), rng.choice(["a", "b", "c"], 2000, p=[0.4, 0.3, 0.3]).tolist(), "categorical"))
    cases.append(stat_case(f"{test} new and missing categories", test, rng.choice(["a", "b", "c"], 1200).tolist(), rng.choice(["b", "c", "d"], 1300).tolist(), "categorical"))
    cases.append(stat_case(f"{test} rare category (tiny share)", test, ["a"] * 10001 + ["b"], ["a"] * 500 + ["c"] * 2, "categorical"))
    cases.append(stat_case(f"{test} identical", test, same, list(same), "numerical"))


# --- dataset drift through DataDriftPreset ------------------------------------------------------
def frame_case(name, ref, cur, preset_kwargs=None):
    preset_kwargs = preset_kwargs or {}
    ref_ds = Dataset.from_pandas(ref, data_definition=DataDefinition())
    cur_ds = Dataset.from_pandas(cur, data_definition=DataDefinition())
    snap = Report([DataDriftPreset(**preset_kwargs)]).run(current_data=cur_ds, reference_data=ref_ds)
    metrics = snap.dict()["metrics"]
    num = set(cur_ds.data_definition.get_numerical_columns())
    cat = set(cur_ds.data_definition.get_categorical_columns())
    columns = []
    count = None
    for m in metrics:
        cfg = m["config"]
        if cfg["type"].endswith("DriftedColumnsCount"):
            count = m["value"]
            continue
        column = cfg["column"]
        test = cfg["method"] if cfg["method"] in TESTS else DISPLAY[cfg["method"]]
        kind = "numerical" if column in num else "categorical" if column in cat else "other"
        ref_c = ref[column].replace([-np.inf, np.inf], np.nan).dropna()
        cur_c = cur[column].replace([-np.inf, np.inf], np.nan).dropna()
        res = TESTS[test](ref_c, cur_c, KIND[kind], cfg["threshold"])
        assert abs(float(res.drift_score) - float(m["value"])) <= 1e-12 * max(1.0, abs(float(m["value"]))) or (
            math.isnan(float(res.drift_score)) and math.isnan(float(m["value"]))
        ), (name, column)
        columns.append({
            "column": column,
            "kind": kind,
            "stattest": test,
            "threshold": enc(cfg["threshold"]),
            "score": enc(m["value"]),
            "drifted": bool(res.drifted),
        })
    drift_share = preset_kwargs.get("drift_share", 0.5)
    return {
        "name": name,
        "options": {k: v for k, v in preset_kwargs.items()},
        # column-wise: {"column": [values...]} (the tests turn it back into rows)
        "reference": packed({c: col(ref[c].tolist()) for c in ref.columns}),
        "current": packed({c: col(cur[c].tolist()) for c in cur.columns}),
        "evidently": {
            "columns": columns,
            "drifted_columns": int(count["count"]),
            "share": float(count["share"]),
            "dataset_drift": bool(float(count["share"]) >= drift_share),
        },
    }


def llm_frame(n, shift, rng):
    return pd.DataFrame({
        "latency_s": np.round(rng.lognormal(0.0 + shift, 0.4, n), 4),
        "tokens_per_s": np.round(rng.normal(30 - 10 * shift, 4, n), 3),
        "completion_tokens": rng.integers(5, 200 + int(100 * shift), n),
        "response_words": rng.integers(3, 150, n),
        "status": rng.choice(["success", "error"], n, p=[0.95 - 0.2 * shift, 0.05 + 0.2 * shift]),
        "model": rng.choice(["smollm2", "llama"], n, p=[0.7, 0.3]),
        "temperature": rng.choice([0, 1, 2], n).astype(np.int64),
        "topic": rng.choice(["code", "math", "chat", "news"] + (["legal"] if shift else []), n),
    })


frames = []
frames.append(frame_case("small frames, some drift", llm_frame(300, 0.0, rng), llm_frame(250, 0.5, rng)))
frames.append(frame_case("small frames, no drift", llm_frame(400, 0.0, rng), llm_frame(300, 0.0, rng)))
frames.append(frame_case("large frames (> 1000 reference rows)", llm_frame(2000, 0.0, rng), llm_frame(1500, 0.3, rng)))
frames.append(frame_case("large frames, no drift", llm_frame(1100, 0.0, rng), llm_frame(1000, 0.0, rng)))
frames.append(frame_case("drift share 0.25", llm_frame(300, 0.0, rng), llm_frame(250, 0.25, rng), {"drift_share": 0.25}))
frames.append(frame_case(
    "per-column overrides",
    llm_frame(500, 0.0, rng),
    llm_frame(400, 0.2, rng),
    {"per_column_method": {"latency_s": "psi", "tokens_per_s": "wasserstein", "model": "jensenshannon"},
     "per_column_threshold": {"latency_s": 0.05, "completion_tokens": 0.2}},
))
frames.append(frame_case("method for all columns", llm_frame(300, 0.0, rng), llm_frame(300, 0.3, rng), {"method": "psi", "threshold": 0.2}))

fixture = {
    "generator": "lib/drift/testdata/make_fixtures.py",
    "versions": {"scipy": scipy.__version__, "evidently": evidently.__version__, "numpy": np.__version__, "pandas": pd.__version__},
    "stattests": cases,
    "datasets": frames,
}
with open(OUT, "w") as f:
    json.dump(fixture, f, separators=(",", ":"), allow_nan=False)
print(f"wrote {OUT}: {os.path.getsize(OUT)} bytes, {len(cases)} stattest cases, {len(frames)} dataset cases")
