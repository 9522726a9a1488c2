#!/usr/bin/env python3
"""Publish latency: how long until a host process decides on what was just changed, through the running vigild.

  policy edit  a policy file is rewritten (atomically, alternating two versions that decide one request
               differently); timed from the rename until a host process (Python through libvigil's C ABI,
               deciding in a tight loop) first decides the new way. Goal: p99 <= 100 ms.
  data change  a principal's risk is set through the admin socket (alternating two values that decide one request
               differently); timed from sending the request until the host first decides the new way, which for
               an acknowledged change must be the first decision after the answer. Goal: p99 <= 5 ms.

vigild runs on examples/saas (release build). Usage, from the repository root:

  python3 scripts/bench-publish.py [--edits 200] [--changes 1000] [--out bench-results/<UTC date>]

Writes publish.md and publish.json in --out.
"""
import argparse
import datetime
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRATCH = ".build-bench"
CTX = {"ip": "10.1.2.3", "now": "2025-06-02T14:30:00Z"}


def run(cmd, **kw):
    print("+", " ".join(cmd), file=sys.stderr)
    return subprocess.run(cmd, check=True, text=True, **kw)


def admin(sock_path, method, path, body):
    """One HTTP/1.1 request on the admin socket; returns (status, parsed body)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sock_path)
    data = body.encode()
    s.sendall(f"{method} {path} HTTP/1.1\r\nHost: vigild\r\nConnection: close\r\n"
              f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n".encode() + data)
    raw = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        raw += chunk
    s.close()
    head, _, rest = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1])
    if b"chunked" in head.lower():
        out, i = b"", 0
        while True:
            j = rest.index(b"\r\n", i)
            n = int(rest[i:j], 16)
            if n == 0:
                break
            out += rest[j + 2:j + 2 + n]
            i = j + 2 + n + 2
        rest = out
    return status, json.loads(rest or b"{}")


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * q))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--edits", type=int, default=200)
    ap.add_argument("--changes", type=int, default=1000)
    ap.add_argument("--out", default=os.path.join(ROOT, "bench-results",
                                                  datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")))
    args = ap.parse_args()
    run(["swift", "build", "-c", "release", "--scratch-path", SCRATCH, "--product", "vigild"], cwd=ROOT)
    run(["swift", "build", "-c", "release", "--scratch-path", SCRATCH, "--product", "VigilC"], cwd=ROOT)
    bindir = run(["swift", "build", "-c", "release", "--scratch-path", SCRATCH, "--show-bin-path"], cwd=ROOT,
                 capture_output=True).stdout.strip()
    work = tempfile.mkdtemp(prefix="vigil-publish-")
    lib = os.path.join(work, "lib")
    os.makedirs(lib)
    os.symlink(os.path.join(bindir, "libVigilC.so"), os.path.join(lib, "libvigil.so.0"))
    os.environ["VIGIL_LIB"] = os.path.join(lib, "libvigil.so.0")
    sys.path.insert(0, os.path.join(ROOT, "examples/hosts/python"))
    from vigil_ctypes import Index

    ex = os.path.join(ROOT, "examples/saas")
    policies = os.path.join(work, "policies")
    shutil.copytree(os.path.join(ex, "policies"), policies)
    data = os.path.join(work, "data")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = open(os.path.join(work, "vigild.log"), "w")
    daemon = subprocess.Popen([os.path.join(bindir, "vigild"), "--data", data, "--policies", policies,
                               "--schema", os.path.join(ex, "schema.cedarschema"),
                               "--entities", os.path.join(ex, "entities.json"), "--listen", f"127.0.0.1:{port}"],
                              stdout=log, stderr=log)
    sock = os.path.join(data, "admin.sock")
    for _ in range(600):
        if os.path.exists(sock) and os.path.exists(os.path.join(data, "data.mdb")):
            break
        time.sleep(0.05)
    time.sleep(0.3)
    try:
        ix = Index(data)
        frank = (("User", "frank"), ("Action", "editDocument"), ("Document", "architecture-overview"))

        def frank_edits():
            return ix.decide(*frank, context=CTX).effect

        # Policy edits: the read-only threshold alternates between 80 (frank, at 85, denied) and 90 (allowed).
        path = os.path.join(policies, "context.cedar")
        original = open(path).read()
        versions = {"deny": original, "allow": original.replace("principal.risk >= 80", "principal.risk >= 90")}
        edit_ms = []
        for i in range(args.edits):
            want = "allow" if i % 2 == 0 else "deny"
            tmp = path + ".tmp"
            with open(tmp, "w") as f:
                f.write(versions[want])
            t0 = time.perf_counter()
            os.rename(tmp, path)
            while frank_edits() != want:
                if time.perf_counter() - t0 > 5:
                    sys.exit(f"edit {i}: not visible after 5 s")
            edit_ms.append((time.perf_counter() - t0) * 1000)
        open(path, "w").write(original)
        time.sleep(0.2)

        # Data changes: frank's risk alternates between 10 (allowed) and 95 (denied).
        change_ms, first_after_ack = [], 0
        for i in range(args.changes):
            risk, want = (10, "allow") if i % 2 == 0 else (95, "deny")
            t0 = time.perf_counter()
            status, body = admin(sock, "PUT", "/v1/principals/User/frank/risk", json.dumps({"risk": risk}))
            if status != 200:
                sys.exit(f"change {i}: {status} {body}")
            first = frank_edits()
            first_after_ack += first == want
            while first != want:
                first = frank_edits()
            change_ms.append((time.perf_counter() - t0) * 1000)
        ix.close()
    finally:
        daemon.terminate()
        daemon.wait()
        log.close()

    rows = {
        "policy_edit_ms": {"n": len(edit_ms), "p50": pct(edit_ms, 0.5), "p90": pct(edit_ms, 0.9),
                           "p99": pct(edit_ms, 0.99), "max": max(edit_ms), "goal_p99": 100},
        "data_change_ms": {"n": len(change_ms), "p50": pct(change_ms, 0.5), "p90": pct(change_ms, 0.9),
                           "p99": pct(change_ms, 0.99), "max": max(change_ms), "goal_p99": 5,
                           "first_decision_after_ack_saw_it": f"{first_after_ack}/{len(change_ms)}"},
    }
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "publish.json"), "w") as f:
        json.dump(rows, f, indent=1)
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    commit = run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True).stdout.strip()
    e, c = rows["policy_edit_ms"], rows["data_change_ms"]
    md = "\n".join([
        "# Publish latency through vigild (examples/saas)",
        "",
        f"- date (UTC): {now}; commit {commit}; machine: {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, load before {os.getloadavg()[0]:.2f}",
        f"- command: `python3 scripts/bench-publish.py --edits {args.edits} --changes {args.changes}` (release build)",
        "- host: Python ctypes through libvigil, deciding `frank editDocument architecture-overview` in a tight loop",
        "",
        "| change | n | p50 ms | p90 ms | p99 ms | max ms | goal p99 |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        f"| policy file edit -> host decides the new way | {e['n']} | {e['p50']:.2f} | {e['p90']:.2f} | "
        f"{e['p99']:.2f} | {e['max']:.2f} | <= 100 ms |",
        f"| data change (admin socket) -> host decides the new way | {c['n']} | {c['p50']:.2f} | {c['p90']:.2f} | "
        f"{c['p99']:.2f} | {c['max']:.2f} | <= 5 ms |",
        "",
        f"The first host decision after each data change's answer saw the change in {c['first_decision_after_ack_saw_it']}"
        " of the changes.",
        "",
    ])
    with open(os.path.join(args.out, "publish.md"), "w") as f:
        f.write(md)
    print(md)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
