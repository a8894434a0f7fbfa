import HTTP1Wire
package import HTTPTypes

/// What the gateway tells the upstream about the client: `Forwarded` (RFC 7239) and the older `X-Forwarded-For`,
/// `-Host` and `-Proto`.
///
/// By default the client's own `Forwarded` and `X-Forwarded-*` fields are removed before the gateway adds its own:
/// any client can write them, so an upstream that reads them would take an attacker's word for the client's address.
/// Behind another proxy that sets them, `trustIncoming` keeps them and appends.
package struct Forwarding: Sendable, Hashable {
    package enum Fields: String, Sendable, Hashable, CaseIterable {
        case forwarded
        case xForwarded = "x-forwarded"
        case both
        case none
    }

    package var fields: Fields
    package var trustIncoming: Bool
    /// The scheme clients use to reach the gateway: `https` when it terminates TLS.
    package var proto: String

    package init(fields: Fields = .both, trustIncoming: Bool = false, proto: String = "http") {
        self.fields = fields
        self.trustIncoming = trustIncoming
        self.proto = proto
    }

    static let forwarded = HTTPField.Name("Forwarded")!
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
    static let xForwardedHost = HTTPField.Name("X-Forwarded-Host")!
    static let xForwardedProto = HTTPField.Name("X-Forwarded-Proto")!
    /// The canonical names of the four, compared as strings (no hashing) for every field of every request.
    private static let names = [forwarded, xForwardedFor, xForwardedHost, xForwardedProto].map(\.canonicalName)

    /// Whether a client's field named `name` (canonical) is dropped before it is forwarded: its own forwarding
    /// fields, unless they are trusted. (All four start with `f` or `x`: most names are ruled out by their first byte.)
    func drops(_ name: String) -> Bool {
        let first = name.utf8.first
        return !trustIncoming && (first == UInt8(ascii: "f") || first == UInt8(ascii: "x")) && Self.names.contains(name)
    }

    /// Adds what the upstream should know to `headers`: the client's address (`nil` when unknown), the `Host` it
    /// asked for (valid `authority` syntax, checked by the parser) and the scheme. The client's own forwarding
    /// fields must be gone already where ``drops(_:)`` says so.
    package func apply(to headers: inout HTTPFields, client: String?, host: String?, proto: String) {
        if fields == .forwarded || fields == .both {
            // Built in one string sized once: this runs on every request.
            var element = "for="
            element.reserveCapacity(64 + (host?.utf8.count ?? 0))
            element += Self.node(client)
            if let host {
                element += ";host="
                Self.appendQuoted(host, to: &element)
            }
            element += ";proto="
            element += proto
            headers.append(HTTPField(name: Self.forwarded, value: element))
        }
        if fields == .xForwarded || fields == .both {
            let address = client ?? "unknown"
            if trustIncoming {
                let prior = headers[values: Self.xForwardedFor].joined(separator: ", ")
                headers[Self.xForwardedFor] = prior.isEmpty ? address : prior + ", " + address
                if let host { headers[Self.xForwardedHost] = host }
                headers[Self.xForwardedProto] = proto
            } else {
                // The client's own are gone (above): nothing to join or replace.
                headers.append(HTTPField(name: Self.xForwardedFor, value: address))
                if let host { headers.append(HTTPField(name: Self.xForwardedHost, value: host)) }
                headers.append(HTTPField(name: Self.xForwardedProto, value: proto))
            }
        }
    }

    /// RFC 7239 §6: an IPv4 address as a token, an IPv6 address bracketed and quoted, `unknown` otherwise.
    static func node(_ address: String?) -> String {
        guard let address else { return "unknown" }
        return address.utf8.contains(UInt8(ascii: ":")) ? "\"[\(address)]\"" : address
    }

    /// Appends `value` as an RFC 7230 §3.2.6 `quoted-string`, with `\` and `"` escaped. This runs on every request
    /// and a valid `Host` has neither, so the bytes are checked first and usually appended whole.
    static func appendQuoted(_ value: String, to output: inout String) {
        output.append("\"")
        if value.utf8.contains(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            for scalar in value.unicodeScalars {
                if scalar == "\"" || scalar == "\\" { output.unicodeScalars.append("\\") }
                output.unicodeScalars.append(scalar)
            }
        } else {
            output.append(value)
        }
        output.append("\"")
    }
}

/// Fields that concern one connection only and are never forwarded either way (RFC 9110 §7.6.1), with those the
/// gateway handles itself (`Expect`, answered when the body is first read).
enum HopByHop {
    /// Whether `name` (canonical, lowercase) is hop-by-hop whatever `Connection` says. This runs for every field of
    /// every message both ways: the first byte rules out most names before one string is compared.
    static func isHopByHop(_ name: String) -> Bool {
        switch name.utf8.first {
        case UInt8(ascii: "c"): name == "connection"
        case UInt8(ascii: "e"): name == "expect"
        case UInt8(ascii: "k"): name == "keep-alive"
        case UInt8(ascii: "p"):
            name == "proxy-authenticate" || name == "proxy-authorization" || name == "proxy-connection"
        case UInt8(ascii: "t"): name == "te" || name == "trailer" || name == "transfer-encoding"
        case UInt8(ascii: "u"): name == "upgrade"
        default: false
        }
    }

    /// `fields` without hop-by-hop fields, without the fields `Connection` names, and without those `dropping`
    /// names, with room for `extra` more: one pass, each kept field copied once.
    static func removed(
        from fields: HTTPFields, reserving extra: Int = 0, dropping: (String) -> Bool = { _ in false }
    ) -> HTTPFields {
        // The names `Connection` lists beyond the fixed ones: usually none, or `close` (kept as a flag, so that the
        // common case builds nothing).
        var listed: Set<String> = []
        var closeListed = false
        fields.forEachListElement(.connection) { token in
            if token.equalsLowercaseASCII("close") {
                closeListed = true
            } else if !token.isEmpty, !token.equalsLowercaseASCII("keep-alive") {
                let name = token.lowercased()
                if !isHopByHop(name) { listed.insert(name) }
            }
        }
        var kept = HTTPFields()
        kept.reserveCapacity(fields.count + extra)
        for field in fields {
            let name = field.name.canonicalName
            if isHopByHop(name) || (closeListed && name == "close") || (!listed.isEmpty && listed.contains(name))
                || dropping(name)
            {
                continue
            }
            kept.append(field)
        }
        return kept
    }
}
