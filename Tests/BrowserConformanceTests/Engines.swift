import CORSCore
import CORSTestSupport
import Foundation
import Testing

/// The real browser engines the conformance suites drive, each checked against its ``BrowserProfile``: Chromium
/// (Debian's `chromium-headless-shell`), Firefox (`firefox-esr`, headless, a fresh profile) and WebKit (WebKitGTK's
/// `MiniBrowser` from `webkit2gtk-driver`, on an `Xvfb` display the driver starts). All three resolve `localhost`
/// to loopback themselves, and the Firefox profile turns off everything that would reach beyond it (checked with
/// `strace -f -e trace=connect`: loopback only).
enum Engine: String, CaseIterable, Sendable, CustomStringConvertible {
    case chromium, firefox, webkit

    var description: String { rawValue }

    var profile: BrowserProfile {
        switch self {
        case .chromium: .chromium
        case .firefox: .firefox
        case .webkit: .webkit
        }
    }

    var binary: String? {
        let candidates =
            switch self {
            case .chromium: Chromium.candidates
            case .firefox: ["/usr/bin/firefox-esr", "/usr/lib/firefox-esr/firefox-esr"]
            case .webkit:
                [
                    "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser",
                    "/usr/lib/aarch64-linux-gnu/webkit2gtk-4.1/MiniBrowser",
                ]
            }
        let found = candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
        guard self == .webkit else { return found }
        return FileManager.default.isExecutableFile(atPath: "/usr/bin/Xvfb") ? found : nil
    }

    /// Whether the engine's suite can run: `true` when it is installed; `false` when not, outside CI; a failure in
    /// CI, where a missing engine must not pass silently.
    func isAvailable() throws -> Bool {
        guard binary == nil else { return true }
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            throw EngineMissing(engine: self)
        }
        return false
    }

    /// The version the engine reports.
    var version: String {
        switch self {
        case .chromium: return processOutput(binary ?? "", ["--version"]) ?? "Chromium"
        case .firefox: return processOutput(binary ?? "", ["--version"]) ?? "Firefox"
        case .webkit:
            let version = processOutput("/usr/bin/dpkg-query", ["-W", "-f=${Version}", "libwebkit2gtk-4.1-0"])
            return "WebKitGTK " + (version ?? "unknown")
        }
    }

    /// Loads each page in turn (every page reports its results to the harness's collector and goes on to the next)
    /// and returns what the pages reported, by case id.
    func run(_ pages: [String], harness: Harness) async throws -> [Int: [PageResult]] {
        var results: [Int: [PageResult]] = [:]
        let clock = harness.clock?.environment ?? [:]
        if self == .chromium {
            for page in pages {
                let output = try #require(
                    Chromium.output(of: try await Chromium.dumpDOM(page, environment: clock)), "\(page) did not report")
                results.merge(parseResults(output)) { $1 }
            }
            return results
        }
        let chain = harness.chain(pages)
        let session = try BrowserSession(self, url: chain.first!, environment: clock)
        defer { session.stop() }
        let deadline = ContinuousClock.now + .seconds(60 + 20 * pages.count)
        while ContinuousClock.now < deadline, !chain.allSatisfy({ harness.collected($0) != nil }) {
            try await Task.sleep(for: .milliseconds(100))
        }
        for page in chain {
            let report = try #require(harness.collected(page), "\(self) did not report \(page): \(session.log)")
            results.merge(parseResults(report)) { $1 }
        }
        return results
    }
}

struct EngineMissing: Error, CustomStringConvertible {
    let engine: Engine
    var description: String { "\(engine) is not installed (scripts/test.sh installs it)" }
}

/// One running Firefox or MiniBrowser (with its Xvfb), in a temporary directory it removes when stopped.
final class BrowserSession: @unchecked Sendable {
    private let processes: [Process]
    private let directory: URL

    init(_ engine: Engine, url: String, environment extra: [String: String] = [:]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("engine-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let logPath = directory.appendingPathComponent("browser.log").path
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        var environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
        environment["HOME"] = directory.path
        var processes: [Process] = []
        let browser = Process()
        browser.executableURL = URL(fileURLWithPath: engine.binary!)
        switch engine {
        case .firefox:
            let profile = directory.appendingPathComponent("profile")
            try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
            try Self.firefoxPreferences.write(
                to: profile.appendingPathComponent("user.js"), atomically: true, encoding: .utf8)
            // Without it, Firefox fetches its remote settings from Mozilla at start.
            environment["MOZ_REMOTE_SETTINGS_DEVTOOLS"] = "1"
            browser.arguments = ["--headless", "--no-remote", "--profile", profile.path, url]
        case .webkit:
            let display = try Self.startXvfb(log: log)
            processes.append(display.process)
            environment["DISPLAY"] = ":\(display.number)"
            browser.arguments = ["--private", url]
        case .chromium:
            preconditionFailure("Chromium runs with --dump-dom")
        }
        browser.environment = environment
        browser.standardOutput = log
        browser.standardError = log
        try browser.run()
        processes.append(browser)
        self.processes = processes
    }

    /// What the browser printed, for failure messages.
    var log: String {
        (try? String(contentsOf: directory.appendingPathComponent("browser.log"), encoding: .utf8))?.suffix(2000)
            .description ?? ""
    }

    /// Stops the browser (and the display): SIGTERM, then SIGKILL after 5 s — Firefox can take its time to quit.
    func stop() {
        for process in processes.reversed() where process.isRunning {
            process.terminate()
            for _ in 0..<50 where process.isRunning { usleep(100_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Starts Xvfb on the first free display from :90 and waits (at most 10 s) for its socket.
    /// Whether no X server holds the display: no lock file, or one left by a process that is gone (a run that was
    /// killed), which Xvfb replaces itself.
    private static func isFree(display number: Int) -> Bool {
        guard let lock = FileManager.default.contents(atPath: "/tmp/.X\(number)-lock") else { return true }
        guard let pid = Int32(String(decoding: lock, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        else { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }

    private static func startXvfb(log: FileHandle) throws -> (process: Process, number: Int) {
        for number in 90..<140 where isFree(display: number) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/Xvfb")
            process.arguments = [":\(number)", "-screen", "0", "1280x800x24", "-nolisten", "tcp"]
            process.standardOutput = log
            process.standardError = log
            try process.run()
            for _ in 0..<100 {
                if FileManager.default.fileExists(atPath: "/tmp/.X11-unix/X\(number)") { return (process, number) }
                guard process.isRunning else { break }
                usleep(100_000)
            }
            if process.isRunning { process.terminate() }
        }
        throw EngineMissing(engine: .webkit)
    }

    /// A fresh profile that reaches nothing beyond loopback: no first-run pages, telemetry, studies, updates, remote
    /// settings, push, Safe Browsing, captive-portal or connectivity checks, DNS-over-HTTPS, prefetching, HTTPS-First
    /// or proxy.
    static let firefoxPreferences =
        [
            ("browser.shell.checkDefaultBrowser", "false"), ("browser.startup.page", "0"),
            ("browser.startup.homepage_override.mstone", "\"ignore\""),
            ("startup.homepage_welcome_url", "\"about:blank\""),
            ("browser.newtabpage.enabled", "false"), ("browser.newtabpage.activity-stream.feeds.topsites", "false"),
            ("browser.newtabpage.activity-stream.default.sites", "\"\""),
            ("browser.newtabpage.activity-stream.feeds.system.topstories", "false"),
            ("browser.newtabpage.activity-stream.feeds.section.topstories", "false"),
            ("browser.topsites.contile.enabled", "false"), ("browser.discovery.enabled", "false"),
            ("datareporting.policy.dataSubmissionEnabled", "false"),
            ("datareporting.healthreport.uploadEnabled", "false"),
            ("datareporting.usage.uploadEnabled", "false"), ("toolkit.telemetry.enabled", "false"),
            ("toolkit.telemetry.unified", "false"), ("toolkit.telemetry.server", "\"\""),
            ("toolkit.telemetry.archive.enabled", "false"), ("toolkit.telemetry.newProfilePing.enabled", "false"),
            ("toolkit.telemetry.shutdownPingSender.enabled", "false"),
            ("toolkit.telemetry.firstShutdownPing.enabled", "false"), ("toolkit.telemetry.updatePing.enabled", "false"),
            ("toolkit.telemetry.bhrPing.enabled", "false"), ("toolkit.coverage.opt-out", "true"),
            ("browser.ping-centre.telemetry", "false"), ("browser.crashReports.unsubmittedCheck.enabled", "false"),
            ("app.normandy.enabled", "false"), ("app.normandy.api_url", "\"\""),
            ("app.shield.optoutstudies.enabled", "false"), ("messaging-system.rsexperimentloader.enabled", "false"),
            ("app.update.auto", "false"), ("app.update.enabled", "false"), ("extensions.update.enabled", "false"),
            ("extensions.systemAddon.update.enabled", "false"), ("extensions.getAddons.cache.enabled", "false"),
            ("extensions.blocklist.enabled", "false"), ("services.settings.server", "\"http://127.0.0.1:9/v1\""),
            ("dom.push.connection.enabled", "false"), ("dom.push.serverURL", "\"\""),
            ("geo.provider.network.url", "\"\""), ("browser.region.network.url", "\"\""),
            ("browser.region.update.enabled", "false"), ("browser.search.update", "false"),
            ("media.gmp-manager.url", "\"\""), ("browser.safebrowsing.malware.enabled", "false"),
            ("browser.safebrowsing.phishing.enabled", "false"), ("browser.safebrowsing.downloads.enabled", "false"),
            ("browser.safebrowsing.downloads.remote.enabled", "false"),
            ("browser.safebrowsing.update.enabled", "false"),
            ("network.captive-portal-service.enabled", "false"), ("network.connectivity-service.enabled", "false"),
            ("network.trr.mode", "5"), ("network.dns.disablePrefetch", "true"), ("network.prefetch-next", "false"),
            ("network.predictor.enabled", "false"), ("network.http.speculative-parallel-limit", "0"),
            ("dom.security.https_first", "false"), ("dom.security.https_only_mode", "false"),
            ("network.proxy.type", "0"),
        ].map { "user_pref(\"\($0.0)\", \($0.1));" }.joined(separator: "\n") + "\n"
}
