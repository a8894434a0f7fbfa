package import CORSCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension PolicyFile {
    /// The largest policy file read; a larger one is refused unread.
    static let maximumBytes = 4 * 1024 * 1024

    /// Reads and validates the policy file at `path`. A file that cannot be read gives one `unreadable-file`
    /// diagnostic; otherwise see ``PolicyFile/init(json:)``.
    package init(contentsOf path: String) throws(CORSPolicyError) {
        func refuse(_ code: PolicyDiagnostic.Code, _ message: String) -> CORSPolicyError {
            CORSPolicyError(diagnostics: [PolicyDiagnostic(code: code, value: path, message: message)])
        }
        guard let file = fopen(path, "rb") else {
            throw refuse(.unreadableFile, "the file cannot be read: \(String(cString: strerror(errno))).")
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            bytes += buffer[..<count]
            if bytes.count > Self.maximumBytes {
                throw refuse(.unreadableFile, "the file is larger than \(Self.maximumBytes) bytes.")
            }
            if count < buffer.count { break }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw refuse(.invalidJSON, "the file is not UTF-8 text.")
        }
        try self.init(json: text)
    }

    /// Every problem in the policy file at `path`; empty when it is valid. What `cors lint` reports.
    package static func diagnostics(contentsOf path: String) -> [PolicyDiagnostic] {
        do {
            _ = try PolicyFile(contentsOf: path)
            return []
        } catch {
            return error.diagnostics
        }
    }
}

/// The policy file in force in `cors serve`: every request sees one whole file — its CORS policy and its
/// protection together — the old or the new, never a mix.
package final class PolicyFileState: Sendable {
    private let current: Mutex<PolicyFile>

    package init(_ file: PolicyFile) {
        current = Mutex(file)
    }

    package var file: PolicyFile { current.withLock { $0 } }

    package func reconfigure(_ file: PolicyFile) {
        current.withLock { $0 = file }
    }
}
