"""Generate reference values for lib/compare tests with scipy and statsmodels.

Run from the repository root with a Python that has numpy, scipy (>= 1.11) and statsmodels,
for example a virtualenv outside the repository:

    python3 -m venv /tmp/compare-venv
    /tmp/compare-venv/bin/pip install scipy numpy statsmodels
    /tmp/compare-venv/bin/python lib/compare/testdata/make_fixtures.py

Writes lib/compare/testdata/fixtures.json. Data come from a seeded numpy RNG and are stored in
the fixture, so the TypeScript tests do not need Python. Each data array is JSON text inside a
JSON string (decode with a second JSON.parse) so that `deno fmt` keeps the fixture small.
Non-finite numbers are written as the strings "NaN", "Infinity" and "-Infinity".
"""

import json
import math
import os
import warnings

import numpy as np
import scipy
import scipy.special as sp
import scipy.stats as st
import statsmodels
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportions_ztest

warnings.filterwarnings("ignore")
rng = np.random.default_rng(20260514)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures.json")


def enc(v):
    """JSON-safe scalar."""
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    f = float(v)
    if math.isnan(f):
        return "NaN"
    if math.isinf(f):
        return "Infinity" if f > 0 else "-Infinity"
    return f


def packed(values):
    return json.dumps([enc(v) for v in values], separators=(",", ":"), allow_nan=False)


def has_ties(a, b):
    xy = np.concatenate([a, b])
    return len(np.unique(xy)) < len(xy)


# --- Mann-Whitney U ------------------------------------------------------------------------

mann_whitney = []


def mw_case(name, a, b, method="auto", expect=None):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    r = st.mannwhitneyu(a, b, alternative="two-sided", method=method)
    if method == "auto":
        used = "asymptotic" if (len(a) > 8 and len(b) > 8) or has_ties(a, b) else "exact"
    else:
        used = method
    if expect is not None:
        assert used == expect, (name, used)
    mann_whitney.append(
        {
            "name": name,
            "method": method,
            "a": packed(a),
            "b": packed(b),
            "scipy": {"statistic": enc(r.statistic), "p_value": enc(r.pvalue), "method": used},
        }
    )


def continuous(n, loc=0.0, scale=1.0):
    return np.round(rng.normal(loc, scale, n), 6)


def no_tie_pair(n1, n2, shift):
    while True:
        a, b = continuous(n1), continuous(n2, shift)
        if not has_ties(a, b):
            return a, b


for n1, n2, shift in [
    (5, 7, 0.8),
    (7, 5, 0.0),
    (8, 8, 1.0),
    (8, 30, 0.6),
    (3, 200, -0.4),
    (40, 6, 1.5),
    (1, 5, 0.0),
    (2, 2, 0.0),
    (6, 6, 6.0),
    (8, 400, 0.3),
]:
    a, b = no_tie_pair(n1, n2, shift)
    mw_case(f"exact, no ties, n = ({n1}, {n2}), shift {shift}", a, b, expect="exact")
mw_case("exact at U = mn/2 (p capped at 1)", [1, 4, 5, 8], [2, 3, 6, 7], expect="exact")

for n1, n2, shift in [(9, 9, 0.5), (30, 40, 0.3), (200, 150, 0.25), (120, 90, 0.0), (500, 700, 0.1)]:
    a, b = no_tie_pair(n1, n2, shift)
    mw_case(f"asymptotic, no ties, n = ({n1}, {n2}), shift {shift}", a, b, expect="asymptotic")
a, b = no_tie_pair(60, 60, 3.0)
mw_case("asymptotic, far tail (complete separation)", a, b, expect="asymptotic")

for n1, n2, k, p1, p2 in [(25, 30, 6, 0.4, 0.5), (5, 6, 3, 0.5, 0.5), (300, 280, 10, 0.3, 0.33)]:
    a = rng.binomial(k, p1, n1).astype(float)
    b = rng.binomial(k, p2, n2).astype(float)
    mw_case(f"asymptotic with ties, integers 0..{k}, n = ({n1}, {n2})", a, b, expect="asymptotic")
a = rng.binomial(1, 0.3, 80).astype(float)
b = rng.binomial(1, 0.45, 70).astype(float)
mw_case("asymptotic with heavy ties (0/1 values)", a, b, expect="asymptotic")
mw_case("every value the same: p is NaN", [2, 2, 2], [2, 2, 2, 2], expect="asymptotic")

a, b = no_tie_pair(10, 12, 0.7)
mw_case("method exact forced, n = (10, 12)", a, b, method="exact")
a, b = no_tie_pair(5, 5, 0.7)
mw_case("method asymptotic forced, n = (5, 5)", a, b, method="asymptotic")

# --- Welch's t-test ------------------------------------------------------------------------

welch = []


def welch_case(name, a, b):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    r = st.ttest_ind(a, b, equal_var=False)
    welch.append(
        {
            "name": name,
            "a": packed(a),
            "b": packed(b),
            "scipy": {"statistic": enc(r.statistic), "df": enc(r.df), "p_value": enc(r.pvalue)},
        }
    )


for n1, n2, m1, m2, s1, s2 in [
    (10, 25, 0.0, 0.5, 1.0, 3.0),
    (50, 8, 2.0, 1.0, 0.5, 2.0),
    (3, 3, 0.0, 1.0, 1.0, 1.0),
    (2, 40, 0.0, 0.2, 0.1, 5.0),
    (1000, 800, 1.0, 1.3, 1.0, 1.5),
    (30, 30, 5.0, 5.0, 1.0, 1.0),
    (12, 200, 10.0, 12.0, 0.3, 0.2),
]:
    welch_case(
        f"n = ({n1}, {n2}), means ({m1}, {m2}), sds ({s1}, {s2})",
        continuous(n1, m1, s1),
        continuous(n2, m2, s2),
    )
welch_case("latency-like lognormal samples", np.round(rng.lognormal(0, 0.6, 80), 4),
           np.round(rng.lognormal(0.2, 0.9, 60), 4))
welch_case("both samples constant, different means: t = -inf", [1, 1, 1], [2, 2, 2, 2])

# incomplete beta and Student's t directly
betainc_cases = [
    {"a": a, "b": b, "x": x, "scipy": enc(sp.betainc(a, b, x))}
    for a, b, x in [
        (2, 3, 0.4), (0.5, 0.5, 0.01), (0.5, 10, 0.2), (10, 0.5, 0.999), (50, 60, 0.45),
        (1e3, 2e3, 0.34), (3.5, 0.5, 0.75), (0.1, 0.2, 0.9), (200, 0.5, 0.9999), (1, 1, 0.3),
    ]
]
student_t_cases = [
    {"t": t, "df": df, "scipy": enc(st.t.sf(t, df))}
    for t, df in [
        (0.1, 1), (2.015048372669157, 5), (-1.5, 3.3), (10, 3.5), (40, 7.2), (0.001, 200),
        (3, 1e4), (-8, 2.5), (1e6, 1.5), (2.5, 0.7),
    ]
]

# --- Fisher's exact test -------------------------------------------------------------------

fisher = []
for table in [
    [[8, 2], [1, 5]],
    [[1, 9], [11, 3]],
    [[0, 5], [3, 0]],
    [[5, 0], [0, 5]],
    [[0, 0], [3, 4]],
    [[3, 0], [2, 0]],
    [[1, 0], [2, 3]],
    [[5, 5], [5, 5]],
    [[3, 7], [7, 3]],
    [[10, 10], [12, 8]],
    [[2, 30], [9, 25]],
    [[0, 40], [6, 34]],
    [[1000, 2000], [1100, 1900]],
    [[12000, 8000], [11800, 8200]],
    [[50, 99950], [90, 99910]],
    [[0, 10000], [25, 9975]],
    [[500, 500], [500, 500]],
    [[400, 600], [600, 400]],
]:
    r = st.fisher_exact(table, alternative="two-sided")
    fisher.append({"table": table, "scipy": {"odds_ratio": enc(r.statistic), "p_value": enc(r.pvalue)}})

# --- two-proportion z-test (pooled) --------------------------------------------------------

z_cases = []


def z_case(name, a, b):
    a = np.asarray(a, dtype=int)
    b = np.asarray(b, dtype=int)
    z, p = proportions_ztest([a.sum(), b.sum()], [len(a), len(b)], alternative="two-sided")
    z_cases.append(
        {
            "name": name,
            "a": packed(a),
            "b": packed(b),
            "statsmodels": {"statistic": enc(z), "p_value": enc(p)},
        }
    )


z_case("n = (100, 120), rates (0.3, 0.4)", rng.binomial(1, 0.3, 100), rng.binomial(1, 0.4, 120))
z_case("n = (5, 7)", [1, 0, 0, 1, 0], [1, 1, 1, 0, 1, 1, 1])
z_case("one sample all 1", [1, 1, 1, 1, 1, 1], [1, 0, 1, 0, 0, 1, 1, 0])
z_case("n = (2000, 2500), close rates", rng.binomial(1, 0.9, 2000), rng.binomial(1, 0.91, 2500))
z_case("n = (400, 400), far apart", rng.binomial(1, 0.2, 400), rng.binomial(1, 0.5, 400))

# --- multiple-testing adjustment -----------------------------------------------------------

adjust = []
for name, ps in [
    ("five mixed p-values", [0.01, 0.04, 0.03, 0.2, 0.005]),
    ("ties and a 1", [0.02, 0.02, 0.5, 1.0, 0.02, 0.001]),
    ("one p-value", [0.03]),
    ("twenty uniform p-values", list(np.round(rng.uniform(0, 1, 20), 8))),
    ("twelve small p-values", list(rng.uniform(0, 0.01, 12))),
]:
    adjust.append(
        {
            "name": name,
            "p": [float(p) for p in ps],
            "holm": [float(v) for v in multipletests(ps, method="holm")[1]],
            "bh": [float(v) for v in st.false_discovery_control(ps, method="bh")],
        }
    )

fixture = {
    "versions": {
        "scipy": scipy.__version__,
        "numpy": np.__version__,
        "statsmodels": statsmodels.__version__,
    },
    "mann_whitney": mann_whitney,
    "welch": welch,
    "betainc": betainc_cases,
    "student_t_sf": student_t_cases,
    "fisher": fisher,
    "two_proportion": z_cases,
    "adjust": adjust,
}
with open(OUT, "w") as f:
    json.dump(fixture, f, indent=2, allow_nan=False)
    f.write("\n")
print(
    f"wrote {OUT}: {len(mann_whitney)} Mann-Whitney, {len(welch)} Welch, {len(fisher)} Fisher, "
    f"{len(z_cases)} z, {len(adjust)} adjustment cases"
)
