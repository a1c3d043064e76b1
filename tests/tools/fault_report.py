#!/usr/bin/python3
"""Runs the fault matrix N times and writes its reliability table.

Usage: fault_report.py [--build DIR] [--trials N] [--jobs J] [--regex R] [--write-docs]
                       [--save RAW.json | --load RAW.json]

Runs `ctest -R R` (default: the FaultMatrix cases) N times in DIR (default:
build), each case recording its outcome into a JSON-lines file
($ACQUILA_FAULT_REPORT, tests/support/FaultMatrix.h) and ctest recording
pass/fail (JUnit). Prints a Markdown table per fault class: trials, cases
passed, terminal statuses seen, points lost before the fault (must be 0),
time from the fault to the terminal status (median and worst), and the cases
that failed. --write-docs replaces the generated tables in docs/reliability.md
(full) and README.md (summary), between the "fault-table" markers.
"""
import argparse
import collections
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NAME = re.compile(r"FaultMatrix/(\w+)\.(?:\w+/)?(\w+)(?:\s+#.*)?$")
WINDOW = re.compile(r"(?:^|\.)Window\.(\w+)$")

# Order and wording of the rows.
CLASSES = [
    ("DeviceWorkerSigkill", "device worker SIGKILL"),
    ("DeviceWorkerSigstop", "device worker SIGSTOP"),
    ("FaultDeviceCrash", "fault device crash"),
    ("FaultDeviceHang", "fault device hang"),
    ("FaultDeviceThrow", "fault device throw"),
    ("FaultDeviceMalformed", "fault device malformed data"),
    ("FaultDeviceWrongShape", "fault device wrong-shape data"),
    ("SocketFlood", "garbage flood on the worker socket"),
    ("StorageWorkerSigkill", "storage worker SIGKILL"),
    ("StorageWorkerSigstop", "storage worker SIGSTOP"),
    ("DiskFull", "disk full (64 MiB tmpfs)"),
    ("OutputDirectoryRemoved", "output directory removed"),
    ("OutputDirectoryReadOnly", "output directory read-only"),
    ("OutputDirectoryImmutable", "output directory immutable"),
    ("SwmrReaderAcrossEnd", "h5py SWMR reader across the end"),
    ("AppSigkill", "app SIGKILL (headless)"),
    ("ControlsWhileRunning", "Pause/Resume/Stop/Abort, every order, running"),
    ("ControlsDuringRespawn", "Pause/Resume/Stop/Abort, every order, during respawn"),
    ("ControlsDuringFailure", "Pause/Resume/Stop/Abort, every order, during a failure"),
    ("Window", "window offscreen"),
]


def run_trials(build, trials, jobs, regex):
    records, results = [], collections.defaultdict(list)
    for trial in range(trials):
        with tempfile.TemporaryDirectory() as tmp:
            lines = os.path.join(tmp, "records.jsonl")
            junit = os.path.join(tmp, "junit.xml")
            env = dict(os.environ, ACQUILA_FAULT_REPORT=lines, QT_QPA_PLATFORM="offscreen")
            subprocess.run(["ctest", "-j", str(jobs), "--timeout", "300", "-R", regex, "--output-junit", junit],
                           cwd=build, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if os.path.exists(lines):
                with open(lines) as f:
                    records += [json.loads(line) for line in f if line.strip()]
            if os.path.exists(junit):
                for case in ET.parse(junit).getroot().iter("testcase"):
                    status = case.get("status", "run")
                    failed = case.find("failure") is not None or status == "fail"
                    skipped = case.find("skipped") is not None or status in ("notrun", "disabled")
                    results[case.get("name")].append("skip" if skipped else "fail" if failed else "pass")
        print("trial %d/%d done" % (trial + 1, trials), file=sys.stderr)
    return records, results


LINE = re.compile(r"^fault matrix: (.*): (\w*), (-?\d+) points lost before point (-?\d+), ([0-9.]+) s to the terminal status$")


def normalize(name):
    """"FaultMatrix/<Class>.<case>" or "Window.<case>" from a ctest or gtest name of either naming scheme."""
    cls, case = fault_class(name)
    if cls is None:
        return name
    return "Window." + case if cls == "Window" else "FaultMatrix/%s.%s" % (cls, case)


def from_logs(paths):
    """Records and results from ctest LastTest.log files; a case in a later log replaces it from earlier ones."""
    records, results = {}, {}
    for path in paths:
        r, res = from_log(path)
        for rec in r:
            records[normalize(rec["case"])] = rec
        for name, outcomes in res.items():
            results[normalize(name)] = outcomes
    return list(records.values()), results


def from_log(path):
    """Records and results from a ctest LastTest.log (the same numbers, parsed from each case's output)."""
    records, results = [], collections.defaultdict(list)
    name, skipped = None, set()
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            m = re.match(r"^\d+/\d+ Test: (.*)$", line)
            if m:
                name = m.group(1)
                continue
            m = LINE.match(line)
            if m and name:
                records.append({"case": name, "fault": m.group(1), "outcome": m.group(2), "lost_before": int(m.group(3)),
                                "point": int(m.group(4)), "seconds": float(m.group(5))})
            if name and line.startswith("[  SKIPPED ]"):
                skipped.add(name)
            if name and line in ("Test Passed.", "Test Failed."):
                results[name].append("skip" if name in skipped else "pass" if line == "Test Passed." else "fail")
    return records, results


def fault_class(name):
    m = NAME.search(name)
    if m:
        return m.group(1), m.group(2)
    m = WINDOW.search(name)
    return ("Window", m.group(1)) if m else (None, None)


def rows(records, results):
    by_class = collections.defaultdict(lambda: {"trials": 0, "passed": 0, "skipped": 0, "failing": set(),
                                                "statuses": collections.Counter(), "lost": [], "seconds": []})
    for name, outcomes in results.items():
        cls, case = fault_class(name)
        if cls is None:
            continue
        row = by_class[cls]
        for o in outcomes:
            if o == "skip":
                row["skipped"] += 1
                continue
            row["trials"] += 1
            row["passed"] += o == "pass"
            if o == "fail":
                row["failing"].add(case)
    for r in records:
        cls, _ = fault_class(r["case"])
        if cls is None:
            continue
        row = by_class[cls]
        row["statuses"][r["outcome"] or "none"] += 1
        if r["lost_before"] >= 0:
            row["lost"].append(r["lost_before"])
        row["seconds"].append(r["seconds"])
    return by_class


def table(by_class):
    out = ["| fault | trials | passed | terminal status | points lost before the fault | time to terminal status (median / worst) | failing cases |",
           "|---|---|---|---|---|---|---|"]
    for cls, label in CLASSES:
        if cls not in by_class:
            continue
        row = by_class[cls]
        if row["trials"] == 0:
            out.append("| %s | 0 | — | skipped (%d) | — | — | — |" % (label, row["skipped"]))
            continue
        statuses = ", ".join("%s %d" % kv for kv in sorted(row["statuses"].items())) or "—"
        lost = "max %d" % max(row["lost"]) if row["lost"] else "—"
        secs = "%.1f s / %.1f s" % (statistics.median(row["seconds"]), max(row["seconds"])) if row["seconds"] else "—"
        failing = ", ".join(sorted(row["failing"])) or "—"
        out.append("| %s | %d | %d | %s | %s | %s | %s |" % (label, row["trials"], row["passed"], statuses, lost, secs, failing))
    return "\n".join(out)


def summary(by_class):
    """The short form for README: one line per fault class."""
    out = ["| fault | cases passing | points lost before the fault | worst time to terminal status |", "|---|---|---|---|"]
    for cls, label in CLASSES:
        row = by_class.get(cls)
        if not row or row["trials"] == 0:
            continue
        lost = "%d" % max(row["lost"]) if row["lost"] else "—"
        secs = "%.1f s" % max(row["seconds"]) if row["seconds"] else "—"
        out.append("| %s | %d / %d | %s | %s |" % (label, row["passed"], row["trials"], lost, secs))
    return "\n".join(out)


def replace_marked(path, text):
    with open(path) as f:
        content = f.read()
    begin, end = "<!-- fault-table -->", "<!-- /fault-table -->"
    if begin not in content or end not in content:
        raise SystemExit("%s has no %s ... %s markers" % (path, begin, end))
    head, rest = content.split(begin, 1)
    _, tail = rest.split(end, 1)
    with open(path, "w") as f:
        f.write(head + begin + "\n" + text + "\n" + end + tail)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--trials", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--regex", default="FaultMatrix|fault_matrix_window")
    ap.add_argument("--write-docs", action="store_true")
    ap.add_argument("--save", help="also write the raw records and results (JSON) here")
    ap.add_argument("--load", help="make the tables from a file written by --save instead of running")
    ap.add_argument("--from-log", nargs="+", help="make the tables from ctest LastTest.log files instead of running")
    args = ap.parse_args()
    if args.from_log:
        records, results = from_logs(args.from_log)
    elif args.load:
        with open(args.load) as f:
            saved = json.load(f)
        records, results = saved["records"], saved["results"]
    else:
        records, results = run_trials(args.build, args.trials, args.jobs, args.regex)
    by_class = rows(records, results)
    text = table(by_class)
    print(text)
    if args.save:
        with open(args.save, "w") as f:
            json.dump({"records": records, "results": results}, f)
    if args.write_docs:
        replace_marked(os.path.join(ROOT, "docs", "reliability.md"), text)
        replace_marked(os.path.join(ROOT, "README.md"), summary(by_class))
    return 0


if __name__ == "__main__":
    sys.exit(main())
