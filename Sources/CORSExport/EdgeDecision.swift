package import CORSCore

/// What an edge server must compute to answer as `CORSPolicy.evaluate` does, as a chain of lookup tables — each
/// one a variable whose value is the first entry matching a key built from the request and earlier variables. Both
/// targets read the same tables: nginx writes each as a `map`; Caddy writes each as a `map`, or as `vars` set by
/// CEL matchers where an entry is a ``ValueTest`` that RE2 alone cannot hold.
package struct EdgeDecision {
    /// A value a key is built from, or an entry's result refers to.
    enum Input: Equatable {
        /// A variable of an earlier table.
        case variable(String)
        /// The request target as sent (path and query, undecoded).
        case requestTarget
        case requestMethod
        /// A request field's value (every line of it, as the target reads them); empty when absent.
        case field(String)
    }

    /// When an entry applies.
    enum Key {
        /// The key is exactly this text.
        case exact(String)
        /// The key matches this expression (anchored by the expression itself).
        case pattern(String)
        /// The table's first input is the variable `rules` holds this rule set, and its second passes `test`.
        case test(rules: String, ValueTest)
    }

    /// What an entry gives.
    enum Output: Equatable {
        case literal(String)
        case input(Input)
    }

    struct Table {
        var variable: String
        var comment: String?
        /// The key: these inputs joined by `separator`.
        var inputs: [Input]
        var separator = " "
        var entries: [(key: Key, output: Output)]
        var fallback: Output = .literal("")
    }

    /// The tables, in the order they depend on each other.
    let tables: [Table]
    /// The statuses of the responses answered at the edge (`cors_status`): 400, 403 and each preflight status.
    let statuses: [Int]
    /// The response fields written, and the table (its variable) that holds each; an empty value writes no field.
    static let fields: [(name: String, variable: String)] = [
        ("Access-Control-Allow-Origin", "cors_allow_origin_field"),
        ("Access-Control-Allow-Credentials", "cors_allow_credentials_field"),
        ("Access-Control-Expose-Headers", "cors_expose_headers_field"),
        ("Access-Control-Allow-Methods", "cors_allow_methods_field"),
        ("Access-Control-Allow-Headers", "cors_allow_headers_field"),
        ("Access-Control-Max-Age", "cors_max_age_field"),
        ("Vary", "cors_vary_field"),
    ]

    package init(_ policy: CORSPolicy) {
        let routes = EdgeRoutes(policy)
        let sets: [(id: String, rules: CORSPolicy.Rules?)] =
            [("r0", policy.rootRules)] + routes.routes.map { ($0.id, $0.rules) }
        var tables = Self.ruleSelection(routes, ids: sets.map(\.id))
        tables += Self.requestShape
        tables += Self.tests(sets)
        tables.append(Self.answer(offSets: sets.filter { $0.rules == nil }.map(\.id)))
        tables += Self.fieldTables(sets)
        self.tables = tables
        var statuses = [400, 403]
        for status in sets.compactMap({ $0.rules?.preflightStatus }) where !statuses.contains(status) {
            statuses.append(status)
        }
        self.statuses = statuses
    }

    /// `cors_rules`: the rule set of the request's path — `r0` for the top level, `r1`… for the routes, `!` when
    /// the path has no single meaning (see ``EdgeRoutes``).
    private static func ruleSelection(_ routes: EdgeRoutes, ids: [String]) -> [Table] {
        guard !routes.routes.isEmpty else {
            return [
                Table(
                    variable: "cors_rules", comment: "One set of rules: the policy has no routes.",
                    inputs: [.requestTarget], entries: [], fallback: .literal("r0"))
            ]
        }
        let ambiguous = (key: Key.pattern("^" + EdgeRoutes.ambiguousTarget), output: Output.literal("!"))
        return [
            Table(
                variable: "cors_rules_as_written",
                comment: "The route of the target's canonical path (longest prefix first); `!` when the path has no "
                    + "single meaning (encoded `/` or `\\`, dot segments, bad `%`…).",
                inputs: [.requestTarget],
                entries: [ambiguous] + routes.routes.map { (.pattern("^" + $0.asWritten), .literal($0.id)) },
                fallback: .literal("r0")),
            Table(
                variable: "cors_rules_without_parameters",
                comment: "The same with each segment's `;` parameters removed, as servers that strip them read it.",
                inputs: [.requestTarget],
                entries: [ambiguous]
                    + routes.routes.compactMap { route in
                        route.withoutParameters.map { (.pattern("^" + $0), .literal(route.id)) }
                    },
                fallback: .literal("r0")),
            Table(
                variable: "cors_rules",
                comment: "The rules of the path, when both readings agree; `!` (refused) when they do not.",
                inputs: [.variable("cors_rules_as_written"), .variable("cors_rules_without_parameters")],
                entries: ids.map { (.exact("\($0) \($0)"), .literal($0)) }, fallback: .literal("!")),
        ]
    }

    /// `cors_kind`: `preflight` for OPTIONS with Origin and Access-Control-Request-Method
    /// (https://fetch.spec.whatwg.org/#cors-preflight-request), `actual` for any other request with Origin, `none`.
    private static var requestShape: [Table] {
        [
            Table(
                variable: "cors_has_origin", inputs: [.field("Origin")], entries: [(.exact(""), .literal("0"))],
                fallback: .literal("1")),
            Table(
                variable: "cors_has_request_method", inputs: [.field("Access-Control-Request-Method")],
                entries: [(.exact(""), .literal("0"))], fallback: .literal("1")),
            Table(
                variable: "cors_kind",
                comment: "A preflight is OPTIONS with Origin and Access-Control-Request-Method "
                    + "(https://fetch.spec.whatwg.org/#cors-preflight-request); any other request with Origin is an "
                    + "actual one.",
                inputs: [.requestMethod, .variable("cors_has_origin"), .variable("cors_has_request_method")],
                entries: [(.exact("OPTIONS 1 1"), .literal("preflight")), (.pattern(" 1 .$"), .literal("actual"))],
                fallback: .literal("none")),
        ]
    }

    /// The three checks of a CORS request, each on the request's own value, per rule set.
    private static func tests(_ sets: [(id: String, rules: CORSPolicy.Rules?)]) -> [Table] {
        var origins: [(key: Key, output: Output)] = []
        var methods: [(key: Key, output: Output)] = sets.compactMap { id, rules in
            rules.map { _ in (.test(rules: id, CORSPolicy.Rules.safelistedMethods), .literal("safelisted")) }
        }
        var headers: [(key: Key, output: Output)] = []
        for (id, rules) in sets {
            guard let rules else { continue }
            if rules.allowsAllOrigins {
                origins.append((.test(rules: id, ValueTest(pattern: ".*")), .literal("*")))
            } else {
                origins += rules.originTests.map { (.test(rules: id, $0), .input(.field("Origin"))) }
            }
            if let test = rules.methodTest { methods.append((.test(rules: id, test), .literal("allowed"))) }
            headers.append((.test(rules: id, rules.headerListTest), .literal("allowed")))
        }
        return [
            Table(
                variable: "cors_allowed_origin",
                comment: "Access-Control-Allow-Origin for an allowed origin: the origin itself, matched whole, or `*`.",
                inputs: [.variable("cors_rules"), .field("Origin")], separator: "|", entries: origins),
            Table(
                variable: "cors_origin_allowed", inputs: [.variable("cors_allowed_origin")],
                entries: [(.exact(""), .literal("0"))], fallback: .literal("1")),
            Table(
                variable: "cors_method",
                comment: "Whether the preflight's method is allowed (a safelisted one always is).",
                inputs: [.variable("cors_rules"), .field("Access-Control-Request-Method")], separator: "|",
                entries: methods, fallback: .literal("refused")),
            Table(
                variable: "cors_request_headers",
                comment: "Whether every header name the preflight asks for is allowed.",
                inputs: [.variable("cors_rules"), .field("Access-Control-Request-Headers")], separator: "|",
                entries: headers, fallback: .literal("refused")),
        ]
    }

    /// `cors_answer`: the decision, checked in Fetch's order — origin, method, headers.
    private static func answer(offSets: [String]) -> Table {
        var entries: [(key: Key, output: Output)] = [
            (.pattern("^! none"), .literal("ambiguous-none")),
            (.pattern("^! preflight"), .literal("ambiguous-preflight")),
            (.pattern("^! actual"), .literal("ambiguous-actual")),
        ]
        if !offSets.isEmpty {
            let off = offSets.joined(separator: "|")
            entries += [
                (.pattern("^(?:\(off)) preflight"), .literal("off-preflight")),
                (.pattern("^(?:\(off)) "), .literal("off")),
            ]
        }
        entries += [
            (.pattern("^r[0-9]+ none"), .literal("none")),
            (.pattern("^r[0-9]+ preflight 1 (?:safelisted|allowed) allowed$"), .literal("preflight-allowed")),
            (.pattern("^r[0-9]+ preflight"), .literal("preflight-refused")),
            (.pattern("^r[0-9]+ actual 1"), .literal("actual-allowed")),
        ]
        return Table(
            variable: "cors_answer",
            comment: "The decision, checked in Fetch's order: origin, method, headers "
                + "(https://fetch.spec.whatwg.org/#cors-preflight-fetch).",
            inputs: ["cors_rules", "cors_kind", "cors_origin_allowed", "cors_method", "cors_request_headers"].map {
                .variable($0)
            },
            entries: entries, fallback: .literal("actual-refused"))
    }

    /// The value of each response field, and the status of a response answered at the edge.
    private static func fieldTables(_ sets: [(id: String, rules: CORSPolicy.Rules?)]) -> [Table] {
        let allowed = ["preflight-allowed", "actual-allowed"]
        var credentials: [(key: Key, output: Output)] = []
        var expose: [(key: Key, output: Output)] = []
        var maxAge: [(key: Key, output: Output)] = []
        var status: [(key: Key, output: Output)] = []
        var wildcardSets: [String] = []
        for (id, rules) in sets {
            guard let rules else { continue }
            if rules.allowsAllOrigins { wildcardSets.append(id) }
            let (allowCredentials, exposeHeaders) = rules.actualField
            if allowCredentials != nil { credentials += allowed.map { (.exact("\($0) \(id)"), .literal("true")) } }
            if let exposeHeaders {
                // Every origin gets `*`, even without Origin: such responses carry the actual fields too.
                let answers = ["actual-allowed"] + (rules.allowsAllOrigins ? ["none"] : [])
                expose += answers.map { (.exact("\($0) \(id)"), .literal(exposeHeaders)) }
            }
            if let age = rules.maxAge { maxAge.append((.exact("preflight-allowed \(id)"), .literal(age))) }
            status.append((.exact("preflight-allowed \(id)"), .literal(String(rules.preflightStatus))))
        }
        status += [
            (.pattern("^ambiguous-(?:preflight|actual) "), .literal("400")),
            (.pattern("^(?:preflight-refused|off-preflight) "), .literal("403")),
        ]
        var vary: [(key: Key, output: Output)] = [
            (
                .pattern("^(?:preflight-allowed|preflight-refused|ambiguous-preflight) "),
                .literal("Origin, Access-Control-Request-Method, Access-Control-Request-Headers")
            )
        ]
        if !wildcardSets.isEmpty {
            let ids = wildcardSets.joined(separator: "|")
            vary.append((.pattern("^(?:actual-allowed|actual-refused|none) (?:\(ids))$"), .literal("")))
        }
        vary.append(
            (.pattern("^(?:actual-allowed|actual-refused|none|ambiguous-none|ambiguous-actual) "), .literal("Origin")))
        let answerAndRules: [Input] = [.variable("cors_answer"), .variable("cors_rules")]
        let echoOrigin = Output.input(.variable("cors_allowed_origin"))
        return [
            Table(
                variable: "cors_allow_origin_field", comment: "The fields, empty where they are not sent.",
                inputs: [.variable("cors_answer")],
                entries: [
                    (.exact("preflight-allowed"), echoOrigin), (.exact("actual-allowed"), echoOrigin),
                    (.exact("none"), echoOrigin),
                ]),
            Table(variable: "cors_allow_credentials_field", inputs: answerAndRules, entries: credentials),
            Table(variable: "cors_expose_headers_field", inputs: answerAndRules, entries: expose),
            Table(
                variable: "cors_allow_methods_field",
                comment: "A preflight's allowed method and headers are echoed as asked for.",
                inputs: [.variable("cors_answer"), .variable("cors_method")],
                entries: [(.exact("preflight-allowed allowed"), .input(.field("Access-Control-Request-Method")))]),
            Table(
                variable: "cors_allow_headers_field", inputs: [.variable("cors_answer")],
                entries: [(.exact("preflight-allowed"), .input(.field("Access-Control-Request-Headers")))]),
            Table(variable: "cors_max_age_field", inputs: answerAndRules, entries: maxAge),
            Table(
                variable: "cors_vary_field",
                comment: "What the response depends on (https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches).",
                inputs: answerAndRules, entries: vary),
            Table(
                variable: "cors_status", comment: "The status of a response answered here.", inputs: answerAndRules,
                entries: status),
        ]
    }

    /// `text` as `#` lines of at most 110 characters.
    static func commentLines(_ text: String) -> [String] {
        var lines: [String] = []
        var line = "#"
        for word in text.split(separator: " ") {
            if line.count + 1 + word.count > 110 {
                lines.append(line)
                line = "#"
            }
            line += " " + word
        }
        return lines + [line]
    }

}
