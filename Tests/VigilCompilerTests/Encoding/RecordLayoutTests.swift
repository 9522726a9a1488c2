import Testing
@testable import VigilCompiler

/// The Swift record builders put every field where the C structs of vigil_format.h have it.
@Suite struct RecordLayoutTests {
    @Test func policyRecordFields() throws {
        let fields = ["pr_flags", "pr_step_up", "pr_max_age", "pr_reserved", "pr_expires_ms", "pr_principal",
                      "pr_resource", "pr_id_off", "pr_id_len", "pr_annot_off", "pr_annot_len", "pr_code_off",
                      "pr_code_len", "pr_const_off", "pr_const_count", "pr_span_off", "pr_span_count", "pr_file_off",
                      "pr_file_len"]
        let c = try CProbe.run((fields.map { "P(\"\($0)\", offsetof(vigil_policy_rec, \($0)));" }
            + ["P(\"size\", sizeof(vigil_policy_rec));", "P(\"sc_kind\", offsetof(vigil_scope, sc_kind));",
               "P(\"sc_eid\", offsetof(vigil_scope, sc_eid));", "P(\"sc_type\", offsetof(vigil_scope, sc_type));",
               "P(\"scope\", sizeof(vigil_scope));"]).joined(separator: "\n"))
        #expect(c["size"] == PolicyRecord.headerSize)
        var program = Program()
        program.code = [2, 0]  // TRUE RET
        program.constants = [[1, 1]]
        program.spans = [Program.Span(pc: 0, line: 7, column: 9), Program.Span(pc: 1, line: 7, column: 9)]
        let r = PolicyRecord(
            flags: 0x0D, stepUpLevel: 2, maxAge: 300, expiresMs: 0x0102_0304_0506_0708,
            principal: ScopeRecord(kind: .isIn, eid: 11, type: 12), resource: ScopeRecord(kind: .equals, eid: 21),
            id: Array("policy3".utf8), annotatedID: Array("my-id".utf8), program: program,
            fileName: Array("a.cedar".utf8)).bytes()
        func at(_ f: String) throws -> Int { try #require(c[f]) }
        #expect(u32(r, try at("pr_flags")) == 0x0D)
        #expect(u32(r, try at("pr_step_up")) == 2)
        #expect(u32(r, try at("pr_max_age")) == 300)
        #expect(u32(r, try at("pr_reserved")) == 0)
        #expect(i64(r, try at("pr_expires_ms")) == 0x0102_0304_0506_0708)
        let p = try at("pr_principal"), s = try at("pr_resource")
        let kind = try at("sc_kind"), eid = try at("sc_eid"), type = try at("sc_type")
        #expect(u32(r, p + kind) == 4 && u32(r, p + eid) == 11 && u32(r, p + type) == 12)
        #expect(u32(r, s + kind) == 1 && u32(r, s + eid) == 21)
        #expect(s - p == c["scope"])
        func slice(_ off: String, _ len: String) throws -> [UInt8] {
            let o = Int(u32(r, try at(off))), n = Int(u32(r, try at(len)))
            return Array(r[o..<(o + n)])
        }
        #expect(try slice("pr_id_off", "pr_id_len") == Array("policy3".utf8))
        #expect(try slice("pr_annot_off", "pr_annot_len") == Array("my-id".utf8))
        #expect(try slice("pr_code_off", "pr_code_len") == [2, 0])
        #expect(try slice("pr_file_off", "pr_file_len") == Array("a.cedar".utf8))
        let constTable = Int(u32(r, try at("pr_const_off")))
        #expect(u32(r, try at("pr_const_count")) == 1)
        let const0 = Int(u32(r, constTable))
        #expect(Array(r[const0..<(const0 + 2)]) == [1, 1])
        let spans = Int(u32(r, try at("pr_span_off")))
        #expect(u32(r, try at("pr_span_count")) == 2)
        #expect([u32(r, spans), u32(r, spans + 4), u32(r, spans + 8), u32(r, spans + 12)] == [0, 7, 9, 1])
        #expect(r.count == spans + 24 + 7)
    }

    @Test func entityRecordFields() throws {
        let fields = ["er_type", "er_flags", "er_id_off", "er_id_len", "er_anc_off", "er_anc_count", "er_attrs_off",
                      "er_tags_off"]
        let c = try CProbe.run((fields.map { "P(\"\($0)\", offsetof(vigil_entity_rec, \($0)));" }
            + ["P(\"size\", sizeof(vigil_entity_rec));"]).joined(separator: "\n"))
        #expect(c["size"] == EntityRecord.headerSize)
        let r = EntityRecord(type: 5, flags: 3, id: Array("alice".utf8), ancestors: [2, 9], attributes: [6, 0, 0, 0, 0,
                             0, 0, 0, 0], tags: nil).bytes()
        func at(_ f: String) throws -> Int { try #require(c[f]) }
        #expect(u32(r, try at("er_type")) == 5)
        #expect(u32(r, try at("er_flags")) == 3)
        let idOff = Int(u32(r, try at("er_id_off")))
        #expect(Array(r[idOff..<(idOff + Int(u32(r, try at("er_id_len"))))]) == Array("alice".utf8))
        let anc = Int(u32(r, try at("er_anc_off")))
        #expect(u32(r, try at("er_anc_count")) == 2 && u32(r, anc) == 2 && u32(r, anc + 4) == 9)
        let attrs = Int(u32(r, try at("er_attrs_off")))
        #expect(attrs > 0 && r[attrs] == 6 && r.count == attrs + 9)
        #expect(u32(r, try at("er_tags_off")) == 0)
    }

    @Test func sessionAndHeaderFields() throws {
        let c = try CProbe.run("""
            P("ss_eid", offsetof(vigil_session_rec, ss_eid)); P("ss_flags", offsetof(vigil_session_rec, ss_flags));
            P("ss_expires_ms", offsetof(vigil_session_rec, ss_expires_ms)); P("ss", sizeof(vigil_session_rec));
            P("vh_version", offsetof(vigil_header, vh_version)); P("vh_endian", offsetof(vigil_header, vh_endian));
            P("vh_generation", offsetof(vigil_header, vh_generation));
            P("vh_published_ms", offsetof(vigil_header, vh_published_ms));
            P("vh_entity_count", offsetof(vigil_header, vh_entity_count));
            P("vh_policy_count", offsetof(vigil_header, vh_policy_count));
            P("vh_name_count", offsetof(vigil_header, vh_name_count)); P("vh", sizeof(vigil_header));
            P("version", VIGIL_FORMAT_VERSION);
            """)
        let s = SessionRecord(eid: 7, flags: 1, expiresMs: 123_456).bytes()
        #expect(s.count == c["ss"])
        #expect(u32(s, c["ss_eid"] ?? -1) == 7 && u32(s, c["ss_flags"] ?? -1) == 1)
        #expect(i64(s, c["ss_expires_ms"] ?? -1) == 123_456)
        let h = HeaderRecord(generation: 42, publishedMs: 99, entityCount: 3, policyCount: 4, nameCount: 5).bytes()
        #expect(h.count == c["vh"])
        #expect(Array(h[0..<8]) == Array("VIGILIX".utf8) + [1])
        #expect(Int(u32(h, c["vh_version"] ?? -1)) == c["version"])
        #expect(u32(h, c["vh_endian"] ?? -1) == 0x0102_0304)
        #expect(i64(h, c["vh_generation"] ?? -1) == 42 && i64(h, c["vh_published_ms"] ?? -1) == 99)
        #expect(u32(h, c["vh_entity_count"] ?? -1) == 3 && u32(h, c["vh_policy_count"] ?? -1) == 4
            && u32(h, c["vh_name_count"] ?? -1) == 5)
        #expect(HeaderRecord.generation(of: h) == 42)
    }
}
