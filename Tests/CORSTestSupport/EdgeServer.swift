package import CORSExport
import Foundation
import NIOCore
import NIOPosix

/// A real nginx or Caddy on loopback, run with a configuration a test wrote, stopped by the test.
package final class EdgeServer: Sendable {
    package let kind: EdgeTarget
    package let port: Int
    private let process: Process
    private let directory: URL

    private init(kind: EdgeTarget, port: Int, process: Process, directory: URL) {
        self.kind = kind
        self.port = port
        self.process = process
        self.directory = directory
    }

    /// `http://127.0.0.1:port`.
    package var origin: String { "http://127.0.0.1:\(port)" }

    /// A port nothing listens on now (the kernel's pick for an ephemeral bind, released at once).
    package static func unusedPort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        try await channel.close()
        return port
    }

    /// Starts `kind` with the configuration `configuration(port)` and waits (at most 10 s) until it accepts
    /// connections on `port`.
    package static func start(_ kind: EdgeTarget, configuration: (Int) -> String) async throws -> EdgeServer {
        guard let binary = kind.binary else { throw EdgeServerError("\(kind.rawValue) is not installed") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("edge-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let port = try await unusedPort()
        let file = directory.appendingPathComponent(kind == .nginx ? "nginx.conf" : "Caddyfile")
        try configuration(port).write(to: file, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        let path = directory.path
        switch kind {
        case .nginx:
            process.arguments = [
                "-p", path, "-c", file.path, "-e", "\(path)/error.log",
                "-g", "daemon off; pid \(path)/nginx.pid; error_log \(path)/error.log;",
            ]
        case .caddy:
            process.arguments = ["run", "--config", file.path, "--adapter", "caddyfile"]
            process.environment = ["HOME": path, "XDG_DATA_HOME": path, "XDG_CONFIG_HOME": path]
        }
        let output = directory.appendingPathComponent("output.log")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: output)
        try process.run()
        let server = EdgeServer(kind: kind, port: port, process: process, directory: directory)
        for _ in 0..<200 {
            if let socket = try? await RawSocket.connect(port: port) {
                socket.close()
                return server
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let written = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        server.stop()
        throw EdgeServerError("\(kind.rawValue) did not start: \(written)")
    }

    /// Stops the server and removes its directory.
    package func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Why an edge server could not run.
package struct EdgeServerError: Error, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}

extension EdgeTarget {
    /// Where Debian installs the server.
    package var binary: String? {
        let candidates = self == .nginx ? ["/usr/sbin/nginx", "/usr/bin/nginx"] : ["/usr/bin/caddy"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Whether the server's suite can run: `true` when it is installed; `false` when it is not and the run is not
    /// CI's; a failure in CI, where a missing server must not pass silently.
    package func isAvailable() throws -> Bool {
        guard binary == nil else { return true }
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            throw EdgeServerError("\(rawValue) is missing; scripts/test.sh installs it")
        }
        return false
    }

    /// The installed version, as the server prints it.
    package var version: String {
        guard let binary else { return "missing" }
        return processOutput(binary, self == .nginx ? ["-v"] : ["version"], includingErrors: true) ?? "unknown"
    }
}
