#!/usr/bin/python3
"""Writes the small HDF5 seed files of fuzz_h5 with h5py: make_h5_seeds.py DIR."""
import os
import sys

import h5py
import numpy as np


def run_file(path, swmr):
    """The shape of an Acquila run file: NXentry with status, plan and a data group."""
    with h5py.File(path, "w", libver="latest" if swmr else "earliest") as f:
        f.attrs["creator"] = "Acquila 0.1.0"
        e = f.create_group("entry")
        e.attrs["NX_class"] = "NXentry"
        for name, text in [("title", "seed"), ("status", "completed"), ("status_reason", ""),
                           ("plan", '{"version":1}'), ("start_time", "2026-01-01T00:00:00Z"),
                           ("end_time", "2026-01-01T00:00:01Z"), ("program_name", "acquila")]:
            e.create_dataset(name, data=text)
        e["program_name"].attrs["version"] = "0.1.0"
        d = e.create_group("data")
        d.attrs["NX_class"] = "NXdata"
        d.attrs["signal"] = "diode"
        d.attrs["axes"] = ["motor"]
        d.attrs["acquila_scan_shape"] = np.array([4], dtype="<i8")
        d.create_dataset("points_written", data=np.int64(4))
        d.create_dataset("motor", data=np.linspace(0, 1, 4))
        diode = d.create_dataset("diode", data=np.arange(4.0), maxshape=(None,), chunks=(2,))
        diode.attrs["units"] = "V"
        diode.attrs["acquila_role"] = "detector"
        d.create_dataset("spectrum", data=np.arange(32, dtype="<u2").reshape(4, 8), compression="gzip")
        d.create_dataset("point_index", data=np.arange(4, dtype="<i8"))
        if swmr:
            f.swmr_mode = True


def browser_file(path):
    """Types, links, attributes and strings the browser shows."""
    with h5py.File(path, "w") as f:
        g = f.create_group("g")
        g.create_dataset("be", data=np.arange(6, dtype=">i4").reshape(2, 3))
        g.create_dataset("vlen", data=["a", "bc"], dtype=h5py.string_dtype())
        g.create_dataset("fixed", data=np.array([b"abcd", b"ef"], dtype="S4"))
        g.create_dataset("scalar", data=1.5)
        g.create_dataset("empty", shape=(0,), dtype="f4")
        g.create_dataset("compound", data=np.zeros(2, dtype=[("a", "<i2"), ("b", "<f8")]))
        g.attrs["list"] = [1, 2, 3]
        f["soft"] = h5py.SoftLink("/g/be")
        f["dangling"] = h5py.SoftLink("/nowhere")
        f["external"] = h5py.ExternalLink("other.h5", "/x")
        f["type"] = np.dtype("<f4")


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    run_file(os.path.join(out, "run.h5"), swmr=False)
    run_file(os.path.join(out, "run-swmr.h5"), swmr=True)
    browser_file(os.path.join(out, "browser.h5"))


if __name__ == "__main__":
    main()
