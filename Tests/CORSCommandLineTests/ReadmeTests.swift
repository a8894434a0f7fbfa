import Foundation
import Testing

/// The README shows what it promises: every local link and image exists, every in-page link has its heading.
@Suite("README")
struct ReadmeTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func links(in text: String) -> [String] {
        let pattern = /\]\(([^)\s]+)\)/
        return text.matches(of: pattern).map { String($0.1) }
    }

    /// GitHub's anchor for a heading: lowercase, punctuation dropped, spaces as `-`.
    static func anchor(_ heading: String) -> String {
        heading.lowercased().filter { $0.isLetter || $0.isNumber || $0 == " " || $0 == "-" }
            .replacingOccurrences(of: " ", with: "-")
    }

    @Test func everyLocalLinkAndImageExists() throws {
        for file in ["README.md", "CONTRIBUTING.md", "SECURITY.md", "CHANGELOG.md", "RELEASING.md"] {
            let text = try String(contentsOf: Self.root.appendingPathComponent(file), encoding: .utf8)
            let headings = Set(
                text.split(separator: "\n").filter { $0.hasPrefix("#") }.map {
                    Self.anchor(String($0.drop { $0 == "#" }.dropFirst()))
                })
            for link in Self.links(in: text) where !link.hasPrefix("http://") && !link.hasPrefix("https://") {
                if link.hasPrefix("#") {
                    #expect(headings.contains(String(link.dropFirst())), "\(file): no heading for \(link)")
                } else {
                    let path = String(link.split(separator: "#").first ?? "")
                    let exists = FileManager.default.fileExists(atPath: Self.root.appendingPathComponent(path).path)
                    #expect(exists, "\(file): \(link) does not exist")
                }
            }
        }
    }
}
