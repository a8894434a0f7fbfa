/// A read-only hash table from byte strings (each in a numbered scope) to values: open addressing, built once, hashed
/// and compared a word at a time. Origins and host labels are looked up in it without a `String` or a `Hasher`.
///
/// Only the code that builds a table inserts keys; a request can only look them up. A fast non-cryptographic hash is
/// therefore safe: the longest probe sequence is fixed when the table is built, whatever an attacker sends. A class,
/// so that a lookup holds one reference.
final class ByteTable<Value: Sendable>: Sendable {
    /// Every key's bytes, one after another.
    private let keyBytes: [UInt8]
    /// Where each key starts in `keyBytes`; key `i` ends where key `i + 1` starts.
    private let keyStarts: [Int]
    private let scopes: [Int]
    private let values: [Value]
    /// For each slot, the index of the key stored there, or -1.
    private let slots: [Int32]

    /// A table of `entries`; a key given twice in a scope keeps its first value.
    init(_ entries: [(scope: Int, key: some Collection<UInt8>, value: Value)]) {
        var keyBytes: [UInt8] = []
        var keyStarts: [Int] = []
        for entry in entries {
            keyStarts.append(keyBytes.count)
            keyBytes += entry.key
        }
        keyStarts.append(keyBytes.count)
        // A power of two at least twice the key count keeps probe sequences short.
        var capacity = 8
        while capacity < entries.count * 2 { capacity *= 2 }
        var slots = [Int32](repeating: -1, count: capacity)
        keyBytes.withUnsafeBytes { bytes in
            for index in entries.indices {
                let key = UnsafeRawBufferPointer(rebasing: bytes[keyStarts[index]..<keyStarts[index + 1]])
                var slot = Self.hash(scope: entries[index].scope, key) & (capacity - 1)
                while slots[slot] >= 0 {
                    let other = Int(slots[slot])
                    if entries[other].scope == entries[index].scope,
                        Bytes.equal(
                            UnsafeRawBufferPointer(rebasing: bytes[keyStarts[other]..<keyStarts[other + 1]]), key)
                    {
                        break
                    }
                    slot = (slot + 1) & (capacity - 1)
                }
                if slots[slot] < 0 { slots[slot] = Int32(index) }
            }
        }
        self.keyBytes = keyBytes
        self.keyStarts = keyStarts
        scopes = entries.map(\.scope)
        values = entries.map(\.value)
        self.slots = slots
    }

    /// The value stored under `key` in `scope`.
    func value(scope: Int = 0, _ key: UnsafeRawBufferPointer) -> Value? {
        guard !values.isEmpty else { return nil }
        return keyBytes.withUnsafeBytes { bytes in
            let mask = slots.count - 1
            var slot = Self.hash(scope: scope, key) & mask
            while true {
                let index = Int(slots[slot])
                if index < 0 { return nil }
                let start = keyStarts[index]
                if scopes[index] == scope,
                    Bytes.equal(UnsafeRawBufferPointer(rebasing: bytes[start..<keyStarts[index + 1]]), key)
                {
                    return values[index]
                }
                slot = (slot + 1) & mask
            }
        }
    }

    /// A word-at-a-time multiplicative hash: one multiplication per word, then SplitMix64's finalizer; the last word
    /// overlaps the one before when the length is not a multiple of 8.
    private static func hash(scope: Int, _ bytes: UnsafeRawBufferPointer) -> Int {
        var hash = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count) ^ UInt64(truncatingIfNeeded: scope) << 16
        if bytes.count < 8 {
            hash = (hash ^ Bytes.shortWord(bytes)) &* 0xBF58_476D_1CE4_E5B9
        } else {
            var offset = 0
            while offset < bytes.count {
                let word = bytes.loadUnaligned(fromByteOffset: min(offset, bytes.count - 8), as: UInt64.self)
                hash = (hash ^ word) &* 0xBF58_476D_1CE4_E5B9
                hash ^= hash >> 29
                offset += 8
            }
        }
        return Int(truncatingIfNeeded: mix(hash))
    }

    private static func mix(_ value: UInt64) -> UInt64 {
        var value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
