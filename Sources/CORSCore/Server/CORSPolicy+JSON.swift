extension CORSPolicy.Configuration {
    /// Reads a CORS policy in the policy file's JSON format (see the README, "A policy in ten lines"). Unknown keys,
    /// duplicate keys and values of the wrong type are errors, reported together; a syntax error gives its line and
    /// column. A file with `crossOriginProtection` is read by ``PolicyFile``.
    public init(json: some StringProtocol) throws(CORSPolicyError) {
        let document = try JSONDocument(json)
        let (configuration, diagnostics) = Self.decode(document.root, allowedExtraKeys: [])
        guard diagnostics.isEmpty else { throw CORSPolicyError(diagnostics: diagnostics) }
        self = configuration
    }

    /// The configuration as far as it could be read from a policy file's top-level object, and the problems found.
    static func decode(_ root: JSON, allowedExtraKeys: [String]) -> (Self, [PolicyDiagnostic]) {
        var reader = JSONFieldReader()
        var configuration = CORSPolicy.Configuration(allowOrigins: [])
        guard let members = reader.object(root, at: "") else { return (configuration, reader.diagnostics) }
        let keys = PolicyKey.allCases.map(\.rawValue) + [PolicyKey.routes] + allowedExtraKeys
        reader.checkKeys(
            members, allowed: keys, at: "",
            explaining: [
                PolicyKey.crossOriginProtection:
                    "cross-origin protection is not part of a CORS policy; read the file as a "
                    + "PolicyFile, which holds both"
            ])
        for (name, value) in members {
            if let key = PolicyKey(rawValue: name) {
                reader.read(value, for: key, at: name, into: &configuration)
            } else if name == PolicyKey.routes {
                guard case .array(let items) = value else {
                    reader.wrongType(value, expected: "an array of route objects", at: name)
                    continue
                }
                for (index, item) in items.enumerated() {
                    if let route = reader.route(item, at: "routes[\(index)]") { configuration.routes.append(route) }
                }
            }
        }
        return (configuration, reader.diagnostics)
    }
}

extension CORSPolicy {
    /// Reads and validates a CORS policy in the policy file's JSON format; throws every problem, from JSON syntax to
    /// policy rules, at once.
    public init(json: some StringProtocol) throws(CORSPolicyError) {
        let document = try JSONDocument(json)
        let (configuration, readProblems) = Configuration.decode(document.root, allowedExtraKeys: [])
        do {
            try self.init(configuration)
        } catch {
            throw CORSPolicyError(diagnostics: readProblems + error.diagnostics)
        }
        guard readProblems.isEmpty else { throw CORSPolicyError(diagnostics: readProblems) }
    }

    /// Every problem in a CORS policy's JSON text; empty when it is valid.
    public static func diagnostics(json: some StringProtocol) -> [PolicyDiagnostic] {
        do {
            _ = try CORSPolicy(json: json)
            return []
        } catch {
            return error.diagnostics
        }
    }
}

/// A parsed JSON document, or the one diagnostic that says why the text is not JSON.
struct JSONDocument {
    let root: JSON

    init(_ text: some StringProtocol) throws(CORSPolicyError) {
        do {
            root = try JSON.parse(text)
        } catch {
            throw CORSPolicyError(diagnostics: [
                PolicyDiagnostic(code: .invalidJSON, value: nil, message: "the file is not valid JSON: \(error).")
            ])
        }
    }
}

/// Reads typed values out of a JSON document, collecting a diagnostic for each value of the wrong type.
struct JSONFieldReader {
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

    /// Reports duplicate keys and keys not in `allowed` (with `explaining`'s fix for the keys it names).
    mutating func checkKeys(
        _ members: [(key: String, value: JSON)], allowed: [String], at path: String,
        explaining: [String: String] = [:]
    ) {
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
                        fix: explaining[key]
                            ?? (close
                                ? "did you mean `\(suggestion!)`?"
                                : "remove it; keys are \(allowed.joined(separator: ", "))")))
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
            members,
            allowed: [
                "enabled", "trustedOrigins", "exempt", "reportOnly", "allowSameSite", "publicOrigin", "checkWebSockets",
            ], at: path)
        var settings = CrossOriginProtection.Configuration()
        for (key, value) in members {
            let keyPath = path + "." + key
            switch key {
            case "enabled": settings.enabled = bool(value, at: keyPath) ?? true
            case "trustedOrigins": settings.trustedOrigins = strings(value, at: keyPath) ?? []
            case "exempt": settings.exempt = strings(value, at: keyPath) ?? []
            case "reportOnly": settings.reportOnly = bool(value, at: keyPath) ?? false
            case "allowSameSite": settings.allowSameSite = bool(value, at: keyPath) ?? false
            case "checkWebSockets": settings.checkWebSockets = bool(value, at: keyPath) ?? true
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

    /// Reads the value of `key` into the top-level configuration.
    mutating func read(
        _ value: JSON, for key: PolicyKey, at path: String, into configuration: inout CORSPolicy.Configuration
    ) {
        switch key.field {
        case .strings(let field, _):
            if let strings = strings(value, at: path) { configuration[keyPath: field] = strings }
        case .bool(let field, _): if let bool = bool(value, at: path) { configuration[keyPath: field] = bool }
        case .integer(let field, _): if let number = integer(value, at: path) { configuration[keyPath: field] = number }
        case .optionalInteger(let field, _): configuration[keyPath: field] = integer(value, at: path)
        }
    }

    /// Reads the value of `key` into a route.
    mutating func read(_ value: JSON, for key: PolicyKey, at path: String, into route: inout CORSPolicy.Route) {
        switch key.field {
        case .strings(_, let field): route[keyPath: field] = strings(value, at: path)
        case .bool(_, let field): route[keyPath: field] = bool(value, at: path)
        case .integer(_, let field): route[keyPath: field] = integer(value, at: path)
        case .optionalInteger(_, let field): route[keyPath: field] = integer(value, at: path)
        }
    }

    mutating func route(_ value: JSON, at path: String) -> CORSPolicy.Route? {
        guard let members = object(value, at: path) else { return nil }
        checkKeys(
            members, allowed: [PolicyKey.pathPrefix, PolicyKey.cors] + PolicyKey.allCases.map(\.rawValue), at: path)
        var route = CORSPolicy.Route(pathPrefix: "")
        var hasPrefix = false
        for (name, value) in members {
            let keyPath = path + "." + name
            if let key = PolicyKey(rawValue: name) {
                read(value, for: key, at: keyPath, into: &route)
            } else if name == PolicyKey.pathPrefix {
                guard case .string(let prefix) = value else {
                    wrongType(value, expected: "a string", at: keyPath)
                    continue
                }
                route.pathPrefix = prefix
                hasPrefix = true
            } else if name == PolicyKey.cors {
                guard case .bool(let enabled) = value else {
                    wrongType(value, expected: "true or false", at: keyPath)
                    continue
                }
                route.cors = enabled
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
