#!/usr/bin/python3
"""Independent check of an Acquila run file with h5py and silx.

Usage:
  check_nexus.py FILE [--status S] [--points N]
      Checks the NeXus layout (docs/architecture.md, "Storage") and that silx finds a valid
      default NXdata; prints every failure and exits 1 if there is any.
  check_nexus.py FILE --count
      Opens FILE for SWMR reading and prints /entry/data/points_written; then,
      for every line read from stdin, refreshes and prints it again (so a
      caller can watch a live file grow). Exits at end of input.
"""
import sys

import h5py
import numpy

STATUSES = {"completed", "stopped", "aborted", "failed", "interrupted", "running"}


def as_str(value):
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, numpy.ndarray):
        return [as_str(v) for v in value.tolist()]
    return value


def open_file(path):
    try:
        return h5py.File(path, "r")
    except OSError:
        return h5py.File(path, "r", swmr=True)


def count_mode(path):
    with h5py.File(path, "r", swmr=True) as f:
        ds = f["/entry/data/points_written"]
        print(int(ds[()]), flush=True)
        for _ in sys.stdin:
            ds.refresh()
            print(int(ds[()]), flush=True)
    return 0


def check(path, want_status, want_points):
    problems = []

    def need(cond, text):
        if not cond:
            problems.append(text)
        return cond

    with open_file(path) as f:
        need(as_str(f.attrs.get("default")) == "entry", "/ @default is not 'entry'")
        need(str(as_str(f.attrs.get("creator", ""))).startswith("Acquila"), "/ @creator does not start with 'Acquila'")
        if not need("entry" in f, "no /entry"):
            return problems
        entry = f["entry"]
        need(as_str(entry.attrs.get("NX_class")) == "NXentry", "/entry NX_class is not NXentry")
        need(as_str(entry.attrs.get("default")) == "data", "/entry @default is not 'data'")
        for name in ("title", "start_time", "end_time", "status", "status_reason", "plan", "program_name", "hostname", "user"):
            if need(name in entry, "/entry/%s missing" % name):
                need(isinstance(entry[name].asstr()[()], str), "/entry/%s is not readable as str" % name)
        status = entry["status"].asstr()[()] if "status" in entry else None
        need(status in STATUSES, "/entry/status %r is not a known status" % status)
        if want_status is not None:
            need(status == want_status, "/entry/status is %r, expected %r" % (status, want_status))
        if status not in (None, "running"):
            need(len(entry["end_time"].asstr()[()]) >= 19, "/entry/end_time is not an ISO 8601 time")
        need(len(entry["start_time"].asstr()[()]) >= 19 and entry["start_time"].asstr()[()][10] == "T",
             "/entry/start_time is not an ISO 8601 time")
        if "program_name" in entry:
            need("version" in entry["program_name"].attrs, "/entry/program_name has no @version")
        need(as_str(entry.get("instrument", {}).attrs.get("NX_class")) == "NXinstrument", "/entry/instrument is not NXinstrument")
        log = entry.get("log")
        if need(log is not None and as_str(log.attrs.get("NX_class")) == "NXcollection", "/entry/log is not an NXcollection"):
            for name in ("time", "level", "message"):
                need(name in log, "/entry/log/%s missing" % name)
        if not need("data" in entry, "no /entry/data"):
            return problems
        data = entry["data"]
        need(as_str(data.attrs.get("NX_class")) == "NXdata", "/entry/data NX_class is not NXdata")
        signal = as_str(data.attrs.get("signal"))
        if need(signal in data, "/entry/data @signal %r names no dataset" % signal):
            sig = data[signal]
            axes = as_str(data.attrs.get("axes"))
            axes = [axes] if isinstance(axes, str) else list(axes or [])
            for axis in axes:
                if axis == ".":
                    continue
                if need(axis in data, "@axes names %r, which is missing" % axis):
                    idx = data.attrs.get(axis + "_indices")
                    if need(idx is not None, "@%s_indices missing" % axis):
                        need(data[axis].shape[0] == sig.shape[int(idx)],
                             "axis %r has %d values for signal dimension %d of %d" % (axis, data[axis].shape[0], int(idx), sig.shape[int(idx)]))
            need(sig.chunks is not None, "signal %r is not chunked" % signal)
            need(sig.maxshape[0] is None, "signal %r is not extendable in its first dimension" % signal)
        for name in ("point_index", "timestamp", "points_written"):
            need(name in data, "/entry/data/%s missing" % name)
        if want_points is not None and "points_written" in data:
            need(int(data["points_written"][()]) == want_points,
                 "points_written is %d, expected %d" % (int(data["points_written"][()]), want_points))
        if "point_index" in data:
            measured = int(numpy.count_nonzero(data["point_index"][()] >= 0))
            need(want_points is None or measured == want_points,
                 "point_index marks %d measured cells, expected %s" % (measured, want_points))

        from silx.io import nxdata
        default = nxdata.get_default(f)
        if need(default is not None, "silx finds no default NXdata"):
            need(default.is_valid, "silx says the default NXdata is invalid: %s" % getattr(default, "issues", ""))
    return problems


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    path = argv[1]
    if "--count" in argv:
        return count_mode(path)
    status = argv[argv.index("--status") + 1] if "--status" in argv else None
    points = int(argv[argv.index("--points") + 1]) if "--points" in argv else None
    try:
        problems = check(path, status, points)
    except Exception as exc:  # report any reader failure as a check failure
        problems = ["%s: %s" % (type(exc).__name__, exc)]
    for p in problems:
        print("FAIL:", p)
    if not problems:
        print("OK", path)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
