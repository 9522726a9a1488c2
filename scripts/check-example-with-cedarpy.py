#!/usr/bin/env python3
"""Checks an example policy set (default: examples/saas) against cedarpy, the reference Cedar engine.

Asserts that:
  * every policy carries a unique @id, and the policies validate against the schema (strict mode);
  * each request in requests.jsonl gets the expected decision, with exactly the expected determining policies
    (ids are the @id annotations; a template-linked policy is known by its link id);
  * where a request says "stepUp", Vigil's step-up rule holds: Cedar denies, every satisfied forbid carries
    @step_up, some permit would allow without them, and the required level and max age are as stated;
  * every file in broken/ is rejected: syntax-error*.cedar does not parse, type-error*.cedar parses but fails
    validation.

Prints one line per failure and ends with `example: N passed, M failed`; exits 1 on any failure.
Usage: check-example-with-cedarpy.py [EXAMPLE_DIR]
"""
import glob
import json
import os
import sys

import cedarpy


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


class Example:
    """The example's files, loaded and cross-checked."""

    def __init__(self, root):
        self.root = root
        self.schema = read(os.path.join(root, "schema.cedarschema"))
        files = sorted(glob.glob(os.path.join(root, "policies", "*.cedar")))
        if not files:
            raise SystemExit(f"no policies in {root}/policies")
        self.policy_text = "\n".join(read(f) for f in files)
        self.entities = json.loads(read(os.path.join(root, "entities.json")))
        links_path = os.path.join(root, "links.json")
        self.links = json.loads(read(links_path)) if os.path.exists(links_path) else []
        with open(os.path.join(root, "requests.jsonl"), encoding="utf-8") as f:
            self.requests = [json.loads(line) for line in f if line.strip()]

    def policies_by_id(self):
        """The policy set in Cedar's JSON form, re-keyed by @id so decisions name policies the way users do."""
        est = json.loads(cedarpy.policies_to_json_str(self.policy_text))
        out = {"staticPolicies": {}, "templates": {}, "templateLinks": self.links}
        problems = []
        for kind in ("staticPolicies", "templates"):
            for positional, policy in est[kind].items():
                pid = policy.get("annotations", {}).get("id")
                if pid is None:
                    problems.append(f"{positional} has no @id annotation")
                elif pid in out["staticPolicies"] or pid in out["templates"]:
                    problems.append(f"duplicate @id `{pid}`")
                else:
                    out[kind][pid] = policy
        return out, problems


def step_up_of(policies, reasons):
    """Vigil's step-up requirement for satisfied forbids `reasons`, or None if one of them is not a step-up."""
    levels, ages = [], []
    for pid in reasons:
        annotations = policies["staticPolicies"].get(pid, {}).get("annotations", {})
        if "step_up" not in annotations:
            return None
        levels.append(int(annotations["step_up"]))
        if "max_age" in annotations:
            ages.append(int(annotations["max_age"]))
    if not levels:
        return None
    requirement = {"level": max(levels)}
    if ages:
        requirement["maxAge"] = min(ages)
    return requirement


def without_step_up_forbids(policies):
    """The same set with every @step_up forbid removed: it allows exactly when some permit holds and no other
    forbid does."""
    kept = {pid: p for pid, p in policies["staticPolicies"].items()
            if not (p["effect"] == "forbid" and "step_up" in p.get("annotations", {}))}
    return dict(policies, staticPolicies=kept)


def check_request(n, request, policy_set, relaxed_set, policies, entities, schema):
    """Returns a list of failure messages for one request (empty when it behaves as expected)."""
    query = {k: request[k] for k in ("principal", "action", "resource", "context")}
    result = cedarpy.is_authorized(query, policy_set, entities, schema)
    label = f"request {n} ({request.get('description', '')})"
    failures = []
    decision = "Allow" if result.allowed else "Deny"
    if decision != request["decision"]:
        failures.append(f"{label}: expected {request['decision']}, got {decision}")
    errors = list(result.diagnostics.errors)
    if errors:
        failures.append(f"{label}: evaluation errors {errors}")
    reasons = sorted(result.diagnostics.reasons)
    if "reasons" in request and reasons != sorted(request["reasons"]):
        failures.append(f"{label}: expected determining policies {sorted(request['reasons'])}, got {reasons}")
    # Vigil's step-up outcome: a denial whose satisfied forbids are all @step_up, with some permit holding.
    step_up = None
    if decision == "Deny":
        step_up = step_up_of(policies, reasons)
        if step_up is not None and not cedarpy.is_authorized(query, relaxed_set, entities, schema).allowed:
            step_up = None
    if step_up != request.get("stepUp"):
        failures.append(f"{label}: expected step-up {request.get('stepUp')}, got {step_up}")
    return failures


def check_broken(root, schema):
    """Returns failure messages for files in broken/ that are not rejected the way their names say."""
    failures = []
    files = sorted(glob.glob(os.path.join(root, "broken", "*.cedar")))
    for path in files:
        text, name = read(path), os.path.basename(path)
        try:
            cedarpy.PolicySet.from_str(text)
            parses = True
        except ValueError:
            parses = False
        if name.startswith("syntax-error") and parses:
            failures.append(f"broken/{name}: expected a syntax error, but it parses")
        elif name.startswith("type-error"):
            if not parses:
                failures.append(f"broken/{name}: expected it to parse")
            elif cedarpy.validate_policies(text, schema).validation_passed:
                failures.append(f"broken/{name}: expected validation errors, but it validates")
    return len(files), failures


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "examples", "saas")
    example = Example(root)
    failures = []

    validation = cedarpy.validate_policies(example.policy_text, example.schema)
    failures += [f"validation: {e}" for e in validation.errors]
    policies, problems = example.policies_by_id()
    failures += problems
    # Parsing the entities with the schema also checks them against it.
    entities = cedarpy.Entities.from_json_str(json.dumps(example.entities), example.schema)
    policy_set = cedarpy.PolicySet.from_json_str(json.dumps(policies))
    relaxed_set = cedarpy.PolicySet.from_json_str(json.dumps(without_step_up_forbids(policies)))

    passed = failed = 0
    for n, request in enumerate(example.requests, start=1):
        problems = check_request(n, request, policy_set, relaxed_set, policies, entities, example.schema)
        failures += problems
        if problems:
            failed += 1
        else:
            passed += 1

    broken_count, broken_failures = check_broken(root, example.schema)
    failures += broken_failures

    for f in failures:
        print(f"FAIL {f}")
    count = len(policies["staticPolicies"]) + len(policies["templates"])
    print(f"policies: {count} ({len(policies['templates'])} template, {len(example.links)} link), "
          f"schema validation {'passed' if validation.validation_passed else 'FAILED'}; "
          f"broken files rejected: {broken_count - len(broken_failures)}/{broken_count}")
    print(f"example: {passed} passed, {failed} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
