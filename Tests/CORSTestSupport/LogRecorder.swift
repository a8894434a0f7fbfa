public import Logging
import Synchronization

/// A swift-log handler that keeps every message, for tests that assert what was logged.
public final class LogRecorder: LogHandler, @unchecked Sendable {
    private let lock = Mutex<[String]>([])
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .trace

    public init() {}

    /// Every message logged so far, in order.
    public var messages: [String] { lock.withLock { $0 } }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        lock.withLock { $0.append(event.message.description) }
    }
}
