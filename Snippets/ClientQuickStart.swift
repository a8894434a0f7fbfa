// Fetch a URL as a page on another origin would, with the browser model over AsyncHTTPClient.
import CORSClient
import CORSCore

// snippet.show
let client = CORSClient(profile: .chromium)
let outcome = await client.fetch(
    CrossOriginRequest(
        origin: Origin(headerValue: "http://localhost:3000")!, url: "http://127.0.0.1:8080/api/items",
        method: .put, headerFields: [.contentType: "application/json"], credentials: .include))
if outcome.result.isReadable {
    print("readable headers:", outcome.result.readableHeaderNames)
} else if let failure = outcome.result.failure {
    print("blocked [\(failure.code)]:", failure.summary, "— fix:", failure.fix)
}
try await client.shutdown()
// snippet.end
