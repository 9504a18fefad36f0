#!/usr/bin/python3
"""The alternatives' side of bench/compare.sh: solves the problem bench_compare wrote to DIR and
prints "<name> <what> <seconds> <check>" like it.
  compare.py mle N D REPS DIR  : sklearn LogisticRegression (lbfgs, no intercept) on each labeler,
                                 C = 1 / (n lambda), the same objective as stratsim's MLE; seconds
                                 per labeler; check = the mean of stratsim's objective at sklearn's
                                 solution (larger than stratsim's optimum by how far lbfgs stops)
  compare.py lp M NC DIR       : scipy.optimize.linprog(method="highs") on A x = b, x >= 0
  compare.py median K D DIR    : numpy.median(axis=0)"""
import sys
import time

import numpy as np

LAMBDA = 1e-3


def raw(d, name, shape):
    return np.fromfile(f"{d}/{name}", dtype="<f8").reshape(shape)


def mle(n, d, reps, dirname):
    from sklearn.linear_model import LogisticRegression
    x = raw(dirname, "mle_x.bin", (reps, n, d))
    y = raw(dirname, "mle_y.bin", (reps, n))
    thetas = []
    t0 = time.perf_counter()
    for r in range(reps):
        m = LogisticRegression(C=1.0 / (n * LAMBDA), fit_intercept=False, solver="lbfgs",
                               tol=1e-4, max_iter=1000)
        m.fit(x[r], y[r])
        thetas.append(m.coef_[0])
    t = (time.perf_counter() - t0) / reps
    obj = 0.0
    for r in range(reps):
        marg = x[r] @ thetas[r] * np.where(y[r] > 0.5, 1.0, -1.0)
        obj += (np.logaddexp(0.0, -marg).mean() + 0.5 * LAMBDA * thetas[r] @ thetas[r]) / reps
    print(f"sklearn mle {t:.9g} {obj:.17g}")


def lp(m, nc, dirname):
    from scipy.optimize import linprog
    a = raw(dirname, "lp_A.bin", (m, nc))
    b = raw(dirname, "lp_b.bin", (m,))
    c = raw(dirname, "lp_c.bin", (nc,))
    t0 = time.perf_counter()
    res = linprog(-c, A_eq=a, b_eq=b, bounds=(0, None), method="highs")
    t = time.perf_counter() - t0
    print(f"scipy lp {t:.9g} {-res.fun:.17g}")


def median(k, d, dirname):
    x = raw(dirname, "median_x.bin", (k, d))
    t0 = time.perf_counter()
    med = np.median(x, axis=0)
    t = time.perf_counter() - t0
    print(f"numpy median {t:.9g} {med[0]:.17g}")


if __name__ == "__main__":
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "mle":
        mle(int(args[0]), int(args[1]), int(args[2]), args[3])
    elif mode == "lp":
        lp(int(args[0]), int(args[1]), args[2])
    elif mode == "median":
        median(int(args[0]), int(args[1]), args[2])
    else:
        sys.exit(__doc__)
