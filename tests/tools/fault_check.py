#!/usr/bin/python3
"""Independent reader for the fault matrix (tests/integration/fault_matrix*_test.cpp).

Usage:
  fault_check.py FILE
      Prints one JSON object describing the run file: status, status_reason,
      points_written, cells, the point indices stored (point_index >= 0, in
      order of appearance), cells whose point_index is not their own index,
      and stored points whose detector values are NaN.
  fault_check.py --hold
      Reads a file name from the first line of input, opens it for SWMR
      reading, prints "open", and keeps it open (reading points_written at
      every further line of input) until standard input closes. Starting
      first and naming the file later lets a caller open it at a chosen moment.
"""
import json
import os
import sys

# Reading a file left by a killed writer must not trip over its lock; the
# reader held open with --hold is an ordinary h5py user and keeps the default.
if "--hold" not in sys.argv:
    os.environ.setdefault("HDF5_USE_FILE_LOCKING", "FALSE")

import h5py  # noqa: E402
import numpy  # noqa: E402


def text(ds):
    value = ds[()]
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def open_file(path):
    try:
        return h5py.File(path, "r")
    except OSError:
        return h5py.File(path, "r", swmr=True)


def describe(path):
    with open_file(path) as f:
        entry = f["entry"]
        data = entry["data"]
        index = numpy.asarray(data["point_index"][()]).reshape(-1)
        stored = [int(i) for i in index if i >= 0]
        misplaced = [int(c) for c, i in enumerate(index) if i >= 0 and i != c]
        detectors = [n for n in data if n not in ("point_index", "points_written", "timestamp")
                     and data[n].dtype.kind == "f" and data[n].shape[:1] == (index.size,)]
        nan_points = set()
        for name in detectors:
            values = numpy.asarray(data[name][()]).reshape(index.size, -1)
            for c, i in enumerate(index):
                if i >= 0 and numpy.isnan(values[c]).any():
                    nan_points.add(int(i))
        return {
            "status": text(entry["status"]),
            "reason": text(entry["status_reason"]) if "status_reason" in entry else "",
            "points_written": int(numpy.asarray(data["points_written"][()]).reshape(-1)[0]),
            "points_written_rank": int(data["points_written"].ndim),
            "cells": int(index.size),
            "stored": stored,
            "misplaced": misplaced,
            "nan_points": sorted(nan_points),
            "detectors": detectors,
        }


def hold():
    path = sys.stdin.readline().strip()
    with h5py.File(path, "r", swmr=True) as f:
        ds = f["/entry/data/points_written"]
        print("open", flush=True)
        for _ in sys.stdin:
            ds.refresh()
            print(int(ds[()]), flush=True)
    return 0


def main(argv):
    if len(argv) == 2 and argv[1] == "--hold":
        return hold()
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        print(json.dumps(describe(argv[1])))
    except Exception as e:  # report, never crash: the test prints this
        print(json.dumps({"error": "%s: %s" % (type(e).__name__, e)}))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
