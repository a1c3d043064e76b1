#!/usr/bin/python3
"""Reference dispatcher written the obvious Python way, for bench_dispatch.

Same design as Acquila's engine: a manager thread cuts a 1D scan into jobs and
dispatches them to a multiprocessing.Pool (spawn start method) with a bounded
number in flight per worker; each worker process opens its own simulated
devices (an instant motor and a Gaussian 0D detector); results come back as
packed numpy arrays through apply_async callbacks and the manager reorders
them by point index before handing them to an in-memory sink.

Run with Debian's interpreter (numpy): /usr/bin/python3 bench/dispatch_python.py
Prints one JSON document on stdout.
"""

import argparse
import json
import math
import multiprocessing as mp
import os
import random
import statistics
import sys
import threading
import time

import numpy as np


class SimMotor:
    """Instant simulated motor with limits."""

    def __init__(self, lo, hi):
        self.lo, self.hi, self.position = lo, hi, 0.0

    def move_to(self, x):
        if not self.lo <= x <= self.hi:
            raise ValueError(f"motor: position {x} outside [{self.lo}, {self.hi}]")
        self.position = x


class SimGaussian:
    """0D detector: Gaussian peak over the motor position plus seeded noise."""

    def __init__(self, motor, center, width, amplitude, background, noise, seed):
        self.motor = motor
        self.center, self.inv2w2 = center, 1.0 / (2.0 * width * width)
        self.amplitude, self.background, self.noise = amplitude, background, noise
        self.rng = random.Random(seed)

    def read(self):
        dx = self.motor.position - self.center
        return self.background + self.amplitude * math.exp(-dx * dx * self.inv2w2) + self.noise * self.rng.gauss(0.0, 1.0)


_devices = None  # opened once per worker process by the pool initializer


def open_devices(seed, worker_nice):
    global _devices
    if worker_nice:
        os.nice(worker_nice)
    motor = SimMotor(-1e9, 1e9)
    _devices = (motor, SimGaussian(motor, 10.0, 15.0, 1000.0, 20.0, 5.0, seed + os.getpid()))


def run_job(first, count, start, step):
    motor, det = _devices
    pos, val, ts = [], [], []
    for i in range(first, first + count):
        x = start + i * step
        motor.move_to(x)
        val.append(det.read())
        pos.append(x)
        ts.append(time.time())
    return first, count, np.array(pos), np.array(ts), np.array(val)


def warm_up(_):
    return os.getpid()


def dispatch(pool, workers, total, chunk, in_flight_per_worker, start=0.0, step=1.0):
    """Manager thread: dispatch, collect by callback, reorder by index. Returns (seconds, sink, delivery times)."""
    cond = threading.Condition()
    arrived = {}
    errors = []
    state = {"in_flight": 0}
    sink = []
    delivered_at = []
    max_in_flight = workers * in_flight_per_worker

    def on_result(res):
        with cond:
            arrived[res[0]] = res
            state["in_flight"] -= 1
            cond.notify()

    def on_error(exc):
        with cond:
            errors.append(repr(exc))
            cond.notify()

    def manager():
        next_first = 0
        deliver = 0
        with cond:
            while deliver < total and not errors:
                while state["in_flight"] < max_in_flight and next_first < total:
                    n = min(chunk, total - next_first)
                    pool.apply_async(run_job, (next_first, n, start, step), callback=on_result, error_callback=on_error)
                    state["in_flight"] += 1
                    next_first += n
                cond.wait_for(lambda: deliver in arrived or errors)
                while deliver in arrived:
                    res = arrived.pop(deliver)
                    sink.append(res)
                    delivered_at.append(time.perf_counter())
                    deliver += res[1]

    t0 = time.perf_counter()
    thread = threading.Thread(target=manager, name="manager")
    thread.start()
    thread.join()
    seconds = time.perf_counter() - t0
    if errors:
        raise RuntimeError(errors[0])
    if sum(r[1] for r in sink) != total:
        raise RuntimeError("points lost")
    return seconds, sink, delivered_at


def percentile(values, q):
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--points", type=int, default=1_000_000, help="batched scan points")
    ap.add_argument("--chunk", type=int, default=1000, help="points per job, batched")
    ap.add_argument("--per-point-points", type=int, default=5000, help="points of the one-point-per-job scan")
    ap.add_argument("--rt-points", type=int, default=2000, help="points of the round-trip scan (one job in flight)")
    ap.add_argument("--workers", type=int, default=os.cpu_count())
    ap.add_argument("--in-flight", type=int, default=3, help="jobs in flight per worker")
    ap.add_argument("--worker-nice", type=int, default=0, help="nice increment of the pool processes (Acquila's workers use 10)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each throughput scenario; the fastest is reported")
    args = ap.parse_args()

    ctx = mp.get_context("spawn")
    out = {"python": sys.version.split()[0], "start_method": "spawn", "numpy": np.__version__,
           "worker_nice": args.worker_nice}

    with ctx.Pool(args.workers, initializer=open_devices, initargs=(42, args.worker_nice)) as pool:
        pool.map(warm_up, range(args.workers * 4))
        runs = [dispatch(pool, args.workers, args.points, args.chunk, args.in_flight)[0] for _ in range(max(1, args.repeat))]
        secs = min(runs)
        out["batched"] = {"points": args.points, "chunk": args.chunk, "workers": args.workers,
                          "seconds": round(secs, 4), "points_per_s": round(args.points / secs),
                          "points_per_s_all_runs": [round(args.points / r) for r in runs]}

    # An exclusive device lives in one process only: a pool of one.
    with ctx.Pool(1, initializer=open_devices, initargs=(42, args.worker_nice)) as pool:
        pool.map(warm_up, range(4))
        runs = [dispatch(pool, 1, args.per_point_points, 1, args.in_flight)[0] for _ in range(max(1, args.repeat))]
        secs = min(runs)
        out["per_point"] = {"points": args.per_point_points, "workers": 1, "in_flight_per_worker": args.in_flight,
                            "seconds": round(secs, 4), "points_per_s": round(args.per_point_points / secs),
                            "points_per_s_all_runs": [round(args.per_point_points / r) for r in runs]}
        secs, _, times = dispatch(pool, 1, args.rt_points, 1, 1)
        deltas = [(b - a) * 1e6 for a, b in zip(times, times[1:])][100:]
        out["round_trip"] = {"points": args.rt_points, "in_flight": 1, "points_per_s": round(args.rt_points / secs),
                             "rt_p50_us": round(percentile(deltas, 0.5), 1), "rt_p99_us": round(percentile(deltas, 0.99), 1),
                             "rt_mean_us": round(statistics.fmean(deltas), 1)}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
