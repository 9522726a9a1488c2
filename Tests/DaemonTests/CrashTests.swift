import Foundation
import Synchronization
import Testing
import VigilCompiler
import VigilPolicy

/// vigild SIGKILLed in the middle of a stream of data changes: every change it acknowledged is in the index after
/// the restart, and hosts keep deciding while it is down.
@Suite(.serialized)
struct CrashTests {
    @Test func acknowledgedChangesSurviveSIGKILL() throws {
        let d = try DaemonProcess(label: "crash")
        let acknowledged = Mutex<[Int]>([])
        var next = 0
        for round in 0..<3 {
            try d.start()
            let c = try CHost(index: d.data, in: d.root.appendingPathComponent("host\(round)"))
            let stop = Atomic<Bool>(false)
            let start = next
            let admin = d.admin
            let sender = Thread {
                var i = start
                while !stop.load(ordering: .relaxed) {
                    let body = #"[{"uid": {"type": "User", "id": "u-\#(i)"}, "attrs": {"email": "u\#(i)@acme.example", "organization": {"type": "Organization", "id": "acme"}, "suspended": false, "risk": 5}, "parents": []}]"#
                    guard let r = try? admin.post("/v1/entities", body) else { break }
                    if r.status == 200 { acknowledged.withLock { $0.append(i) } }
                    i += 1
                }
            }
            sender.start()
            // Let some changes through, then kill the daemon mid-stream.
            let deadline = Date().addingTimeInterval(20)
            while acknowledged.withLock({ $0.count }) < 20 * (round + 1), Date() < deadline { usleep(5_000) }
            d.crash()
            stop.store(true, ordering: .relaxed)
            while !sender.isFinished { usleep(1_000) }
            next = (acknowledged.withLock { $0.max() } ?? next) + 1000
            // The index outlives its writer: the host keeps deciding.
            let answer = try c.decide(principal: ("User", "alice"), action: "viewDocument",
                                      resource: ("Document", "architecture-overview"),
                                      context: #"{"ip": "10.1.2.3", "now": "2025-06-02T14:30:00Z", "session": {"type": "Vigil::Session", "id": "s-alice"}}"#)
            #expect(answer.hasPrefix("allow\t"))
        }
        try d.start()
        let acked = acknowledged.withLock { $0 }
        #expect(acked.count >= 60)
        // Every acknowledged user is present: reading `principal.risk` of a missing entity is an error.
        let authorizer = try Authorizer(path: d.data.path)
        var missing: [Int] = []
        for i in acked {
            let decision = try authorizer.decide(Request(
                principal: EntityUID(type: Name(basename: "User"), id: "u-\(i)"),
                action: EntityUID(type: Name(basename: "Action"), id: "editDocument"),
                resource: EntityUID(type: Name(basename: "Document"), id: "architecture-overview"),
                contextJSON: #"{"ip": "10.1.2.3", "now": "2025-06-02T14:30:00Z", "session": {"type": "Vigil::Session", "id": "s-alice"}}"#))
            if !decision.errors.isEmpty { missing.append(i) }
        }
        #expect(missing.isEmpty, "acknowledged but missing after restart: \(missing.prefix(10))")
        // Control: an entity never sent is reported missing the same way.
        let control = try authorizer.decide(Request(
            principal: EntityUID(type: Name(basename: "User"), id: "never-sent"),
            action: EntityUID(type: Name(basename: "Action"), id: "editDocument"),
            resource: EntityUID(type: Name(basename: "Document"), id: "architecture-overview"),
            contextJSON: #"{"ip": "10.1.2.3", "now": "2025-06-02T14:30:00Z", "session": {"type": "Vigil::Session", "id": "s-alice"}}"#))
        #expect(!control.errors.isEmpty)
        authorizer.close()
        #expect(d.stop() == 0)
    }
}
