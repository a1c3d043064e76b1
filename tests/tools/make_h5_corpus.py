#!/usr/bin/python3
"""Writes the HDF5 test corpus for the browser tests with h5py (independent of Acquila).

Usage:
  make_h5_corpus.py <dir>                  the corpus files
  make_h5_corpus.py --big <file> <n>       a chunked float32 dataset /big of n elements with
                                           spikes of +1000 at n//3 and -1000 at 2*n//3
  make_h5_corpus.py --hostile <dir>        run-like files that must not crash or hang a reader:
                                           points_written as an array, string datasets of 2^40
                                           and 2^31 elements (chunked, never written), a 16 MiB
                                           fixed-length string, an oversized scan shape, 1500
                                           datasets in /entry/data, a file left by a killed SWMR
                                           writer with damaged dataset object headers
  make_h5_corpus.py --swmr-writer <file>   an SWMR writer: writes 10 points, prints "ready 10",
                                           then for each stdin line appends 10 more and prints
                                           "ready <n>"; the line "finish" sets /entry/status to
                                           "completed", closes the file and exits.
"""
import json
import os
import sys

import h5py
import numpy as np


def types_file(path):
    with h5py.File(path, "w") as f:
        g = f.create_group("numbers")
        for kind in "iu":
            for size in (1, 2, 4, 8):
                for order in "<>":
                    dt = np.dtype(f"{order}{kind}{size}")
                    name = f"{kind}{size * 8}_{'le' if order == '<' else 'be'}"
                    g.create_dataset(name, data=np.arange(20, dtype=dt))
        for size in (2, 4, 8):
            for order in "<>":
                dt = np.dtype(f"{order}f{size}")
                name = f"f{size * 8}_{'le' if order == '<' else 'be'}"
                g.create_dataset(name, data=np.sin(np.linspace(0, 6, 50)).astype(dt))
        g.create_dataset("bool", data=np.array([True, False, True]))
        g.create_dataset("complex", data=np.array([1 + 2j, 3 - 4j]))
        s = f.create_group("strings")
        s.create_dataset("fixed_ascii", data=np.array([b"alpha", b"beta"], dtype="S8"))
        s.create_dataset("fixed_utf8", data="h\u00e9llo w\u00f6rld".encode(),
                         dtype=h5py.string_dtype("utf-8", 20))
        s.create_dataset("vlen_ascii", data=[b"one", b"two", b"three"],
                         dtype=h5py.string_dtype("ascii"))
        s.create_dataset("vlen_utf8", data=["\u03b1\u03b2\u03b3", "z\u00fcrich"],
                         dtype=h5py.string_dtype("utf-8"))
        s["scalar_vlen"] = "a single string"
        s["json"] = json.dumps({"name": "grid", "axes": [{"x": [0, 1, 2]}], "n": 3})
        c = f.create_group("structured")
        cdt = np.dtype([("x", "<f8"), ("n", ">i4"), ("tag", "S4"), ("v", "<f4", (3,))])
        c.create_dataset("compound", data=np.array(
            [(1.5, 2, b"ab", (1, 2, 3)), (2.5, 3, b"cd", (4, 5, 6))], dtype=cdt))
        edt = h5py.enum_dtype({"RED": 0, "GREEN": 1, "BLUE": 42}, basetype="i1")
        c.create_dataset("enum", data=np.array([0, 1, 42], dtype="i1"), dtype=edt)
        c.create_dataset("array_type", data=np.ones((4,), dtype=np.dtype(("<f8", (2, 3)))))
        vdt = h5py.vlen_dtype(np.dtype("int32"))
        v = c.create_dataset("vlen_seq", (3,), dtype=vdt)
        v[0] = [1, 2]
        v[1] = []
        v[2] = [3, 4, 5]
        rdt = h5py.ref_dtype
        refs = c.create_dataset("object_refs", (2,), dtype=rdt)
        refs[0] = f["numbers"].ref
        refs[1] = f["numbers/i8_le"].ref
        c.create_dataset("region_ref", data=f["numbers/i32_le"].regionref[2:5],
                         dtype=h5py.regionref_dtype)
        c.create_dataset("opaque", data=np.void(b"\x01\x02\x03"))
        e = f.create_group("shapes")
        e.create_dataset("empty_1d", shape=(0,), dtype="f8")
        e.create_dataset("empty_2d", shape=(0, 5), dtype="i4", maxshape=(None, 5))
        e.create_dataset("null", data=h5py.Empty("f8"))
        e["scalar_float"] = 3.25
        e["scalar_int"] = np.int64(-7)
        e.create_dataset("image", data=np.add.outer(np.arange(60), np.arange(80)).astype("f4"))
        e.create_dataset("cube", data=np.arange(5 * 30 * 40, dtype="u2").reshape(5, 30, 40))
        e.create_dataset("hyper", data=np.random.default_rng(1).random((2, 3, 16, 20)))
        e.create_dataset("column", data=np.arange(10.0).reshape(10, 1))
        f["named_type"] = np.dtype([("a", "i4"), ("b", "f8")])


def links_file(path, dirname):
    with h5py.File(path, "w") as f:
        f.create_group("a/b/c")
        f["a/data"] = np.arange(10)
        f["soft_to_group"] = h5py.SoftLink("/a/b")
        f["soft_to_data"] = h5py.SoftLink("/a/data")
        f["dangling_soft"] = h5py.SoftLink("/does/not/exist")
        f["external"] = h5py.ExternalLink("types.h5", "/shapes")
        f["external_missing_file"] = h5py.ExternalLink("no_such_file.h5", "/x")
        f["external_missing_obj"] = h5py.ExternalLink("types.h5", "/nope")
        f["a/b/c/loop"] = h5py.SoftLink("/a")
        f["hard_alias"] = f["a/data"]


def deep_file(path):
    with h5py.File(path, "w") as f:
        g = f
        for i in range(40):
            g = g.create_group(f"level{i}")
        g["leaf"] = np.arange(3)


def many_file(path):
    with h5py.File(path, "w") as f:
        g = f.create_group("many")
        for i in range(10000):
            g.create_group(f"child{i:05d}") if i % 2 else g.create_dataset(f"child{i:05d}", data=i)


def attrs_file(path):
    with h5py.File(path, "w") as f:
        d = f.create_dataset("holder", data=np.arange(4))
        for obj in (f, d):
            a = obj.attrs
            a["int8"] = np.int8(-3)
            a["uint64_be"] = np.array(7, dtype=">u8")
            a["float32"] = np.float32(1.5)
            a["float_array"] = np.linspace(0, 1, 5)
            a["int_matrix"] = np.arange(6).reshape(2, 3)
            a["bool"] = np.bool_(True)
            a["fixed_str"] = np.bytes_(b"fixed")
            a["vlen_str"] = "variable \u00e9"
            a["str_list"] = ["a", "bb", "ccc"]
            a["empty"] = h5py.Empty("f4")
            a["compound"] = np.array((1, 2.0), dtype=[("i", "i4"), ("f", "f8")])
            a.create("enum", data=np.int8(1),
                     dtype=h5py.enum_dtype({"OFF": 0, "ON": 1}, basetype="i1"))
            a["ref"] = f.ref
            a["json"] = json.dumps({"k": [1, 2, {"z": None}]})
            a.create("vlen_ints", data=np.array([np.array([1, 2]), np.array([3])], dtype=object),
                     dtype=h5py.vlen_dtype("i2"))


def compressed_file(path):
    with h5py.File(path, "w") as f:
        data = np.cos(np.linspace(0, 20, 20000)).astype("f8")
        f.create_dataset("gzip", data=data, compression="gzip", compression_opts=6)
        f.create_dataset("shuffle_gzip", data=data, compression="gzip", shuffle=True)
        f.create_dataset("lzf", data=data, compression="lzf")
        f.create_dataset("gzip_image", data=np.arange(200 * 300, dtype="i4").reshape(200, 300),
                         compression="gzip", chunks=(50, 50))


def nexus_file(path):
    with h5py.File(path, "w") as f:
        f.attrs["default"] = "entry"
        f.attrs["creator"] = "corpus"
        e = f.create_group("entry")
        e.attrs["NX_class"] = "NXentry"
        e.attrs["default"] = "data"
        e["title"] = "Energy scan of sample A"
        e["status"] = "aborted"
        e["status_reason"] = "user pressed Abort"
        e["start_time"] = "2024-05-01T10:00:00+00:00"
        e["end_time"] = "2024-05-01T10:05:00+00:00"
        e["plan"] = json.dumps({"name": "escan", "axes": [{"device": "mono", "start": 1,
                                                            "stop": 2, "points": 101}]})
        d = e.create_group("data")
        d.attrs["NX_class"] = "NXdata"
        d.attrs["signal"] = "diode"
        d.attrs["axes"] = ["energy"]
        d["energy"] = np.linspace(7.0, 8.0, 101)
        d["energy"].attrs["units"] = "keV"
        d["diode"] = np.exp(-((np.linspace(7, 8, 101) - 7.5) ** 2) / 0.01)
        d["points_written"] = np.int64(80)
        ins = e.create_group("instrument")
        ins.attrs["NX_class"] = "NXinstrument"
        for name, cls in (("diode", "NXdetector"), ("mono", "NXpositioner")):
            ins.create_group(name).attrs["NX_class"] = cls
        m = e.create_group("map")
        m.attrs["NX_class"] = "NXdata"
        m.attrs["signal"] = "counts"
        m.attrs["axes"] = ["y", "x"]
        m["y"] = np.linspace(-1, 1, 20)
        m["x"] = np.linspace(0, 3, 30)
        m["counts"] = np.random.default_rng(2).random((20, 30))


def big_file(path, n):
    with h5py.File(path, "w") as f:
        d = f.create_dataset("big", shape=(n,), dtype="f4", chunks=(1 << 20,))
        block = 1 << 22
        for start in range(0, n, block):
            stop = min(n, start + block)
            d[start:stop] = np.sin(np.arange(start, stop, dtype="f8") * 1e-5).astype("f4")
        d[n // 3] = 1000.0
        d[2 * n // 3] = -1000.0


def swmr_writer(path):
    f = h5py.File(path, "w", libver="latest")
    e = f.create_group("entry")
    e.attrs["NX_class"] = "NXentry"
    e.create_dataset("status", data=np.bytes_(b"running"), dtype="S16")
    e["title"] = "live"
    d = e.create_dataset("counts", shape=(0,), maxshape=(None,), chunks=(64,), dtype="f8")
    f.swmr_mode = True
    n = 0

    def append():
        nonlocal n
        d.resize((n + 10,))
        d[n:n + 10] = np.arange(n, n + 10)
        n += 10
        d.flush()
        f.flush()
        print(f"ready {n}", flush=True)

    append()
    for line in sys.stdin:
        if line.strip() == "finish":
            e["status"][()] = np.bytes_(b"completed")
            f.flush()
            f.close()
            print("closed", flush=True)
            return
        append()


def run_like(path, **kwargs):
    """An NXentry as Acquila writes it, for the hostile variants to change."""
    f = h5py.File(path, "w", **kwargs)
    f.attrs["creator"] = "Acquila hostile corpus"
    e = f.create_group("entry")
    e.attrs["NX_class"] = "NXentry"
    d = e.create_group("data")
    d.attrs["NX_class"] = "NXdata"
    d.attrs["signal"] = "diode"
    d["diode"] = np.arange(10.0)
    return f, e, d


def hostile_files(out):
    for n in (10, 200000):
        f, e, d = run_like(os.path.join(out, f"points_written_{n}.h5"))
        e["title"] = "points_written is an array"
        e["plan"] = "{}"
        d["points_written"] = np.arange(n, dtype="i8")
        f.close()
    f, e, d = run_like(os.path.join(out, "huge_fixed_strings.h5"))
    for parent, name in ((e, "title"), (e, "status"), (d, "labels")):
        parent.create_dataset(name, shape=(2 ** 40,), dtype="S8", chunks=(1024,))
    e["plan"] = "{}"
    f.close()
    f, e, d = run_like(os.path.join(out, "huge_vlen_strings.h5"))
    for name in ("plan", "title", "status_reason"):
        e.create_dataset(name, shape=(2 ** 31,), dtype=h5py.string_dtype(), chunks=(4096,))
    f.close()
    f, e, d = run_like(os.path.join(out, "wide_string.h5"))
    e["plan"] = "{}"
    e.create_dataset("title", shape=(), dtype="S16777216")
    d.attrs["acquila_scan_shape"] = np.arange(1000, dtype="i8")
    d.attrs["axes"] = [f"a{i}" for i in range(1000)]
    f.close()
    f, e, d = run_like(os.path.join(out, "many_datasets.h5"))
    e["plan"] = "{}"
    for i in range(1500):
        d.create_dataset(f"extra{i:04d}", shape=(1,), dtype="f4")
    f.close()


def damaged_swmr(path):
    """A run-like file left open by a killed SWMR writer whose dataset headers fail their checksum:
    an SWMR reader retries each such read (100 times by default, with growing sleeps)."""
    pid = os.fork()
    if pid == 0:
        f, e, d = run_like(path, libver="latest")
        e["title"] = "damaged"
        e["plan"] = "{}"
        del d["diode"]
        for name in ("diode", "motor", "points_written"):
            d.create_dataset(name, data=np.arange(10.0), maxshape=(None,), chunks=(10,))
        f.swmr_mode = True
        f.flush()
        os._exit(0)  # killed: the superblock still says "open for SWMR writing"
    os.waitpid(pid, 0)
    with h5py.File(path, "r", swmr=True) as f:
        headers = [h5py.h5o.get_info(f[n].id).addr for n in
                   ("entry/title", "entry/plan", "entry/data/diode", "entry/data/motor", "entry/data/points_written")]
    with open(path, "r+b") as raw:
        for addr in headers:
            raw.seek(addr + 8)  # past "OHDR", version and flags: inside the checksummed header
            b = raw.read(1)
            raw.seek(addr + 8)
            raw.write(bytes([b[0] ^ 0xFF]))


def main():
    if sys.argv[1] == "--hostile":
        os.makedirs(sys.argv[2], exist_ok=True)
        hostile_files(sys.argv[2])
        damaged_swmr(os.path.join(sys.argv[2], "damaged_swmr.h5"))
        return
    if sys.argv[1] == "--big":
        big_file(sys.argv[2], int(sys.argv[3]))
        return
    if sys.argv[1] == "--swmr-writer":
        swmr_writer(sys.argv[2])
        return
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    types_file(os.path.join(out, "types.h5"))
    links_file(os.path.join(out, "links.h5"), out)
    deep_file(os.path.join(out, "deep.h5"))
    many_file(os.path.join(out, "many.h5"))
    attrs_file(os.path.join(out, "attrs.h5"))
    compressed_file(os.path.join(out, "compressed.h5"))
    nexus_file(os.path.join(out, "nexus.h5"))
    with open(os.path.join(types := os.path.join(out, "types.h5")), "rb") as src:
        whole = src.read()
    with open(os.path.join(out, "truncated.h5"), "wb") as dst:
        dst.write(whole[: len(whole) // 2])
    with open(os.path.join(out, "random.h5"), "wb") as dst:
        dst.write(np.random.default_rng(3).bytes(4096))
    with open(os.path.join(out, "empty.nxs"), "wb"):
        pass


if __name__ == "__main__":
    main()
