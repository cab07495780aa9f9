"""The machine reference every benchmark prints its times next to, so they carry over to other machines."""

import statistics
import time

import numpy as np


def matmul_ms(repeats: int = 5) -> float:
    """Median ms of a 2048 x 2048 float32 matrix product (after one warm-up)."""
    a = np.random.default_rng(0).standard_normal((2048, 2048), dtype=np.float32)
    a @ a
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        a @ a
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)
