public import HTTPTypes

extension CORSPolicy {
    /// Decides what to answer to `request`.
    ///
    /// - No `Origin`: not a CORS request. The response varies on `Origin` (unless every origin gets `*`, which is
    ///   then sent on every response so that caches stay consistent).
    /// - `OPTIONS` + `Origin` + `Access-Control-Request-Method`: a preflight, checked in the Fetch Standard's order
    ///   (origin, method, headers — https://fetch.spec.whatwg.org/#cors-preflight-fetch). Success echoes only what
    ///   was asked for; failure is 403 without CORS fields.
    /// - Anything else with `Origin`: an actual request; an allowed origin gets `Access-Control-Allow-Origin`,
    ///   credentials and exposed headers (https://fetch.spec.whatwg.org/#http-responses).
    ///
    /// When the policy has `routes`, the path decides which rules apply (a route with `cors: false` refuses every
    /// preflight and adds nothing to other responses), so a path with no single meaning (see
    /// ``PathAmbiguity``) cannot be judged: a request with `Origin` is refused with 400 (``CORSDecision/immediateResponse``),
    /// one without gets no CORS fields.
    ///
    /// `allowing` is an origin an ``OriginSource`` allowed at request time (see ``CORSDecision/unlistedOrigin``): when
    /// the request's `Origin` is that origin, it is answered as a listed exact origin would be — after the rule
    /// every listed origin passes: with credentials, it must be potentially trustworthy
    /// (https://w3c.github.io/webappsec-secure-contexts/#is-origin-trustworthy), else the refusal is
    /// ``CORSRejection/insecureOriginWithCredentials``.
    ///
    /// Work is bounded by the request's field count and by ``HeaderList/Limits``, never by a header's length.
    public func evaluate(_ request: HTTPRequest, allowing dynamicOrigin: Origin? = nil) -> CORSDecision {
        evaluate(
            isOptions: request.method == .options, path: request.path ?? "/", fields: request.headerFields,
            allowing: dynamicOrigin)
    }

    /// ``evaluate(_:allowing:)`` on a request's parts, for shells whose requests are not `HTTPRequest`s: building one
    /// costs more than the decision. `isOptions` is read only when the request could be a preflight, `path` only
    /// when the policy has routes; `fields` needs only the fields `evaluate` reads (see ``readFieldName(_:)``).
    @inline(__always)
    package func evaluate(
        isOptions: @autoclosure () -> Bool, path: @autoclosure () -> String, fields: HTTPFields,
        allowing dynamicOrigin: Origin? = nil
    ) -> CORSDecision {
        let found = CORSRequestFields(fields)
        var originValue: String?
        if let index = found.origin { originValue = fields[index].value }
        let requestMethodCount = found.requestMethodCount

        // The method is read only when the request could be a preflight: most requests are not.
        let isPreflight = originValue != nil && requestMethodCount > 0 && isOptions()
        return decideOrigin(
            originValue, count: found.originCount, isPreflight: isPreflight, path: path, allowing: dynamicOrigin,
            originField: { fields[found.origin!] }
        ) { rules, answers, vary in
            if let answers, requestMethodCount == 1, found.requestHeadersCount <= 1, let index = found.requestMethod,
                let answer = Self.rememberedAnswer(answers.memo, fields, method: index, headers: found.requestHeaders)
            {
                return CORSDecision(
                    kind: .preflight, vary: vary, answer: answer, preflightStatus: rules.preflightStatus)
            }
            return evaluatePreflight(rules: rules, fields: fields, found: found, answers: answers, vary: vary)
        }
    }

    /// ``evaluate(isOptions:path:fields:allowing:)`` for shells whose fields are not `HTTPFields`, from what one scan
    /// of their names found (see ``readFieldName(_:)``): the first `Origin` value, how many `Origin` fields there are,
    /// and whether there is an `Access-Control-Request-Method`. A request that cannot be a preflight (one is `OPTIONS`
    /// with `Origin` and `Access-Control-Request-Method`, https://fetch.spec.whatwg.org/#cors-preflight-request) is
    /// decided from its origin alone; `fields`, the fields the policy reads converted, is read only for a possible
    /// preflight or for an `Origin` value that `HTTPFields` would legalize (`HTTPField.isValidValue`).
    @inline(__always)
    package func evaluate(
        origin: String?, originCount: Int, asksMethod: Bool, isOptions: @autoclosure () -> Bool,
        path: @autoclosure () -> String, fields: () -> HTTPFields, allowing dynamicOrigin: Origin? = nil
    ) -> CORSDecision {
        if let origin, asksMethod && isOptions() || !HTTPField.isValidValue(origin) {
            return evaluate(isOptions: isOptions(), path: path(), fields: fields(), allowing: dynamicOrigin)
        }
        return decideOrigin(
            origin, count: originCount, isPreflight: false, path: path, allowing: dynamicOrigin,
            originField: { HTTPField(name: .origin, value: origin!) }, preflight: { _, _, _ in preconditionFailure() })
    }

    /// The first part of `evaluate`, written once for both of its entry points: every decision about a request that
    /// is not a preflight, and a preflight's refusals for its path or origin; a preflight from an allowed origin
    /// goes on to `preflight` with the rules, answers and `Vary` its method and headers are checked with.
    /// `originField` is the request's `Origin` field, read only for an origin no answers were kept for.
    @inline(__always)
    private func decideOrigin(
        _ originValue: String?, count originCount: Int, isPreflight: Bool, path: () -> String,
        allowing dynamicOrigin: Origin?, originField: () -> HTTPField,
        preflight: (CompiledRules, OriginAnswers?, VaryNames) -> CORSDecision
    ) -> CORSDecision {
        let rules: CompiledRules
        if routes.isEmpty {
            rules = root
        } else {
            switch self.rules(forPath: path()[...]) {
            case .success(let matched?):
                rules = matched
            case .success(nil):
                // The route switches CORS off: no CORS fields, and nothing that varies with the origin.
                guard originValue != nil else {
                    return CORSDecision(kind: .notCORS, vary: .none, answer: [:])
                }
                return
                    CORSDecision(kind: isPreflight ? .preflight : .actual, rejection: .corsDisabled, vary: .none)
            case .failure(let ambiguity):
                guard originValue != nil else {
                    return CORSDecision(kind: .notCORS, vary: .origin, answer: Self.notCORS)
                }
                return
                    CORSDecision(
                        kind: isPreflight ? .preflight : .actual, rejection: .ambiguousPath(ambiguity),
                        vary: isPreflight ? .preflight : .origin)
            }
        }
        guard let originValue else {
            guard let wildcard = rules.wildcardAnswers else {
                return CORSDecision(kind: .notCORS, vary: .origin, answer: Self.notCORS)
            }
            return CORSDecision(kind: .notCORS, vary: .none, answer: wildcard.actual)
        }
        let vary = isPreflight ? VaryNames.preflight : rules.template.originVary
        let kind: CORSDecision.Kind = isPreflight ? .preflight : .actual

        if originCount > 1 { return CORSDecision(kind: kind, rejection: .multipleOrigins, vary: vary) }
        // `*`, an exact origin, and an origin a pattern matched (or refused) before are found by the value's bytes;
        // anything else is parsed, then matched against the patterns.
        var refused = false
        var answers = rules.knownAnswers(origin: originValue, refused: &refused)
        if answers == nil {
            if let dynamicOrigin, dynamicOrigin.serialization == originValue {
                if rules.credentialsNeedSecureOrigins, !dynamicOrigin.isPotentiallyTrustworthy {
                    return CORSDecision(kind: kind, rejection: .insecureOriginWithCredentials, vary: vary)
                }
            } else {
                guard !refused, rules.origins.hasWildcardPatterns else {
                    return CORSDecision(kind: kind, unmatchedOrigin: originValue, vary: vary)
                }
                guard rules.origins.wildcardPatternsMatch(headerValue: originValue) else {
                    rules.patternOriginAnswers.rememberRefused(originField())
                    return CORSDecision(kind: kind, unmatchedOrigin: originValue, vary: vary)
                }
                answers = rules.patternOriginAnswers.remember(originField(), template: rules.template)
            }
        }
        guard isPreflight else {
            return
                CORSDecision(
                    kind: .actual, vary: vary,
                    answer: answers?.actual
                        ?? rules.template.actual(allowOrigin: originField().renamed(.accessControlAllowOrigin)))
        }

        return preflight(rules, answers, vary)
    }

    /// The memo's answer to the request-method and request-headers lines at these indexes, read where they are (a
    /// field copied out of `HTTPFields` costs a reference count for each of its three strings).
    private static func rememberedAnswer(
        _ memo: PreflightMemo, _ fields: HTTPFields, method: Int, headers: Int?
    ) -> HTTPFields? {
        fields[method].withUnsafeBytesOfValue { method in
            guard let headers else { return memo.answer(method: method, headers: nil) }
            return fields[headers].withUnsafeBytesOfValue { memo.answer(method: method, headers: $0) }
        }
    }

    /// `Access-Control-Allow-Origin` for an origin no answers were kept for: the request's own field, renamed (its
    /// value was checked when it was parsed and is shared, not copied).
    private static func allowOrigin(_ fields: HTTPFields, _ found: CORSRequestFields) -> HTTPField {
        fields[found.origin!].renamed(.accessControlAllowOrigin)
    }

    /// The method and header checks of a preflight from an allowed origin, in Fetch's order
    /// (https://fetch.spec.whatwg.org/#cors-preflight-fetch). An allowed answer that echoes the request is kept in
    /// `answers`' memo when there are answers to keep it in.
    private func evaluatePreflight(
        rules: CompiledRules, fields: HTTPFields, found: CORSRequestFields, answers: OriginAnswers?, vary: VaryNames
    ) -> CORSDecision {
        func reject(_ reason: CORSRejection) -> CORSDecision {
            CORSDecision(kind: .preflight, rejection: reason, vary: vary)
        }
        guard found.requestMethodCount == 1, let index = found.requestMethod,
            let method = HTTPRequest.Method(fields[index].value)
        else {
            return reject(.invalidRequestMethod)
        }
        let requestMethod = fields[index]
        var allowMethods: HTTPField?
        if !method.isCORSSafelisted {
            guard !method.isForbidden, rules.allowsAllMethods || rules.methods.contains(method.rawValue) else {
                return reject(.methodNotAllowed(method.rawValue))
            }
            // The request's field renamed: a method token is already its own normalized echo.
            allowMethods = requestMethod.renamed(.accessControlAllowMethods)
        }

        // Browsers send one line; several are read as one list. The answer echoes the line as sent when it is one
        // clean list (what browsers send), otherwise the names rebuilt while they are checked.
        let onlyLine = found.requestHeadersCount == 1 ? found.requestHeaders.map { fields[$0] } : nil
        let echoesLine = onlyLine.map(Self.isCleanList) ?? false
        // What the visitor finds: the rebuilt list, or the first name refused.
        var state: (rebuilt: [UInt8], refused: String?) = ([], nil)
        func check(_ state: inout (rebuilt: [UInt8], refused: String?), _ name: UnsafeBufferPointer<UInt8>) -> Bool {
            guard rules.allows(headerName: name) else {
                state.refused = String(decoding: name, as: UTF8.self)
                return false
            }
            if !echoesLine {
                if !state.rebuilt.isEmpty { state.rebuilt.append(UInt8(ascii: ",")) }
                state.rebuilt.append(contentsOf: name)
            }
            return true
        }
        let outcome =
            if let onlyLine {
                HeaderList.scan(lines: CollectionOfOne(onlyLine), state: &state, visit: check)
            } else {
                HeaderList.scan(
                    lines: fields.lazy.filter { $0.name == .accessControlRequestHeaders }, state: &state, visit: check)
            }
        var allowHeaders: HTTPField?
        switch outcome {
        case .absent:
            break
        case .failure(let failure):
            return reject(.invalidRequestHeaders(failure))
        case .stopped:
            return reject(.headerNotAllowed(state.refused ?? ""))
        case .parsed:
            allowHeaders =
                if echoesLine, let onlyLine {
                    onlyLine.renamed(.accessControlAllowHeaders)
                } else {
                    HTTPField(name: .accessControlAllowHeaders, value: String(decoding: state.rebuilt, as: UTF8.self))
                }
        }
        let allowOrigin = answers?.allowOrigin ?? Self.allowOrigin(fields, found)
        guard let answers, allowMethods != nil || allowHeaders != nil else {
            let answer =
                answers?.preflight
                ?? rules.template.preflight(
                    allowOrigin: allowOrigin, allowMethods: allowMethods, allowHeaders: allowHeaders)
            return CORSDecision(kind: .preflight, vary: vary, answer: answer, preflightStatus: rules.preflightStatus)
        }
        let answer = rules.template.preflight(
            allowOrigin: allowOrigin, allowMethods: allowMethods, allowHeaders: allowHeaders)
        // One line (or none) and the method are all the answer depends on for this origin: the same bytes get it.
        if found.requestHeadersCount <= 1 {
            answers.memo.keep(answer, method: requestMethod, headers: onlyLine)
        }
        return CORSDecision(kind: .preflight, vary: vary, answer: answer, preflightStatus: rules.preflightStatus)
    }

    /// The field name, among those `evaluate` reads (`Origin`, `Access-Control-Request-Method`,
    /// `Access-Control-Request-Headers`), that `rawName` spells in any case; `nil` for every other name. For shells
    /// whose requests are not `HTTPFields`: they convert these fields only.
    package static func readFieldName(_ rawName: String) -> HTTPField.Name? {
        switch ReadField(rawName) {
        case .origin: .origin
        case .requestMethod: .accessControlRequestMethod
        case .requestHeaders: .accessControlRequestHeaders
        case nil: nil
        }
    }

    /// What a request without `Origin` gets when not every origin is allowed: `Vary: Origin` alone.
    private static let notCORS = VaryNames.origin.fieldsAlone

    /// Whether a request-headers line is a list without empty elements or white space, so that the line itself is
    /// the echo of its names.
    private static func isCleanList(_ line: HTTPField) -> Bool {
        line.withUnsafeBytesOfValue { bytes in
            bytes.first != UInt8(ascii: ",") && bytes.last != UInt8(ascii: ",")
                && !bytes.contains(where: ASCII.isTabOrSpace)
                && !zip(bytes, bytes.dropFirst()).contains { $0 == UInt8(ascii: ",") && $1 == UInt8(ascii: ",") }
        }
    }
}

/// The request fields `evaluate` reads.
private enum ReadField {
    case origin, requestMethod, requestHeaders

    /// The field `name` spells in any case, told apart by length first so that other names cost one comparison; the
    /// two usual spellings (an `HTTPField.Name`'s lowercase canonical one, and HTTP/1.1's capitalized one) are
    /// compared whole, before any byte is lowercased.
    @inline(__always)
    init?(_ name: String) {
        func spells(_ lowercase: String, _ capitalized: String) -> Bool {
            name == lowercase || name == capitalized || ASCII.equalsIgnoringCase(name.utf8, lowercase.utf8)
        }
        switch name.utf8.count {
        case 6 where spells("origin", "Origin"): self = .origin
        case 29 where spells("access-control-request-method", "Access-Control-Request-Method"): self = .requestMethod
        case 30 where spells("access-control-request-headers", "Access-Control-Request-Headers"):
            self = .requestHeaders
        default: return nil
        }
    }
}

/// Where a request's CORS fields are: one pass over the names, nothing copied.
private struct CORSRequestFields {
    var origin: Int?
    var originCount = 0
    var requestMethod: Int?
    var requestMethodCount = 0
    var requestHeaders: Int?
    var requestHeadersCount = 0

    /// Inlined, as is ``ReadField``'s initializer, so that the scan reads each name where it is instead of retaining
    /// and releasing it: without both, an actual request costs 20 retains and releases instead of 16
    /// (`scripts/bench-refcounts.sh actual/one/allowed`).
    @inline(__always)
    init(_ fields: HTTPFields) {
        for index in 0..<fields.count {
            switch ReadField(fields[index].name.canonicalName) {
            case .origin:
                originCount += 1
                if origin == nil { origin = index }
            case .requestMethod:
                requestMethodCount += 1
                if requestMethod == nil { requestMethod = index }
            case .requestHeaders:
                requestHeadersCount += 1
                if requestHeaders == nil { requestHeaders = index }
            case nil:
                continue
            }
        }
    }
}

extension CompiledRules {
    /// Whether a requested header name is allowed: listed (any case), or covered by `*` — which, as in Fetch, never
    /// covers `authorization` (https://fetch.spec.whatwg.org/#cors-non-wildcard-request-header-name).
    func allows(headerName name: UnsafeBufferPointer<UInt8>) -> Bool {
        var low = 0
        var high = headers.count
        while low < high {
            let middle = (low + high) / 2
            let order = headers[middle].withUnsafeBufferPointer { ASCII.compareLowercased(name, $0) }
            if order == 0 { return true }
            if order > 0 { low = middle + 1 } else { high = middle }
        }
        return allowsAllHeaders && !ASCII.equalsIgnoringCase(name, "authorization".utf8)
    }
}

extension HTTPField {
    /// The same value under another name.
    func renamed(_ name: HTTPField.Name) -> HTTPField {
        var field = self
        field.name = name
        return field
    }
}
