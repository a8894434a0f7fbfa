package import ArgumentParser
import Foundation

/// The `cors` command: CORS, both sides of the wire.
package struct CORSCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "cors",
        abstract: "CORS, both sides of the wire: check policies, explain what a browser will do.",
        discussion: """
            A CORS policy file is JSON:

              {
                "allowOrigins": ["https://app.example.com", "https://*.example.com"],
                "allowMethods": ["PUT", "DELETE"],
                "allowHeaders": ["authorization", "content-type"],
                "allowCredentials": true,
                "maxAge": 600
              }

            Try `cors lint examples/policy.json`, or `cors check URL --origin ORIGIN`.

            Shell completions: `cors --generate-completion-script bash|zsh|fish` (see the README).
            """,
        version: corsVersion,
        subcommands: [Demo.self, Check.self, Explain.self, Audit.self, Lint.self, Serve.self, Export.self]
    )

    package init() {}
}

/// Runs `cors` with the process's arguments (and, for `serve`, its `CORS_…` environment variables) and exits; the
/// executable's whole `main.swift`.
package func runCORSCommand() async {
    var arguments = Array(CommandLine.arguments.dropFirst())
    if arguments.first == "serve" {
        arguments += Serve.environmentArguments(ProcessInfo.processInfo.environment, given: arguments)
    }
    do {
        var command = try CORSCommand.parseAsRoot(arguments)
        if var command = command as? any AsyncParsableCommand {
            try await command.run()
        } else {
            try command.run()
        }
    } catch {
        CORSCommand.exit(withError: error)
    }
}
