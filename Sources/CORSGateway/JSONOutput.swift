import Foundation

/// How every JSON document of the command line and the gateway is written: from `Encodable` types, keys sorted
/// (stable, diffable output), `/` not escaped.
package enum JSONOutput {
    package static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Report types hold strings, numbers, booleans and arrays only: encoding cannot fail.
        return String(decoding: try! encoder.encode(value), as: UTF8.self)
    }
}

/// A value that is written as `null` when absent, where the report's contract names the key either way.
package struct OrNull<Value: Encodable>: Encodable {
    package let value: Value?

    package init(_ value: Value?) {
        self.value = value
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let value { try container.encode(value) } else { try container.encodeNil() }
    }
}

/// A header field as the reports list them.
package struct FieldJSON: Encodable {
    let name: String
    let value: String

    package init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
