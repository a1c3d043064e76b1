#!/usr/bin/python3
"""Browser benchmark helper (Debian's /usr/bin/python3: h5py, numpy, silx).

Usage:
  browser_python.py generate <file> [--apparent-gb G]
      writes the benchmark file with h5py (libver "latest", like Acquila's run files):
        /line        10^8 float32, chunks of 2^20 elements (4 MiB), a sine with spikes
                     of +1000 at n//3 and -1000 at 2n//3
        /image       10^4 x 10^4 float32, contiguous (h5py's default layout)
        /image_chunked  the same values, chunked with h5py's automatic chunk shape
        /group       10^4 datasets item_00000 ... item_09999 of 100 float64 each
        /sparse      float32, chunks of 2^20 elements, every chunk allocated when the
                     dataset is created (H5D_ALLOC_TIME_EARLY) but, with
                     H5D_FILL_TIME_NEVER, never written except the first chunk: the file's
                     apparent size reaches G GB (default 10) while the unwritten chunks
                     stay holes in a sparse file
      prints a JSON description on stdout.
  browser_python.py phase <file> <name> [--drop-cache]
      runs one phase in this process with silx.io.open and prints its JSON
      (times in ms, exclusive of the interpreter start and imports; peak RSS).
  browser_python.py compare <file>
      runs every phase, each in a fresh interpreter, and prints one JSON document.

Phases do what bench_browser does with H5Loader: list a group and describe each
child (link kind, object kind, shape, dtype, storage size, NX_class / link count),
reduce the whole 1D dataset to min/max over 1200 columns read in blocks of 2^21
elements, read the image with the same stride as the browser (at most 512 per side),
read one child of the big group.
"""
import json
import math
import os
import resource
import subprocess
import sys
import time

import numpy as np

LINE_N = 10 ** 8
SIDE = 10 ** 4
CHILDREN = 10 ** 4
PAGE = 500          # H5TreeModel::kPageSize
COLUMNS = 1200      # PreviewRequest::columns
IMAGE_SIDE = 512    # PreviewRequest::imageSide
BLOCK = 1 << 21     # PreviewRequest::blockElements


def generate(path, apparent_gb):
    import h5py
    t0 = time.monotonic()
    with h5py.File(path, "w", libver="latest") as f:
        d = f.create_dataset("line", shape=(LINE_N,), dtype="f4", chunks=(1 << 20,))
        block = 1 << 22
        for start in range(0, LINE_N, block):
            stop = min(LINE_N, start + block)
            d[start:stop] = np.sin(np.arange(start, stop, dtype="f8") * 1e-5).astype("f4")
        d[LINE_N // 3] = 1000.0
        d[2 * LINE_N // 3] = -1000.0
        img = f.create_dataset("image", shape=(SIDE, SIDE), dtype="f4")
        imc = f.create_dataset("image_chunked", shape=(SIDE, SIDE), dtype="f4", chunks=True)
        cols = np.arange(SIDE, dtype="f4")
        for r in range(0, SIDE, 500):
            rows = np.arange(r, r + 500, dtype="f4")[:, None]
            band = np.sin(rows * 1e-3) * np.cos(cols * 1e-3)
            img[r:r + 500] = band
            imc[r:r + 500] = band
        g = f.create_group("group")
        values = np.linspace(0.0, 1.0, 100)
        for i in range(CHILDREN):
            g.create_dataset(f"item_{i:05d}", data=values + i)
        f.flush()
        used = f.id.get_filesize()
        chunk = 1 << 20
        n = max(chunk, (int(apparent_gb * 1e9) - used) // 4 // chunk * chunk)
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_chunk((chunk,))
        dcpl.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)
        dcpl.set_fill_time(h5py.h5d.FILL_TIME_NEVER)
        sid = h5py.h5s.create_simple((n,))
        h5py.h5d.create(f.id, b"sparse", h5py.h5t.IEEE_F32LE, sid, dcpl=dcpl)
        f["sparse"][0:chunk] = np.arange(chunk, dtype="f4")
        sparse_n = n
        image_chunks = list(imc.chunks)
    st = os.stat(path)
    return {
        "seconds": round(time.monotonic() - t0, 1),
        "apparent_bytes": st.st_size,
        "allocated_bytes": st.st_blocks * 512,
        "line": {"shape": [LINE_N], "dtype": "float32", "chunks": [1 << 20]},
        "image": {"shape": [SIDE, SIDE], "dtype": "float32", "layout": "contiguous"},
        "image_chunked": {"shape": [SIDE, SIDE], "dtype": "float32", "chunks": image_chunks},
        "group": {"children": CHILDREN, "child": "100 float64, contiguous"},
        "sparse": {"shape": [sparse_n], "dtype": "float32", "chunks": [1 << 20],
                   "written_chunks": 1, "allocation": "early, fill never"},
        "h5py": h5py.__version__, "hdf5": h5py.version.hdf5_version, "libver": "latest",
    }


def drop_cache(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def describe(group, name):
    """What H5Loader::children reports for one child."""
    import h5py
    link = group.get(name, getlink=True)
    obj = group.get(name)
    info = {"name": name, "link": type(link).__name__}
    if isinstance(obj, h5py.Dataset):
        info.update(shape=obj.shape, dtype=str(obj.dtype), storage=obj.id.get_storage_size())
    elif isinstance(obj, h5py.Group):
        info.update(children=len(obj), nx_class=obj.attrs.get("NX_class"))
    return info


def stride_for(extent, target):
    return 1 if extent <= target else (extent + target - 1) // target


def line_minmax(d):
    """Min/max per column of the whole 1D dataset, streamed in blocks (as the browser does)."""
    n = d.shape[0]
    per = math.ceil(n / COLUMNS)
    mins = np.full(COLUMNS, np.inf)
    maxs = np.full(COLUMNS, -np.inf)
    read = 0
    for start in range(0, n, BLOCK):
        stop = min(n, start + BLOCK)
        a = d[start:stop]
        read += a.nbytes
        first, last = start // per, (stop - 1) // per
        bounds = np.maximum(np.arange(first, last + 1) * per - start, 0)
        mins[first:last + 1] = np.minimum(mins[first:last + 1], np.minimum.reduceat(a, bounds))
        maxs[first:last + 1] = np.maximum(maxs[first:last + 1], np.maximum.reduceat(a, bounds))
    return {"points": 2 * COLUMNS, "bytes_read": read, "min": float(mins.min()), "max": float(maxs.max())}


def image_strided(d):
    sr, sc = stride_for(d.shape[0], IMAGE_SIDE), stride_for(d.shape[1], IMAGE_SIDE)
    a = d[::sr, ::sc]
    return {"rows": a.shape[0], "cols": a.shape[1], "stride": [sr, sc], "bytes_read": a.nbytes}


def timed(fn):
    t = time.monotonic()
    out = fn()
    return (time.monotonic() - t) * 1e3, out


def phase(path, name, cold):
    import silx.io
    if cold:
        drop_cache(path)
    result = {"phase": name, "page_cache_dropped": cold}
    if name == "top":
        def top():
            f = silx.io.open(path)
            return f, [describe(f, k) for k in f.keys()]
        ms, (f, nodes) = timed(top)
        result.update(ms=round(ms, 2), nodes=len(nodes))
    else:
        f = silx.io.open(path)
        if name == "expand":
            g = f["group"]

            def first_page():
                names = []
                for k in g.keys():
                    names.append(k)
                    if len(names) == PAGE:
                        break
                return [describe(g, k) for k in names]
            ms1, page = timed(first_page)
            ms2, everything = timed(lambda: [describe(g, k) for k in g.keys()])
            result.update(first_page_ms=round(ms1, 2), first_page_nodes=len(page),
                          whole_group_ms=round(ms2, 2), whole_group_nodes=len(everything))
        else:
            work = {
                "line": lambda: line_minmax(f["line"]),
                "line_whole_read": lambda: whole_read(f["line"]),
                "image": lambda: image_strided(f["image"]),
                "image_chunked": lambda: image_strided(f["image_chunked"]),
                "child": lambda: {"values": int(f["group/item_00000"][()].size)},
            }[name]
            ms1, out = timed(work)
            ms2, _ = timed(work)
            result.update(first_ms=round(ms1, 2), again_ms=round(ms2, 2), **out)
    f.close()
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return result


def whole_read(d):
    """The obvious way: load the dataset, then reduce it."""
    a = d[()]
    per = math.ceil(a.size / COLUMNS)
    pad = np.full(per * COLUMNS - a.size, np.nan, dtype=a.dtype)
    b = np.concatenate([a, pad]).reshape(COLUMNS, per)
    return {"points": 2 * COLUMNS, "bytes_read": a.nbytes,
            "min": float(np.nanmin(b, axis=1).min()), "max": float(np.nanmax(b, axis=1).max())}


def compare(path):
    import h5py
    import silx
    base = {"silx": silx.version, "h5py": h5py.__version__, "numpy": np.__version__}
    t = time.monotonic()
    subprocess.run([sys.executable, "-c", "import silx.io"], check=True)
    base["interpreter_and_import_ms"] = round((time.monotonic() - t) * 1e3, 1)
    for name in ("top", "expand", "line", "image", "image_chunked", "child", "line_whole_read"):
        for cold in (True, False):
            args = [sys.executable, os.path.abspath(__file__), "phase", path, name] + (["--drop-cache"] if cold else [])
            p = subprocess.run(args, capture_output=True, text=True)
            key = f"{name}_{'disk_cold' if cold else 'cache_warm'}"
            if p.returncode != 0:
                base[key] = {"error": p.stderr.strip()[-500:]}
            else:
                base[key] = json.loads(p.stdout)
    return base


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "generate":
        gb = float(sys.argv[sys.argv.index("--apparent-gb") + 1]) if "--apparent-gb" in sys.argv else 10.0
        print(json.dumps(generate(sys.argv[2], gb)))
    elif len(sys.argv) >= 4 and sys.argv[1] == "phase":
        print(json.dumps(phase(sys.argv[2], sys.argv[3], "--drop-cache" in sys.argv), default=str))
    elif len(sys.argv) >= 3 and sys.argv[1] == "compare":
        print(json.dumps(compare(sys.argv[2])))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
