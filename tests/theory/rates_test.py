#!/usr/bin/python3
"""analysis/rates.py's slope fit on synthetic data with known slopes (run by
tests/integration.d/theory.sh): y = c x^s exp(sigma N(0,1)) over seeds, paired across sizes."""
import math
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "analysis"))
import rates  # noqa: E402


def synthetic(slope, seeds=10, sigma=0.2, xs=(25, 50, 100, 200, 400, 800, 1600), c=3.0, rs=7):
    rng = random.Random(rs)
    return {x: {s: c * x ** slope * math.exp(sigma * rng.gauss(0, 1)) for s in range(seeds)} for x in xs}


# exact data: the fit recovers the slope and intercept, the CI collapses onto it
t = {x: {s: 2.0 * x ** -0.5 for s in range(5)} for x in (10, 100, 1000)}
r = rates.fit(t, boot=200)
assert abs(r["slope"] + 0.5) < 1e-12 and abs(math.exp(r["intercept"]) - 2) < 1e-9, r
assert abs(r["lo"] + 0.5) < 1e-12 and abs(r["hi"] + 0.5) < 1e-12, r

# noisy data: the 95% interval covers the true slope in most of 40 independent data sets,
# and is narrow enough to tell -1/2 from -1
cover = 0
for rs in range(40):
    r = rates.fit(synthetic(-0.5, rs=rs), boot=400, rng_seed=rs)
    cover += r["lo"] <= -0.5 <= r["hi"]
    assert abs(r["slope"] + 0.5) < 0.1 and r["hi"] - r["lo"] < 0.2, r
assert cover >= 34, cover  # nominal 38 of 40
r = rates.fit(synthetic(-1.0), boot=1000)
assert r["hi"] < -0.75 and r["lo"] > -1.25, r
assert rates.consistent("<=", -0.5, r["lo"], r["hi"]) == "yes"      # decays faster than the bound
assert rates.consistent("=", -0.5, r["lo"], r["hi"]) == "no"
assert rates.consistent("<=", -1.5, r["lo"], r["hi"]) == "no"       # slower than a -1.5 bound
assert rates.consistent(">=", 1.0, 0.6, 0.9) == "no" and rates.consistent(">=", 1.0, 0.8, 1.1) == "yes"

# sizes with a non-positive mean are dropped and counted; a single seed gives no interval
t = synthetic(0.5, seeds=4)
t[3200] = {s: 0.0 for s in range(4)}
r = rates.fit(t, boot=200)
assert r["used"] == 7 and r["sizes"] == 8 and abs(r["slope"] - 0.5) < 0.15, r
r = rates.fit(synthetic(0.5, seeds=1), boot=200)
assert math.isnan(r["lo"]) and abs(r["slope"] - 0.5) < 0.3
print("ok: slope fits on synthetic data")
