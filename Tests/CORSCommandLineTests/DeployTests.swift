import Foundation
import Testing

@testable import CORSCommandLine

/// The files in `deploy/`: what can be checked without Docker or a running systemd.
@Suite("deploy/: the systemd unit and the Dockerfile")
struct DeployTests {
    static let deploy = ReadmeTests.root.appendingPathComponent("deploy")
    static let systemdAnalyze = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// Every `CORS_…` name the files set is an option's variable, so none is silently ignored.
    @Test func everyVariableIsAnOption() throws {
        let known = Set(Serve.options.map { "CORS_" + $0.name.uppercased().replacing("-", with: "_") })
        for file in ["cors-serve.service", "Dockerfile"] {
            let text = try String(contentsOf: Self.deploy.appendingPathComponent(file), encoding: .utf8)
            let names = text.matches(of: /CORS_[A-Z_]+/).map { String($0.output) }
            #expect(names.count >= 4, "\(file)")
            for name in names { #expect(known.contains(name), "\(file): \(name) is not a `cors serve` variable") }
        }
        let docker = try String(contentsOf: Self.deploy.appendingPathComponent("Dockerfile"), encoding: .utf8)
        #expect(docker.contains("USER 10001") && docker.contains("ENTRYPOINT [\"/usr/local/bin/cors\", \"serve\"]"))
        #expect(docker.contains("scripts/build-release.sh"), "the binary links the Swift runtime statically")
    }

    /// `systemd-analyze verify` accepts the unit without a warning (with the built binary in `ExecStart`, which it
    /// checks exists).
    @Test(.enabled(if: systemdAnalyze != nil || ProcessInfo.processInfo.environment["CI"] == "true"))
    func theUnitVerifies() throws {
        let tool = try #require(Self.systemdAnalyze, "systemd-analyze is missing (scripts/test.sh installs systemd)")
        let binary = ReadmeTests.root.appendingPathComponent(".build/debug/cors").path
        let unit = try String(contentsOf: Self.deploy.appendingPathComponent("cors-serve.service"), encoding: .utf8)
        let directory = NSTemporaryDirectory() + "unit-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/cors-serve.service"
        try unit.replacing("/usr/local/bin/cors", with: binary).write(toFile: path, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = ["verify", path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(!text.contains("cors-serve.service"), "warnings about the unit: \(text)")
    }
}
