/// Punycode encoding (RFC 3492), which turns a Unicode DNS label into the ASCII that follows `xn--`.
///
/// https://www.rfc-editor.org/rfc/rfc3492
enum Punycode {
    private static let base = 36
    private static let tMin = 1
    private static let tMax = 26
    private static let skew = 38
    private static let damp = 700
    private static let initialBias = 72
    private static let initialN = 128

    /// Longer labels are refused: DNS allows 63 bytes, and the encoder's work grows with the square of the length.
    static let maximumLabelLength = 256

    /// The Punycode form of `label` (without the `xn--` prefix), or `nil` on overflow or for an over-long label.
    static func encode(_ label: some StringProtocol) -> String? {
        let input = label.unicodeScalars.map { Int($0.value) }
        guard input.count <= maximumLabelLength else { return nil }
        var output: [UInt8] = input.filter { $0 < 0x80 }.map { UInt8($0) }
        let basicCount = output.count
        var handled = basicCount
        if basicCount > 0 { output.append(UInt8(ascii: "-")) }

        var n = initialN
        var delta = 0
        var bias = initialBias
        while handled < input.count {
            guard let m = input.filter({ $0 >= n }).min() else { return nil }
            let (product, overflow) = (m - n).multipliedReportingOverflow(by: handled + 1)
            guard !overflow, delta <= Int(Int32.max) - product else { return nil }
            delta += product
            n = m
            for scalar in input {
                if scalar < n {
                    delta += 1
                    guard delta <= Int(Int32.max) else { return nil }
                }
                guard scalar == n else { continue }
                var q = delta
                var k = base
                while true {
                    let t = k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
                    if q < t { break }
                    output.append(digit(t + (q - t) % (base - t)))
                    q = (q - t) / (base - t)
                    k += base
                }
                output.append(digit(q))
                bias = adapt(delta: delta, count: handled + 1, first: handled == basicCount)
                delta = 0
                handled += 1
            }
            delta += 1
            n += 1
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Whether `encoded` (what follows `xn--`) is Punycode that decodes to a label with at least one non-ASCII
    /// character and encodes back to itself — what a browser's URL parser would have produced (RFC 3492 §6.2).
    static func isValid(_ encoded: some StringProtocol) -> Bool {
        let bytes = Array(ASCII.lowercased(encoded).utf8)
        guard !bytes.isEmpty, bytes.count <= maximumLabelLength, bytes.allSatisfy({ $0 < 0x80 }) else { return false }
        let delimiter = bytes.lastIndex(of: UInt8(ascii: "-"))
        var output = delimiter.map { bytes[..<$0].map { Int($0) } } ?? []
        var position = delimiter.map { $0 + 1 } ?? 0
        var n = initialN
        var i = 0
        var bias = initialBias
        while position < bytes.count {
            let oldI = i
            var weight = 1
            var k = base
            while true {
                guard position < bytes.count, let value = digitValue(bytes[position]) else { return false }
                position += 1
                let (step, overflow) = value.multipliedReportingOverflow(by: weight)
                guard !overflow, i <= Int(Int32.max) - step else { return false }
                i += step
                let t = k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
                if value < t { break }
                let (next, wide) = weight.multipliedReportingOverflow(by: base - t)
                guard !wide, next <= Int(Int32.max) else { return false }
                weight = next
                k += base
            }
            bias = adapt(delta: i - oldI, count: output.count + 1, first: oldI == 0)
            n += i / (output.count + 1)
            i %= output.count + 1
            guard n <= 0x10FFFF, !(0xD800...0xDFFF).contains(n) else { return false }
            output.insert(n, at: i)
            i += 1
        }
        let scalars = output.compactMap { Unicode.Scalar(UInt32($0)) }
        guard scalars.count == output.count, scalars.contains(where: { !$0.isASCII }) else { return false }
        var label = ""
        label.unicodeScalars.append(contentsOf: scalars)
        return encode(label) == String(decoding: bytes, as: UTF8.self)
    }

    private static func digitValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"): Int(byte - UInt8(ascii: "a"))
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0")) + 26
        default: nil
        }
    }

    private static func digit(_ value: Int) -> UInt8 {
        value < 26 ? UInt8(ascii: "a") + UInt8(value) : UInt8(ascii: "0") + UInt8(value - 26)
    }

    private static func adapt(delta: Int, count: Int, first: Bool) -> Int {
        var delta = first ? delta / damp : delta / 2
        delta += delta / count
        var k = 0
        while delta > ((base - tMin) * tMax) / 2 {
            delta /= base - tMin
            k += base
        }
        return k + (base - tMin + 1) * delta / (delta + skew)
    }
}
