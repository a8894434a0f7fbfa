import Foundation
package import NIOCore
import NIOPosix

extension Gateway {
    /// The event loops `cors serve` runs on: one per CPU the process may run on.
    ///
    /// SwiftNIO's shared group has one loop per core of the machine (or of the cgroup's CPU quota). A process pinned
    /// to fewer CPUs — `taskset`, `numactl`, systemd's `CPUAffinity=` — would then have loops take turns on a CPU,
    /// and a request could wait a scheduler slice (measured: p99 6.2 ms with two loops on one CPU, 2.7–3.0 ms with
    /// one). Go sizes `GOMAXPROCS` from the same affinity mask.
    package static let eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup(
        numberOfThreads: min(
            System.coreCount,
            (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)).flatMap(allowedCPUs) ?? .max))

    /// The number of CPUs in the `Cpus_allowed:` mask of `/proc/self/status` (proc(5): hexadecimal words separated
    /// by commas); `nil` without one.
    package static func allowedCPUs(status: String) -> Int? {
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed:") }) else {
            return nil
        }
        let count = line.dropFirst("Cpus_allowed:".count).reduce(0) { count, character in
            count + (character.hexDigitValue?.nonzeroBitCount ?? 0)
        }
        return count > 0 ? count : nil
    }
}
