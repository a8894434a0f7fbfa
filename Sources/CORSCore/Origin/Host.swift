extension Origin {
    /// The host of a tuple origin: a domain in its ASCII form, an IPv4 address or an IPv6 address. (Nested, so that
    /// it never clashes with `Foundation.Host`, which Vapor re-exports.)
    ///
    /// https://url.spec.whatwg.org/#concept-host
    public enum Host: Sendable, Hashable {
        /// A domain, lowercase ASCII with non-ASCII labels in their Punycode (`xn--`) form.
        case domain(String)
        /// An IPv4 address as a 32-bit number.
        case ipv4(UInt32)
        /// An IPv6 address as eight 16-bit pieces.
        case ipv6([UInt16])

        /// The host serializer: dotted-quad IPv4, RFC 5952 compressed IPv6 in brackets, or the domain.
        ///
        /// https://url.spec.whatwg.org/#concept-host-serializer
        public var serialization: String {
            switch self {
            case .domain(let domain):
                return domain
            case .ipv4(let address):
                return (0..<4).map { String((address >> (24 - 8 * UInt32($0))) & 0xFF) }.joined(separator: ".")
            case .ipv6(let pieces):
                return "[" + Self.serializeIPv6(pieces) + "]"
            }
        }

        /// Whether the host is an IP address literal rather than a domain.
        public var isIPAddress: Bool {
            if case .domain = self { return false }
            return true
        }

        /// Whether the host is `localhost`, a `.localhost` name (with or without a final dot), or a loopback address:
        /// hosts that browsers treat as potentially trustworthy even over `http`.
        ///
        /// https://w3c.github.io/webappsec-secure-contexts/#is-origin-trustworthy
        public var isLoopback: Bool {
            switch self {
            case .domain(let domain):
                let name = domain.hasSuffix(".") ? domain.dropLast() : domain[...]
                return name == "localhost" || name.hasSuffix(".localhost")
            case .ipv4(let address):
                return address >> 24 == 127
            case .ipv6(let pieces):
                return pieces == [0, 0, 0, 0, 0, 0, 0, 1]
            }
        }

        /// RFC 5952: lowercase hex without leading zeros; the first longest run of two or more zero pieces becomes `::`.
        static func serializeIPv6(_ pieces: [UInt16]) -> String {
            var bestStart = -1
            var bestLength = 1
            var index = 0
            while index < pieces.count {
                guard pieces[index] == 0 else {
                    index += 1
                    continue
                }
                var end = index
                while end < pieces.count, pieces[end] == 0 { end += 1 }
                if end - index > bestLength {
                    bestStart = index
                    bestLength = end - index
                }
                index = end
            }
            var output = ""
            var ignoring = false
            for (position, piece) in pieces.enumerated() {
                if ignoring, piece == 0 { continue }
                ignoring = false
                if position == bestStart {
                    output += position == 0 ? "::" : ":"
                    ignoring = true
                    continue
                }
                output += String(piece, radix: 16)
                if position != pieces.count - 1 { output += ":" }
            }
            return output
        }
    }
}
