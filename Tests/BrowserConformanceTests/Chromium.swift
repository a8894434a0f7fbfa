import Foundation

/// Headless Chromium (Debian's `chromium-headless-shell`): loads a page, lets its script run, returns the DOM.
enum Chromium {
    static let candidates = ["/usr/bin/chromium-headless-shell", "/usr/lib/chromium/chromium-headless-shell"]

    static var binary: String? {
        candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Whether the suite must run: Chromium is installed, or this is CI (where a missing browser is a failure).
    static var shouldRun: Bool {
        binary != nil || ProcessInfo.processInfo.environment["CI"] == "true"
    }

    /// Loads `url` and returns the serialized DOM once the page's script has finished (or `seconds` passed).
    ///
    /// It awaits Chromium without blocking a thread: the pages fetch from servers in this process, whose handlers
    /// need the cooperative thread pool while Chromium runs.
    static func dumpDOM(
        _ url: String, seconds: Int = 60, extraArguments: [String] = [], environment: [String: String] = [:]
    ) async throws -> String {
        guard let binary else {
            throw ChromiumMissing()
        }
        let outputPath = NSTemporaryDirectory() + "chromium-dom-\(UUID().uuidString).html"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments =
            [
                "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                "--virtual-time-budget=\(seconds * 1000)",
            ] + extraArguments + ["--dump-dom", url]
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            process.terminationHandler = { _ in continuation.resume() }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume()
                return
            }
            DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(seconds + 30)) {
                if process.isRunning { process.terminate() }
            }
        }
        try? output.close()
        return (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    }

    /// The text of the element `<pre id="out">`, unescaped.
    static func output(of dom: String) -> String? {
        guard let start = dom.firstRange(of: "<pre id=\"out\">"), let end = dom.firstRange(of: "</pre>") else {
            return nil
        }
        return String(dom[start.upperBound..<end.lowerBound]).replacing("&quot;", with: "\"").replacing(
            "&lt;", with: "<"
        )
        .replacing("&gt;", with: ">").replacing("&amp;", with: "&")
    }
}

struct ChromiumMissing: Error, CustomStringConvertible {
    var description: String {
        "chromium-headless-shell is not installed: `apt-get install -y chromium-headless-shell` (scripts/test.sh does it)"
    }
}
