"""Deciding with libvigil from Python through ctypes: a small binding and a command-line check.

    from vigil_ctypes import Index
    ix = Index("/var/lib/vigil/index")            # loads libvigil.so.0 (LD_LIBRARY_PATH or VIGIL_LIB)
    d = ix.decide(("User", "alice"), ("Action", "view"), ("Document", "d1"), context={"ip": "10.0.0.1"})
    d.effect, d.reasons, d.errors                 # "allow" | "deny" | "step_up", [policy ids], [(id, message)]

As a script: `python3 vigil_ctypes.py INDEX_DIR REQUESTS.jsonl` decides each request (Cedar's request JSON, one per
line, with an expected "decision" field and optional "reasons" and "stepUp") and prints `ctypes: N passed, M failed`.
"""
import ctypes
import ctypes.util
import json
import os
import sys

MAX_POLICIES = 64
EFFECTS = {0: "deny", 1: "allow", 2: "step_up"}


class Request(ctypes.Structure):
    _fields_ = [
        ("principal_type", ctypes.c_char_p), ("principal_type_len", ctypes.c_size_t),
        ("principal_id", ctypes.c_char_p), ("principal_id_len", ctypes.c_size_t),
        ("action_type", ctypes.c_char_p), ("action_type_len", ctypes.c_size_t),
        ("action_id", ctypes.c_char_p), ("action_id_len", ctypes.c_size_t),
        ("resource_type", ctypes.c_char_p), ("resource_type_len", ctypes.c_size_t),
        ("resource_id", ctypes.c_char_p), ("resource_id_len", ctypes.c_size_t),
        ("context_json", ctypes.c_char_p), ("context_json_len", ctypes.c_size_t),
        ("session_id", ctypes.c_char_p), ("session_id_len", ctypes.c_size_t),
        ("now_ms", ctypes.c_int64),
    ]


class Result(ctypes.Structure):
    _fields_ = [
        ("effect", ctypes.c_int32), ("reason", ctypes.c_int32), ("generation", ctypes.c_uint64),
        ("step_up_level", ctypes.c_uint32), ("max_age", ctypes.c_uint32),
        ("determining_count", ctypes.c_uint32), ("error_count", ctypes.c_uint32),
        ("determining", ctypes.c_uint32 * MAX_POLICIES), ("errored", ctypes.c_uint32 * MAX_POLICIES),
        ("error_kind", ctypes.c_uint32 * MAX_POLICIES), ("error_pc", ctypes.c_uint32 * MAX_POLICIES),
    ]


class Decision:
    def __init__(self, effect, reasons, errors, step_up_level, max_age, generation):
        self.effect, self.reasons, self.errors = effect, reasons, errors
        self.step_up_level, self.max_age, self.generation = step_up_level, max_age, generation

    def __repr__(self):
        return f"Decision({self.effect}, reasons={self.reasons}, errors={self.errors})"


def _load():
    path = os.environ.get("VIGIL_LIB") or ctypes.util.find_library("vigil") or "libvigil.so.0"
    lib = ctypes.CDLL(path)
    lib.vigil_index_open.argtypes = [ctypes.c_char_p, ctypes.c_uint, ctypes.POINTER(ctypes.c_void_p)]
    lib.vigil_index_close.argtypes = [ctypes.c_void_p]
    lib.vigil_index_close.restype = None
    lib.vigil_decide.argtypes = [ctypes.c_void_p, ctypes.POINTER(Request), ctypes.POINTER(Result)]
    lib.vigil_policy_id.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_char_p, ctypes.c_size_t,
                                    ctypes.c_char_p, ctypes.c_size_t]
    lib.vigil_error_message.argtypes = [ctypes.c_void_p, ctypes.POINTER(Result), ctypes.c_uint32,
                                        ctypes.c_char_p, ctypes.c_size_t]
    lib.vigil_strerror.restype = ctypes.c_char_p
    lib.vigil_strerror.argtypes = [ctypes.c_int]
    return lib


class VigilError(Exception):
    pass


class Index:
    """A read-only handle on a Vigil index; share it across threads freely."""

    def __init__(self, path, fail_open=False):
        self._lib = _load()
        self._handle = ctypes.c_void_p()
        rc = self._lib.vigil_index_open(path.encode(), 1 if fail_open else 0, ctypes.byref(self._handle))
        if rc != 0:
            raise VigilError(self._lib.vigil_strerror(rc).decode())

    def close(self):
        if self._handle:
            self._lib.vigil_index_close(self._handle)
            self._handle = ctypes.c_void_p()

    def __del__(self):
        self.close()

    def _policy_id(self, number):
        buf, annotated = ctypes.create_string_buffer(512), ctypes.create_string_buffer(512)
        self._lib.vigil_policy_id(self._handle, number, buf, 512, annotated, 512)
        return annotated.value.decode() or buf.value.decode()

    def decide(self, principal, action, resource, context=None, session=None, now_ms=0):
        """principal, action, resource: (type, id) pairs; context: a dict or a JSON string."""
        fields = {}
        for name, (t, i) in (("principal", principal), ("action", action), ("resource", resource)):
            fields[name] = (t.encode(), i.encode())
        ctx = context if isinstance(context, (str, type(None))) else json.dumps(context)
        ctx_bytes = ctx.encode() if ctx is not None else None
        sess = session.encode() if session else None
        req = Request(
            fields["principal"][0], len(fields["principal"][0]), fields["principal"][1], len(fields["principal"][1]),
            fields["action"][0], len(fields["action"][0]), fields["action"][1], len(fields["action"][1]),
            fields["resource"][0], len(fields["resource"][0]), fields["resource"][1], len(fields["resource"][1]),
            ctx_bytes, len(ctx_bytes) if ctx_bytes else 0, sess, len(sess) if sess else 0, now_ms)
        res = Result()
        rc = self._lib.vigil_decide(self._handle, ctypes.byref(req), ctypes.byref(res))
        if rc != 0:
            raise VigilError(self._lib.vigil_strerror(rc).decode())
        shown = min(res.determining_count, MAX_POLICIES)
        reasons = [self._policy_id(res.determining[i]) for i in range(shown)]
        errors = []
        for i in range(min(res.error_count, MAX_POLICIES)):
            msg = ctypes.create_string_buffer(1024)
            self._lib.vigil_error_message(self._handle, ctypes.byref(res), i, msg, 1024)
            errors.append((self._policy_id(res.errored[i]), msg.value.decode()))
        return Decision(EFFECTS.get(res.effect, "deny"), reasons, errors, res.step_up_level, res.max_age,
                        res.generation)


def _check(index_path, requests_path):
    ix = Index(index_path)
    passed = failed = 0
    with open(requests_path) as f:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)
            d = ix.decide((r["principal"]["type"], r["principal"]["id"]), (r["action"]["type"], r["action"]["id"]),
                          (r["resource"]["type"], r["resource"]["id"]), r.get("context", {}))
            want = "step_up" if r.get("stepUp") else r["decision"].lower()
            ok = d.effect == want and ("reasons" not in r or sorted(d.reasons) == sorted(r["reasons"]))
            if ok:
                passed += 1
            else:
                failed += 1
                print(f"mismatch: {r.get('description', line.strip())}\n  want {want} {r.get('reasons')}\n  got  {d}")
    ix.close()
    print(f"ctypes: {passed} passed, {failed} failed")
    return failed == 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__)
        sys.exit(2)
    sys.exit(0 if _check(sys.argv[1], sys.argv[2]) else 1)
