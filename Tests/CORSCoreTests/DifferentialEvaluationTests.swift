import CORSCore
import HTTPTypes
import ReferenceEvaluation
import Testing

/// The engine's shortcuts (origins matched as bytes, answers built once, preflight answers remembered, refusals
/// told apart only when asked) against a straightforward evaluation of the same rules, on random policies and
/// requests. Each request is evaluated twice, in a shuffled order, so that remembered answers are checked as well.
@Suite struct DifferentialEvaluationTests {
    @Test(arguments: 0..<8)
    func engineAnswersAsTheReference(batch: Int) throws {
        var generator = RequestGenerator(seed: UInt64(batch) &* 0x1000_0001)
        var compared = 0
        var allowedPreflights = 0
        for _ in 0..<60 {
            let configuration = generator.policy()
            let policy = try #require(try? CORSPolicy(configuration), "\(configuration)")
            let requests = (0..<24).map { _ in generator.request(for: configuration) }
            var order = Array(requests.indices) + Array(requests.indices)
            for index in order.indices.reversed() { order.swapAt(index, Int(generator.next() % UInt64(index + 1))) }
            for index in order {
                let request = requests[index]
                let expected = referenceAnswer(configuration, request)
                let observed = ObservedAnswer(policy.evaluate(request))
                #expect(observed == expected, "\(configuration.allowOrigins) \(request.method) \(request.headerFields)")
                if observed != expected { return }
                compared += 1
                if expected.status != nil, expected.rejection == nil { allowedPreflights += 1 }
            }
        }
        #expect(compared == 60 * 48)
        #expect(allowedPreflights > 40, "the generator reaches allowed preflights: \(allowedPreflights)")
    }
}
