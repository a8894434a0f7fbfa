extension CORSPolicy.Configuration {
    static let keys = [
        "allowOrigins", "allowMethods", "allowHeaders", "exposeHeaders", "allowCredentials", "maxAge",
        "preflightSuccessStatus", "dangerouslyAllowInsecureOriginsWithCredentials",
        "dangerouslyAllowPublicSuffixWildcardsWithCredentials", "routes", "crossOriginProtection",
    ]

    /// Reads a policy file (the JSON format documented in the README, "A policy in ten lines"). Unknown keys, duplicate keys and values of the wrong
    /// type are errors, reported together; a syntax error gives its line and column.
    public init(json: some StringProtocol) throws(CORSPolicyError) {
        let (configuration, diagnostics) = Self.decode(json: json)
        guard let configuration, diagnostics.isEmpty else { throw CORSPolicyError(diagnostics: diagnostics) }
        self = configuration
    }

    /// The configuration as far as it could be read, and the problems found reading it.
    static func decode(json: some StringProtocol) -> (CORSPolicy.Configuration?, [PolicyDiagnostic]) {
        let document: JSON
        do {
            document = try JSON.parse(json)
        } catch {
            return (
                nil,
                [
                    PolicyDiagnostic(code: .invalidJSON, value: nil, message: "the file is not valid JSON: \(error).")
                ]
            )
        }
        var reader = JSONFieldReader()
        var configuration = CORSPolicy.Configuration(allowOrigins: [])
        if let members = reader.object(document, at: "") {
            reader.checkKeys(members, allowed: Self.keys, at: "")
            for (key, value) in members {
                switch key {
                case "allowOrigins": configuration.allowOrigins = reader.strings(value, at: key) ?? []
                case "allowMethods": configuration.allowMethods = reader.strings(value, at: key) ?? []
                case "allowHeaders": configuration.allowHeaders = reader.strings(value, at: key) ?? []
                case "exposeHeaders": configuration.exposeHeaders = reader.strings(value, at: key) ?? []
                case "allowCredentials": configuration.allowCredentials = reader.bool(value, at: key) ?? false
                case "maxAge": configuration.maxAge = reader.integer(value, at: key)
                case "preflightSuccessStatus":
                    configuration.preflightSuccessStatus = reader.integer(value, at: key) ?? 204
                case "dangerouslyAllowInsecureOriginsWithCredentials":
                    configuration.dangerouslyAllowInsecureOriginsWithCredentials = reader.bool(value, at: key) ?? false
                case "dangerouslyAllowPublicSuffixWildcardsWithCredentials":
                    configuration.dangerouslyAllowPublicSuffixWildcardsWithCredentials =
                        reader.bool(value, at: key) ?? false
                case "crossOriginProtection":
                    configuration.crossOriginProtection = reader.protection(value, at: key)
                case "routes":
                    guard case .array(let items) = value else {
                        reader.wrongType(value, expected: "an array of route objects", at: key)
                        continue
                    }
                    for (index, item) in items.enumerated() {
                        if let route = reader.route(item, at: "routes[\(index)]") { configuration.routes.append(route) }
                    }
                default:
                    break
                }
            }
        }
        return (configuration, reader.diagnostics)
    }
}

extension CORSPolicy {
    /// Reads and validates a policy file; throws every problem, from JSON syntax to policy rules.
    ///
    /// The file's type errors and the policy's validation problems are reported together.
    public init(json: some StringProtocol) throws(CORSPolicyError) {
        let (configuration, readProblems) = Configuration.decode(json: json)
        guard let configuration else { throw CORSPolicyError(diagnostics: readProblems) }
        do {
            try self.init(configuration)
        } catch {
            throw CORSPolicyError(diagnostics: readProblems + error.diagnostics)
        }
        guard readProblems.isEmpty else { throw CORSPolicyError(diagnostics: readProblems) }
    }
}

/// Reads typed values out of a JSON document, collecting a diagnostic for each value of the wrong type.
private struct JSONFieldReader {
    var diagnostics: [PolicyDiagnostic] = []

    mutating func wrongType(_ value: JSON, expected: String, at path: String) {
        diagnostics.append(
            PolicyDiagnostic(
                code: .wrongType, path: path, value: nil, message: "expected \(expected), found \(value.typeName)."))
    }

    mutating func object(_ value: JSON, at path: String) -> [(key: String, value: JSON)]? {
        guard case .object(let members) = value else {
            wrongType(value, expected: "an object", at: path.isEmpty ? "$" : path)
            return nil
        }
        return members
    }

    mutating func checkKeys(_ members: [(key: String, value: JSON)], allowed: [String], at path: String) {
        var seen: Set<String> = []
        for (key, _) in members {
            let keyPath = path.isEmpty ? key : path + "." + key
            if !seen.insert(key).inserted {
                diagnostics.append(
                    PolicyDiagnostic(
                        code: .duplicateKey, path: keyPath, value: key,
                        message: "the key appears twice; only one value can apply.", fix: "keep one of them"))
            }
            if !allowed.contains(key) {
                let suggestion = allowed.min { editDistance($0, key) < editDistance($1, key) }
                let close = suggestion.map { editDistance($0, key) <= max(2, key.count / 3) } ?? false
                diagnostics.append(
                    PolicyDiagnostic(
                        code: .unknownKey, path: keyPath, value: key,
                        message: "this key is not part of a policy, so it would be ignored.",
                        fix: close
                            ? "did you mean `\(suggestion!)`?"
                            : "remove it; keys are \(allowed.joined(separator: ", "))"))
            }
        }
    }

    mutating func strings(_ value: JSON, at path: String) -> [String]? {
        guard case .array(let items) = value else {
            wrongType(value, expected: "an array of strings", at: path)
            return nil
        }
        var strings: [String] = []
        for (index, item) in items.enumerated() {
            guard case .string(let string) = item else {
                wrongType(item, expected: "a string", at: "\(path)[\(index)]")
                continue
            }
            strings.append(string)
        }
        return strings
    }

    mutating func bool(_ value: JSON, at path: String) -> Bool? {
        guard case .bool(let bool) = value else {
            wrongType(value, expected: "true or false", at: path)
            return nil
        }
        return bool
    }

    mutating func integer(_ value: JSON, at path: String) -> Int? {
        guard case .number(let text) = value, let number = Int(text) else {
            wrongType(value, expected: "a whole number", at: path)
            return nil
        }
        return number
    }

    mutating func protection(_ value: JSON, at path: String) -> CrossOriginProtection.Configuration? {
        guard let members = object(value, at: path) else { return nil }
        checkKeys(
            members, allowed: ["enabled", "trustedOrigins", "exempt", "reportOnly", "allowSameSite", "publicOrigin"],
            at: path)
        var settings = CrossOriginProtection.Configuration()
        for (key, value) in members {
            let keyPath = path + "." + key
            switch key {
            case "enabled": settings.enabled = bool(value, at: keyPath) ?? true
            case "trustedOrigins": settings.trustedOrigins = strings(value, at: keyPath) ?? []
            case "exempt": settings.exempt = strings(value, at: keyPath) ?? []
            case "reportOnly": settings.reportOnly = bool(value, at: keyPath) ?? false
            case "allowSameSite": settings.allowSameSite = bool(value, at: keyPath) ?? false
            case "publicOrigin":
                guard case .string(let origin) = value else {
                    wrongType(value, expected: "a string", at: keyPath)
                    continue
                }
                settings.publicOrigin = origin
            default: break
            }
        }
        return settings
    }

    mutating func route(_ value: JSON, at path: String) -> CORSPolicy.Route? {
        guard let members = object(value, at: path) else { return nil }
        let keys =
            ["pathPrefix"] + CORSPolicy.Configuration.keys.filter { $0 != "routes" && $0 != "crossOriginProtection" }
        checkKeys(members, allowed: keys, at: path)
        var route = CORSPolicy.Route(pathPrefix: "")
        var hasPrefix = false
        for (key, value) in members {
            let keyPath = path + "." + key
            switch key {
            case "pathPrefix":
                guard case .string(let prefix) = value else {
                    wrongType(value, expected: "a string", at: keyPath)
                    continue
                }
                route.pathPrefix = prefix
                hasPrefix = true
            case "allowOrigins": route.allowOrigins = strings(value, at: keyPath)
            case "allowMethods": route.allowMethods = strings(value, at: keyPath)
            case "allowHeaders": route.allowHeaders = strings(value, at: keyPath)
            case "exposeHeaders": route.exposeHeaders = strings(value, at: keyPath)
            case "allowCredentials": route.allowCredentials = bool(value, at: keyPath)
            case "maxAge": route.maxAge = integer(value, at: keyPath)
            case "preflightSuccessStatus": route.preflightSuccessStatus = integer(value, at: keyPath)
            case "dangerouslyAllowInsecureOriginsWithCredentials":
                route.dangerouslyAllowInsecureOriginsWithCredentials = bool(value, at: keyPath)
            case "dangerouslyAllowPublicSuffixWildcardsWithCredentials":
                route.dangerouslyAllowPublicSuffixWildcardsWithCredentials = bool(value, at: keyPath)
            default: break
            }
        }
        guard hasPrefix else {
            diagnostics.append(
                PolicyDiagnostic(
                    code: .missingKey, path: path, value: nil, message: "a route needs a `pathPrefix`.",
                    fix: "add `\"pathPrefix\": \"/api/\"` (or the prefix this route is for)"))
            return nil
        }
        return route
    }
}

/// Levenshtein distance, for "did you mean" suggestions on short keys.
private func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.lowercased().utf8)
    let b = Array(b.lowercased().utf8)
    var previous = Array(0...b.count)
    for i in 1...max(a.count, 1) where !a.isEmpty {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...max(b.count, 1) where !b.isEmpty {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return a.isEmpty ? b.count : previous[b.count]
}
