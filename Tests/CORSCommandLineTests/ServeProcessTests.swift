import ArgumentParser
import AsyncHTTPClient
import CORSClient
import CORSCore
import CORSTestSupport
import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOSSL
import Testing

@testable import CORSCommandLine

/// `cors serve` as a separate process: what only a real process shows (peak memory, signals).
final class ServeProcess: @unchecked Sendable {
    let process = Process()
    let output = Pipe()
    let base: String
    /// The admin listener's URL, with `--admin-listen`.
    let admin: String?
    private let lines: AsyncStream<String>.Iterator

    init(_ arguments: [String], environment: [String: String] = [:]) async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        process.executableURL = root.appendingPathComponent(".build/debug/cors")
        process.arguments = ["serve", "--listen", "127.0.0.1:0", "--json"] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let (stream, continuation) = AsyncStream.makeStream(of: String.self)
        output.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {
                continuation.finish()
                return
            }
            for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
                continuation.yield(String(line))
            }
        }
        var iterator = stream.makeAsyncIterator()
        var found: String?
        var admin: String?
        let wantsAdmin = arguments.contains("--admin-listen")
        while let line = await iterator.next() {
            if let range = line.firstRange(of: #"{"listening":""#) {
                found = String(line[range.upperBound...].prefix { $0 != "\"" })
            }
            if let range = line.firstRange(of: #"{"admin":""#) {
                admin = String(line[range.upperBound...].prefix { $0 != "\"" })
            }
            if found != nil, admin != nil || !wantsAdmin { break }
        }
        base = found ?? ""
        self.admin = admin
        lines = iterator
    }

    /// Waits (up to `seconds`) for an output line containing `text`.
    func waitForLine(containing text: String, seconds: Double = 10) async -> Bool {
        await line(containing: text, seconds: seconds) != nil
    }

    /// The first output line (from now, up to `seconds`) containing `text`.
    func line(containing text: String, seconds: Double = 10) async -> String? {
        await lines(through: text, seconds: seconds)?.last
    }

    /// The output lines from now through the first containing `text` (`nil` when none does within `seconds`; the
    /// time is checked as lines arrive).
    func lines(through text: String, seconds: Double = 10) async -> [String]? {
        var iterator = lines
        var seen: [String] = []
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while ContinuousClock.now < deadline {
            guard let line = await iterator.next() else { return nil }
            seen.append(line)
            if line.contains(text) { return seen }
        }
        return nil
    }

    /// Peak resident memory in KiB (Linux).
    var peakResidentKiB: Int {
        let status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}

func temporaryPolicy(_ text: String) throws -> String {
    let path = NSTemporaryDirectory() + "cors-policy-\(UUID().uuidString).json"
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

let policyText =
    #"{"allowOrigins": ["https://app.example.com"], "allowMethods": ["PUT"], "allowHeaders": ["content-type"]}"#

@Suite("cors serve as a process", .serialized)
struct ServeProcessTests {
    /// 100 MiB up and 100 MiB down through the gateway; its peak memory stays far below the body size.
    @Test func streamsLargeBodiesWithBoundedMemory() async throws {
        let chunk = [UInt8](repeating: 0x61, count: 64 * 1024)
        let chunks = 1600  // 100 MiB
        let upstream = try await ScriptedServer.start(keepBodies: false) { request in
            if request.method == "POST" { return ScriptedResponse(200, [], body: String(request.bodyCount)) }
            return ScriptedResponse(
                200, [("Content-Type", "application/octet-stream")], bytes: chunk, repeatBody: chunks)
        }
        let gateway = try await ServeProcess([
            "--policy", try temporaryPolicy(policyText), "--upstream", upstream.origin,
        ])
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        let idle = gateway.peakResidentKiB

        var upload = HTTPClientRequest(url: gateway.base + "/upload")
        upload.method = .POST
        upload.headers.add(name: "Origin", value: "https://app.example.com")
        let body = AsyncStream<ByteBuffer> { continuation in
            for _ in 0..<chunks { continuation.yield(ByteBuffer(bytes: chunk)) }
            continuation.finish()
        }
        upload.body = .stream(body, length: .known(Int64(chunk.count * chunks)))
        let uploaded = try await client.execute(upload, timeout: .seconds(120))
        let count = String(buffer: try await uploaded.body.collect(upTo: 1024))
        #expect(count == String(chunk.count * chunks))

        var download = HTTPClientRequest(url: gateway.base + "/download")
        download.headers.add(name: "Origin", value: "https://app.example.com")
        let downloaded = try await client.execute(download, timeout: .seconds(120))
        #expect(downloaded.headers.first(name: "Access-Control-Allow-Origin") == "https://app.example.com")
        var received = 0
        for try await buffer in downloaded.body { received += buffer.readableBytes }
        #expect(received == chunk.count * chunks)

        let peak = gateway.peakResidentKiB
        print(
            "cors serve peak resident memory: \(idle / 1024) MiB idle, \(peak / 1024) MiB after 100 MiB up and 100 MiB down"
        )
        #expect(peak > 0 && peak < 80 * 1024, "peak \(peak) KiB")
        try await client.shutdown()
        gateway.stop()
        try await upstream.shutdown()
    }

    /// Issue #19: after known traffic, `/metrics` counts it; `/healthz` and `/readyz` answer, and readiness follows the
    /// upstream.
    @Test func adminListenerCountsKnownTraffic() async throws {
        let upstream = try await ScriptedServer.start { _ in ScriptedResponse(200, [], body: "ok") }
        let path = try temporaryPolicy(
            #"{"allowOrigins": ["https://app.example.com"], "allowMethods": ["PUT"], "#
                + #""crossOriginProtection": {"enabled": true}}"#)
        let gateway = try await ServeProcess([
            "--policy", path, "--upstream", upstream.origin, "--admin-listen", "127.0.0.1:0", "--watch-interval", "0",
        ])
        let admin = try #require(gateway.admin)
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        func send(_ method: HTTPMethod, _ url: String, _ headers: [(String, String)]) async throws -> Int {
            var request = HTTPClientRequest(url: url)
            request.method = method
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            let response = try await client.execute(request, timeout: .seconds(10))
            _ = try await response.body.collect(upTo: 1 << 20)
            return Int(response.status.code)
        }
        let app = ("Origin", "https://app.example.com")
        for _ in 0..<3 { #expect(try await send(.GET, gateway.base + "/a", [app]) == 200) }
        for _ in 0..<2 { _ = try await send(.GET, gateway.base + "/a", [("Origin", "https://evil.example")]) }
        #expect(try await send(.OPTIONS, gateway.base + "/a", [app, ("Access-Control-Request-Method", "PUT")]) == 204)
        #expect(
            try await send(.OPTIONS, gateway.base + "/a", [app, ("Access-Control-Request-Method", "DELETE")]) == 403)
        #expect(try await send(.GET, gateway.base + "/a", []) == 200)
        let forged = [("Origin", "https://evil.example"), ("Sec-Fetch-Site", "cross-site")]
        #expect(try await send(.POST, gateway.base + "/transfer", forged) == 403)
        try "{".write(toFile: path, atomically: true, encoding: .utf8)
        gateway.signal(SIGHUP)
        #expect(await gateway.waitForLine(containing: "refused (SIGHUP)"))

        #expect(try await send(.GET, admin + "/healthz", []) == 200)
        #expect(try await send(.GET, admin + "/readyz", []) == 200)
        var request = HTTPClientRequest(url: admin + "/metrics")
        request.method = .GET
        let response = try await client.execute(request, timeout: .seconds(10))
        #expect(response.headers.first(name: "Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
        let metrics = String(buffer: try await response.body.collect(upTo: 1 << 20))
        for line in [
            #"cors_requests_total{kind="actual",decision="allowed"} 3"#,
            #"cors_requests_total{kind="actual",decision="refused"} 3"#,
            #"cors_requests_total{kind="preflight",decision="allowed"} 1"#,
            #"cors_requests_total{kind="preflight",decision="refused"} 1"#,
            #"cors_requests_total{kind="not-cors",decision="allowed"} 1"#,
            #"cors_refusals_total{reason="origin-not-allowed"} 3"#,
            #"cors_refusals_total{reason="method-not-allowed"} 1"#,
            #"cors_protection_refusals_total{reason="cross-site-request"} 1"#,
            #"cors_upstream_responses_total{class="2xx"} 6"#,
            #"cors_policy_reloads_total{result="refused"} 1"#,
            #"cors_requests_in_flight 0"#,
        ] {
            #expect(metrics.contains(line), "missing \(line) in:\n\(metrics)")
        }
        #expect(metrics.contains("cors_upstream_duration_seconds_bucket"))
        #expect(metrics.contains("cors_policy_age_seconds"))
        print(
            "cors serve /metrics after known traffic:\n"
                + metrics.split(separator: "\n").filter {
                    $0.hasPrefix("cors_") && !$0.contains("_bucket")
                }.joined(separator: "\n"))

        try await upstream.shutdown()
        #expect(try await send(.GET, admin + "/readyz", []) == 503)
        try await client.shutdown()
        gateway.stop()
    }

    /// Issue #19: configuration from `CORS_…` variables (the policy from `CORS_POLICY`), JSON logs with one access line
    /// per request, and `CORS_ACCESS_LOG=0` to turn the access log off.
    @Test func environmentAndJSONAccessLog() async throws {
        let gateway = try await ServeProcess(
            [], environment: ["CORS_POLICY": try temporaryPolicy(policyText), "CORS_LOG_FORMAT": "json"])
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        var request = HTTPClientRequest(url: gateway.base + "/items?x=1")
        request.headers.add(name: "Origin", value: "https://évil.example")
        _ = try await client.execute(request, timeout: .seconds(10))
        let line = try #require(await gateway.line(containing: #""message":"request""#), "no access log line")
        let object = try #require(jsonObject(line), "\(line)")
        #expect(object["label"] as? String == "cors.access" && object["level"] as? String == "info")
        #expect(object["method"] as? String == "GET" && object["path"] as? String == "/items?x=1")
        #expect(object["origin"] as? String == #"https://\u{e9}vil.example"#, "escaped: \(line)")
        #expect(object["cors"] as? String == "refused" && object["reason"] as? String == "malformed-origin")
        #expect(object["status"] as? String == "200" && object["duration_ms"] != nil)
        #expect((object["time"] as? String)?.hasSuffix("Z") == true)
        print("cors serve JSON access log line: \(line)")
        gateway.stop()

        let quiet = try await ServeProcess(
            [], environment: ["CORS_POLICY": try temporaryPolicy(policyText), "CORS_ACCESS_LOG": "0"])
        _ = try await client.execute(HTTPClientRequest(url: quiet.base + "/items"), timeout: .seconds(10))
        quiet.signal(SIGHUP)
        let logged = try #require(await quiet.lines(through: "(SIGHUP)"), "no reload line")
        #expect(!logged.contains { $0.contains("cors.access") }, "\(logged)")
        quiet.stop()
        try await client.shutdown()
    }

    @Test func environmentVariables() throws {
        let arguments = Serve.environmentArguments(
            [
                "CORS_POLICY": "/etc/cors.json", "CORS_LISTEN": "0.0.0.0:80", "CORS_TRUST_FORWARDED": "true",
                "CORS_ACCESS_LOG": "false", "CORS_MAX_BODY_BYTES": "1048576", "CORS_UPSTREAM_TIMEOUT": "5",
                "CORS_UNRELATED": "x",
            ], given: ["serve", "--listen", "127.0.0.1:9000"])
        #expect(!arguments.contains("--listen") && !arguments.contains("CORS_UNRELATED"))
        let command = try #require(
            try CORSCommand.parseAsRoot(["serve", "--listen", "127.0.0.1:9000"] + arguments) as? Serve)
        #expect(command.policy == "/etc/cors.json" && command.listen == "127.0.0.1:9000", "the command line wins")
        #expect(command.trustForwarded && !command.accessLog)
        #expect(command.limits.maxBodyBytes == 1_048_576 && command.limits.upstreamTimeout == 5)
        // Every option has its variable, and the README lists each one.
        let readme = try String(contentsOf: ReadmeTests.root.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(Serve.options.count >= 20)
        for option in Serve.options {
            let variable = "CORS_" + option.name.uppercased().replacing("-", with: "_")
            #expect(readme.contains("`\(variable)`"), "README does not list \(variable)")
        }
    }

    /// Issue #19: HTTPS with a certificate made at test time; the upstream is told the client's scheme was https.
    @Test(
        .enabled(
            if: FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")
                || ProcessInfo.processInfo.environment["CI"] == "true"))
    func servesHTTPS() async throws {
        let directory = NSTemporaryDirectory() + "tls-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout", directory + "/key.pem", "-out", directory + "/cert.pem",
        ]
        openssl.standardOutput = FileHandle.nullDevice
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        #expect(openssl.terminationStatus == 0)

        let upstream = try await ScriptedServer.start { _ in ScriptedResponse(200, [], body: "ok") }
        let gateway = try await ServeProcess([
            "--policy", try temporaryPolicy(policyText), "--upstream", upstream.origin,
            "--tls-cert", directory + "/cert.pem", "--tls-key", directory + "/key.pem",
        ])
        #expect(gateway.base.hasPrefix("https://127.0.0.1:"), "\(gateway.base)")
        var configuration = HTTPClient.Configuration()
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(directory + "/cert.pem"))
        configuration.tlsConfiguration = tls
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        var request = HTTPClientRequest(url: gateway.base + "/items")
        request.headers.add(name: "Origin", value: "https://app.example.com")
        let response = try await client.execute(request, timeout: .seconds(10))
        #expect(response.status == .ok)
        #expect(response.headers.first(name: "Access-Control-Allow-Origin") == "https://app.example.com")
        #expect(String(buffer: try await response.body.collect(upTo: 1024)) == "ok")
        #expect(upstream.requests.last?.headerFields[HTTPField.Name("X-Forwarded-Proto")!] == "https")
        // Plain HTTP on the TLS port gets no HTTP answer.
        let plain = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        let refused = try? await plain.execute(
            HTTPClientRequest(url: gateway.base.replacing("https://", with: "http://") + "/items"), timeout: .seconds(5)
        )
        #expect(refused == nil || refused?.status != .ok)
        try await plain.shutdown()
        try await client.shutdown()
        gateway.stop()
        try await upstream.shutdown()
        print("cors serve over TLS: \(gateway.base) answered 200 with the policy's fields; X-Forwarded-Proto: https")
    }

    @Test func tlsOptionsAreCheckedTogether() throws {
        #expect(throws: (any Error).self) {
            try CORSCommand.parseAsRoot(["serve", "--policy", "p.json", "--tls-cert", "cert.pem"])
        }
        let serve = try #require(
            try CORSCommand.parseAsRoot(["serve", "--policy", "p.json", "--tls-cert", "/nonexistent", "--tls-key", "k"])
                as? Serve)
        #expect(throws: ValidationError.self) { try serve.tlsConfiguration() }
    }

    @Test func reloadsOnSIGHUPAndRefusesInvalidPolicies() async throws {
        let path = try temporaryPolicy(policyText)
        let gateway = try await ServeProcess(["--policy", path, "--watch-interval", "0"])
        let other = "https://other.example.com"
        #expect(!(await browserFetch(gateway.base + "/x", from: other).result.isReadable))
        try policyText.replacing("https://app.example.com", with: other).write(
            toFile: path, atomically: true, encoding: .utf8)
        gateway.signal(SIGHUP)
        #expect(await gateway.waitForLine(containing: "reloaded from \(path) (SIGHUP)"))
        #expect(await browserFetch(gateway.base + "/x", from: other).result.isReadable)

        try #"{"allowOrigins": ["null"]}"#.write(toFile: path, atomically: true, encoding: .utf8)
        gateway.signal(SIGHUP)
        #expect(await gateway.waitForLine(containing: "refused (SIGHUP)"))
        #expect(await browserFetch(gateway.base + "/x", from: other).result.isReadable, "the old policy serves")
        gateway.stop()
    }

    @Test func sigtermLetsInFlightRequestsFinish() async throws {
        let upstream = try await ScriptedServer.start { _ in
            ScriptedResponse(200, [], bytes: Array("done".utf8), delay: 1)
        }
        let gateway = try await ServeProcess([
            "--policy", try temporaryPolicy(policyText), "--upstream", upstream.origin,
        ])
        async let slow = browserFetch(gateway.base + "/slow", from: "https://app.example.com")
        try await Task.sleep(for: .milliseconds(300))
        gateway.signal(SIGTERM)
        let outcome = await slow
        #expect(outcome.result.status == 200 && outcome.body == Array("done".utf8))
        gateway.process.waitUntilExit()
        #expect(gateway.process.terminationStatus == 0)
        try await upstream.shutdown()
    }

    /// Issue #13, item 3: a client holding a partial body (and another holding an idle connection) cannot keep
    /// the process alive past --shutdown-timeout.
    @Test func sigtermEndsWithinTheShutdownTimeoutWhateverClientsHold() async throws {
        let upstream = try await ScriptedServer.start { _ in ScriptedResponse(200, [], body: "ok") }
        let gateway = try await ServeProcess([
            "--policy", try temporaryPolicy(policyText), "--upstream", upstream.origin, "--shutdown-timeout", "1",
            "--body-timeout", "60", "--header-timeout", "60",
        ])
        let holder = try await RawSocket.connect(gateway.base)
        try await holder.send("POST /upload HTTP/1.1\r\nHost: gateway.test\r\nContent-Length: 1000\r\n\r\n0123456789")
        let idle = try await RawSocket.connect(gateway.base)
        try await Task.sleep(for: .milliseconds(300))
        let start = ContinuousClock.now
        gateway.signal(SIGTERM)
        while gateway.process.isRunning, ContinuousClock.now - start < .seconds(10) {
            try await Task.sleep(for: .milliseconds(50))
        }
        let elapsed = ContinuousClock.now - start
        #expect(!gateway.process.isRunning)
        #expect(elapsed < .seconds(4), "stopped \(elapsed) after SIGTERM")
        #expect(await holder.waitForClose(seconds: 1) && idle.received.closed)
        gateway.stop()
        try await upstream.shutdown()
    }

    @Test func refusesToStartWithAnInvalidPolicy() async throws {
        let process = Process()
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        process.executableURL = root.appendingPathComponent(".build/debug/cors")
        process.arguments = [
            "serve", "--policy", try temporaryPolicy(#"{"allowOrigins": ["*"], "allowCredentials": true}"#),
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 1)
        #expect(output.contains("[wildcard-origin-with-credentials]"))
    }
}
