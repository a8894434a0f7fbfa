/// Path normalization for route matching, so that a policy cannot be dodged by spelling a path differently.
///
/// The query and fragment are dropped; percent-encoded unreserved characters are decoded (`%2E` is `.`, RFC 3986
/// §6.2.2.2); empty segments are collapsed (`//admin` is `/admin`); dot segments are resolved (RFC 3986 §5.2.4).
/// Case is kept: `/Admin` and `/admin` are different paths.
enum RoutePath {
    static func normalize(_ path: Substring) -> Substring {
        let end = path.firstIndex(where: { $0 == "?" || $0 == "#" }) ?? path.endIndex
        let path = path[..<end]
        guard needsWork(path) else { return path }
        let decoded = String(
            decoding: ASCII.percentDecode(path) { ASCII.isAlpha($0) || ASCII.isDigit($0) || "-._~".utf8.contains($0) },
            as: UTF8.self)
        var segments: [Substring] = []
        let parts = decoded.split(separator: "/", omittingEmptySubsequences: true)
        for part in parts {
            switch part {
            case ".": continue
            case "..": if !segments.isEmpty { segments.removeLast() }
            default: segments.append(part)
            }
        }
        let trailingSlash = decoded.hasSuffix("/") || parts.last == "." || parts.last == ".."
        var result = "/" + segments.joined(separator: "/")
        if trailingSlash, !segments.isEmpty { result += "/" }
        return result[...]
    }

    /// Whether `path` matches `prefix` on a segment boundary. `prefix` has no trailing `/` (except the root).
    static func matches(_ path: Substring, prefix: String) -> Bool {
        guard path.hasPrefix(prefix) else { return false }
        if prefix == "/" || path.utf8.count == prefix.utf8.count { return true }
        return path.utf8[path.utf8.index(path.startIndex, offsetBy: prefix.utf8.count)] == UInt8(ascii: "/")
    }

    /// A route's prefix in the form ``matches(_:prefix:)`` expects, or `nil` when it is not a valid prefix.
    static func normalizedPrefix(_ prefix: String) -> String? {
        guard prefix.hasPrefix("/"), !prefix.contains("?"), !prefix.contains("#") else { return nil }
        let normalized = String(normalize(prefix[...]))
        let trimmed = normalized.count > 1 && normalized.hasSuffix("/") ? String(normalized.dropLast()) : normalized
        guard trimmed == prefix || trimmed + "/" == prefix else { return nil }
        return trimmed
    }

    private static func needsWork(_ path: Substring) -> Bool {
        guard path.hasPrefix("/") else { return true }
        var previous: UInt8 = 0
        for byte in path.utf8 {
            if byte == UInt8(ascii: "%") { return true }
            if byte == UInt8(ascii: "/"), previous == UInt8(ascii: "/") { return true }
            if byte == UInt8(ascii: "."), previous == UInt8(ascii: "/") { return true }
            previous = byte
        }
        return false
    }
}
