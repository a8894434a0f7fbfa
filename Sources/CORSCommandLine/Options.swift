public import ArgumentParser
import CORSCore
import HTTPTypes

/// `-X` and `-H`: the method and header fields of the request a command sends (`check`, `audit`).
struct RequestOptions: ParsableArguments {
    @Option(name: [.customShort("X"), .long], help: "The request method.")
    var method: String = "GET"

    @Option(name: [.customShort("H"), .customLong("header")], help: "A request header, 'Name: value' (repeatable).")
    var headers: [String] = []

    func validate() throws {
        guard HTTPRequest.Method(method) != nil else { throw ValidationError("-X: `\(method)` is not a method token") }
        _ = try headerFields()
    }

    /// The method, once validated.
    var requestMethod: HTTPRequest.Method { HTTPRequest.Method(method)! }

    /// The `-H 'Name: value'` options as header fields, read as curl reads them; a malformed one is a usage error.
    func headerFields() throws -> HTTPFields {
        var fields = HTTPFields()
        for option in headers {
            guard let (name, value) = CurlCommand.header(Array(option.utf8)), let fieldName = HTTPField.Name(name)
            else { throw ValidationError("-H: `\(option)` is not 'Name: value'") }
            fields.append(HTTPField(name: fieldName, value: String(decoding: value, as: UTF8.self)))
        }
        return fields
    }
}

/// `--timeout`: how long a command waits for each response.
struct TimeoutOption: ParsableArguments {
    @Option(help: "Seconds to wait for each response (connecting: at most 10).")
    var timeout: Int64 = 30

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be a positive number of seconds") }
    }
}

/// `--json`: every command can print one JSON document instead of text.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print one JSON document (keys sorted) and nothing else on stdout.")
    var json = false
}

/// `--browser`: the engine whose behaviour the browser model follows.
enum BrowserChoice: String, ExpressibleByArgument, CaseIterable {
    case chromium, firefox, webkit, spec

    var profile: BrowserProfile {
        switch self {
        case .chromium: .chromium
        case .firefox: .firefox
        case .webkit: .webkit
        case .spec: .spec
        }
    }
}

extension CredentialsMode: ExpressibleByArgument {}
extension RequestCacheMode: ExpressibleByArgument {}

/// A page's origin as an option gives it: a browser's serialization, never `null`.
func validatedOrigin(_ text: String, option: String) throws -> Origin {
    guard text != "null", let origin = Origin(headerValue: text) else {
        throw ValidationError(
            "\(option) `\(text)` is not a serialized origin such as https://app.example.com (no path, no trailing /)")
    }
    return origin
}
