import CORSCore

/// A request read from a pasted `curl` command — what browsers' "Copy as cURL" write — without running it.
///
/// The options browsers write are read (`-X`, `-H`, `-b`, `--data*`, `--compressed`, `--url`, `-I`); a few that do not
/// change the request are noted and ignored (`-s`, `-k`, `-L`, `--http2`…); every other option, and any that would
/// read a file or write one (`-d @file`, `-b file`, `-o`, `-T`, `-K`, `-F`), is a problem named in the error.
struct CurlCommand {
    struct Problems: Error, CustomStringConvertible {
        let problems: [String]
        var description: String {
            (["the curl command cannot be replayed:"] + problems.map { "  - " + $0 }).joined(separator: "\n")
        }
    }

    let dialect: ShellWords.Dialect
    let url: String
    /// The method: `-X`, else what curl would use (`HEAD` for `-I`, `POST` with data, else `GET`).
    let method: String
    /// `-H` fields in order, as name and value bytes; `-H 'Name;'` is an empty value, as curl reads it.
    let headers: [(name: String, value: [UInt8])]
    /// `-b` cookie data (several joined with `; `).
    let cookies: [UInt8]?
    let body: [UInt8]?
    /// Options read but without effect on what a browser sends (for the report).
    let ignoredOptions: [String]

    /// Options that take a value and mean nothing for a replay.
    private static let ignoredWithValue: Set<String> = [
        "--connect-timeout", "-m", "--max-time", "--retry", "-w", "--write-out", "--limit-rate",
    ]
    /// Flags that mean nothing for a replay (transport, verbosity, redirects, which the browser model follows).
    private static let ignoredFlags: Set<String> = [
        "--compressed", "-s", "--silent", "-S", "--show-error", "-k", "--insecure", "-L", "--location", "-v",
        "--verbose", "-i", "--include", "--http1.1", "--http2", "--http2-prior-knowledge", "--http3", "-g",
        "--globoff", "-N", "--no-buffer", "--fail", "-f", "--path-as-is",
    ]
    /// Unsafe options that take no value.
    private static let unsafeFlags: Set<String> = ["-O", "--remote-name", "-q", "-:", "--next"]
    /// Options that read or write local files, send to other hosts or run something: never honoured.
    private static let unsafeOptions: [String: String] = [
        "-o": "writes a file", "--output": "writes a file", "-O": "writes a file", "--remote-name": "writes a file",
        "-T": "uploads a local file", "--upload-file": "uploads a local file", "-K": "reads a config file",
        "--config": "reads a config file", "-F": "can read local files", "--form": "can read local files",
        "-x": "sends through a proxy", "--proxy": "sends through a proxy", "--unix-socket": "connects to a socket",
        "--resolve": "changes where the host resolves", "--connect-to": "changes where the host resolves",
        "-u": "sends HTTP authentication a page's fetch does not", "--user": "sends HTTP authentication",
        "-c": "writes a cookie file", "--cookie-jar": "writes a cookie file", "-D": "writes a file",
        "--dump-header": "writes a file", "--trace": "writes a file", "--trace-ascii": "writes a file",
        "--libcurl": "writes a file", "-q": "changes how curl reads its config", "-:": "starts another request",
        "--next": "starts another request",
    ]

    /// Reads `text`, a whole `curl …` command in bash or cmd syntax.
    init(_ text: String) throws(Problems) {
        let words: ShellWords
        do {
            words = try ShellWords(text)
        } catch {
            throw Problems(problems: [error.description])
        }
        dialect = words.dialect
        var arguments = words.words.map { String(decoding: $0, as: UTF8.self) }
        var raw = words.words
        guard let first = arguments.first, first == "curl" || first == "curl.exe" else {
            throw Problems(problems: ["the command does not start with `curl` (paste what \"Copy as cURL\" gives)"])
        }
        arguments.removeFirst()
        raw.removeFirst()

        var problems: [String] = []
        var url: String?
        var method: String?
        var headers: [(name: String, value: [UInt8])] = []
        var cookies: [[UInt8]] = []
        var data: [[UInt8]] = []
        var head = false
        var ignored: [String] = []
        var index = 0
        func value(for option: String, attached: [UInt8]?) -> [UInt8]? {
            if let attached { return attached }
            index += 1
            guard index < raw.count else {
                problems.append("`\(option)` needs a value")
                return nil
            }
            return raw[index]
        }
        while index < arguments.count {
            defer { index += 1 }
            let word = arguments[index]
            guard word.hasPrefix("-"), word.count > 1 else {
                if url != nil { problems.append("a second URL `\(word)`: one request at a time") }
                url = word
                continue
            }
            var option = word
            var attached: [UInt8]?
            if !word.hasPrefix("--"), word.count > 2 {
                // `-XPUT`, `-H…`, or short flags run together (`-sSL`).
                let letters = word.dropFirst().map { "-\($0)" }
                if letters.allSatisfy(Self.ignoredFlags.contains) {
                    ignored += letters
                    continue
                }
                option = String(word.prefix(2))
                attached = Array(raw[index].dropFirst(2))
            } else if word.hasPrefix("--"), let equals = word.firstIndex(of: "=") {
                option = String(word[..<equals])
                attached = Array(word[word.index(after: equals)...].utf8)
            }
            switch option {
            case "--url":
                if let bytes = value(for: option, attached: attached) { url = String(decoding: bytes, as: UTF8.self) }
            case "-X", "--request":
                if let bytes = value(for: option, attached: attached) {
                    method = String(decoding: bytes, as: UTF8.self)
                }
            case "-H", "--header":
                guard let bytes = value(for: option, attached: attached) else { break }
                if let field = Self.header(bytes) {
                    headers.append(field)
                } else {
                    problems.append("`-H \(String(decoding: bytes, as: UTF8.self))` is not 'Name: value'")
                }
            case "-A", "--user-agent":
                if let bytes = value(for: option, attached: attached) {
                    headers.append((name: "User-Agent", value: bytes))
                }
            case "-e", "--referer":
                if let bytes = value(for: option, attached: attached) {
                    headers.append((name: "Referer", value: bytes))
                }
            case "-b", "--cookie":
                guard let bytes = value(for: option, attached: attached) else { break }
                let text = String(decoding: bytes, as: UTF8.self)
                if text.contains("=") {
                    cookies.append(bytes)
                } else {
                    problems.append(
                        "`\(option) \(text)` reads cookies from a file; cors never reads files for a curl command")
                }
            case "-d", "--data", "--data-ascii", "--data-binary", "--data-raw", "--data-urlencode", "--json":
                guard let bytes = value(for: option, attached: attached) else { break }
                if option != "--data-raw", bytes.first == UInt8(ascii: "@") {
                    problems.append(
                        "`\(option) @…` reads the body from a file; cors never reads files for a curl command")
                } else {
                    data.append(bytes)
                }
            case "-I", "--head":
                head = true
            case "-G", "--get":
                problems.append("`\(option)` moves the data into the URL; paste the URL the browser requested instead")
            case _ where Self.ignoredFlags.contains(option):
                ignored.append(option)
            case _ where Self.ignoredWithValue.contains(option):
                _ = value(for: option, attached: attached)
                ignored.append(option)
            default:
                if let reason = Self.unsafeOptions[option] {
                    if !Self.unsafeFlags.contains(option), attached == nil { index += 1 }
                    problems.append("`\(option)` \(reason); cors never does that for a pasted command")
                } else {
                    problems.append("`\(option)` is not an option browsers write in \"Copy as cURL\"")
                }
            }
        }
        if url == nil { problems.append("the command has no URL") }
        guard problems.isEmpty, let url else { throw Problems(problems: problems) }
        self.url = url
        self.method = method ?? (head ? "HEAD" : data.isEmpty ? "GET" : "POST")
        self.headers = headers
        self.cookies = cookies.isEmpty ? nil : Array(cookies.joined(separator: Array("; ".utf8)))
        // curl joins several `-d` with `&`.
        self.body = data.isEmpty ? nil : Array(data.joined(separator: [UInt8(ascii: "&")]))
        self.ignoredOptions = ignored
    }

    /// `Name: value`, or `Name;` for an empty value (curl's way of sending a header with no value); `cors check -H`
    /// reads its option the same way.
    static func header(_ bytes: [UInt8]) -> (name: String, value: [UInt8])? {
        if let colon = bytes.firstIndex(of: UInt8(ascii: ":")) {
            let name = String(String(decoding: bytes[..<colon], as: UTF8.self).trimmingTabsAndSpaces)
            var value = bytes[(colon + 1)...]
            while let first = value.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
                value = value.dropFirst()
            }
            return name.isEmpty ? nil : (name, Array(value))
        }
        if bytes.last == UInt8(ascii: ";"), bytes.count > 1 {
            return (String(decoding: bytes.dropLast(), as: UTF8.self), [])
        }
        return nil
    }
}
