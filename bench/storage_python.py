#!/usr/bin/python3
"""Reference storage written the obvious Python way with h5py, for bench_storage.

Two measurements, each printing one JSON document on stdout:

frames  Writes N uint16 frames (default 512x1024, 1 MiB) into a chunked
        (one frame per chunk), extendable dataset of a file in SWMR mode, a
        batch of frames per write (the dataset is resized before each batch),
        with H5Fflush at most every --flush-interval seconds. Timed from the
        first write to the closed file.

points  The storage design of Acquila written in Python: a manager thread cuts
        a linear 0D scan into 1000-point chunks and dispatches them to a
        multiprocessing.Pool (spawn start method) with a bounded number in
        flight per worker; each worker process moves an instant simulated motor
        and reads a Gaussian detector per point; a writer thread takes the
        results in point order and appends them to extendable datasets
        (motor, timestamp, det) of a SWMR file, flushing at the same interval.
        Timed from file creation to the closed file (the pool is started and
        warmed up before, as Acquila's workers are).

Run with Debian's interpreter (h5py, numpy):
    /usr/bin/python3 bench/storage_python.py frames --dir DIR --frames 2048
    /usr/bin/python3 bench/storage_python.py points --dir DIR --points 1000000
"""

import argparse
import json
import math
import multiprocessing as mp
import os
import queue
import random
import threading
import time

import h5py
import numpy as np


def frames(args):
    path = os.path.join(args.dir, "h5py_frames.h5")
    h, w = args.height, args.width
    batch = np.zeros((args.per_batch, h, w), dtype=np.uint16)
    f = h5py.File(path, "w", libver="latest")
    ds = f.create_dataset("frame", shape=(0, h, w), maxshape=(None, h, w), chunks=(1, h, w), dtype=np.uint16)
    f.swmr_mode = True
    written = 0
    t0 = time.perf_counter()
    last_flush = t0
    while written < args.frames:
        n = min(args.per_batch, args.frames - written)
        batch[:n, 0, 0] = np.arange(written, written + n, dtype=np.uint16)  # each frame distinct
        ds.resize(written + n, axis=0)
        ds[written:written + n] = batch[:n]
        written += n
        now = time.perf_counter()
        if now - last_flush >= args.flush_interval:
            f.flush()
            last_flush = now
    f.close()
    seconds = time.perf_counter() - t0
    nbytes = written * h * w * 2
    os.remove(path)
    return {"frames": written, "bytes": nbytes, "seconds": round(seconds, 4),
            "MB_per_s": round(nbytes / seconds / 1e6, 1), "h5py": h5py.version.version,
            "hdf5": h5py.version.hdf5_version}


_det = None  # (motor position holder, rng) opened once per worker process


def open_devices(seed):
    global _det
    _det = {"position": 0.0, "rng": random.Random(seed + os.getpid())}


def run_chunk(first, count, start, step):
    """Instant motor move + Gaussian 0D detector read, per point, as a device worker does."""
    d = _det
    rng = d["rng"]
    pos = np.empty(count)
    ts = np.empty(count)
    val = np.empty(count)
    for k in range(count):
        x = start + (first + k) * step
        if not -1e9 <= x <= 1e9:
            raise ValueError(f"motor: position {x} outside the limits")
        d["position"] = x
        dx = x - 10.0
        val[k] = 1000.0 * math.exp(-dx * dx / 450.0) + 5.0 * rng.gauss(0.0, 1.0)
        pos[k] = x
        ts[k] = time.time()
    return first, pos, ts, val


def warm_up(_):
    return os.getpid()


def points(args):
    total, chunk = args.points, args.chunk
    workers = args.workers or os.cpu_count()
    ctx = mp.get_context("spawn")
    pool = ctx.Pool(workers, initializer=open_devices, initargs=(42,))
    pool.map(warm_up, range(workers * 4))
    path = os.path.join(args.dir, "h5py_points.h5")
    results = queue.Queue()
    slots = threading.Semaphore(workers * args.in_flight_per_worker)
    failure = []

    def manager():
        for first in range(0, total, chunk):
            slots.acquire()

            def done(r):
                slots.release()
                results.put(r)

            def failed(e):
                slots.release()
                failure.append(repr(e))
                results.put(None)

            pool.apply_async(run_chunk, (first, min(chunk, total - first), 0.0, 1.0), callback=done, error_callback=failed)

    def writer():
        f = h5py.File(path, "w", libver="latest")
        sets = {name: f.create_dataset(name, shape=(0,), maxshape=(None,), chunks=(131072,), dtype="f8")
                for name in ("motor", "timestamp", "det")}
        f.swmr_mode = True
        pending, written, last_flush = {}, 0, time.perf_counter()
        while written < total and not failure:
            r = results.get()
            if r is None:
                break
            pending[r[0]] = r[1:]
            while written in pending:  # append strictly in point order
                arrays = pending.pop(written)
                n = len(arrays[0])
                for ds, a in zip(sets.values(), arrays):
                    ds.resize(written + n, axis=0)
                    ds[written:written + n] = a
                written += n
            now = time.perf_counter()
            if now - last_flush >= args.flush_interval:
                f.flush()
                last_flush = now
        f.close()
        stats["written"] = written

    stats = {}
    t0 = time.perf_counter()
    threads = [threading.Thread(target=manager), threading.Thread(target=writer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - t0
    pool.close()
    pool.join()
    with h5py.File(path, "r") as f:
        stored = int(f["det"].shape[0])
    os.remove(path)
    out = {"points": total, "stored": stored, "chunk": chunk, "workers": workers,
           "in_flight_per_worker": args.in_flight_per_worker, "seconds": round(seconds, 4),
           "points_per_s": round(stats.get("written", 0) / seconds)}
    if failure:
        out["error"] = failure[0]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="what", required=True)
    fr = sub.add_parser("frames")
    fr.add_argument("--dir", required=True)
    fr.add_argument("--frames", type=int, default=2048)
    fr.add_argument("--per-batch", type=int, default=4)
    fr.add_argument("--height", type=int, default=512)
    fr.add_argument("--width", type=int, default=1024)
    fr.add_argument("--flush-interval", type=float, default=0.5)
    pt = sub.add_parser("points")
    pt.add_argument("--dir", required=True)
    pt.add_argument("--points", type=int, default=1_000_000)
    pt.add_argument("--chunk", type=int, default=1000)
    pt.add_argument("--workers", type=int, default=0)
    pt.add_argument("--in-flight-per-worker", type=int, default=3)
    pt.add_argument("--flush-interval", type=float, default=0.5)
    args = ap.parse_args()
    print(json.dumps(frames(args) if args.what == "frames" else points(args)))


if __name__ == "__main__":
    main()
