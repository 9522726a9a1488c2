#!/usr/bin/env python3
"""Differential test: Vigil's C evaluator against Cedar's own engine (cedarpy) on random worlds.

Each world is a random entity graph (nested groups and folders, attributes of every type, tags), a random policy
set (every scope form, templates' static shapes, conditions drawn from Cedar's whole expression grammar, including
ones that raise errors: missing attributes, type errors, overflow, bad extension arguments) and random requests.
Every request is decided by cedarpy and twice by `vigil authorize --requests` over an index built by `vigil compile`:
one vigil_decide call per request, and with `--batch`, one vigil_decide_batch call per run of requests sharing a
principal and context (the generator makes such runs). The decision, the determining policies and the erroring
policies must be Cedar's both ways.

    scripts/differential.py --vigil .build/debug/vigil --worlds 100 --requests 100 --seed 1

prints `differential: N passed, M failed` and exits 1 on any mismatch, after writing the first mismatching world
to --keep DIR (default: a temporary folder it names) so it can be replayed.
"""
import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

import cedarpy

TYPES = ["User", "Group", "Doc", "Folder"]
ACTIONS = ["read", "write", "share", "admin", "readGroup", "allActions"]
ATTRS = ["age", "name", "level", "flag", "tags", "owner", "profile", "ip", "score", "when", "ttl", "big"]
STRINGS = ["", "a", "alice", "bob", "x*y", "café", "e\u0301", "ÅB", "a\"b", "a\\*b", "long string value"]
IPS = ["10.0.0.1", "10.0.0.0/8", "192.168.1.7", "127.0.0.1", "::1", "ff02::1", "2001:db8::/32", "224.0.0.1"]
DECIMALS = ["0.0", "1.5", "-2.25", "922337203685477.5807", "0.0001", "12.34"]
DATETIMES = ["2024-01-01", "2024-06-15T12:30:00Z", "1970-01-01T00:00:00.001Z", "2024-06-15T12:30:00+0130"]
DURATIONS = ["1h", "-2d3h", "90m", "1s500ms", "0ms", "106751991167d"]
BIG = [0, 1, -1, 7, 42, 2**62, -(2**62), 2**63 - 1, -(2**63)]


class World:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.uids = {t: [f"{t.lower()}{i}" for i in range(rng.randint(2, 5))] for t in TYPES}

    # ---- entities ----
    def uid(self, t=None):
        t = t or self.rng.choice(TYPES)
        return {"type": t, "id": self.rng.choice(self.uids[t])}

    def cedar_uid(self, u):
        return f'{u["type"]}::{cedar_string(u["id"])}'

    def json_value(self, depth=0):
        r = self.rng.randrange(12 if depth < 2 else 8)
        if r == 0:
            return self.rng.choice([True, False])
        if r == 1:
            return self.rng.choice(BIG)
        if r == 2:
            return self.rng.choice(STRINGS)
        if r == 3:
            return {"__entity": self.uid()}
        if r == 4:
            return {"__extn": {"fn": "ip", "arg": self.rng.choice(IPS)}}
        if r == 5:
            return {"__extn": {"fn": "decimal", "arg": self.rng.choice(DECIMALS)}}
        if r == 6:
            return {"__extn": {"fn": "datetime", "arg": self.rng.choice(DATETIMES)}}
        if r == 7:
            return {"__extn": {"fn": "duration", "arg": self.rng.choice(DURATIONS)}}
        if r in (8, 9):
            return [self.json_value(depth + 1) for _ in range(self.rng.randrange(4))]
        return {a: self.json_value(depth + 1) for a in self.rng.sample(ATTRS, self.rng.randrange(4))}

    def entities(self):
        out = []
        for t in TYPES:
            for i in self.uids[t]:
                if self.rng.random() < 0.15:
                    continue  # referenced but absent
                parents = []
                for pt in {"User": ["Group"], "Group": ["Group"], "Doc": ["Folder"], "Folder": ["Folder"]}[t]:
                    for k, p in enumerate(self.uids[pt]):
                        # Within one type, parents come later in the list: Cedar refuses cycles.
                        if (pt != t or k > self.uids[t].index(i)) and self.rng.random() < 0.3:
                            parents.append({"type": pt, "id": p})
                attrs = {a: self.json_value() for a in self.rng.sample(ATTRS, self.rng.randrange(6))}
                e = {"uid": {"type": t, "id": i}, "attrs": attrs, "parents": parents}
                if self.rng.random() < 0.3:
                    e["tags"] = {k: self.json_value() for k in self.rng.sample(ATTRS, self.rng.randrange(3))}
                out.append(e)
        for a in ACTIONS:
            parents = [{"type": "Action", "id": "allActions"}] if a != "allActions" else []
            if a == "read":
                parents.append({"type": "Action", "id": "readGroup"})
            out.append({"uid": {"type": "Action", "id": a}, "attrs": {}, "parents": parents})
        return out

    # ---- policies ----
    def literal(self):
        r = self.rng.randrange(9)
        if r == 0:
            return self.rng.choice(["true", "false"])
        if r == 1:
            return str(self.rng.choice(BIG)) if self.rng.random() < 0.8 else str(self.rng.randrange(100))
        if r == 2:
            return cedar_string(self.rng.choice(STRINGS))
        if r == 3:
            return self.cedar_uid(self.uid())
        if r == 4:
            return f'ip({cedar_string(self.rng.choice(IPS + ["bad ip"]))})'
        if r == 5:
            return f'decimal({cedar_string(self.rng.choice(DECIMALS + ["1.23456"]))})'
        if r == 6:
            return f'datetime({cedar_string(self.rng.choice(DATETIMES + ["2024-13-01"]))})'
        if r == 7:
            return f'duration({cedar_string(self.rng.choice(DURATIONS + ["1x"]))})'
        return "[" + ", ".join(self.literal() for _ in range(self.rng.randrange(3))) + "]"

    def var(self):
        return self.rng.choice(["principal", "resource", "action", "context"])

    def expr(self, depth=0):
        if depth > 3:
            return self.rng.choice([self.literal(), self.var(), f"{self.var()}.{self.rng.choice(ATTRS)}"])
        d = depth + 1
        r = self.rng.randrange(24)
        a = lambda: self.expr(d)  # noqa: E731
        if r == 0:
            return self.literal()
        if r == 1:
            return f"{self.var()}.{self.rng.choice(ATTRS)}"
        if r == 2:
            return f"{a()}.{self.rng.choice(ATTRS)}"
        if r == 3:
            return f"({a()} has {self.rng.choice(ATTRS)})"
        if r == 4:
            return f"({a()} {self.rng.choice(['==', '!=', '<', '<=', '>', '>='])} {a()})"
        if r == 5:
            return f"({a()} {self.rng.choice(['&&', '||'])} {a()})"
        if r == 6:
            return f"({a()} {self.rng.choice(['+', '-', '*'])} {a()})"
        if r == 7:
            return f"(!{a()})"
        if r == 8:
            return f"(-{a()})"
        if r == 9:
            return f"({self.var()} in {self.rng.choice([self.cedar_uid(self.uid()), a()])})"
        if r == 10:
            return f"(if {a()} then {a()} else {a()})"
        if r == 11:
            pattern = self.rng.choice(["*", "a*", "*e", "al*ce", "", "x\\*y", "caf*"])
            return f'({a()} like "{pattern}")'
        if r == 12:
            return f"({a()} is {self.rng.choice(TYPES)})"
        if r == 13:
            return f"{a()}.{self.rng.choice(['contains', 'containsAll', 'containsAny'])}({a()})"
        if r == 14:
            return f"{a()}.isEmpty()"
        if r == 15:
            return f"{self.rng.choice(['principal', 'resource'])}.{self.rng.choice(['hasTag', 'getTag'])}({cedar_string(self.rng.choice(ATTRS))})"
        if r == 16:
            return f"{a()}.{self.rng.choice(['isIpv4', 'isIpv6', 'isLoopback', 'isMulticast'])}()"
        if r == 17:
            return f"{a()}.isInRange({a()})"
        if r == 18:
            return f"{a()}.{self.rng.choice(['lessThan', 'lessThanOrEqual', 'greaterThan', 'greaterThanOrEqual'])}({a()})"
        if r == 19:
            return f"{a()}.{self.rng.choice(['toDate', 'toTime', 'toDays', 'toHours', 'toMinutes', 'toSeconds', 'toMilliseconds'])}()"
        if r == 20:
            return f"{a()}.{self.rng.choice(['offset', 'durationSince'])}({a()})"
        if r == 21:
            return "{" + ", ".join(f"{k}: {a()}" for k in self.rng.sample(ATTRS, self.rng.randrange(3))) + "}"
        if r == 22:
            return f"[{a()}, {a()}]"
        return f"({a()} is {self.rng.choice(TYPES)} in {self.cedar_uid(self.uid())})"

    def condition(self):
        """A condition that is usually Boolean and often true, so permits and forbids both get to decide."""
        r = self.rng.randrange(10)
        v = self.rng.choice(["principal", "resource", "context"])
        a = self.rng.choice(ATTRS)
        if r == 0:
            return f"{v} has {a}"
        if r == 1:
            return f"{v} has {a} && {v}.{a} == {self.literal()}"
        if r == 2:
            return f"principal in {self.cedar_uid(self.uid('Group'))}"
        if r == 3:
            return f"resource in {self.cedar_uid(self.uid('Folder'))}"
        if r == 4:
            return f"!({v} has {a}) || {self.expr(2)}"
        return self.expr()

    def scope(self, var, types):
        r = self.rng.choice([0, 0, 0, 1, 2, 2, 3, 4])
        t = self.rng.choice(types)
        if r == 0:
            return var
        if r == 1:
            return f"{var} == {self.cedar_uid(self.uid(t))}"
        if r == 2:
            return f"{var} in {self.cedar_uid(self.uid(self.rng.choice(types)))}"
        if r == 3:
            return f"{var} is {t}"
        return f"{var} is {t} in {self.cedar_uid(self.uid(self.rng.choice(types)))}"

    def action_scope(self):
        r = self.rng.choice([0, 0, 1, 2, 3])
        if r == 0:
            return "action"
        if r == 1:
            return f'action == Action::"{self.rng.choice(ACTIONS)}"'
        if r == 2:
            return f'action in Action::"{self.rng.choice(ACTIONS)}"'
        picks = self.rng.sample(ACTIONS, self.rng.randint(1, 3))
        return "action in [" + ", ".join(f'Action::"{a}"' for a in picks) + "]"

    def policies(self):
        out = []
        for _ in range(self.rng.randint(1, 8)):
            effect = "permit" if self.rng.random() < 0.7 else "forbid"
            conds = []
            # A forbid without a condition would deny most requests and hide the permits' behaviour.
            for _ in range(self.rng.choice([0, 0, 1, 1, 2] if effect == "permit" else [1, 1, 2])):
                conds.append(f"{self.rng.choice(['when', 'when', 'unless'])} {{ {self.condition()} }}")
            out.append(f"{effect} ({self.scope('principal', ['User', 'Group'])}, {self.action_scope()}, "
                       f"{self.scope('resource', ['Doc', 'Folder'])}) {' '.join(conds)};")
        return "\n".join(out) + "\n"

    def requests(self, n):
        """n requests: about a third alone, the others in runs that share a principal and a context over several
        actions and resources (each resource often with several actions), as a page's checks do, so that
        `vigil authorize --batch` decides them in one call of many pairs."""
        out = []
        while len(out) < n:
            p = self.uid(self.rng.choice(["User", "Group"]))
            if self.rng.random() < 0.05:
                p = {"type": "User", "id": "nobody"}
            context = {a: self.json_value() for a in self.rng.sample(ATTRS, self.rng.randrange(4))}
            if self.rng.random() < 0.35:
                pairs = [(self.rng.choice(ACTIONS), self.uid(self.rng.choice(["Doc", "Folder"])))]
            else:
                resources = [self.uid(self.rng.choice(["Doc", "Folder"])) for _ in range(self.rng.randint(1, 4))]
                actions = self.rng.sample(ACTIONS, self.rng.randint(1, 4))
                pairs = [(a, r) for r in resources for a in actions]
                self.rng.shuffle(pairs)
                pairs = pairs[:self.rng.randint(2, 12)]
            for a, r in pairs[:n - len(out)]:
                out.append({"principal": p, "action": {"type": "Action", "id": a}, "resource": r,
                            "context": context})
        return out


def runs(requests):
    """The lengths of the runs of consecutive requests sharing a principal and context: `--batch`'s calls."""
    lengths = []
    for i, r in enumerate(requests):
        prev = requests[i - 1] if i else None
        if prev and (prev["principal"], prev["context"]) == (r["principal"], r["context"]):
            lengths[-1] += 1
        else:
            lengths.append(1)
    return lengths


def cedar_string(s):
    """A Cedar string literal: Cedar's escapes are Rust's (`\\u{…}`), not JSON's."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


ERROR_ID = re.compile(r"policy `([^`]*)`")


def cedar_results(policies, entities, requests):
    ps = cedarpy.PolicySet.from_str(policies)
    es = json.dumps(entities)
    out = []
    for r in cedarpy.is_authorized_batch(requests, ps, es):
        errors = sorted({m.group(1) for e in r.diagnostics.errors for m in [ERROR_ID.search(str(e))] if m})
        out.append({
            "decision": "allow" if r.decision == cedarpy.Decision.Allow else "deny",
            "reasons": sorted(r.diagnostics.reasons),
            "errors": errors,
        })
    return out


def compile_index(vigil, folder):
    """Builds the world's index with `vigil compile`; raises CalledProcessError when Vigil refuses the world."""
    subprocess.run([vigil, "compile", "--policies", os.path.join(folder, "policies.cedar"),
                    "--entities", os.path.join(folder, "entities.json"), "--out", os.path.join(folder, "index")],
                   check=True, capture_output=True, text=True)


def vigil_results(vigil, folder, batch):
    """The world's requests decided by `vigil authorize --requests`, one call per request or (batch) one
    vigil_decide_batch call per run of requests sharing a principal and context."""
    command = [vigil, "authorize", "--index", os.path.join(folder, "index"),
               "--requests", os.path.join(folder, "requests.jsonl")] + (["--batch"] if batch else [])
    run = subprocess.run(command, check=True, capture_output=True, text=True)
    out = []
    for line in run.stdout.splitlines():
        r = json.loads(line)
        # Without Vigil annotations there is no STEP_UP; keep the comparison strict anyway.
        out.append({"decision": r["decision"], "reasons": sorted(r.get("reasons", [])),
                    "errors": sorted(e["policy"] if isinstance(e, dict) else e for e in r.get("errors", []))})
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vigil", required=True, help="path to the vigil executable")
    ap.add_argument("--worlds", type=int, default=100)
    ap.add_argument("--requests", type=int, default=100, help="requests per world")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", help="where to write the first mismatching world")
    args = ap.parse_args()

    passed = failed = refused = 0
    batched = calls = longest = 0  # requests in runs of 2 or more, those runs (batch calls), the longest run
    first_failure = None
    work = tempfile.mkdtemp(prefix="vigil-diff-")
    try:
        for w in range(args.worlds):
            rng = random.Random(args.seed * 1_000_003 + w)
            world = World(rng)
            entities, policies, requests = world.entities(), world.policies(), world.requests(args.requests)
            folder = os.path.join(work, f"world{w}")
            os.makedirs(folder)
            with open(os.path.join(folder, "policies.cedar"), "w") as f:
                f.write(policies)
            with open(os.path.join(folder, "entities.json"), "w") as f:
                json.dump(entities, f)
            with open(os.path.join(folder, "requests.jsonl"), "w") as f:
                for r in requests:
                    f.write(json.dumps(r) + "\n")
            try:
                expected = cedar_results(policies, entities, requests)
            except Exception as e:
                # Cedar refuses this world (a policy that does not parse): Vigil must refuse it too.
                refused_by_vigil = subprocess.run([args.vigil, "check", os.path.join(folder, "policies.cedar")],
                                                  capture_output=True).returncode != 0
                if refused_by_vigil:
                    refused += 1
                else:
                    failed += 1
                    print(f"world {w}: cedarpy refused it ({e}) but vigil check accepted it", file=sys.stderr)
                continue
            lengths = runs(requests)
            batched += sum(n for n in lengths if n > 1)
            calls += sum(1 for n in lengths if n > 1)
            longest = max([longest] + lengths)
            got = {}
            for mode in ("single", "batch"):
                try:
                    if mode == "single":
                        compile_index(args.vigil, folder)
                    got[mode] = vigil_results(args.vigil, folder, batch=mode == "batch")
                except subprocess.CalledProcessError as e:
                    # Cedar accepted this world and Vigil did not: every request of it is a mismatch.
                    refusal = {"decision": "refused", "reasons": [], "errors": [], "stderr": e.stderr[-2000:]}
                    got[mode] = [refusal] * len(requests)
            # A request passes when both ways give Cedar's answer.
            for i, e in enumerate(expected):
                bad = [m for m in got if i >= len(got[m]) or got[m][i] != e]
                if not bad:
                    passed += 1
                    continue
                failed += 1
                if first_failure is None:
                    first_failure = (w, i, e, {m: got[m][i] if i < len(got[m]) else None for m in bad}, folder)
            if first_failure and first_failure[4] == folder:
                keep = args.keep or tempfile.mkdtemp(prefix="vigil-diff-failure-")
                shutil.copytree(folder, os.path.join(keep, f"world{w}"), dirs_exist_ok=True)
                first_failure = first_failure[:4] + (os.path.join(keep, f"world{w}"),)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    if first_failure:
        w, i, e, g, where = first_failure
        print(f"first mismatch: world {w} request {i} (kept in {where})\n  cedar: {e}\n  vigil: {g}", file=sys.stderr)
    # One line a test runner's summary reader understands: requests compared; refused worlds are counted apart.
    print(f"differential: {passed} passed, {failed} failed ({refused} worlds refused by both Cedar and Vigil); "
          f"each decided singly and with --batch: {batched} requests in {calls} batches of 2 to {longest} pairs")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
