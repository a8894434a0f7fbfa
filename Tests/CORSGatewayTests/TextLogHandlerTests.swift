import CORSGateway
import Logging
import Synchronization
import Testing

/// `cors serve`'s text logs: the lines swift-log's stream handler writes, with the logger's metadata rendered only
/// when a line is written (Hummingbird sets a request id on every request, at any log level).
@Suite struct TextLogHandlerTests {
    /// Lines written to memory.
    final class Capture: TextOutputStream, Sendable {
        private let text = Mutex("")
        func write(_ string: String) { text.withLock { $0 += string } }
        /// The text, without each line's timestamp (its first word).
        var lines: [String] { text.withLock { $0 }.split(separator: "\n").map { String($0.drop { $0 != " " }) } }
    }

    /// A metadata value that counts how often it is rendered.
    final class Rendered: CustomStringConvertible, Sendable {
        private let count = Atomic(0)
        var times: Int { count.load(ordering: .relaxed) }
        var description: String {
            count.add(1, ordering: .relaxed)
            return "42"
        }
    }

    static func loggers() -> (ours: Logger, reference: Logger, ourLines: Capture, referenceLines: Capture) {
        let ourLines = Capture()
        let referenceLines = Capture()
        let ours = Logger(label: "cors.serve") {
            TextLogHandler(stream: StreamLogHandler(label: $0, stream: ourLines, metadataProvider: nil))
        }
        let reference = Logger(label: "cors.serve") {
            StreamLogHandler(label: $0, stream: referenceLines, metadataProvider: nil)
        }
        return (ours, reference, ourLines, referenceLines)
    }

    @Test func writesTheStreamHandlersLines() {
        var (ours, reference, ourLines, referenceLines) = Self.loggers()
        func exercise(_ logger: inout Logger) {
            logger[metadataKey: "request"] = "7"
            logger[metadataKey: "shared"] = "logger"
            logger.info("hello", metadata: ["shared": "event", "only": "event"])
            logger.debug("below the level")
        }
        exercise(&ours)
        exercise(&reference)
        #expect(ourLines.lines == referenceLines.lines)
        #expect(ourLines.lines == [" info cors.serve: only=event request=7 shared=event [CORSGatewayTests] hello"])
    }

    @Test func rendersMetadataOnlyWhenALineIsWritten() {
        var (ours, _, ourLines, _) = Self.loggers()
        let value = Rendered()
        for _ in 0..<3 { ours[metadataKey: "request"] = .stringConvertible(value) }
        ours.debug("below the level")
        #expect(value.times == 0)
        ours.info("written")
        #expect(value.times == 1)
        #expect(ourLines.lines.first?.contains("request=42") == true)
    }
}
