"""Provider optimum over a 100 x 100 (V, P) grid: vectorised closed form vs per-point cvxpy LP (spec §4.2, §4.5).

Prints the speed ratio (aim >= 1000x), the max disagreement in J* (aim <= 1e-6), and the time of one cvxpy
re-solve of the compiled (DPP) problem with new parameter values. Config cfgB of the spec
(p=(.3,.9), t=(2,3), c=(1,5)), V in [0.05, 10], P in [0, 10].
"""
from __future__ import annotations

import time

import numpy as np

from llmroute.game.lp import ProviderLP, solve_lp_grid
from llmroute.game.params import GameParams
from llmroute.game.provider import solve_closed_form


def main(n: int = 100) -> None:
    base = GameParams.make(1.0, 0.0, c=(1, 5), t=(2, 3), p=(0.3, 0.9))
    grid = base.arrays(V=np.linspace(0.05, 10, n)[:, None], P=np.linspace(0, 10, n)[None, :])
    solve_closed_form(grid)  # warm-up
    reps = 20
    t0 = time.perf_counter()
    for _ in range(reps):
        cf = solve_closed_form(grid)
    t_cf = (time.perf_counter() - t0) / reps
    lp = ProviderLP(2)
    lp.solve(np.array([0.3, 0.9]), np.array([1.0, 5.0]), np.array([2.0, 3.0]), 5.0, 6.0)  # compile + warm-up
    t0 = time.perf_counter()
    res = solve_lp_grid(grid, lp)
    t_lp = time.perf_counter() - t0
    dJ = float(np.abs(res["J"] - cf.J).max())
    print(f"grid: {n}x{n} = {n * n} points (cfgB)")
    print(f"closed form (vectorised): {t_cf * 1e3:.2f} ms per grid")
    print(f"cvxpy LP (per point, 4 LPs each): {t_lp:.1f} s per grid")
    print(f"speed ratio: {t_lp / t_cf:,.0f}x (aim >= 1000x)")
    print(f"max |J*_LP - J*_closed form|: {dJ:.2e} (aim <= 1e-6) -> {'OK' if dJ <= 1e-6 else 'FAIL'}")
    # one re-solve of a compiled problem with new parameter values
    lp.e.value = np.array([1.0, 0.0])
    k, t0 = 200, time.perf_counter()
    for j in range(k):
        lp.Pc.value = float(j % 10)
        lp.stay.solve(solver=lp.solver)
    print(f"one cvxpy re-solve (compiled DPP problem, {lp.solver}): {(time.perf_counter() - t0) / k * 1e3:.2f} ms")


if __name__ == "__main__":
    main()
