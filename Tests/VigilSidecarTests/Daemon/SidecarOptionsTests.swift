import Foundation
import Testing
@testable import VigilSidecar

/// vigild's config file: any subset of the settings, defaults for the rest, and no silently ignored names.
struct SidecarOptionsTests {
    private func decode(_ json: String) throws -> SidecarOptions {
        try JSONDecoder().decode(SidecarOptions.self, from: Data(json.utf8))
    }

    /// The example in docs/deployment.md, as written there.
    @Test func theDeploymentExampleDecodes() throws {
        let o = try decode("""
            {"data": "/var/lib/vigil", "policies": "/etc/vigil/policies", "schema": "/etc/vigil/policies/schema.cedarschema",
             "entities": "/etc/vigil/seed/entities.json", "rings": "/run/vigil-rings",
             "listenHost": "0.0.0.0", "listenPort": 8180}
            """)
        #expect(o.data == "/var/lib/vigil" && o.rings == "/run/vigil-rings" && o.listenHost == "0.0.0.0")
        // Everything left out keeps its default.
        #expect(o.drainIntervalMs == 100 && o.maxBodyBytes == 1 << 20 && o.adminSocketPath == "/var/lib/vigil/admin.sock")
    }

    @Test func dataAndPoliciesMayComeFromFlags() throws {
        let o = try decode(#"{"rings": "/dev/shm/vigil", "acrValues": {"2": "urn:example:mfa"}}"#)
        #expect(o.data.isEmpty && o.policies.isEmpty)
        #expect(o.acrValues == ["2": "urn:example:mfa"] && o.listenPort == 8180)
    }

    @Test func anUnknownNameIsRefusedByName() {
        #expect {
            _ = try decode(#"{"data": "/d", "policies": "/p", "drainIntervallMs": 5}"#)
        } throws: { error in
            "\(error)".contains("unknown setting `drainIntervallMs`") && "\(error)".contains("drainIntervalMs")
        }
    }

    @Test func aValueOfTheWrongTypeIsRefused() {
        #expect(throws: DecodingError.self) { _ = try decode(#"{"data": "/d", "policies": "/p", "listenPort": "80"}"#) }
    }
}
