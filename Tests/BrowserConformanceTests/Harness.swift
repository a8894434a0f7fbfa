import CORSClient
import CORSCore
import CORSTestSupport
import Foundation
import HTTPTypes
import Synchronization

/// What a page reported for one fetch.
struct PageResult: Sendable, Equatable {
    var ok: Bool
    var status: Int
    var headers: [String]
}

/// Loopback servers on three origins' worth of hosts and ports, serving the batch pages and answering every case.
final class Harness: Sendable {
    let servers: [ScriptedServer]
    let origins: [String]
    private let cases = Mutex<[Int: ConformanceCase]>([:])
    private let pages = Mutex<[String: String]>([:])
    /// Browsers without `--dump-dom` post each page's results here (by page path), and are told the next page.
    private let reports = Mutex<(collected: [String: String], next: [String: String])>(([:], [:]))
    /// The browser's clock, which pages move with `/advance?SECONDS` (nothing happens without one).
    let clock: FakeClock?

    private init(servers: [ScriptedServer], origins: [String], clock: FakeClock?) {
        self.servers = servers
        self.origins = origins
        self.clock = clock
    }

    static func start(clock: FakeClock? = nil) async throws -> Harness {
        let box = Mutex<Harness?>(nil)
        let responder: ScriptedServer.Responder = { request in
            guard let harness = box.withLock({ $0 }) else { return ScriptedResponse(503) }
            return harness.respond(request)
        }
        let a = try await ScriptedServer.start(respond: responder)
        let b = try await ScriptedServer.start(respond: responder)
        let c = try await ScriptedServer.start(host: "::1", respond: responder)
        let origins = [
            "http://127.0.0.1:\(a.port)", "http://localhost:\(a.port)", "http://127.0.0.1:\(b.port)",
            "http://localhost:\(b.port)", "http://[::1]:\(c.port)",
        ]
        let harness = Harness(servers: [a, b, c], origins: origins, clock: clock)
        box.withLock { $0 = harness }
        return harness
    }

    func shutdown() async throws {
        for server in servers { try await server.shutdown() }
    }

    func register(_ batch: [ConformanceCase]) {
        cases.withLock { table in for item in batch { table[item.id] = item } }
    }

    func addPage(_ path: String, html: String) {
        pages.withLock { $0[path] = html }
    }

    /// The page URLs for a browser that reports by posting: each page posts its results to `/collect/PATH` and
    /// loads the page the answer names, so that one browser session runs them all.
    func chain(_ urls: [String]) -> [String] {
        let chained = urls.map { $0 + "?collect" }
        reports.withLock { reports in
            for (index, url) in chained.enumerated() {
                reports.next[Self.path(of: url)] = index + 1 < chained.count ? chained[index + 1] : ""
            }
        }
        return chained
    }

    /// What the page at `url` posted, once it has.
    func collected(_ url: String) -> String? {
        reports.withLock { $0.collected[Self.path(of: url)] }
    }

    /// The path of a page URL, without its query.
    private static func path(of url: String) -> String {
        let afterScheme = url.firstRange(of: "://").map { url[$0.upperBound...] } ?? url[...]
        let path = afterScheme.firstIndex(of: "/").map { afterScheme[$0...] } ?? "/"
        return String(path.prefix { $0 != "?" })
    }

    /// Every request received for a case under `prefix` (`c` for Chromium, `m` for the model).
    func requests(prefix: String, id: Int) -> [RecordedRequest] {
        servers.flatMap(\.requests).filter {
            $0.target == "/\(prefix)/\(id)" || $0.target == "/\(prefix)/\(id)/final"
        }
    }

    private func respond(_ request: RecordedRequest) -> ScriptedResponse {
        let path = String(request.target.prefix { $0 != "?" })
        if path == "/advance", let seconds = Int(request.target.drop { $0 != "?" }.dropFirst()) {
            clock?.advance(by: seconds)
            return ScriptedResponse(204)
        }
        if request.method == "POST", path.hasPrefix("/collect/") {
            let page = String(path.dropFirst("/collect".count))
            let next = reports.withLock { reports in
                reports.collected[page] = String(decoding: request.body, as: UTF8.self)
                return reports.next[page] ?? ""
            }
            return ScriptedResponse(200, [("Content-Type", "text/plain")], body: next)
        }
        if let html = pages.withLock({ $0[path] }) {
            return ScriptedResponse(200, [("Content-Type", "text/html; charset=utf-8")], body: html)
        }
        let parts = request.target.split(separator: "/")
        guard parts.count >= 2, let id = Int(parts[1]), let item = cases.withLock({ $0[id] }) else {
            return ScriptedResponse(404)
        }
        let origin = request.headerFields[.origin] ?? ""
        if request.method == "OPTIONS" {
            var preflight = item.preflight
            if preflight.allowMethods == ResponseSpec.echoRequestedMethod {
                preflight.allowMethods = request.headerFields[.accessControlRequestMethod]
            }
            return preflight.response(origin: origin)
        }
        if let hop = item.redirectHop, let next = item.redirectTo, parts.count == 2 {
            var response = hop.response(origin: origin, extra: [("Location", "\(next)/\(parts[0])/\(id)/final")])
            response.status = 302
            return response
        }
        return item.actual.response(origin: origin)
    }

    /// The page that runs `batch` with `fetch` and writes what it could read into `<pre id="out">` — and, loaded
    /// with `?collect`, posts it to the harness and goes on to the page the harness names.
    static func page(for batch: [ConformanceCase], path: (ConformanceCase) -> String) -> String {
        let entries: [[Any]] = batch.map { item in
            [
                item.id, item.target + path(item),
                item.fetches.map { fetch in
                    [
                        fetch.method, fetch.headers.map { [$0.0, $0.1] }, fetch.credentials.rawValue,
                        fetch.cache.rawValue, fetch.clockAdvance,
                    ] as [Any]
                },
            ]
        }
        let cases = String(decoding: try! JSONSerialization.data(withJSONObject: entries), as: UTF8.self)
        return """
            <!doctype html><html><body><pre id="out">pending</pre><script>
            const cases = \(cases);
            (async () => {
              const results = {};
              for (const [id, url, fetches] of cases) {
                results[id] = [];
                for (const [method, headers, credentials, cache, advance] of fetches) {
                  if (advance > 0) await fetch("/advance?" + advance);
                  try {
                    const response = await fetch(url, {method, headers, credentials, mode: "cors", cache});
                    await response.text();
                    results[id].push({ok: true, status: response.status, headers: [...response.headers.keys()].sort()});
                  } catch (error) {
                    results[id].push({ok: false, status: 0, headers: []});
                  }
                }
              }
              document.getElementById("out").textContent = JSON.stringify(results);
              if (location.search === "?collect") {
                const answer = await fetch("/collect" + location.pathname, {method: "POST", body: JSON.stringify(results)});
                const next = await answer.text();
                if (next) location.href = next;
              }
            })();
            </script></body></html>
            """
    }
}

/// Parses the page's `{"id": [{ok, status, headers}]}` output (a tiny reader for exactly that shape).
func parseResults(_ text: String) -> [Int: [PageResult]] {
    var results: [Int: [PageResult]] = [:]
    var rest = Substring(text)
    while let keyStart = rest.firstIndex(of: "\""),
        let keyEnd = rest[rest.index(after: keyStart)...].firstIndex(of: "\""),
        let id = Int(rest[rest.index(after: keyStart)..<keyEnd]), let listEnd = rest[keyEnd...].firstRange(of: "}]")
    {
        let list = rest[keyEnd..<listEnd.upperBound]
        var entries: [PageResult] = []
        for entry in list.split(separator: "{").dropFirst() {
            let ok = entry.contains("\"ok\":true")
            let status =
                Int(entry.firstRange(of: "\"status\":").map { entry[$0.upperBound...].prefix { $0.isNumber } } ?? "")
                ?? 0
            var headers: [String] = []
            if let open = entry.firstRange(of: "\"headers\":["),
                let close = entry[open.upperBound...].firstIndex(of: "]")
            {
                headers = entry[open.upperBound..<close].split(separator: ",").map { String($0.filter { $0 != "\"" }) }
                    .filter { !$0.isEmpty }
            }
            entries.append(PageResult(ok: ok, status: status, headers: headers))
        }
        results[id] = entries
        rest = rest[listEnd.upperBound...]
    }
    return results
}
