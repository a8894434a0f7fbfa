package import Logging

/// swift-log's own text handler (standard error, its format), except that the logger's metadata is kept as given and
/// rendered only when a line is written. The stream handler renders it on every change, and Hummingbird changes it
/// (a request id) on every request: at any log level that cost the gateway about nine allocations per request.
package struct TextLogHandler: LogHandler {
    package var metadata: Logger.Metadata = [:]
    private var stream: StreamLogHandler

    package init(label: String) {
        self.init(stream: StreamLogHandler.standardError(label: label))
    }

    /// Writes through `stream`, whose own metadata stays empty.
    package init(stream: StreamLogHandler) {
        self.stream = stream
    }

    package var logLevel: Logger.Level {
        get { stream.logLevel }
        set { stream.logLevel = newValue }
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        var event = event
        event.metadata = metadata.merging(event.metadata ?? [:]) { $1 }
        stream.log(event: event)
    }
}
