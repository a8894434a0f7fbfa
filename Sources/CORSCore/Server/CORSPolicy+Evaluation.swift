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
    /// When the policy has `routes`, the path decides which rules apply, so a path with no single meaning (see
    /// ``PathAmbiguity``) cannot be judged: a request with `Origin` is refused with 400 (``CORSDecision/immediateResponse``),
    /// one without gets no CORS fields.
    ///
    /// Work is bounded by the request's field count and by ``HeaderList/Limits``, never by a header's length.
    public func evaluate(_ request: HTTPRequest) -> CORSDecision {
        let found = rules(forPath: (request.path ?? "/")[...])
        var originCount = 0
        var originValue: String?
        var requestMethodCount = 0
        var requestMethod: String?
        for field in request.headerFields {
            if field.name == .origin {
                originCount += 1
                if originValue == nil { originValue = field.value }
            } else if field.name == .accessControlRequestMethod {
                requestMethodCount += 1
                if requestMethod == nil { requestMethod = field.value }
            }
        }

        let isPreflight = originValue != nil && request.method == .options && requestMethodCount > 0
        let rules: CompiledRules
        switch found {
        case .success(let matched):
            rules = matched
        case .failure(let ambiguity):
            guard originValue != nil else { return CORSDecision(kind: .notCORS, vary: .origin) }
            return CORSDecision(
                kind: isPreflight ? .preflight : .actual, rejection: .ambiguousPath(ambiguity),
                vary: isPreflight ? .preflight : .origin)
        }
        guard let originValue else {
            if let wildcard = rules.wildcardOriginField {
                return CORSDecision(kind: .notCORS, vary: .none, allowOrigin: wildcard, otherFields: rules.actualFields)
            }
            return CORSDecision(kind: .notCORS, vary: .origin)
        }
        let originVary: VaryNames = rules.wildcardOriginField == nil ? .origin : .none
        let vary = isPreflight ? VaryNames.preflight : originVary
        let kind: CORSDecision.Kind = isPreflight ? .preflight : .actual

        func reject(_ reason: CORSRejection) -> CORSDecision {
            CORSDecision(kind: kind, rejection: reason, vary: vary)
        }
        if originCount > 1 { return reject(.multipleOrigins) }
        let allowOrigin: HTTPField
        if let wildcard = rules.wildcardOriginField {
            allowOrigin = wildcard
        } else {
            guard let origin = SerializedOrigin(originValue[...]) else {
                return reject(originValue == "null" ? .originNotAllowed : .malformedOrigin)
            }
            guard rules.origins.contains(origin) else { return reject(.originNotAllowed) }
            allowOrigin = HTTPField(name: .accessControlAllowOrigin, value: originValue)
        }
        guard isPreflight else {
            return CORSDecision(kind: .actual, vary: vary, allowOrigin: allowOrigin, otherFields: rules.actualFields)
        }

        guard requestMethodCount == 1, let requestMethod, let method = HTTPRequest.Method(requestMethod) else {
            return reject(.invalidRequestMethod)
        }
        var allowMethods: HTTPField?
        if !method.isCORSSafelisted {
            guard !method.isForbidden, rules.allowsAllMethods || rules.methods.contains(method.rawValue) else {
                return reject(.methodNotAllowed(method.rawValue))
            }
            allowMethods = HTTPField(name: .accessControlAllowMethods, value: method.rawValue)
        }

        var refused: Substring?
        let outcome = HeaderList.scan(.accessControlRequestHeaders, in: request.headerFields) { name in
            guard rules.allows(headerName: name) else {
                refused = name
                return false
            }
            return true
        }
        var allowHeaders: HTTPField?
        switch outcome {
        case .absent:
            break
        case .failure(let failure):
            return reject(.invalidRequestHeaders(failure))
        case .stopped:
            return reject(.headerNotAllowed(String(refused ?? "")))
        case .parsed:
            allowHeaders = HTTPField(name: .accessControlAllowHeaders, value: Self.echo(request.headerFields))
        }
        return CORSDecision(
            kind: .preflight, vary: vary, allowOrigin: allowOrigin, allowMethods: allowMethods,
            allowHeaders: allowHeaders, otherFields: rules.preflightFields, preflightStatus: rules.preflightStatus)
    }

    /// The requested header list, echoed: as sent when it is one clean line (what browsers send), otherwise
    /// rebuilt from its elements (it has just been checked to be a list of allowed tokens).
    private static func echo(_ fields: HTTPFields) -> String {
        var lines = fields.lazy.filter { $0.name == .accessControlRequestHeaders }.makeIterator()
        if let first = lines.next(), lines.next() == nil {
            let bytes = first.value.utf8
            let isClean =
                bytes.first != UInt8(ascii: ",") && bytes.last != UInt8(ascii: ",")
                && !bytes.contains(where: ASCII.isTabOrSpace)
                && !first.value.contains(",,")
            if isClean { return first.value }
        }
        var names: [Substring] = []
        _ = HeaderList.scan(.accessControlRequestHeaders, in: fields) { name in
            names.append(name)
            return true
        }
        return names.joined(separator: ",")
    }
}

extension CompiledRules {
    /// Whether a requested header name is allowed: listed (any case), or covered by `*` — which, as in Fetch, never
    /// covers `authorization` (https://fetch.spec.whatwg.org/#cors-non-wildcard-request-header-name).
    func allows(headerName name: Substring) -> Bool {
        var low = 0
        var high = headers.count
        while low < high {
            let middle = (low + high) / 2
            let order = ASCII.compareLowercased(name.utf8, headers[middle].utf8)
            if order == 0 { return true }
            if order > 0 { low = middle + 1 } else { high = middle }
        }
        return allowsAllHeaders && !ASCII.equalsIgnoringCase(name.utf8, "authorization".utf8)
    }
}
