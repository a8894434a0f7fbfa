import Foundation

/// What `binary` prints when run with `arguments` — standard output, and standard error too with `includingErrors`
/// (nginx prints its version there) — trimmed; `nil` when it cannot be run. For version strings in test reports.
package func processOutput(_ binary: String, _ arguments: [String], includingErrors: Bool = false) -> String? {
    let process = Process()
    let pipe = Pipe()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = arguments
    process.standardOutput = pipe
    process.standardError = includingErrors ? pipe : FileHandle.nullDevice
    guard (try? process.run()) != nil else { return nil }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}
