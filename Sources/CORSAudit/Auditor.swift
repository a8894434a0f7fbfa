import AsyncHTTPClient
import CORSClient
import CORSCore
package import HTTPTypes
import NIOCore
import NIOHTTP1

/// Finds CORS misconfigurations by probing a URL from crafted origins and asking the browser model, for each probe,
/// whether a page on that origin could read the response — with the user's credentials, and without.
package final class Auditor: Sendable {
    /// The audit of one URL.
    package struct Report: Sendable {
        package let target: String
        package let findings: [Finding]
        /// Why the audit could not run, when it could not (the target unreachable, a bad URL).
        package let error: String?
    }

    private let client: CORSClient
    private let raw: HTTPClient
    private let timeoutSeconds: Int64

    package init(timeoutSeconds: Int64 = 15) {
        self.timeoutSeconds = timeoutSeconds
        client = CORSClient(profile: .chromium, timeoutSeconds: timeoutSeconds)
        raw = HTTPClient(
            eventLoopGroup: HTTPClient.defaultEventLoopGroup,
            configuration: .init(
                redirectConfiguration: .disallow,
                timeout: .init(connect: .seconds(min(timeoutSeconds, 10)), read: .seconds(timeoutSeconds))))
    }

    package func shutdown() async throws {
        try await client.shutdown()
        try await raw.shutdown()
    }

    /// A crafted origin and the finding it reveals when a page on it can read the response.
    struct Probe {
        let id: Finding.ID
        let origin: Origin
    }

    /// Audits `url`. `trusted` are origins the site is meant to trust (they and the URL's own origin are never
    /// findings); `method` and `headers` shape the request, as a page would send it.
    package func audit(
        _ url: String, trusted: [String] = [], method: HTTPRequest.Method = .get, headers: HTTPFields = [:]
    ) async -> Report {
        let own: Origin
        do {
            own = try Origin(url: url)
        } catch {
            return Report(target: url, findings: [], error: "\(error)")
        }
        let trustedOrigins = trusted.compactMap { Origin(headerValue: $0) }.filter { !$0.isOpaque }
        var findings: [Finding] = []

        // Baseline: the target must answer at all.
        guard let baseline = await rawResponse(url, origin: trustedOrigins.first?.serialization ?? own.serialization)
        else {
            return Report(target: url, findings: [], error: "the target could not be reached")
        }
        let probes = Self.probes(own: own, trusted: trustedOrigins)
        for probe in probes where !trustedOrigins.contains(probe.origin) && probe.origin != own {
            if let finding = await judge(probe, url: url, method: method, headers: headers) { findings.append(finding) }
        }
        findings += await wildcardAndVary(url: url, trusted: trustedOrigins, own: own, baseline: baseline)
        findings += await preflightProbes(url: url, origin: trustedOrigins.first ?? Self.evil)
        return Report(target: url, findings: Self.reduce(findings), error: nil)
    }

    static let evil = Origin(headerValue: "https://cors-audit-evil.example")!
    static let thirdPartyHosts = ["github.io", "netlify.app", "vercel.app", "pages.dev", "herokuapp.com"]

    /// The probe origins: unrelated, `null`, and variations of each trusted host.
    static func probes(own: Origin, trusted: [Origin]) -> [Probe] {
        var probes = [Probe(id: .reflectsAnyOrigin, origin: evil), Probe(id: .trustsNullOrigin, origin: .opaque())]
        for host in thirdPartyHosts {
            probes.append(Probe(id: .thirdPartyOrigin, origin: Origin(headerValue: "https://cors-audit.\(host)")!))
        }
        let bases = trusted.isEmpty ? [own] : trusted
        for base in bases {
            guard case .domain(let host)? = base.host, let scheme = base.scheme else { continue }
            let domain = PublicSuffixList.registrableDomain(host) ?? host
            let port = base.port.map { ":\($0)" } ?? ""
            func add(_ id: Finding.ID, _ text: String) {
                if let origin = Origin(headerValue: text) { probes.append(Probe(id: id, origin: origin)) }
            }
            add(.prefixMatch, "\(scheme)://\(host).cors-audit-evil.example")
            add(.suffixMatch, "\(scheme)://cors-audit-evil\(domain)")
            add(.substringMatch, "\(scheme)://x\(host)x.cors-audit-evil.example")
            if let dot = host.firstIndex(of: ".") {
                var mangled = host
                mangled.replaceSubrange(dot...dot, with: "x")
                add(.unescapedDot, "\(scheme)://\(mangled)\(port)")
            }
            add(.specialChars, "\(scheme)://\(host)_.cors-audit-evil.example")
            add(.specialChars, "\(scheme)://\(host)!.cors-audit-evil.example")
            add(.anySubdomain, "\(scheme)://cors-audit-evil.\(domain)\(port)")
            if scheme == "https" { add(.insecureOriginTrusted, "http://\(host)\(port)") }
            add(.portVariant, "\(scheme)://\(host):\(base.port == 8443 ? 9443 : 8443)")
        }
        return probes
    }

    /// Whether a page on the probe's origin could read the response, with or without credentials.
    func judge(_ probe: Probe, url: String, method: HTTPRequest.Method, headers: HTTPFields) async -> Finding? {
        var readable: (credentials: Bool, result: FetchResult)?
        for credentials in [CredentialsMode.include, .omit] {
            let result = await client.fetch(
                CrossOriginRequest(
                    origin: probe.origin, url: url, method: method, headerFields: headers, credentials: credentials)
            ).result
            // `*` is the wildcard finding's business: only a reflected origin counts here.
            let allowOrigin = result.exchanges.last?.response?.headerFields[.accessControlAllowOrigin]
            if result.isReadable, allowOrigin != "*" {
                readable = (credentials == .include, result)
                break
            }
        }
        guard let readable else { return nil }
        let severity: Finding.Severity
        switch probe.id {
        case .insecureOriginTrusted, .portVariant: severity = readable.credentials ? .medium : .low
        default: severity = readable.credentials ? .high : .medium
        }
        return Finding(
            id: probe.id, severity: severity, origin: probe.origin.serialization,
            credentialsAllowed: readable.credentials, evidence: Self.evidence(readable.result))
    }

    private func wildcardAndVary(url: String, trusted: [Origin], own: Origin, baseline: HTTPClientResponse) async
        -> [Finding]
    {
        var findings: [Finding] = []
        let origin = trusted.first ?? Self.evil
        guard let response = await rawResponse(url, origin: origin.serialization) else { return [] }
        let allowOrigin = response.headers["Access-Control-Allow-Origin"]
        let credentials = response.headers.first(name: "Access-Control-Allow-Credentials") == "true"
        let evidence =
            ["GET \(url)", "Origin: \(origin.serialization)"]
            + response.headers.filter {
                $0.name.lowercased().hasPrefix("access-control-") || $0.name.lowercased() == "vary"
            }
            .map { "\($0.name): \($0.value)" }
        if allowOrigin == ["*"] {
            findings.append(
                Finding(
                    id: credentials ? .wildcardWithCredentials : .wildcard, severity: credentials ? .low : .info,
                    origin: origin.serialization, credentialsAllowed: false, evidence: evidence))
        } else if allowOrigin == [origin.serialization] {
            let values: [String] = response.headers["Vary"]
            let vary = values.flatMap { $0.split(separator: ",") }.map {
                $0.trimmingTabsAndSpaces.lowercased()
            }
            if !vary.contains("origin"), !vary.contains("*") {
                findings.append(
                    Finding(
                        id: .missingVary, severity: .low, origin: origin.serialization, credentialsAllowed: credentials,
                        evidence: evidence))
            }
        }
        return findings
    }

    private func preflightProbes(url: String, origin: Origin) async -> [Finding] {
        var findings: [Finding] = []
        let cases: [(Finding.ID, HTTPRequest.Method, HTTPFields)] = [
            (.preflightAllowsAnyMethod, HTTPRequest.Method("CORSAUDITMETHOD")!, [:]),
            (.preflightAllowsAnyHeader, .get, [HTTPField.Name("X-Cors-Audit-Unlikely")!: "1"]),
        ]
        for (id, method, headers) in cases {
            let result = await client.fetch(
                CrossOriginRequest(origin: origin, url: url, method: method, headerFields: headers, credentials: .omit)
            ).result
            guard let preflight = result.preflight, preflight.response != nil, result.failure?.isPreflight != true
            else {
                continue
            }
            findings.append(
                Finding(
                    id: id, severity: .low, origin: origin.serialization, credentialsAllowed: false,
                    evidence: Self.evidence(result, preflight: true)))
        }
        return findings
    }

    private func rawResponse(_ url: String, origin: String) async -> HTTPClientResponse? {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Origin", value: origin)
        guard let response = try? await raw.execute(request, timeout: .seconds(timeoutSeconds)) else { return nil }
        _ = try? await response.body.collect(upTo: 1 << 20)
        return response
    }

    static func evidence(_ result: FetchResult, preflight: Bool = false) -> [String] {
        guard let exchange = preflight ? result.preflight : result.exchanges.last(where: { !$0.request.isPreflight })
        else {
            return []
        }
        let request = exchange.request.lines.filter {
            !$0.contains(":") || $0.hasPrefix("Origin:") || $0.hasPrefix("Access-Control-Request")
        }
        let response =
            (exchange.response.map { ["\($0.status.code)"] + $0.headerFields.map { "\($0.name.rawName): \($0.value)" } }
            ?? [])
            .filter {
                !$0.contains(":") || $0.lowercased().hasPrefix("access-control-") || $0.lowercased().hasPrefix("vary")
            }
        return request + (exchange.request.includesCredentials ? ["(sent with credentials)"] : []) + ["→"] + response
    }

    /// One finding per id (the most severe), without those a more general finding already explains.
    static func reduce(_ findings: [Finding]) -> [Finding] {
        var best: [Finding.ID: Finding] = [:]
        for finding in findings
        where (best[finding.id]?.severity ?? .info) <= finding.severity || best[finding.id] == nil {
            if let current = best[finding.id], current.severity >= finding.severity { continue }
            best[finding.id] = finding
        }
        let present = Set(best.keys)
        return Finding.ID.allCases.compactMap { id in
            guard let finding = best[id], !id.explainedBy.contains(where: present.contains) else { return nil }
            return finding
        }
    }
}
