// The hello-world app of scripts/bench-http.sh (Benchmarks/BenchApps), served on loopback:
//
//   cors-bench-server hummingbird|vapor none|pass|fields|builtin|ours PORT
import BenchApps
import Hummingbird
import Vapor

let arguments = CommandLine.arguments
let framework = arguments.count > 1 ? arguments[1] : "hummingbird"
let variant = arguments.count > 2 ? arguments[2] : "none"
let port = arguments.count > 3 ? Int(arguments[3]) ?? 8080 : 8080

if framework == "vapor" {
    let app = try await Vapor.Application.make(Environment(name: "production", arguments: ["cors-bench-server"]))
    app.http.server.configuration.hostname = "127.0.0.1"
    app.http.server.configuration.port = port
    app.logger.logLevel = .error
    BenchApp.configure(app, variant: variant)
    try await app.execute()
} else {
    var logger = Logger(label: "bench")
    logger.logLevel = .error
    let app = Hummingbird.Application(
        router: BenchApp.hummingbirdRouter(variant), configuration: .init(address: .hostname("127.0.0.1", port: port)),
        logger: logger)
    try await app.runService()
}
