import Foundation
import Logging
import Synchronization
import Testing
@testable import VigilSidecar

/// `vigild --log-format json`: every line is one JSON object with the message and its metadata.
struct JSONLogHandlerTests {
    @Test func eachLogLineIsOneJSONObject() throws {
        let lines = Mutex<[Data]>([])
        var logger = Logger(label: "vigild") { label in
            JSONLogHandler(label: label, write: { data in lines.withLock { $0.append(data) } })
        }
        logger[metadataKey: "generation"] = "7"
        logger.info("published", metadata: ["file": "/p/a.cedar"])
        logger.debug("not shown at info")
        let written = lines.withLock { $0 }
        #expect(written.count == 1)
        let text = try #require(written.first.map { String(decoding: $0, as: UTF8.self) })
        #expect(text.hasSuffix("}\n") && text.filter { $0 == "\n" }.count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: written[0]) as? [String: Any])
        #expect(object["message"] as? String == "published")
        #expect(object["level"] as? String == "info")
        #expect(object["label"] as? String == "vigild")
        #expect(object["generation"] as? String == "7")
        #expect(object["file"] as? String == "/p/a.cedar")
        #expect((object["time"] as? String)?.hasSuffix("Z") == true)
    }
}
