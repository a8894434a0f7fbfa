public import HTTPTypes

extension CORSDecision {
    /// One log line for a refused request: the reason code, the method and path, and the origin — every value
    /// escaped so that an attacker's `Origin` cannot forge log lines (CR, LF and other controls become `\u{..}`) —
    /// or `nil` when the request was not refused. For server logs only; never put it in a response.
    public func logMessage(for request: HTTPRequest) -> String? {
        guard let rejection else { return nil }
        let origin = request.headerFields[.origin] ?? ""
        let kind = kind == .preflight ? "preflight" : "request"
        return "CORS \(kind) refused [\(rejection.code)]: \(Self.sanitized(rejection.description)); "
            + "\(Self.sanitized(request.method.rawValue)) \(Self.sanitized(request.path ?? "")) "
            + "from origin \"\(Self.sanitized(origin))\""
    }

    /// Printable ASCII only, at most 256 characters: anything else is escaped.
    package static func sanitized(_ text: String) -> String {
        var output = ""
        for scalar in text.unicodeScalars {
            if output.unicodeScalars.count >= 256 {
                output += "…"
                break
            }
            if scalar.value >= 0x20, scalar.value < 0x7F, scalar != "\\", scalar != "\"" {
                output.unicodeScalars.append(scalar)
            } else {
                output += "\\u{\(String(scalar.value, radix: 16))}"
            }
        }
        return output
    }

    /// The log line for an ``OriginSource`` that failed (threw or timed out): the origin was refused, and why.
    public static func sourceFailureMessage(_ error: any Error, for request: HTTPRequest) -> String {
        "CORS origin source failed, origin refused: \(sanitized(String(describing: error))); "
            + "\(sanitized(request.method.rawValue)) \(sanitized(request.path ?? "")) "
            + "from origin \"\(sanitized(request.headerFields[.origin] ?? ""))\""
    }
}
