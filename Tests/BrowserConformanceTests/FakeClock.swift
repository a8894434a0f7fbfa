import Foundation
import Synchronization

/// A clock the test moves forward for a real browser, through libfaketime (Debian's `faketime`): the browser runs with
/// it preloaded, reading its offset from a file at most once a second (its check counts whole seconds, so a
/// move takes up to two to be seen) — so that a probe can show what an engine's
/// preflight cache does after ten minutes or a day without waiting for them.
///
/// libfaketime moves the monotonic clocks too, which the engines' caches use (Chromium's `base::TimeTicks`, Firefox's
/// `TimeStamp`, WebKit's `MonotonicTime`).
final class FakeClock: Sendable {
    static let library = [
        "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1", "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
    ].first { FileManager.default.fileExists(atPath: $0) }

    private let file: URL
    private let offset = Mutex<Int>(0)

    /// A clock at the real time, or `nil` without libfaketime.
    init?() {
        guard Self.library != nil else { return nil }
        file = FileManager.default.temporaryDirectory.appendingPathComponent("faketime-\(UUID().uuidString)")
        guard (try? "+0\n".write(to: file, atomically: true, encoding: .utf8)) != nil else { return nil }
    }

    deinit { try? FileManager.default.removeItem(at: file) }

    /// The environment that makes a browser follow this clock.
    var environment: [String: String] {
        [
            "LD_PRELOAD": Self.library!, "FAKETIME_TIMESTAMP_FILE": file.path, "FAKETIME_CACHE_DURATION": "1",
        ]
    }

    /// Moves the clock `seconds` forward, and waits until every process has read it.
    func advance(by seconds: Int) {
        let total = offset.withLock { offset in
            offset += seconds
            return offset
        }
        try? "+\(total)\n".write(to: file, atomically: true, encoding: .utf8)
        Thread.sleep(forTimeInterval: 2.5)
    }
}
