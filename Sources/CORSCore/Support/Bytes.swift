/// Byte strings compared and hashed a word at a time, for the lookups a request makes on its hot path.
enum Bytes {
    /// Whether two buffers hold the same bytes, compared a word at a time (the last word overlapping the one before
    /// when the length is not a multiple of 8).
    static func equal(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        guard a.count >= 8 else { return shortWord(a) == shortWord(b) }
        var offset = 0
        while offset < a.count {
            let at = min(offset, a.count - 8)
            if a.loadUnaligned(fromByteOffset: at, as: UInt64.self)
                != b.loadUnaligned(fromByteOffset: at, as: UInt64.self)
            {
                return false
            }
            offset += 8
        }
        return true
    }

    /// Whether `array` holds the bytes of `buffer`.
    static func equal(_ array: [UInt8], _ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
        array.withUnsafeBytes { equal($0, UnsafeRawBufferPointer(buffer)) }
    }

    /// Calls `body` with the UTF-8 bytes of `text`: its own storage when it has contiguous UTF-8 (always, for a
    /// native string), otherwise a copy.
    static func withUTF8<Result>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        text.utf8.withContiguousStorageIfAvailable(body) ?? Array(text.utf8).withUnsafeBufferPointer(body)
    }

    /// The bytes of a string shorter than a word, as one word.
    static func shortWord(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var word: UInt64 = 0
        for byte in bytes { word = word << 8 | UInt64(byte) }
        return word
    }
}
