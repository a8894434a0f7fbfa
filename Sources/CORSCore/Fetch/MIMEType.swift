/// The part of MIME Sniffing's "parse a MIME type" that CORS needs: the essence (`type/subtype`, lowercased).
///
/// Parameters never make parsing fail (an invalid parameter is skipped), so only the type and subtype are checked.
///
/// https://mimesniff.spec.whatwg.org/#parse-a-mime-type
enum MIMEType {
    /// The essence of `value`, or `nil` when it is not a MIME type.
    static func essence(of value: Substring) -> String? {
        let input = ASCII.trimming(value, where: ASCII.isHTTPWhitespace).utf8
        guard let slash = input.firstIndex(of: UInt8(ascii: "/")) else { return nil }
        let type = input[..<slash]
        guard ASCII.isToken(type) else { return nil }
        let afterSlash = input[input.index(after: slash)...]
        let semicolon = afterSlash.firstIndex(of: UInt8(ascii: ";")) ?? afterSlash.endIndex
        var subtype = afterSlash[..<semicolon]
        while let last = subtype.last, ASCII.isHTTPWhitespace(last) { subtype = subtype.dropLast() }
        guard ASCII.isToken(subtype) else { return nil }
        return String(
            decoding: type.map(ASCII.lowercased) + [UInt8(ascii: "/")] + subtype.map(ASCII.lowercased),
            as: UTF8.self)
    }
}
