import HTTPTypes

/// The first few allowed preflights of one origin, remembered with their complete answers.
///
/// A page asks the same preflight again and again (the same method and header list, byte for byte), and the answer
/// depends on the request (it echoes the method and the names, as sent or rebuilt from a list with spaces), so it
/// cannot be built once at construction; it is built the first time instead and kept. A
/// later preflight whose `Access-Control-Request-Method` and `Access-Control-Request-Headers` bytes equal a kept
/// one's has the same decision, since nothing else a preflight sends changes it for this origin and these rules.
///
/// Bounded whatever clients send: ``capacity`` answers per origin, each for a request-headers line of at most
/// ``longestLine`` bytes; once the slots are taken, other preflights are decided as usual. Slots are written once,
/// so reading one is a single atomic load and readers never wait.
final class PreflightMemo: Sendable {
    /// An allowed preflight's request bytes and its answer.
    final class Entry: Sendable {
        let method: [UInt8]
        /// The request-headers line, or `nil` when the preflight had none.
        let headers: [UInt8]?
        let answer: HTTPFields

        init(method: UnsafeBufferPointer<UInt8>, headers: UnsafeBufferPointer<UInt8>?, answer: HTTPFields) {
            self.method = Array(method)
            self.headers = headers.map(Array.init)
            self.answer = answer
        }

        func matches(method: UnsafeBufferPointer<UInt8>, headers: UnsafeBufferPointer<UInt8>?) -> Bool {
            guard Bytes.equal(self.method, method) else { return false }
            switch (self.headers, headers) {
            case (nil, nil): return true
            case (let kept?, let sent?): return Bytes.equal(kept, sent)
            default: return false
            }
        }
    }

    static let capacity = 4
    static let longestLine = 256

    private let slots = WriteOnceSlots<Entry>(capacity: PreflightMemo.capacity)

    /// The kept answer to a preflight with these request bytes.
    func answer(method: UnsafeBufferPointer<UInt8>, headers: UnsafeBufferPointer<UInt8>?) -> HTTPFields? {
        slots.first { $0.matches(method: method, headers: headers) }?.answer
    }

    /// Keeps `answer` for preflights with these request bytes, when a slot is free and the line is short enough.
    func keep(_ answer: HTTPFields, method: HTTPField, headers: HTTPField?) {
        method.withUnsafeBytesOfValue { method in
            withOptionalBytes(headers) { headers in
                guard (headers?.count ?? 0) <= Self.longestLine else { return }
                slots.keep(Entry(method: method, headers: headers, answer: answer))
            }
        }
    }

    private func withOptionalBytes<Result>(
        _ field: HTTPField?, _ body: (UnsafeBufferPointer<UInt8>?) -> Result
    ) -> Result {
        guard let field else { return body(nil) }
        return field.withUnsafeBytesOfValue { body($0) }
    }
}
