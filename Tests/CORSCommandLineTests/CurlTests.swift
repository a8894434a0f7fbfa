import ArgumentParser
import CORSCore
import CORSTestSupport
import Foundation
import HTTPTypes
import Testing

@testable import CORSCommandLine

@Suite("cors check --curl: pasted commands")
struct CurlTests {
    /// Values that exercise every quoting rule of both shells.
    static let awkward = [
        "plain", "it's", "say \"hi\"", "100% sure", "%PATH%", "a^b", "a & b | c < d > e", "wow!", "back\\slash",
        "tab\there", "line\nbreak", "é and ü", "emoji 😀", "$HOME `id` $(id)", "{\"json\":[1,2]}", "semi;colon",
        "",
    ]

    /// A command generated for every browser and shell reads back as the request it was made from.
    @Test(arguments: [
        (DevToolsCurl.Browser.chromium, DevToolsCurl.Shell.bash), (.chromium, .cmd), (.firefox, .bash),
        (.firefox, .cmd),
    ])
    func generatedCommandsRoundTrip(browser: DevToolsCurl.Browser, shell: DevToolsCurl.Shell) throws {
        var generator = SeededGenerator(seed: 14)
        for round in 0..<200 {
            let value = { Self.awkward[Int(generator.next() % UInt64(Self.awkward.count))] }
            let request = DevToolsCurl.Request(
                url: "https://api.example.com/items?q=\(round)&x=[1]", method: round % 3 == 0 ? nil : "PUT",
                headers: [("x-a", value()), ("content-type", "application/json"), ("x-b", value())],
                cookie: round % 2 == 0 ? "session=\(value())" : nil, body: round % 4 == 1 ? nil : value())
            let text = DevToolsCurl.command(request, browser: browser, shell: shell)
            let command = try CurlCommand(text)
            #expect(command.dialect == (shell == .bash ? .bash : .cmd), "\(text)")
            #expect(command.url == request.url, "\(text)")
            #expect(command.method == request.method ?? (request.body == nil ? "GET" : "POST"), "\(text)")
            // Firefox's POSIX quoting writes characters below 256 as `\xHH`: bash passes that one byte (which is
            // also what a browser puts on the wire for such a header value), not its UTF-8 form.
            let bytes = { (text: String) -> [UInt8] in
                guard browser == .firefox, shell == .bash else { return Array(text.utf8) }
                return text.unicodeScalars.flatMap { $0.value < 256 ? [UInt8($0.value)] : Array(String($0).utf8) }
            }
            #expect(command.headers.map(\.name) == request.headers.map(\.0), "\(text)")
            #expect(command.headers.map(\.value) == request.headers.map { bytes($0.1) }, "\(text)")
            #expect(command.cookies == request.cookie.map(bytes), "\(text)")
            #expect(command.body == request.body.map(bytes), "\(text)")
        }
    }

    /// Commands in the browsers' exact layout: Chromium's with the fields real Chromium 156 sent (copied from its net
    /// log), Firefox's with the fields Firefox ESR sends for such a fetch (written by hand, not captured).
    @Test func browserLayouts() throws {
        let chromium = """
            curl 'http://127.0.0.1:8702/x' \\
              -X 'PUT' \\
              -H 'Accept: */*' \\
              -H 'Content-Type: application/json' \\
              -H 'Origin: http://localhost:8701' \\
              -H 'Referer: http://localhost:8701/' \\
              -H 'Sec-Fetch-Dest: empty' \\
              -H 'Sec-Fetch-Mode: cors' \\
              -H 'Sec-Fetch-Site: cross-site' \\
              -H 'User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.8078.108 Safari/537.36' \\
              -H 'X-A: 1' \\
              -H 'sec-ch-ua: "Not:A-Brand";v="8", "Chromium";v="156", "HeadlessChrome";v="156"' \\
              -H 'sec-ch-ua-mobile: ?0' \\
              -H 'sec-ch-ua-platform: "Linux"' \\
              --data-raw '{}'
            """
        let chromiumCmd = """
            curl ^"http://127.0.0.1:8702/x^" ^
              -X ^"PUT^" ^
              -H ^"Accept: */*^" ^
              -H ^"Content-Type: application/json^" ^
              -H ^"Origin: http://localhost:8701^" ^
              -H ^"Sec-Fetch-Mode: cors^" ^
              -H ^"X-A: 1^" ^
              -H ^"sec-ch-ua: ^\\^"Not:A-Brand^\\^";v=^\\^"8^\\^", ^\\^"Chromium^\\^";v=^\\^"156^\\^"^" ^
              --data-raw ^"^{^}^"
            """
        let firefox =
            "curl 'http://127.0.0.1:8702/x' -X PUT -H 'User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:153.0) "
            + "Gecko/20100101 Firefox/153.0' -H 'Accept: */*' -H 'Accept-Language: en-US,en;q=0.5' "
            + "-H 'Accept-Encoding: gzip, deflate, br, zstd' -H 'Content-Type: application/json' -H 'X-A: 1' "
            + "-H 'Origin: http://localhost:8701' -H 'Connection: keep-alive' -H 'Referer: http://localhost:8701/' "
            + "-H 'Sec-Fetch-Dest: empty' -H 'Sec-Fetch-Mode: cors' -H 'Sec-Fetch-Site: cross-site' "
            + "-H 'Priority: u=4' -H 'Pragma: no-cache' -H 'Cache-Control: no-cache' --data-raw '{}'"
        for text in [chromium, chromiumCmd, firefox] {
            let command = try CurlCommand(text)
            #expect(command.url == "http://127.0.0.1:8702/x" && command.method == "PUT")
            #expect(command.body == Array("{}".utf8))
            let sent = SentRequest(
                url: command.url, method: command.method, fields: command.headers, sentCookies: false, bodyLength: 2)
            let page = try sent.pageRequest(origin: nil, credentials: nil)
            #expect(page.request.origin.serialization == "http://localhost:8701" && page.originSource == "Origin")
            #expect(page.request.credentials == .sameOrigin)
            // What script set: the preflight a browser sends names exactly these (https://fetch.spec.whatwg.org/#cors-unsafe-request-header-names).
            let unsafe = Fetch.corsUnsafeRequestHeaderNames(page.request.headerFields)
            #expect(unsafe == ["content-type", "x-a"], "\(page.request.headerFields)")
            #expect(page.browserFields.contains("origin") && page.browserFields.contains("sec-fetch-mode"))
        }
        #expect(
            try CurlCommand(chromiumCmd).headers.last?.value == Array(#""Not:A-Brand";v="8", "Chromium";v="156""#.utf8))
    }

    /// Everything that would run, read or write something is refused, each problem named, all at once.
    @Test func unsafeCommandsAreRefusedNotRun() {
        let cases: [(String, [String])] = [
            ("curl 'http://a/' ; rm -rf ~", ["shell syntax `;`"]),
            ("curl http://a/ | sh", ["shell syntax `|`"]),
            ("curl \"http://a/$(id)\"", ["expands a shell variable"]),
            ("curl http://a/$HOME", ["expands a shell variable"]),
            ("curl ^\"http://a/^\" & calc", ["cmd syntax `&`"]),
            ("curl ^\"http://a/^\" -H ^\"x: %PATH%^\"", ["environment variable"]),
            (
                "curl http://a/ -o out.txt -d @secret.json -b cookies.txt -K cfg --frobnicate -T f",
                [
                    "`-o` writes a file", "`-d @…` reads the body from a file", "`-b cookies.txt` reads cookies",
                    "`-K` reads a config file", "`--frobnicate` is not an option", "`-T` uploads a local file",
                ]
            ),
            ("wget http://a/", ["does not start with `curl`"]), ("curl -X", ["`-X` needs a value", "no URL"]),
            ("curl 'http://a/", ["quote is not closed"]),
        ]
        for (text, expected) in cases {
            do {
                let command = try CurlCommand(text)
                Issue.record("accepted \(text) as \(command.url)")
            } catch {
                for fragment in expected {
                    #expect(error.description.contains(fragment), "\(text): \(error.description)")
                }
                #expect(error.problems.count == expected.count, "\(text): \(error.problems)")
            }
        }
    }

    @Test func attachedValuesAndFlagRuns() throws {
        let command = try CurlCommand("curl -sSL -XDELETE -H'X-A;' --url=http://a.example/x -d a=1 -d b=2")
        #expect(command.method == "DELETE" && command.url == "http://a.example/x")
        #expect(command.headers.first?.name == "X-A" && command.headers.first?.value == [])
        #expect(command.body == Array("a=1&b=2".utf8))
        #expect(command.ignoredOptions == ["-s", "-S", "-L"])
        #expect(try CurlCommand("curl -I http://a/").method == "HEAD")
    }

    /// The page's origin falls back to the Referer's; a `null` Origin and a navigation are explained, not guessed.
    @Test func pageOriginAndMode() throws {
        func page(_ fields: [(String, String)], cookies: Bool = false) throws -> SentRequest.PageRequest {
            try SentRequest(
                url: "https://api.example/x", method: "GET", fields: fields.map { ($0.0, Array($0.1.utf8)) },
                sentCookies: cookies, bodyLength: 0
            ).pageRequest(origin: nil, credentials: nil)
        }
        let referer = try page([("Referer", "https://app.example:8443/page?q=1")], cookies: true)
        #expect(referer.request.origin.serialization == "https://app.example:8443" && referer.originSource == "Referer")
        #expect(referer.request.credentials == .include)
        #expect(try page([("Origin", "https://a.example"), ("Sec-Fetch-Mode", "no-cors")]).request.mode == .noCORS)
        #expect(throws: SentRequest.Unreadable.self) { try page([("Origin", "null")]) }
        #expect(throws: SentRequest.Unreadable.self) { try page([]) }
        #expect(throws: SentRequest.Unreadable.self) {
            try page([("Origin", "https://a.example"), ("Sec-Fetch-Mode", "navigate")])
        }
    }

    /// The whole flow over loopback: the pasted command's fault is found, and the report says how it was read.
    @Test(
        arguments: [
            ("/ok-preflight", ["x-a"], false, nil),
            ("/pf-header", ["x-a"], false, CORSFailure.headerNotAllowed),
            ("/wildcard", [], true, .wildcardOriginWithCredentials),
            ("/no-credentials", [], true, .allowCredentialsNotTrue),
            ("/no-credentials", [], false, nil),
        ] as [(String, [String], Bool, CORSFailure?)])
    func replayOverLoopback(path: String, extra: [String], cookies: Bool, expected: CORSFailure?) async throws {
        let server = try await CatalogueServer.start()
        let request = DevToolsCurl.Request(
            url: server.origin + path, method: nil,
            headers: [
                ("accept", "*/*"), ("origin", CatalogueServer.pageOrigin), ("sec-fetch-mode", "cors"),
                ("user-agent", "Mozilla/5.0"), ("cache-control", "no-cache"),
            ] + extra.map { ($0, "1") }, cookie: cookies ? "session=s3cret" : nil, body: nil)
        let text = DevToolsCurl.command(request, browser: .chromium, shell: .bash)
        let command = try #require(try CORSCommand.parseAsRoot(["check", "--curl", text, "--json"]) as? Check)
        let (output, code) = try await command.execute(color: false)
        let human = try #require(try CORSCommand.parseAsRoot(["check", "--curl", text]) as? Check)
        let (humanOutput, _) = try await human.execute(color: false)
        let received = server.requests
        try await server.shutdown()
        #expect(code == (expected == nil ? 0 : 1), "\(output)")
        let object = try #require(jsonObject(output))
        #expect(((object["failure"] as? [String: Any])?["id"] as? String) == expected?.code)
        let curl = try #require(object["curl"] as? [String: Any])
        #expect(curl["origin"] as? String == CatalogueServer.pageOrigin && curl["originFrom"] as? String == "Origin")
        #expect(curl["credentials"] as? String == (cookies ? "include" : "same-origin"))
        #expect(curl["notReplayed"] as? [String] == ["origin", "sec-fetch-mode", "user-agent", "cache-control"])
        #expect(curl["ignoredOptions"] as? [String] == ["--compressed"])
        #expect(curl["cookies"] as? Bool == cookies)
        #expect(humanOutput.hasPrefix("Replaying a bash cURL command as the page's fetch:"))
        #expect(humanOutput.contains("page origin \(CatalogueServer.pageOrigin) (from Origin)"))
        // The browser's own fields were not replayed as the page's: the preflight asks for x-a only.
        let preflight = received.first { $0.method == "OPTIONS" }
        #expect(preflight?.headerFields[.accessControlRequestHeaders] == (extra.isEmpty ? nil : "x-a"))
        #expect(received.allSatisfy { $0.headerFields[.userAgent] != "Mozilla/5.0" })
        // The command's cookies went again with the credentialed request (never with the preflight).
        let actual = received.first { $0.method != "OPTIONS" }
        #expect(actual?.headerFields[.cookie] == (cookies ? "session=s3cret" : nil))
        #expect(preflight?.headerFields[.cookie] == nil)
    }

    @Test func usageErrors() throws {
        for bad in [
            ["--curl", "curl http://a/", "http://b/"], ["--curl", "curl http://a/", "-H", "X: 1"],
            ["--origin", "https://a.example"],
        ] {
            #expect(throws: (any Error).self, "\(bad)") { try CORSCommand.parseAsRoot(["check"] + bad) }
        }
    }
}
