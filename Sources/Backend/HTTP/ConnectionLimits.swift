import Foundation
import Hummingbird
import HummingbirdCore
import Shared

/// What one client may hold of the server: a connection that sends no complete request head (a
/// half-open or slowloris connection) is closed after the idle timeout, a body must arrive within
/// `bodyDeadline`, and the descriptors are raised to the hard limit with room kept for the
/// database, so thousands of held connections still leave `/healthz` and reports an answer.
enum ConnectionLimits {
    static let bodyDeadline: Duration = .seconds(30)

    /// Descriptors kept free of client connections: database pools, SQLite files, logs.
    static let reserved = 256

    /// Raises the soft descriptor limit to the hard one (systemd's default soft limit is 1024)
    /// and answers how many client connections fit below it.
    static func raiseDescriptorLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 - reserved }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = min(limit.rlim_max, 1 << 20)
            if setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return max(64, Int(limit.rlim_cur) - reserved)
    }

    static func server(idleTimeout: TimeSpan) -> HTTPServerBuilder {
        .http1(configuration: .init(idleTimeout: .seconds(Int64(idleTimeout.seconds))))
    }
}
