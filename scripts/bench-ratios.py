#!/usr/bin/env python3
"""Decides the same requests, in one run, three ways and writes a table of ratios:

  cedar  cedarpy (Cedar 4.x in Rust) in its fastest honest mode: PolicySet and Entities parsed once into handles,
         then cedarpy.is_authorized per request, timed per request with perf_counter_ns (Python call included);
  vigil  libvigil from a C program (scripts/bench-decide.c, gcc -O2 against the installed header and library),
         each vigil_decide timed with clock_gettime;
  floor  raw LMDB from C (scripts/bench-lmdb-floor.c): issue 3's 4 gets (principal uid, resource uid, both eids in
         `entities`), timed the same way; index format 2 needs only the first two.

Also checks that cedarpy validates the policies against the schema and that every vigil decision equals
Cedar's (STEP_UP counts as deny for Cedar). Usage, from the repository root:

  python3 scripts/bench-ratios.py [--workload DIR] [--requests N] [--out DIR]

--workload: the output of generate-saas-workload (generated into a temporary folder when missing; the temporary
folder, index included, is removed at the end);
--requests: how many requests of each mix (default: all); --out: default bench-results/<UTC date>.
"""
import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import cedarpy

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRATCH = ".build-bench"


def run(cmd, **kw):
    print("+", " ".join(cmd), file=sys.stderr)
    return subprocess.run(cmd, check=True, text=True, **kw)


def build(work):
    """Builds the vigil CLI and libvigil (release), installs libvigil and builds the two C programs."""
    run(["swift", "build", "-c", "release", "--scratch-path", SCRATCH, "--product", "vigil"], cwd=ROOT)
    run(["swift", "build", "-c", "release", "--scratch-path", SCRATCH, "--product", "VigilC"], cwd=ROOT)
    bindir = run(["swift", "build", "-c", "release", "--scratch-path", SCRATCH, "--show-bin-path"], cwd=ROOT,
                 capture_output=True).stdout.strip()
    prefix = os.path.join(work, "prefix")
    run(["bash", "scripts/install-libvigil.sh", prefix, bindir], cwd=ROOT)
    env = dict(os.environ, PKG_CONFIG_PATH=os.path.join(prefix, "lib", "pkgconfig"))
    flags = run(["pkg-config", "--cflags", "--libs", "vigil"], env=env, capture_output=True).stdout.split()
    decide = os.path.join(work, "bench-decide")
    floor = os.path.join(work, "bench-lmdb-floor")
    run(["gcc", "-O2", "-std=c11", "-Wall", "-Wextra", "-o", decide, os.path.join(ROOT, "scripts/bench-decide.c")]
        + flags + ["-Wl,-rpath," + os.path.join(prefix, "lib")])
    run(["gcc", "-O2", "-std=c11", "-Wall", "-Wextra", "-o", floor, os.path.join(ROOT, "scripts/bench-lmdb-floor.c"),
         "-llmdb"])
    return os.path.join(bindir, "vigil"), decide, floor


def generate(workload):
    run(["swift", "build", "-c", "release", "--product", "generate-saas-workload"],
        cwd=os.path.join(ROOT, "Benchmarks"))
    run([os.path.join(ROOT, "Benchmarks/.build/release/generate-saas-workload"), workload])


def cedar_times(reqs, policies, entities):
    """Per-request microseconds and decisions (True for allow) through cedarpy with pre-parsed handles."""
    times, allow = [], []
    clock = time.perf_counter_ns
    for r in reqs:
        t0 = clock()
        res = cedarpy.is_authorized(r, policies, entities)
        times.append((clock() - t0) / 1000)
        allow.append(res.decision == cedarpy.Decision.Allow)
    return times, allow


def cedarpy_version():
    try:
        from importlib.metadata import version
        return version("cedarpy")
    except Exception:
        return "(version unknown)"


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * q))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workload")
    ap.add_argument("--requests", type=int, default=0)
    ap.add_argument("--out", default=os.path.join(ROOT, "bench-results",
                                                  datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")))
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="vigil-ratios-")
    workload = args.workload or os.path.join(work, "workload")
    if not os.path.exists(os.path.join(workload, "policies.cedar")):
        generate(workload)
    vigil, decide, floor = build(work)

    policy_text = open(os.path.join(workload, "policies.cedar")).read()
    schema_text = open(os.path.join(workload, "schema.cedarschema")).read()
    validation = cedarpy.validate_policies(policy_text, schema_text)
    if not validation.validation_passed:
        sys.exit(f"cedarpy rejects the policies: {validation.errors}")

    index = os.path.join(work, "index")
    t0 = time.perf_counter()
    run([vigil, "compile", "--policies", os.path.join(workload, "policies.cedar"), "--entities",
         os.path.join(workload, "entities.json"), "--schema", os.path.join(workload, "schema.cedarschema"),
         "--out", index], stdout=subprocess.DEVNULL)
    cli_compile_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    policies = cedarpy.PolicySet.from_str(policy_text)
    # With the schema, the handle also holds the action entities and their groups (view ∈ read, ...), which the
    # policies need and which vigil takes from the schema too.
    entities_text = open(os.path.join(workload, "entities.json")).read()
    entities = cedarpy.Entities.from_json_str(entities_text, schema=schema_text)
    cedar_load_s = time.perf_counter() - t0

    rows = []
    for mix in ("zipf", "uniform"):
        with open(os.path.join(workload, f"requests-{mix}.jsonl")) as f:
            reqs = [json.loads(line) for line in f if line.strip()]
        if args.requests:
            reqs = reqs[: args.requests]
        tsv = os.path.join(work, f"{mix}.tsv")
        with open(tsv, "w") as f:
            for r in reqs:
                f.write("\t".join([r["principal"]["type"], r["principal"]["id"], r["action"]["type"],
                                   r["action"]["id"], r["resource"]["type"], r["resource"]["id"],
                                   json.dumps(r["context"], separators=(",", ":"))]) + "\n")
        effects = os.path.join(work, f"{mix}.effects")
        v = json.loads(run([decide, index, tsv, effects], capture_output=True).stdout)
        fl = json.loads(run([floor, index, tsv], capture_output=True).stdout)
        ctimes, callow = cedar_times(reqs, policies, entities)
        veffects = [int(x) for x in open(effects).read().split()]
        mismatches = sum(1 for a, e in zip(callow, veffects) if a != (e == 1))
        counts = {name: veffects.count(code) for name, code in (("allow", 1), ("deny", 0), ("step_up", 2))}
        rows.append(dict(mix=mix, n=len(reqs), vigil=v, floor=fl, cedar=dict(
            p50_us=pct(ctimes, 0.5), p99_us=pct(ctimes, 0.99), mean_us=statistics.fmean(ctimes)),
            mismatches=mismatches, counts=counts))
        print(json.dumps(rows[-1]), file=sys.stderr)

    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "ratios.md"), "w") as f:
        f.write(report(rows, cli_compile_s, cedar_load_s, args))
    with open(os.path.join(args.out, "ratios.json"), "w") as f:
        json.dump(rows, f, indent=1)
    print(open(os.path.join(args.out, "ratios.md")).read())
    # The index, the installed library and the request files take a few hundred MB.
    shutil.rmtree(work, ignore_errors=True)


def report(rows, cli_compile_s, cedar_load_s, args):
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    out = [
        "# Vigil against Cedar and the LMDB floor, same requests, one run",
        "",
        f"- Date: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%MZ')}; commit {commit}; "
        f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}; load average before: "
        f"{open('/proc/loadavg').read().split()[0:3]}; cedarpy {cedarpy_version()}.",
        "- Command: `nice -n -10 python3 scripts/bench-ratios.py"
        f"{' --requests ' + str(args.requests) if args.requests else ''}"
        f"{' --workload ' + args.workload if args.workload else ''}` (the SaaS workload of "
        "`generate-saas-workload`, default sizes and seeds).",
        "- cedar: `cedarpy.is_authorized(request, PolicySet, Entities)` with handles parsed once (Entities with the "
        "schema, for the action groups; load "
        f"{cedar_load_s:.1f} s), timed per request in Python (the call's own overhead included). vigil: "
        "`vigil_decide` from C (gcc -O2, installed libvigil), each call timed with `clock_gettime`, 3 passes after a "
        "warm-up pass. floor: 4 raw `mdb_get` (principal uid, resource uid, both eids in `entities`: issue 3's floor; "
        "index format 2 reads each record with its uid, so its evaluator needs only the first two) with the read "
        "transaction renewed and reset per request, timed the same way. The clock pair's own cost is listed.",
        f"- `vigil compile` of the same files (CLI, parse + validate + compile + publish): {cli_compile_s:.2f} s.",
        "",
        "| mix | requests | cedar p50 / p99 / mean µs | vigil p50 / p99 / mean µs | floor p50 / p99 / mean µs "
        "| vigil/floor (p50, mean) | cedar/vigil (p50, mean) | decisions equal to Cedar's |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        v, fl, c = r["vigil"], r["floor"], r["cedar"]
        us = lambda d, k: d[k] / 1000
        out.append(
            f"| {r['mix']} | {r['n']:,} | {c['p50_us']:.1f} / {c['p99_us']:.1f} / {c['mean_us']:.1f} "
            f"| {us(v, 'p50_ns'):.2f} / {us(v, 'p99_ns'):.2f} / {us(v, 'mean_ns'):.2f} "
            f"| {us(fl, 'p50_ns'):.2f} / {us(fl, 'p99_ns'):.2f} / {us(fl, 'mean_ns'):.2f} "
            f"| {v['p50_ns'] / fl['p50_ns']:.2f}×, {v['mean_ns'] / fl['mean_ns']:.2f}× "
            f"| {c['p50_us'] * 1000 / v['p50_ns']:.0f}×, {c['mean_us'] * 1000 / v['mean_ns']:.0f}× "
            f"| {r['n'] - r['mismatches']:,} of {r['n']:,} |")
    out += ["", "Decisions (vigil): " + "; ".join(
        f"{r['mix']}: {r['counts']['allow']:,} allow, {r['counts']['deny']:,} deny, {r['counts']['step_up']:,} step-up"
        for r in rows) + ".",
        "Loop means without per-call clocks (vigil, floor, ns): " + "; ".join(
        f"{r['mix']}: {r['vigil']['loop_mean_ns']:.0f}, {r['floor']['loop_mean_ns']:.0f}" for r in rows)
        + f"; one clock_gettime pair costs about {rows[0]['vigil']['clock_overhead_ns']} ns.", ""]
    return "\n".join(out)


if __name__ == "__main__":
    main()
