import CORSCore
import Foundation
package import Logging
import ServiceLifecycle
import UnixSignals

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reloads the policy file on SIGHUP and when the file changes (its size or modification time, checked every
/// `interval`). A new policy is validated first; an invalid one is refused with all its diagnostics in the log, and
/// the policy in force keeps serving.
package struct PolicyReloader: Service {
    let path: String
    let state: PolicyFileState
    let logger: Logger
    let interval: Duration?
    let metrics: GatewayMetrics?

    /// - Parameters:
    ///   - interval: how often to check the file for changes; `nil` reloads on SIGHUP only.
    ///   - metrics: where reloads are counted.
    package init(
        path: String, state: PolicyFileState, logger: Logger, interval: Duration? = .seconds(1),
        metrics: GatewayMetrics? = nil
    ) {
        self.metrics = metrics
        self.path = path
        self.state = state
        self.logger = logger
        self.interval = interval
    }

    /// Reads the file and, when it is valid, puts it in force; returns whether it did.
    @discardableResult
    package func reload(reason: String) -> Bool {
        do {
            state.reconfigure(try PolicyFile(contentsOf: path))
            logger.info("CORS policy reloaded from \(path) (\(reason))")
            metrics?.recordReload(ok: true)
            return true
        } catch {
            logger.error("CORS policy in \(path) refused (\(reason)); the previous policy keeps serving")
            for diagnostic in error.diagnostics { logger.error("  \(diagnostic.description)") }
            metrics?.recordReload(ok: false)
            return false
        }
    }

    package func run() async throws {
        await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in await UnixSignalsSequence(trapping: .sighup) {
                    reload(reason: "SIGHUP")
                }
            }
            if let interval {
                group.addTask {
                    var last = Self.fingerprint(path)
                    while !Task.isCancelled {
                        try await Task.sleep(for: interval)
                        let current = Self.fingerprint(path)
                        if current != last {
                            last = current
                            reload(reason: "the file changed")
                        }
                    }
                }
            }
            try? await gracefulShutdown()
            group.cancelAll()
        }
    }

    /// Size and modification time, or nil when the file cannot be read.
    static func fingerprint(_ path: String) -> [Int]? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let size = attributes[.size] as? Int, let modified = attributes[.modificationDate] as? Date
        else { return nil }
        return [size, Int(modified.timeIntervalSince1970 * 1_000_000_000)]
    }
}
