import VigilData
import VigilPolicy

/// Writes Cedar values as Cedar's JSON value format with explicit escapes, which the C context parser reads
/// without a schema: entities as `{"__entity": {"type", "id"}}` and extension values as
/// `{"__extn": {"fn": "decimal", "arg": "1.2300"}}`.
///
/// Used to hand a context parsed in Swift (for example by `ContextJSON` with a schema) to the C evaluator.
public enum CedarJSON {
    /// The JSON text of `value`. Record keys are written in sorted order, so equal values give equal text.
    public static func encode(_ value: Value) -> String {
        var out = ""
        write(value, into: &out)
        return out
    }

    /// The Cedar entity JSON of `entity`: `{"uid", "attrs", "parents", "tags"}`, parents and keys sorted, values
    /// with explicit escapes (which Cedar's entity parser reads with or without a schema).
    public static func encode(_ entity: Entity) -> String {
        var out = "{\"uid\":"
        write(entity.uid, into: &out)
        out += ",\"attrs\":"
        write(.record(entity.attributes), into: &out)
        out += ",\"parents\":["
        for (i, parent) in entity.parents.sorted().enumerated() {
            if i > 0 { out += "," }
            write(parent, into: &out)
        }
        out += "]"
        if !entity.tags.isEmpty {
            out += ",\"tags\":"
            write(.record(entity.tags), into: &out)
        }
        return out + "}"
    }

    /// `{"type": …, "id": …}`, as entity JSON writes uids and parents.
    public static func encode(_ uid: EntityUID) -> String {
        var out = ""
        write(uid, into: &out)
        return out
    }

    private static func write(_ uid: EntityUID, into out: inout String) {
        out += "{\"type\":"
        string(uid.type.description, into: &out)
        out += ",\"id\":"
        string(uid.id, into: &out)
        out += "}"
    }

    private static func write(_ value: Value, into out: inout String) {
        switch value {
        case .bool(let b): out += b ? "true" : "false"
        case .long(let v): out += String(v)
        case .string(let s): string(s, into: &out)
        case .entity(let uid):
            out += "{\"__entity\":"
            write(uid, into: &out)
            out += "}"
        case .set(let elements):
            out += "["
            for (i, e) in elements.enumerated() {
                if i > 0 { out += "," }
                write(e, into: &out)
            }
            out += "]"
        case .record(let fields):
            out += "{"
            for (i, key) in fields.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
                if i > 0 { out += "," }
                string(key, into: &out)
                out += ":"
                if let v = fields[key] { write(v, into: &out) }
            }
            out += "}"
        case .ipaddr(let ip): extn("ip", ip.text, into: &out)
        case .decimal(let d): extn("decimal", d.text, into: &out)
        case .duration(let d): extn("duration", d.text, into: &out)
        case .datetime(let d):
            if let iso = d.isoText {
                extn("datetime", iso, into: &out)
            } else {
                // Outside years 0000…9999 there is no datetime text: the epoch offset by a duration.
                out += "{\"__extn\":{\"fn\":\"offset\",\"args\":["
                extn("datetime", "1970-01-01", into: &out)
                out += ","
                extn("duration", "\(d.millisecondsSinceEpoch)ms", into: &out)
                out += "]}}"
            }
        }
    }

    private static func extn(_ fn: String, _ arg: String, into out: inout String) {
        out += "{\"__extn\":{\"fn\":\"\(fn)\",\"arg\":"
        string(arg, into: &out)
        out += "}}"
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped, everything else as is.
    static func string(_ s: String, into out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20:
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        out += "\""
    }
}
