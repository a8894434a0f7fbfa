/// The URL Standard's host parser for special schemes (`http`, `https`, `ws`, `wss`, `ftp`), so that an origin built
/// from a URL serializes exactly as a browser's does.
///
/// https://url.spec.whatwg.org/#host-parsing
///
/// Domain-to-ASCII is a subset of UTS #46: Unicode lowercase mapping, the ideographic full stops as dots, and Punycode
/// for non-ASCII labels. It does not apply NFC or the full UTS #46 mapping table.
enum HostParser {
    enum Failure: Error, Equatable {
        case empty
        case invalidIPv6
        case invalidIPv4
        case forbiddenCodePoint(Unicode.Scalar)
        case invalidPercentEncoding
        case punycodeOverflow
    }

    static func parse(_ input: Substring) throws(Failure) -> Origin.Host {
        if input.hasPrefix("[") {
            guard input.hasSuffix("]"), let pieces = parseIPv6(input.dropFirst().dropLast()) else {
                throw .invalidIPv6
            }
            return .ipv6(pieces)
        }
        guard let decoded = String(validating: ASCII.percentDecode(input), as: UTF8.self) else {
            throw .invalidPercentEncoding
        }
        let ascii = try domainToASCII(decoded)
        if endsInANumber(ascii) {
            guard let address = parseIPv4(ascii[...]) else { throw .invalidIPv4 }
            return .ipv4(address)
        }
        return .domain(ascii)
    }

    /// https://url.spec.whatwg.org/#concept-domain-to-ascii
    static func domainToASCII(_ domain: String) throws(Failure) -> String {
        var labels: [String] = []
        let mapped =
            domain.unicodeScalars.allSatisfy(\.isASCII)
            ? ASCII.lowercased(domain)
            : String(String.UnicodeScalarView(domain.lowercased().unicodeScalars.map(Self.mapDot)))
        for label in mapped.split(separator: ".", omittingEmptySubsequences: false) {
            if label.unicodeScalars.allSatisfy(\.isASCII) {
                labels.append(String(label))
            } else {
                guard let encoded = Punycode.encode(label) else { throw .punycodeOverflow }
                labels.append("xn--" + encoded)
            }
        }
        let result = labels.joined(separator: ".")
        guard !result.isEmpty else { throw .empty }
        for scalar in mapped.unicodeScalars where isForbiddenDomainCodePoint(scalar) {
            throw .forbiddenCodePoint(scalar)
        }
        return result
    }

    private static func mapDot(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        switch scalar.value {
        case 0x3002, 0xFF0E, 0xFF61: return "."
        default: return scalar
        }
    }

    /// https://url.spec.whatwg.org/#forbidden-domain-code-point
    static func isForbiddenDomainCodePoint(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x20, 0x7F, 0xFFFD: return true
        case 0x80...0x9F: return true
        default: return "#%/:<>?@[\\]^|".unicodeScalars.contains(scalar)
        }
    }

    /// https://url.spec.whatwg.org/#ends-in-a-number-checker
    static func endsInANumber(_ input: String) -> Bool {
        var parts = input.split(separator: ".", omittingEmptySubsequences: false)
        if parts.last == "" {
            if parts.count == 1 { return false }
            parts.removeLast()
        }
        guard let last = parts.last, !last.isEmpty else { return false }
        if last.utf8.allSatisfy(ASCII.isDigit) { return true }
        return parseIPv4Number(last) != nil
    }

    /// https://url.spec.whatwg.org/#concept-ipv4-parser
    static func parseIPv4(_ input: Substring) -> UInt32? {
        var parts = input.split(separator: ".", omittingEmptySubsequences: false)
        if parts.last == "", parts.count > 1 { parts.removeLast() }
        guard parts.count <= 4 else { return nil }
        var numbers: [UInt64] = []
        for part in parts {
            guard let number = parseIPv4Number(part) else { return nil }
            numbers.append(number)
        }
        for number in numbers.dropLast() where number > 255 { return nil }
        guard let last = numbers.last, last < UInt64(1) << (8 * (5 - numbers.count)) else { return nil }
        var address = last
        for (index, number) in numbers.dropLast().enumerated() {
            address += number << (8 * (3 - index))
        }
        return UInt32(address)
    }

    /// https://url.spec.whatwg.org/#ipv4-number-parser; numbers past 2^32 saturate, which the caller rejects.
    static func parseIPv4Number(_ part: Substring) -> UInt64? {
        guard !part.isEmpty else { return nil }
        var digits = part.utf8[...]
        var radix: UInt64 = 10
        if digits.starts(with: "0x".utf8) || digits.starts(with: "0X".utf8) {
            digits = digits.dropFirst(2)
            radix = 16
        } else if digits.count >= 2, digits.first == UInt8(ascii: "0") {
            digits = digits.dropFirst()
            radix = 8
        }
        var value: UInt64 = 0
        for byte in digits {
            guard let digit = ASCII.hexValue(byte), UInt64(digit) < radix else { return nil }
            value = min(value * radix + UInt64(digit), UInt64(1) << 40)
        }
        return value
    }

    /// https://url.spec.whatwg.org/#concept-ipv6-parser
    static func parseIPv6(_ input: Substring) -> [UInt16]? {
        let c = Array(input.utf8)
        var address = [UInt16](repeating: 0, count: 8)
        var pieceIndex = 0
        var compress: Int?
        var pointer = 0
        func at(_ index: Int) -> UInt8? { index < c.count ? c[index] : nil }

        if at(pointer) == UInt8(ascii: ":") {
            guard at(pointer + 1) == UInt8(ascii: ":") else { return nil }
            pointer += 2
            pieceIndex += 1
            compress = pieceIndex
        }
        while let current = at(pointer) {
            guard pieceIndex < 8 else { return nil }
            if current == UInt8(ascii: ":") {
                guard compress == nil else { return nil }
                pointer += 1
                pieceIndex += 1
                compress = pieceIndex
                continue
            }
            var value = 0
            var length = 0
            while length < 4, let byte = at(pointer), let digit = ASCII.hexValue(byte) {
                value = value * 0x10 + digit
                pointer += 1
                length += 1
            }
            if at(pointer) == UInt8(ascii: ".") {
                guard length > 0, pieceIndex <= 6 else { return nil }
                pointer -= length
                var numbersSeen = 0
                while at(pointer) != nil {
                    if numbersSeen > 0 {
                        guard at(pointer) == UInt8(ascii: "."), numbersSeen < 4 else { return nil }
                        pointer += 1
                    }
                    guard let first = at(pointer), ASCII.isDigit(first) else { return nil }
                    var piece: Int?
                    while let byte = at(pointer), ASCII.isDigit(byte) {
                        let number = Int(byte - UInt8(ascii: "0"))
                        if let existing = piece {
                            guard existing != 0 else { return nil }
                            piece = existing * 10 + number
                        } else {
                            piece = number
                        }
                        guard piece! <= 255 else { return nil }
                        pointer += 1
                    }
                    address[pieceIndex] = address[pieceIndex] &* 0x100 &+ UInt16(piece!)
                    numbersSeen += 1
                    if numbersSeen == 2 || numbersSeen == 4 { pieceIndex += 1 }
                }
                guard numbersSeen == 4 else { return nil }
                break
            } else if at(pointer) == UInt8(ascii: ":") {
                pointer += 1
                guard at(pointer) != nil else { return nil }
            } else if at(pointer) != nil {
                return nil
            }
            address[pieceIndex] = UInt16(value)
            pieceIndex += 1
        }
        if let compress {
            var swaps = pieceIndex - compress
            pieceIndex = 7
            while pieceIndex != 0, swaps > 0 {
                address.swapAt(pieceIndex, compress + swaps - 1)
                pieceIndex -= 1
                swaps -= 1
            }
        } else if pieceIndex != 8 {
            return nil
        }
        return address
    }
}
