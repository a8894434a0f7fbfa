import CORSCore
import CORSGateway
import CORSHummingbird
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import UnixSignals

/// The demo's loopback world: a bank API, the bank's own app page, an attacker's page, a partner's page, and a
/// legacy API that answers `*` with credentials.
///
/// Each actor's host gives it the relation to the bank that the story needs, with only the loopback addresses
/// every system has: the bank's app on the bank's own host (another port: same site, another origin), the attacker
/// on `attacker.localhost` (another site; browsers resolve `*.localhost` to loopback themselves) and the partner on
/// `[::1]` (another site).
final class DemoWorld: Sendable {
    let api: String
    let app: String
    let attacker: String
    let partner: String
    let legacy: String
    let group: ServiceGroup
    private let hits = Mutex<[String: Int]>([:])
    private let arrivals = Mutex<[Arrival]>([])

    /// A request as it reached the bank, before any middleware: what the browser said of where it came from.
    struct Arrival: Sendable, Hashable {
        let path: String
        let origin: String?
        let fetchSite: String?
    }

    static let session = "session=alice-7f3a"

    private init(api: String, app: String, attacker: String, partner: String, legacy: String, group: ServiceGroup) {
        self.api = api
        self.app = app
        self.attacker = attacker
        self.partner = partner
        self.legacy = legacy
        self.group = group
    }

    /// How many requests reached the bank's handler for `path` (refused ones never do).
    func handled(_ path: String) -> Int { hits.withLock { $0[path] ?? 0 } }

    fileprivate func record(_ path: String) { hits.withLock { $0[path, default: 0] += 1 } }

    /// Every request that reached the bank, refused ones included, in order.
    var arrived: [Arrival] { arrivals.withLock { $0 } }

    fileprivate func arrive(_ request: Request) {
        let arrival = Arrival(
            path: request.uri.path, origin: request.headers[.origin],
            fetchSite: request.headers[HTTPField.Name("Sec-Fetch-Site")!])
        arrivals.withLock { $0.append(arrival) }
    }

    /// The actors whose pages call the bank, with their relation to it — computed as the browser model computes
    /// `Sec-Fetch-Site`.
    var actors: [(role: String, origin: String, relation: SiteRelation)] {
        let bank = Origin(headerValue: api)!
        return [("the bank's app", app), ("the attacker", attacker), ("the partner", partner)].map { role, origin in
            (role, origin, Origin(headerValue: origin)!.relation(to: bank))
        }
    }

    /// Binds every server on loopback (ephemeral ports) and returns once all listen; `run` keeps them serving.
    static func start(logger: Logger) async throws -> (DemoWorld, Task<Void, any Error>) {
        let state = PolicyFileState(PolicyFile(policy: try CORSPolicy(allowOrigins: ["https://placeholder.invalid"])))
        let pages = Mutex<[String: String]>([:])
        let worldBox = Mutex<DemoWorld?>(nil)
        let (ports, continuation) = AsyncStream.makeStream(of: (String, Int).self)

        func application(_ name: String, host: String, router: Router<BasicRequestContext>) -> some Service {
            Application(
                router: router, configuration: .init(address: .hostname(host, port: 0), serverName: nil),
                onServerRunning: { continuation.yield((name, $0.localAddress?.port ?? 0)) }, logger: logger)
        }
        func pageRouter(_ name: String) -> Router<BasicRequestContext> {
            let router = Router()
            router.get("/") { _, _ -> Response in
                Response(
                    status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(string: pages.withLock { $0[name] ?? "" })))
            }
            return router
        }

        let bank = Router()
        bank.add(middleware: ArrivalRecorder { worldBox.withLock { $0 }?.arrive($0) })
        bank.add(middleware: PolicyFileMiddleware(state: state, logger: logger))
        bank.get("/balance") { request, _ -> Response in
            worldBox.withLock { $0 }?.record("/balance")
            guard request.headers[.cookie]?.contains(DemoWorld.session) == true else {
                return Response(
                    status: .unauthorized, headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: ByteBuffer(string: #"{"error":"not logged in"}"#)))
            }
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"account":"alice","balance":1234.56}"#)))
        }
        bank.post("/login") { _, _ -> Response in
            Response(
                status: .ok, headers: [.setCookie: "\(DemoWorld.session); Path=/; SameSite=None; Secure; HttpOnly"])
        }
        bank.post("/transfer") { _, _ -> String in
            worldBox.withLock { $0 }?.record("/transfer")
            return #"{"transferred":true}"#
        }
        bank.put("/settings") { _, _ -> String in
            worldBox.withLock { $0 }?.record("/settings")
            return #"{"saved":true}"#
        }
        let legacy = Router()
        legacy.get("/balance") { _, _ -> Response in
            Response(
                status: .ok,
                headers: [
                    .accessControlAllowOrigin: "*", .accessControlAllowCredentials: "true",
                    .contentType: "application/json",
                ], body: .init(byteBuffer: ByteBuffer(string: #"{"balance":1234.56}"#)))
        }

        let services: [any Service] = [
            application("api", host: "127.0.0.1", router: bank),
            application("app", host: "127.0.0.1", router: pageRouter("app")),
            application("attacker", host: "127.0.0.1", router: pageRouter("attacker")),
            application("partner", host: "::1", router: pageRouter("partner")),
            application("legacy", host: "127.0.0.1", router: legacy),
        ]
        let group = ServiceGroup(
            configuration: .init(
                services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        let task = Task { try await group.run() }
        var bound: [String: Int] = [:]
        for await (name, port) in ports {
            bound[name] = port
            if bound.count == services.count { break }
        }
        let world = DemoWorld(
            api: "http://127.0.0.1:\(bound["api"]!)", app: "http://127.0.0.1:\(bound["app"]!)",
            attacker: "http://attacker.localhost:\(bound["attacker"]!)", partner: "http://[::1]:\(bound["partner"]!)",
            legacy: "http://127.0.0.1:\(bound["legacy"]!)", group: group)
        worldBox.withLock { $0 = world }
        state.reconfigure(
            PolicyFile(
                policy: try CORSPolicy(
                    allowOrigins: [world.app, world.partner], allowMethods: ["PUT"],
                    allowHeaders: ["content-type", "x-request-id"], allowCredentials: true, maxAge: 600),
                crossOriginProtection: try CrossOriginProtection(.init(trustedOrigins: [world.app]))))
        pages.withLock {
            $0["app"] = DemoPages.app(api: world.api)
            $0["attacker"] = DemoPages.attacker(api: world.api)
            $0["partner"] = DemoPages.partner(api: world.api)
        }
        return (world, task)
    }
}

/// Notes every request that reaches the bank, before CORS or protection can refuse it.
private struct ArrivalRecorder: RouterMiddleware {
    typealias Context = BasicRequestContext
    let record: @Sendable (Request) -> Void

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        record(request)
        return try await next(request, context)
    }
}
