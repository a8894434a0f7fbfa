import CORSCore
import Logging
import ServiceLifecycle
import Testing

@testable import CORSCommandLine

extension RealBrowsers {
    /// The demo's pages in real Chromium: the attacker reads nothing and moves no money; the partner reads; and each
    /// actor's relation to the bank, as the demo prints it, is what Chromium says in `Sec-Fetch-Site`.
    @Suite("cors demo pages in real Chromium", .enabled(if: Chromium.shouldRun), .serialized)
    struct DemoPageTests {
        @Test func attackerAndPartner() async throws {
            let (world, task) = try await DemoWorld.start(
                logger: .init(label: "demo-test", factory: { _ in SwiftLogNoOpLogHandler() }))
            let app = try #require(Chromium.output(of: try await Chromium.dumpDOM(world.app + "/", seconds: 10)))
            let attacker = try #require(
                Chromium.output(of: try await Chromium.dumpDOM(world.attacker + "/", seconds: 10)))
            let partner = try #require(
                Chromium.output(of: try await Chromium.dumpDOM(world.partner + "/", seconds: 10)))
            let transfers = world.handled("/transfer")
            let balanceReads = world.handled("/balance")
            let arrived = world.arrived
            await world.group.triggerGracefulShutdown()
            try await task.value
            for actor in world.actors {
                let sent = Set(arrived.filter { $0.origin == actor.origin }.map(\.fetchSite))
                #expect(sent == [actor.relation.rawValue], "\(actor.role) \(actor.origin): Chromium sent \(sent)")
                print(
                    "demo in Chromium — \(actor.role) \(actor.origin): Sec-Fetch-Site \(sent.compactMap { $0 }.sorted())"
                )
            }
            #expect(world.actors.map(\.relation) == [.sameSite, .crossSite, .crossSite], "the story's relations")
            #expect(app.contains("GET /balance → 200"), "\(app)")
            #expect(attacker.contains("could not read the balance: TypeError"), "\(attacker)")
            #expect(!attacker.contains("READ the balance"))
            #expect(transfers == 0, "the forged transfer never reached the handler")
            #expect(balanceReads >= 2, "both pages' requests reached the bank")
            #expect(partner.contains("read the balance: "), "\(partner)")
            print("demo in Chromium — attacker page: \(attacker.replacing("\n", with: " | "))")
            print("demo in Chromium — partner page: \(partner.replacing("\n", with: " | "))")
        }
    }
}
