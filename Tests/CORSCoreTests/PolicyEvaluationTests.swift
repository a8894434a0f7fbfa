import CORSCore
import HTTPTypes
import Testing

/// The browser's side of the checks, written from the Fetch Standard for these tests: the CORS check
/// (#cors-check) and the preflight response validation (#cors-preflight-fetch, steps 7.3–7.7).
enum BrowserSide {
    static func corsCheck(_ fields: HTTPFields, origin: String, credentials: Bool) -> Bool {
        guard let allowOrigin = fields[.accessControlAllowOrigin] else { return false }
        if !credentials && allowOrigin == "*" { return true }
        guard allowOrigin == origin else { return false }
        if !credentials { return true }
        return fields[.accessControlAllowCredentials] == "true"
    }

    static func preflightAccepts(
        _ response: HTTPResponse, origin: String, method: String, headerNames: [String], credentials: Bool
    ) -> Bool {
        guard corsCheck(response.headerFields, origin: origin, credentials: credentials),
            (200...299).contains(response.status.code)
        else { return false }
        guard
            case .success(let methods)? = HeaderList.values(.accessControlAllowMethods, in: response.headerFields)
                ?? .success([]),
            case .success(let names)? = HeaderList.values(.accessControlAllowHeaders, in: response.headerFields)
                ?? .success([])
        else { return false }
        let safelisted = ["GET", "HEAD", "POST"].contains(method)
        if !methods.contains(method) && !safelisted && (credentials || !methods.contains("*")) { return false }
        let lowered = names.map { $0.lowercased() }
        if headerNames.contains("authorization") && !lowered.contains("authorization") { return false }
        for name in headerNames where !lowered.contains(name) && (credentials || !lowered.contains("*")) {
            return false
        }
        return true
    }
}

@Suite("CORSPolicy.evaluate: what the server answers")
struct PolicyEvaluationTests {
    static let policy = try! CORSPolicy(
        allowOrigins: ["https://app.example.com", "https://*.example.com", "http://localhost:*"],
        allowMethods: ["PUT", "DELETE", "patch"], allowHeaders: ["authorization", "content-type", "x-request-id"],
        exposeHeaders: ["x-total-count"], allowCredentials: true, maxAge: 600)

    static func request(
        _ method: HTTPRequest.Method = .get, path: String = "/", _ fields: [(HTTPField.Name, String)] = []
    ) -> HTTPRequest {
        var headerFields = HTTPFields()
        for (name, value) in fields { headerFields.append(HTTPField(name: name, value: value)) }
        return HTTPRequest(
            method: method, scheme: "https", authority: "api.example.com", path: path,
            headerFields: headerFields)
    }

    static func preflight(
        origin: String = "https://app.example.com", method: String, headers: String? = nil, path: String = "/"
    ) -> HTTPRequest {
        var fields: [(HTTPField.Name, String)] = [(.origin, origin), (.accessControlRequestMethod, method)]
        if let headers { fields.append((.accessControlRequestHeaders, headers)) }
        return request(.options, path: path, fields)
    }

    static func respond(_ decision: CORSDecision, handler: HTTPFields = [:]) -> HTTPFields {
        var fields = handler
        decision.apply(to: &fields)
        return fields
    }

    @Test func requestWithoutOriginIsNotCORSButVaries() {
        let decision = Self.policy.evaluate(Self.request())
        #expect(decision.kind == .notCORS)
        #expect(decision.isAllowed)
        let fields = Self.respond(decision)
        #expect(fields[.vary] == "Origin")
        #expect(fields[.accessControlAllowOrigin] == nil)
    }

    @Test func allowedActualRequestCanBeReadWithCredentials() {
        let decision = Self.policy.evaluate(Self.request(.get, [(.origin, "https://app.example.com")]))
        #expect(decision.kind == .actual && decision.isAllowed)
        let fields = Self.respond(decision)
        #expect(fields[.accessControlAllowOrigin] == "https://app.example.com")
        #expect(fields[.accessControlAllowCredentials] == "true")
        #expect(fields[.accessControlExposeHeaders] == "x-total-count")
        #expect(fields[.accessControlMaxAge] == nil, "max-age belongs to preflights only")
        #expect(fields[.vary] == "Origin")
        #expect(BrowserSide.corsCheck(fields, origin: "https://app.example.com", credentials: true))
    }

    @Test(arguments: [
        ("https://evil.example", CORSRejection.originNotAllowed),
        ("https://app.example.com.evil.net", .originNotAllowed),
        ("https://example.com", .originNotAllowed),
        ("null", .originNotAllowed),
        ("https://app.example.com/", .malformedOrigin),
        ("HTTPS://app.example.com", .malformedOrigin),
        ("https://app.example.com, https://evil.example", .malformedOrigin),
    ])
    func disallowedOriginsGetNoCORSFields(origin: String, reason: CORSRejection) {
        let decision = Self.policy.evaluate(Self.request(.post, [(.origin, origin)]))
        #expect(decision.rejection == reason)
        let fields = Self.respond(decision)
        #expect(fields[.accessControlAllowOrigin] == nil && fields[.accessControlAllowCredentials] == nil)
        #expect(fields[.vary] == "Origin", "a cache must not serve this response to an allowed origin")
        #expect(!BrowserSide.corsCheck(fields, origin: origin, credentials: false))
    }

    @Test func severalOriginFieldsAreRejected() {
        let request = Self.request(.get, [(.origin, "https://app.example.com"), (.origin, "https://evil.example")])
        #expect(Self.policy.evaluate(request).rejection == .multipleOrigins)
    }

    @Test func successfulPreflightEchoesOnlyWhatWasAsked() throws {
        let decision = Self.policy.evaluate(Self.preflight(method: "PUT", headers: "content-type,x-request-id"))
        #expect(decision.kind == .preflight && decision.isAllowed)
        let response = try #require(decision.immediateResponse)
        #expect(response.status == .noContent)
        let fields = response.headerFields
        #expect(fields[.accessControlAllowOrigin] == "https://app.example.com")
        #expect(fields[.accessControlAllowCredentials] == "true")
        #expect(fields[.accessControlAllowMethods] == "PUT")
        #expect(fields[.accessControlAllowHeaders] == "content-type,x-request-id")
        #expect(fields[.accessControlMaxAge] == "600")
        #expect(fields[.accessControlExposeHeaders] == nil, "exposed headers belong to actual responses")
        #expect(fields[.vary] == "Origin, Access-Control-Request-Method, Access-Control-Request-Headers")
        #expect(
            BrowserSide.preflightAccepts(
                response, origin: "https://app.example.com", method: "PUT",
                headerNames: ["content-type", "x-request-id"], credentials: true))
    }

    @Test func safelistedMethodNeedsNoAllowMethods() throws {
        let response = try #require(
            Self.policy.evaluate(Self.preflight(method: "GET", headers: "authorization"))
                .immediateResponse)
        #expect(response.headerFields[.accessControlAllowMethods] == nil)
        #expect(response.headerFields[.accessControlAllowHeaders] == "authorization")
    }

    /// Preflight checks in Fetch order; each failure is a 403 without CORS fields that a browser refuses.
    @Test(
        arguments: [
            ("https://evil.example", "PUT", nil, CORSRejection.originNotAllowed),
            ("https://app.example.com", "PATCH", nil, .methodNotAllowed("PATCH")),  // only `patch` is allowed
            ("https://app.example.com", "TRACE", nil, .methodNotAllowed("TRACE")),
            ("https://app.example.com", "PUT", "x-other", .headerNotAllowed("x-other")),
            (
                "https://app.example.com", "PUT", "x-request-id,bad value",
                .invalidRequestHeaders(.invalidElement("bad value"))
            ),
            ("https://app.example.com", "", nil, .invalidRequestMethod),
            ("https://app.example.com", "P U T", nil, .invalidRequestMethod),
        ] as [(String, String, String?, CORSRejection)])
    func refusedPreflights(origin: String, method: String, headers: String?, reason: CORSRejection) throws {
        let decision = Self.policy.evaluate(Self.preflight(origin: origin, method: method, headers: headers))
        #expect(decision.rejection == reason)
        let response = try #require(decision.immediateResponse)
        #expect(response.status == .forbidden)
        #expect(decision.headerFields.isEmpty)
        #expect(response.headerFields[.vary] != nil)
        #expect(
            !BrowserSide.preflightAccepts(
                response, origin: origin, method: method, headerNames: headers.map { [$0] } ?? [], credentials: false))
    }

    @Test func methodCaseFollowsFetch() {
        #expect(Self.policy.evaluate(Self.preflight(method: "patch")).isAllowed)
        #expect(Self.policy.evaluate(Self.preflight(method: "DELETE")).isAllowed)
        #expect(!Self.policy.evaluate(Self.preflight(method: "delete")).isAllowed, "browsers send DELETE, normalized")
    }

    /// `*` for headers covers every name but `authorization` (#cors-non-wildcard-request-header-name).
    @Test func wildcardHeadersNeverCoverAuthorization() throws {
        let open = try CORSPolicy(allowOrigins: ["*"], allowMethods: ["*"], allowHeaders: ["*"])
        let allowed = open.evaluate(Self.preflight(method: "PUT", headers: "x-anything,x-else"))
        #expect(allowed.isAllowed)
        #expect(allowed.immediateResponse?.headerFields[.accessControlAllowOrigin] == "*")
        #expect(
            open.evaluate(Self.preflight(method: "PUT", headers: "authorization")).rejection
                == .headerNotAllowed("authorization"))
        let listed = try CORSPolicy(allowOrigins: ["*"], allowHeaders: ["*", "Authorization"])
        #expect(listed.evaluate(Self.preflight(method: "GET", headers: "authorization,x-a")).isAllowed)
        #expect(open.evaluate(Self.preflight(method: "CONNECT")).rejection == .methodNotAllowed("CONNECT"))
    }

    @Test func requestHeadersAcrossSeveralLinesAndCases() throws {
        let request = Self.request(
            .options,
            [
                (.origin, "http://localhost:5173"), (.accessControlRequestMethod, "DELETE"),
                (.accessControlRequestHeaders, "Content-Type"), (.accessControlRequestHeaders, " , X-Request-ID "),
            ])
        let response = try #require(Self.policy.evaluate(request).immediateResponse)
        #expect(response.status == .noContent)
        #expect(response.headerFields[.accessControlAllowHeaders] == "Content-Type,X-Request-ID")
    }

    /// 1 MiB of commas is refused without reading it (see HeaderListTests for the element count).
    @Test func hostileRequestHeadersAreBounded() {
        let decision = Self.policy.evaluate(
            Self.preflight(method: "PUT", headers: String(repeating: ",", count: 1 << 20)))
        #expect(decision.rejection == .invalidRequestHeaders(.tooLong))
    }

    @Test func optionsWithoutRequestMethodIsAnActualRequest() {
        let decision = Self.policy.evaluate(Self.request(.options, [(.origin, "https://app.example.com")]))
        #expect(decision.kind == .actual && decision.isAllowed)
        #expect(decision.immediateResponse == nil)
    }

    @Test func varyIsAppendedNeverClobbered() {
        let decision = Self.policy.evaluate(Self.request(.get, [(.origin, "https://app.example.com")]))
        let merged = Self.respond(decision, handler: [.vary: "Accept-Encoding", .accessControlAllowOrigin: "*"])
        #expect(merged[values: .vary] == ["Accept-Encoding", "Origin"])
        #expect(merged[values: .accessControlAllowOrigin] == ["https://app.example.com"], "one value, the policy's")
        #expect(Self.respond(decision, handler: [.vary: "accept, ORIGIN"])[values: .vary] == ["accept, ORIGIN"])
        #expect(Self.respond(decision, handler: [.vary: "*"])[values: .vary] == ["*"])
    }

    /// The policy owns every `Access-Control-*` response field, including ones it never writes (issue #13, item 7).
    @Test func everyAccessControlFieldIsThePolicys() throws {
        let handler: HTTPFields = [
            HTTPField.Name("Access-Control-Allow-Private-Network")!: "true",
            HTTPField.Name("ACCESS-CONTROL-X-Future")!: "1", .accessControlAllowCredentials: "true",
            .accessControlExposeHeaders: "*", HTTPField.Name("X-Access-Control-Note")!: "kept",
            .contentType: "text/plain",
        ]
        let refused = Self.respond(
            Self.policy.evaluate(Self.request(.get, [(.origin, "https://evil.example")])), handler: handler)
        #expect(refused.map(\.name.canonicalName) == ["x-access-control-note", "content-type", "vary"])
        let allowed = Self.respond(
            Self.policy.evaluate(Self.request(.get, [(.origin, "https://app.example.com")])), handler: handler)
        #expect(allowed[HTTPField.Name("Access-Control-Allow-Private-Network")!] == nil)
        #expect(allowed[values: .accessControlExposeHeaders] == ["x-total-count"])
    }

    @Test func everyOriginGetsAStarEvenWithoutOrigin() throws {
        let open = try CORSPolicy(allowOrigins: ["*"], exposeHeaders: ["*"])
        for request in [
            Self.request(), Self.request(.get, [(.origin, "null")]),
            Self.request(.get, [(.origin, "https://x.example")]),
        ] {
            let fields = Self.respond(open.evaluate(request))
            #expect(fields[.accessControlAllowOrigin] == "*")
            #expect(fields[.accessControlExposeHeaders] == "*")
            #expect(fields[.vary] == nil, "the answer does not depend on the origin")
        }
    }

    @Test func preflightSuccessStatusIsConfigurable() throws {
        let legacy = try CORSPolicy(
            allowOrigins: ["https://a.example"], allowMethods: ["PUT"], preflightSuccessStatus: 200)
        #expect(
            legacy.evaluate(Self.preflight(origin: "https://a.example", method: "PUT")).immediateResponse?.status == .ok
        )
    }

    /// The most specific prefix wins, on the canonical path, case-sensitively; a path with dot segments (which
    /// browsers never send) is refused with 400 rather than resolved one way or another.
    @Test(
        arguments: [
            ("/public/data", "*"), ("/public", "*"), ("/public/deep/er?x=1", "*"), ("//public//x", "*"),
            ("/%70ublic/x", "*"), ("/Public/x", nil), ("/publicity", nil), ("/public/admin/x", nil),
            ("/public/admin", nil),
            ("/private/../public/x", "400"), ("/public/../private", "400"), ("/public/./admin/", "400"),
            ("/public/%2E%2E/x", "400"),
        ] as [(String, String?)])
    func routes(path: String, outcome: String?) throws {
        let policy = try CORSPolicy(
            allowOrigins: ["https://app.example.com"], allowCredentials: true,
            routes: [
                .init(pathPrefix: "/public/", allowOrigins: ["*"], allowCredentials: false),
                .init(pathPrefix: "/public/admin", allowOrigins: ["https://admin.example.com"]),
            ])
        let decision = policy.evaluate(Self.request(.get, path: path, [(.origin, "https://x.example")]))
        if outcome == "400" {
            #expect(decision.immediateResponse?.status == .badRequest)
        } else {
            #expect(decision.immediateResponse == nil)
            #expect(Self.respond(decision)[.accessControlAllowOrigin] == outcome)
        }
    }

    /// A route with `cors: false` (an internal API): no CORS field on any response, whatever the origin, a 403 to
    /// every preflight, and no `Vary: Origin` — nothing there depends on the origin — while the rest keeps its rules.
    @Test func aRouteCanSwitchCORSOff() throws {
        let policy = try CORSPolicy(
            json: """
                {"allowOrigins": ["https://app.example.com"], "allowCredentials": true,
                 "routes": [{"pathPrefix": "/internal/", "cors": false}]}
                """)
        let origin = [(HTTPField.Name.origin, "https://app.example.com")]
        for path in ["/internal/users", "/internal", "/internal/a/b?x=1"] {
            let actual = policy.evaluate(Self.request(.get, path: path, origin))
            #expect(actual.immediateResponse == nil && actual.rejection == .corsDisabled, "\(path)")
            #expect(Self.respond(actual, handler: [.contentType: "text/plain"]) == [.contentType: "text/plain"])
            let preflight = policy.evaluate(Self.preflight(method: "PUT", path: path))
            #expect(preflight.immediateResponse?.status == .forbidden && preflight.rejection == .corsDisabled)
            #expect(Self.respond(preflight).isEmpty, "a refused preflight carries no CORS field and no Vary")
            #expect(Self.respond(policy.evaluate(Self.request(.get, path: path))).isEmpty)
        }
        let outside = policy.evaluate(Self.request(.get, path: "/internals", origin))
        #expect(Self.respond(outside)[.accessControlAllowOrigin] == "https://app.example.com")
        #expect(Self.respond(outside)[.vary] == "Origin")
        #expect(policy.allowedOrigins(forPath: "/internal/x").isEmpty)
        #expect(policy.allowedOrigins(forPath: "/x").map(\.serialization) == ["https://app.example.com"])
    }

    /// A route that switches CORS off and sets CORS fields is a contradiction, named per field; an empty origin list
    /// in a route is still an error, whose fix points at `cors: false`.
    @Test func corsOffIsExplicit() {
        let contradiction = CORSPolicy.diagnostics(
            json: """
                {"allowOrigins": ["https://app.example.com"],
                 "routes": [{"pathPrefix": "/internal/", "cors": false, "allowOrigins": ["https://b.example"],
                             "maxAge": 60}, {"pathPrefix": "/x/", "cors": "no"}]}
                """)
        #expect(contradiction.map(\.code) == [.wrongType, .corsOffWithRules, .corsOffWithRules])
        #expect(contradiction.map(\.path) == ["routes[1].cors", "routes[0].allowOrigins", "routes[0].maxAge"])
        let empty = CORSPolicy.diagnostics(
            json: #"{"allowOrigins": ["https://a.example"], "routes": [{"pathPrefix": "/i/", "allowOrigins": []}]}"#)
        #expect(empty.map(\.code) == [.noOrigins])
        #expect(empty.first?.fix?.contains(#"write `"cors": false`"#) == true)
    }

    /// Field names are case-insensitive (RFC 9110 §5.1): a shell that converts only the fields `evaluate` reads finds
    /// them in any case, and only them — a name of the same length is not one of them.
    @Test func theFieldsEvaluateReadsAreFoundInAnyCase() {
        #expect(CORSPolicy.readFieldName("Origin") == .origin)
        #expect(CORSPolicy.readFieldName("oRIGIN") == .origin)
        #expect(CORSPolicy.readFieldName("ACCESS-CONTROL-REQUEST-METHOD") == .accessControlRequestMethod)
        #expect(CORSPolicy.readFieldName("Access-Control-Request-Headers") == .accessControlRequestHeaders)
        for other in ["Oregon", "Origin ", "Orig\u{131}n", "access-control-request-methodz", "Host", ""] {
            #expect(CORSPolicy.readFieldName(other) == nil, "\(other)")
        }
        // The parts of a request `evaluate` reads, without an `HTTPRequest`: the same decision.
        let policy = try! CORSPolicy(allowOrigins: ["https://app.example.com"], allowMethods: ["PUT"])
        let fields: HTTPFields = [.origin: "https://app.example.com", .accessControlRequestMethod: "PUT"]
        let whole = policy.evaluate(
            HTTPRequest(method: .options, scheme: nil, authority: nil, path: "/", headerFields: fields))
        let parts = policy.evaluate(isOptions: true, path: "/", fields: fields)
        #expect(parts.immediateResponse?.headerFields == whole.immediateResponse?.headerFields)
        #expect(parts.immediateResponse?.status == 204)
    }

    /// A request that cannot be a preflight is decided from its `Origin` values alone (the entry point of shells whose
    /// fields are not `HTTPFields`) exactly as from its fields: listed, pattern-matched, refused, malformed and
    /// repeated origins, under `*`, credentials and routes (one switched off, paths with no single meaning), and an
    /// origin an `OriginSource` allowed. Each case runs twice, so that what a pattern matched or refused is found
    /// remembered the second time; and each entry point goes first on a fresh policy once, so that both remember.
    @Test func originAloneDecidesAsTheFields() throws {
        func policies() throws -> [CORSPolicy] {
            [
                try CORSPolicy(
                    allowOrigins: ["https://app.example.com", "https://*.example.com", "http://localhost:*"],
                    allowCredentials: true),
                try CORSPolicy(allowOrigins: ["*"], exposeHeaders: ["x-total-count"]),
                try CORSPolicy(
                    allowOrigins: ["https://app.example.com"],
                    routes: [
                        .init(pathPrefix: "/public", allowOrigins: ["*"]), .init(pathPrefix: "/off", cors: false),
                    ]),
            ]
        }
        let origins: [[String]] = [
            [], ["https://app.example.com"], ["https://evil.example"], ["https://a.example.com"],
            ["https://b.example.com"], ["http://localhost:8080"], ["null"], ["not an origin"],
            ["HTTPS://app.example.com"], ["https://app.example.com", "https://app.example.com"],
            ["https://tenant.example"], ["http://tenant.example"], ["https://app.example.com\u{0}"],
        ]
        let paths = ["/", "/public/x", "/off", "/off;x/public", "/%2e%2e/public"]
        let tenant = try #require(Origin(headerValue: "https://tenant.example"))
        let allowed: [Origin?] = [tenant, nil]
        for aloneFirst in [false, true] {
            for policy in try policies() {
                for values in origins {
                    for path in paths {
                        for dynamicOrigin in allowed {
                            for _ in 0..<2 {
                                let fields = HTTPFields(values.map { HTTPField(name: .origin, value: $0) })
                                func whole() -> CORSDecision {
                                    policy.evaluate(
                                        isOptions: false, path: path, fields: fields, allowing: dynamicOrigin)
                                }
                                func alone() -> CORSDecision {
                                    policy.evaluate(
                                        origin: values.first, originCount: values.count, asksMethod: false,
                                        isOptions: false, path: path, fields: { fields }, allowing: dynamicOrigin)
                                }
                                let (first, second) = aloneFirst ? (alone(), whole()) : (whole(), alone())
                                let label = "\(values) \(path) \(dynamicOrigin?.serialization ?? "-")"
                                #expect(first.kind == second.kind, "\(label)")
                                #expect(first.rejection == second.rejection, "\(label)")
                                #expect(first.immediateResponse == second.immediateResponse, "\(label)")
                                #expect(
                                    Self.respond(first, handler: [.contentType: "text/plain"])
                                        == Self.respond(second, handler: [.contentType: "text/plain"]), "\(label)")
                            }
                        }
                    }
                }
            }
        }
    }

    /// A shell whose responses are not `HTTPFields` finds the fields `apply` owns — every `Access-Control-*` field
    /// (Fetch, https://fetch.spec.whatwg.org/#http-responses) and `Vary` — in any case (RFC 9110 §5.1), and no other.
    @Test func theFieldsApplyOwnsAreFoundInAnyCase() {
        for owned in ["Access-Control-Allow-Origin", "ACCESS-CONTROL-MAX-AGE", "access-control-x", "Vary", "vARY"] {
            #expect(CORSDecision.appliesToField(rawName: owned), "\(owned)")
        }
        for other in ["access-control", "Access-Control_Allow", "x-access-control-a", "Varyx", "var", "v", "a", ""] {
            #expect(!CORSDecision.appliesToField(rawName: other), "\(other)")
        }
    }
}
