import HTTPTypes

/// The answers to origins a wildcard pattern matched, remembered for the first ``capacity`` such origins a policy
/// sees: an application has a few (its subdomains, its local ports), and each then costs one byte comparison instead
/// of a parse, a trie walk and new fields. Bounded whatever clients send (an origin is at most 326 bytes, see
/// ``SerializedOrigin``); once full, other matching origins are answered as before, only not remembered.
///
/// Origins no pattern matched are remembered too, in slots of their own, so that the first few refused origins (a
/// misconfigured page, a probe) cost one comparison each, and clients sending other origins cannot take the slots
/// of the application's own.
final class PatternOriginMemo: Sendable {
    final class Entry: Sendable {
        let origin: [UInt8]
        let answers: OriginAnswers

        init(origin: [UInt8], answers: OriginAnswers) {
            self.origin = origin
            self.answers = answers
        }
    }

    /// An origin value no pattern matched.
    final class Refused: Sendable {
        let origin: [UInt8]

        init(origin: [UInt8]) { self.origin = origin }
    }

    static let capacity = 16
    private let slots = WriteOnceSlots<Entry>(capacity: PatternOriginMemo.capacity)
    private let refused = WriteOnceSlots<Refused>(capacity: PatternOriginMemo.capacity)

    /// The answers remembered for the `Origin` value `origin`.
    func answers(_ origin: String) -> OriginAnswers? {
        Bytes.withUTF8(origin, answers)
    }

    /// ``answers(_:)`` for the origin's bytes.
    func answers(_ origin: UnsafeBufferPointer<UInt8>) -> OriginAnswers? {
        slots.first { Bytes.equal($0.origin, origin) }?.answers
    }

    /// Answers for `origin`, which a pattern of these rules matched, kept when a slot is free.
    func remember(_ origin: HTTPField, template: AnswerTemplate) -> OriginAnswers? {
        guard !slots.isFull else { return nil }
        let answers = OriginAnswers(allowOrigin: origin.renamed(.accessControlAllowOrigin), template: template)
        slots.keep(Entry(origin: origin.withUnsafeBytesOfValue(Array.init), answers: answers))
        return answers
    }

    /// Whether `origin` was remembered as matching no pattern.
    func isRefused(_ origin: String) -> Bool {
        Bytes.withUTF8(origin, isRefused)
    }

    /// ``isRefused(_:)`` for the origin's bytes.
    func isRefused(_ origin: UnsafeBufferPointer<UInt8>) -> Bool {
        refused.first { Bytes.equal($0.origin, origin) } != nil
    }

    /// Remembers that no pattern matched `origin`, when a slot is free.
    func rememberRefused(_ origin: HTTPField) {
        guard !refused.isFull else { return }
        refused.keep(Refused(origin: origin.withUnsafeBytesOfValue(Array.init)))
    }
}
