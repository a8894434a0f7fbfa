import CORSCore
import CORSExport
import CORSTestSupport
import Foundation
import HTTPTypes

/// What a response says to a browser, in a form an edge server's answer and the engine's can be compared by: the
/// status, every `Access-Control-*` field, and the names `Vary` lists. `Access-Control-Allow-Headers` is compared
/// as the list it is (an edge server echoes the request's line as sent; the engine rebuilds a line that has empty
/// elements or spaces), and a field with an empty value as no field (neither nginx nor Caddy can send one).
struct EdgeAnswer: Equatable, CustomStringConvertible {
    var status: Int
    var fields: [String]
    var vary: [String]

    init(status: Int, fields: [(name: String, value: String)]) {
        self.status = status
        var cors: [String] = []
        var vary: Set<String> = []
        for (name, value) in fields {
            let name = name.lowercased()
            if name == "vary" {
                for element in value.split(separator: ",") {
                    vary.insert(element.trimmingCharacters(in: .whitespaces).lowercased())
                }
            } else if name.hasPrefix("access-control-"), !value.isEmpty {
                let written =
                    name == "access-control-allow-headers"
                    ? value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                        .filter { !$0.isEmpty }.joined(separator: ",")
                    : value
                if !written.isEmpty { cors.append("\(name): \(written)") }
            }
        }
        self.fields = cors.sorted()
        self.vary = vary.sorted()
    }

    /// What `policy` answers to `request` in front of an upstream that answers `upstream`.
    init(policy: CORSPolicy, request: HTTPRequest, upstream: ScriptedResponse) {
        let decision = policy.evaluate(request)
        if let immediate = decision.immediateResponse {
            self.init(status: immediate.status.code, fields: immediate.headerFields.map { ($0.name.rawName, $0.value) })
            return
        }
        var fields = HTTPFields()
        for (name, value) in upstream.headers { fields.append(HTTPField(name: HTTPField.Name(name)!, value: value)) }
        decision.apply(to: &fields)
        self.init(status: upstream.status, fields: fields.map { ($0.name.rawName, $0.value) })
    }

    /// The answer in a raw HTTP/1.1 response; `nil` when it is not one.
    init?(response bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let headEnd = text.range(of: "\r\n\r\n") else { return nil }
        let lines = text[..<headEnd.lowerBound].components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { return nil }
        let fields = lines.dropFirst().compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        self.init(status: status, fields: fields)
    }

    var description: String { "\(status) \(fields) vary \(vary)" }
}

extension HTTPRequest {
    /// The request as an HTTP/1.1 message, its fields written as they are (duplicates and odd values kept).
    var wireBytes: [UInt8] {
        var text = "\(method.rawValue) \(path ?? "/") HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for field in headerFields { text += "\(field.name.rawName): \(field.value)\r\n" }
        return Array((text + "Connection: close\r\n\r\n").utf8)
    }

    /// The request as an edge server's variables read it: of several `Origin`, `Access-Control-Request-Method` or
    /// `Access-Control-Request-Headers` lines, the first (nginx before 1.23) or all joined by `,` (Caddy), and an
    /// empty one as none.
    func read(by kind: EdgeTarget) -> HTTPRequest {
        var request = self
        var fields = HTTPFields()
        for field in headerFields where !Self.readFields.contains(field.name) { fields.append(field) }
        for name in Self.readFields {
            let values = headerFields[values: name]
            guard let first = values.first else { continue }
            let value = kind == .nginx ? first : values.joined(separator: ",")
            if !value.isEmpty { fields.append(HTTPField(name: name, value: value)) }
        }
        request.headerFields = fields
        return request
    }

    private static let readFields: [HTTPField.Name] = [
        .origin, .accessControlRequestMethod, .accessControlRequestHeaders,
    ]
}
