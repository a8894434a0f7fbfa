/// Bounds on what one message may make the parser hold or scan.
///
/// The defaults follow what nginx and Envoy ship: request line and field lines up to 8 KiB each (nginx
/// `large_client_header_buffers 4 8k`), at most 100 fields (Envoy `max_headers_count`) and 64 KiB in all (Envoy
/// `max_request_headers_kb` is 60).
package struct HTTP1Limits: Sendable, Hashable {
    /// The whole header section (start line, field lines, line endings).
    package var maxHeadBytes = 64 * 1024
    /// One line: the request line (414 beyond it) or one field line (431).
    package var maxLineBytes = 8 * 1024
    /// Field lines in the header section or in the trailer section.
    package var maxFields = 100
    /// A chunk-size line with its extensions, which are read and discarded.
    package var maxChunkLineBytes = 4 * 1024
    /// Body bytes of one message; `nil` for no limit (bodies are streamed, never held whole).
    package var maxBodyBytes: Int? = nil

    package init() {}
}
