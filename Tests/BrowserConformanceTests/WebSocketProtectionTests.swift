import CORSCore
import CORSTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import HummingbirdWebSocket
import Synchronization
import Testing
import Vapor

import struct CORSHummingbird.CrossOriginProtectionMiddleware
import struct CORSVapor.CrossOriginProtectionMiddleware

extension RealBrowsers {
    /// Issue #17, item 3: cross-site WebSocket hijacking. CORS does not apply to WebSockets, so without a check a page on
    /// any site could open one with the user's cookies. Real Chromium opens WebSockets from three pages to an app behind
    /// the protection middleware: its own page (same origin), a trusted origin's, and a cross-site one.
    @Suite(
        "Real Chromium: WebSocket handshakes through cross-origin protection", .enabled(if: Chromium.shouldRun),
        .serialized
    )
    struct WebSocketProtectionTests {
        /// A page that opens a WebSocket, sends one message and reports the echo, or that it could not connect. The
        /// image loads slowly on purpose: while a fetch is pending, headless Chromium's virtual time waits, so the socket
        /// has real time to answer before the DOM is dumped.
        static func page(_ url: String, hold: String) -> String {
            """
            <!doctype html><html><body><pre id="out">pending</pre><img src="\(hold)"><script>
            const out = document.getElementById("out");
            const ws = new WebSocket("\(url)");
            ws.onopen = () => ws.send("hello");
            ws.onmessage = (event) => { out.textContent = "open: " + event.data; ws.close(); };
            ws.onerror = () => { if (out.textContent === "pending") out.textContent = "refused"; };
            ws.onclose = () => { if (out.textContent === "pending") out.textContent = "refused"; };
            </script></body></html>
            """
        }

        /// The pages: the app's own, and two served from other origins (`localhost` is another site than `127.0.0.1`).
        static func run(
            framework: String, checked: Bool = true,
            start: (_ trusted: String, _ hold: String, _ handshakes: Handshakes) async throws -> (
                base: String, stop: @Sendable () async throws -> Void
            )
        ) async throws {
            let pages = Mutex<[String: String]>([:])
            let other = try await ScriptedServer.start { request in
                if request.target == "/hold" { return ScriptedResponse(200, [], bytes: [], delay: 1.5) }
                return ScriptedResponse(
                    200, [("Content-Type", "text/html")], body: pages.withLock { $0[request.target] } ?? "")
            }
            let trustedServer = try await ScriptedServer.start(host: "::1") { request in
                ScriptedResponse(
                    200, [("Content-Type", "text/html")], body: pages.withLock { $0[request.target] } ?? "")
            }
            let handshakes = Handshakes()
            let hold = "http://localhost:\(other.port)/hold"
            let (base, stop) = try await start(trustedServer.origin, hold, handshakes)
            let socket = base.replacing("http://", with: "ws://") + "/ws"
            pages.withLock {
                $0 = ["/cross-site": Self.page(socket, hold: hold), "/trusted": Self.page(socket, hold: hold)]
            }
            let results = [
                ("same-origin", try await Chromium.dumpDOM(base + "/page", seconds: 10)),
                ("cross-site", try await Chromium.dumpDOM("http://localhost:\(other.port)/cross-site", seconds: 10)),
                ("trusted", try await Chromium.dumpDOM(trustedServer.origin + "/trusted", seconds: 10)),
            ].map { ($0.0, Chromium.output(of: $0.1) ?? "no output") }
            try await stop()
            try await other.shutdown()
            try await trustedServer.shutdown()
            let opened = handshakes.origins.withLock { $0 }
            for (page, result) in results {
                let expected = page == "cross-site" && checked ? "refused" : "open: echo hello"
                #expect(result == expected, "\(framework) \(page): \(result)")
                print("websocket in Chromium (\(framework)\(checked ? "" : ", unchecked")) — \(page) page: \(result)")
            }
            #expect(opened.count == (checked ? 2 : 3), "\(opened)")
            #expect(opened.contains { $0.contains("localhost") } == !checked, "\(opened)")
        }

        /// With `checkWebSockets: false` the cross-site page does open a socket: the attack the check stops is real.
        @Test(arguments: [true, false])
        func hummingbird(checked: Bool) async throws {
            try await Self.run(framework: "hummingbird", checked: checked) { trusted, hold, handshakes in
                let protection = try CrossOriginProtection(.init(trustedOrigins: [trusted], checkWebSockets: checked))
                let router = Router()
                let pageHTML = Mutex("")
                router.get("/page") { _, _ -> Hummingbird.Response in
                    Hummingbird.Response(
                        status: .ok, headers: [.contentType: "text/html"],
                        body: .init(byteBuffer: .init(string: pageHTML.withLock { $0 })))
                }
                let sockets = Router(context: BasicWebSocketRequestContext.self)
                sockets.add(middleware: CORSHummingbird.CrossOriginProtectionMiddleware(protection))
                sockets.ws("/ws") { request, _ in
                    handshakes.origins.withLock { $0.append(request.headers[.origin] ?? "") }
                    return .upgrade()
                } onUpgrade: { inbound, outbound, _ in
                    for try await message in inbound.messages(maxSize: 1 << 10) {
                        if case .text(let text) = message { try await outbound.write(.text("echo " + text)) }
                    }
                }
                let application = Hummingbird.Application(
                    router: router, server: .http1WebSocketUpgrade(webSocketRouter: sockets),
                    configuration: .init(address: .hostname("127.0.0.1", port: 0)))
                let started = AsyncStream<String>.makeStream()
                let task = Task {
                    try await application.test(.live) { client in
                        let base = "http://127.0.0.1:\(client.port!)"
                        pageHTML.withLock {
                            $0 = Self.page(base.replacing("http://", with: "ws://") + "/ws", hold: hold)
                        }
                        started.continuation.yield(base)
                        // Serve until the test cancels this task.
                        try await Task.sleep(for: .seconds(300))
                    }
                }
                var iterator = started.stream.makeAsyncIterator()
                let base = await iterator.next() ?? ""
                return (base, { task.cancel() })
            }
        }

        @Test func vapor() async throws {
            try await Self.run(framework: "vapor") { trusted, hold, handshakes in
                let protection = try CrossOriginProtection(.init(trustedOrigins: [trusted]))
                let application = try await Vapor.Application.make(.testing)
                let pageHTML = Mutex("")
                application.useCrossOriginProtection(protection)
                application.get("page") { _ -> Vapor.Response in
                    Vapor.Response(
                        status: .ok, headers: ["Content-Type": "text/html"],
                        body: .init(string: pageHTML.withLock { $0 }))
                }
                application.webSocket("ws") { request, socket in
                    handshakes.origins.withLock { $0.append(request.headers.first(name: "Origin") ?? "") }
                    socket.onText { socket, text in socket.send("echo " + text) }
                }
                try await application.http.server.shared.start(address: .hostname("127.0.0.1", port: 0))
                let base = "http://127.0.0.1:\(application.http.server.shared.localAddress?.port ?? 0)"
                pageHTML.withLock { $0 = Self.page(base.replacing("http://", with: "ws://") + "/ws", hold: hold) }
                return (
                    base,
                    {
                        await application.http.server.shared.shutdown()
                        try await application.asyncShutdown()
                    }
                )
            }
        }
    }
}

/// The `Origin` of each handshake the app accepted.
final class Handshakes: Sendable {
    let origins = Mutex<[String]>([])
}
