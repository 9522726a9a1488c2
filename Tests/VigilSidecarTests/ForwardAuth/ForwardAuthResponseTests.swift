import Testing
import VigilPolicy
@testable import VigilSidecar

@Suite struct ForwardAuthResponseTests {
    @Test func headerValuesStayPrintableASCIIAndValidCedar() {
        let uid = EntityUID(type: Name(basename: "User"), id: "café\"x\r\nSet-Cookie: a=b")
        let shown = ForwardAuthResponse.headerSafe(uid.description)
        #expect(shown == #"User::"caf\u{e9}\"x\r\nSet-Cookie: a=b""#)
        #expect(shown.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F })
        #expect(ForwardAuthResponse.headerSafe("a\u{0}b\u{7f}") == #"a\u{0}b\u{7f}"#)
    }

    @Test func challengesQuoteTheirParameters() {
        var o = OutcomeConfig()
        #expect(o.challenge([]) == "Bearer")
        #expect(o.challenge([("error", "invalid_token")]) == #"Bearer error="invalid_token""#)
        o.realm = #"my "app""#
        #expect(o.challenge([("acr_values", #"a\b"#)]) == #"Bearer realm="my \"app\"", acr_values="a\\b""#)
        #expect(o.level(ofACR: "urn:vigil:aal2") == 2 && o.level(ofACR: "other") == nil)
    }

    @Test func everyAnswerSaysWhatItIsAndIsNotCached() {
        let r = ForwardAuthResponse.make(403, .noRoute, "no route", [("X-A", "1")])
        #expect(r.header("x-vigil-decision") == "no_route" && r.header("Cache-Control") == "no-store")
        #expect(r.header("X-A") == "1" && r.body == "no route\n")
    }
}
