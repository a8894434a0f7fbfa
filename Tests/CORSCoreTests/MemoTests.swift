import HTTPTypes
import Testing

@testable import CORSCore

/// The bounds on what the engine remembers hold whatever clients send: a fixed number of preflight answers per origin
/// (short lines only) and of origins matched by a pattern, and the first entries kept stay (slots are written once).
@Suite struct MemoTests {
    static func method(_ value: String) -> HTTPField { HTTPField(name: .accessControlRequestMethod, value: value) }
    static func headers(_ value: String) -> HTTPField { HTTPField(name: .accessControlRequestHeaders, value: value) }
    static func answer(_ marker: String) -> HTTPFields { [.accessControlAllowHeaders: marker] }

    @Test func remembersAtMostCapacityAnswers() {
        let memo = PreflightMemo()
        let lines = (0...PreflightMemo.capacity).map { "x-\($0)" }
        for line in lines { memo.keep(Self.answer(line), method: Self.method("PUT"), headers: Self.headers(line)) }
        for line in lines.dropLast() {
            #expect(memo.lookUp(method: Self.method("PUT"), headers: Self.headers(line)) == Self.answer(line))
        }
        #expect(memo.lookUp(method: Self.method("PUT"), headers: Self.headers(lines.last!)) == nil)
    }

    @Test func bytesMustMatchExactly() {
        let memo = PreflightMemo()
        memo.keep(Self.answer("a"), method: Self.method("PUT"), headers: Self.headers("x-a"))
        memo.keep(Self.answer("none"), method: Self.method("PUT"), headers: nil)
        #expect(memo.lookUp(method: Self.method("PUT"), headers: Self.headers("x-a")) == Self.answer("a"))
        #expect(memo.lookUp(method: Self.method("PUT"), headers: nil) == Self.answer("none"))
        #expect(memo.lookUp(method: Self.method("put"), headers: Self.headers("x-a")) == nil)
        #expect(memo.lookUp(method: Self.method("PUT"), headers: Self.headers("X-A")) == nil)
        #expect(memo.lookUp(method: Self.method("PUT"), headers: Self.headers("x-a,x-b")) == nil)
        #expect(memo.lookUp(method: Self.method("PUTS"), headers: Self.headers("x-a")) == nil)
    }

    @Test func longLinesAreNotRemembered() {
        let memo = PreflightMemo()
        let long = Array(repeating: "x-a", count: 100).joined(separator: ",")
        #expect(long.utf8.count > PreflightMemo.longestLine)
        memo.keep(Self.answer("long"), method: Self.method("PUT"), headers: Self.headers(long))
        #expect(memo.lookUp(method: Self.method("PUT"), headers: Self.headers(long)) == nil)
    }

    @Test func concurrentWritersFillEachSlotOnce() async {
        let memo = PreflightMemo()
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<64 {
                group.addTask {
                    let line = "x-\(index % 8)"
                    memo.keep(Self.answer(line), method: Self.method("PUT"), headers: Self.headers(line))
                }
            }
        }
        let kept = (0..<8).filter { memo.lookUp(method: Self.method("PUT"), headers: Self.headers("x-\($0)")) != nil }
        #expect(kept.count <= PreflightMemo.capacity && !kept.isEmpty)
        for index in kept {
            let line = "x-\(index)"
            #expect(memo.lookUp(method: Self.method("PUT"), headers: Self.headers(line)) == Self.answer(line))
        }
    }

    @Test func patternOriginsAreRememberedUpToCapacity() throws {
        let policy = try CORSPolicy(allowOrigins: ["https://*.example.org"])
        let origins = (0...PatternOriginMemo.capacity).map { "https://s\($0).example.org" }
        for origin in origins + origins {
            let request = HTTPRequest(
                method: .get, scheme: "https", authority: "api", path: "/", headerFields: [.origin: origin])
            var fields = HTTPFields()
            policy.evaluate(request).apply(to: &fields)
            #expect(fields[.accessControlAllowOrigin] == origin)
        }
        let memo = policy.root.patternOriginAnswers
        for origin in origins.dropLast() { #expect(memo.answers(origin)?.allowOrigin.value == origin) }
        #expect(memo.answers(origins.last!) == nil)
        #expect(memo.answers("https://evil.example") == nil)
    }

    /// Refused origins get slots of their own: filling them leaves the matched origins' slots free, and a remembered
    /// refusal is the same refusal.
    @Test func refusedOriginsAreRememberedApart() throws {
        let policy = try CORSPolicy(allowOrigins: ["https://*.example.org"])
        func evaluate(_ origin: String) -> CORSDecision {
            policy.evaluate(
                HTTPRequest(method: .get, scheme: "https", authority: "api", path: "/", headerFields: [.origin: origin])
            )
        }
        let refused = (0...PatternOriginMemo.capacity).map { "https://s\($0).example.org.evil.net" }
        for origin in refused + refused { #expect(evaluate(origin).rejection == .originNotAllowed) }
        #expect(evaluate("https://x.example.org:99999").rejection == .malformedOrigin)
        #expect(evaluate("https://x.example.org:99999").rejection == .malformedOrigin)
        let memo = policy.root.patternOriginAnswers
        for origin in refused.dropLast() { #expect(memo.isRefused(origin)) }
        #expect(!memo.isRefused(refused.last!))
        #expect(evaluate("https://a.example.org").rejection == nil)
        #expect(memo.answers("https://a.example.org") != nil)
    }

    /// A refused origin seen again is found, not kept a second time: it takes one slot, whatever clients repeat.
    @Test func aRepeatedRefusalTakesOneSlot() throws {
        let policy = try CORSPolicy(allowOrigins: ["https://*.example.org"])
        func evaluate(_ origin: String) {
            _ = policy.evaluate(
                HTTPRequest(method: .get, scheme: "https", authority: "api", path: "/", headerFields: [.origin: origin])
            )
        }
        for _ in 0..<3 { evaluate("https://evil.example") }
        let others = (1..<PatternOriginMemo.capacity).map { "https://other\($0).example" }
        for origin in others { evaluate(origin) }
        let memo = policy.root.patternOriginAnswers
        for origin in ["https://evil.example"] + others { #expect(memo.isRefused(origin), "\(origin)") }
    }

    /// A preflight whose one request-headers line has spaces is remembered too, with the names rebuilt.
    @Test func spacedLinesAreRemembered() throws {
        let policy = try CORSPolicy(allowOrigins: ["https://app.example.com"], allowHeaders: ["x-a", "content-type"])
        let request = HTTPRequest(
            method: .options, scheme: "https", authority: "api", path: "/",
            headerFields: [
                .origin: "https://app.example.com", .accessControlRequestMethod: "GET",
                .accessControlRequestHeaders: "content-type, x-a",
            ])
        for _ in 0..<2 {
            #expect(
                policy.evaluate(request).immediateResponse?.headerFields[.accessControlAllowHeaders]
                    == "content-type,x-a")
        }
        let answers = try #require(policy.root.exactAnswers("https://app.example.com"))
        #expect(answers.memo.lookUp(method: Self.method("GET"), headers: Self.headers("content-type, x-a")) != nil)
    }
}

extension PreflightMemo {
    /// ``answer(method:headers:)`` for fields, as the engine looks them up.
    fileprivate func lookUp(method: HTTPField, headers: HTTPField?) -> HTTPFields? {
        method.withUnsafeBytesOfValue { method in
            guard let headers else { return answer(method: method, headers: nil) }
            return headers.withUnsafeBytesOfValue { answer(method: method, headers: $0) }
        }
    }
}
