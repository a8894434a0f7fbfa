#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension CORSPolicy {
    /// Reads and validates the policy file at `path`.
    ///
    /// A file that cannot be read gives one ``PolicyDiagnostic/Code/unreadableFile`` diagnostic; otherwise see
    /// ``init(json:)``. Files larger than 4 MiB are refused.
    public init(contentsOf path: String) throws(CORSPolicyError) {
        guard let file = fopen(path, "rb") else {
            throw CORSPolicyError(diagnostics: [
                PolicyDiagnostic(
                    code: .unreadableFile, value: path,
                    message: "the file cannot be read: \(String(cString: strerror(errno))).")
            ])
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            bytes += buffer[..<count]
            if bytes.count > JSON.maximumBytes {
                throw CORSPolicyError(diagnostics: [
                    PolicyDiagnostic(
                        code: .unreadableFile, value: path,
                        message: "the file is larger than \(JSON.maximumBytes) bytes.")
                ])
            }
            if count < buffer.count { break }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw CORSPolicyError(diagnostics: [
                PolicyDiagnostic(code: .invalidJSON, value: path, message: "the file is not UTF-8 text.")
            ])
        }
        try self.init(json: text)
    }
}

extension CORSPolicy {
    /// Every problem in the policy file at `path`; empty when it is valid. What `cors lint` reports.
    public static func diagnostics(contentsOf path: String) -> [PolicyDiagnostic] {
        do {
            _ = try CORSPolicy(contentsOf: path)
            return []
        } catch {
            return error.diagnostics
        }
    }

    /// Every problem in a policy file's text; empty when it is valid.
    public static func diagnostics(json: some StringProtocol) -> [PolicyDiagnostic] {
        do {
            _ = try CORSPolicy(json: json)
            return []
        } catch {
            return error.diagnostics
        }
    }
}
