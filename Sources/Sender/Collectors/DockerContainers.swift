#if canImport(FoundationEssentials)
import FoundationEssentials
#endif

/// One entry of Docker Engine API `GET /containers/json` (running containers only).
struct DockerContainer: Decodable, Equatable, Sendable {
    var id: String
    var names: [String]
    var image: String?
    var state: String?
    var status: String?

    enum CodingKeys: String, CodingKey {
        case id = "Id", names = "Names", image = "Image", state = "State", status = "Status"
    }

    /// The health check's verdict, which Docker writes into the status: `Up 2 hours (unhealthy)`.
    var health: String? {
        guard let status else { return nil }
        if status.hasSuffix("(unhealthy)") { return "unhealthy" }
        if status.hasSuffix("(healthy)") { return "healthy" }
        if status.hasSuffix("(health: starting)") { return "starting" }
        return nil
    }

    /// Unhealthy, or restarting: Docker waits between the restarts of a container that keeps
    /// exiting in the `restarting` state, so a restart loop spends most of its time there.
    var isProblem: Bool { health == "unhealthy" || state == "restarting" }

    /// Docker prefixes names with "/"; the first name is the container's own.
    var name: String {
        let first = names.first ?? String(id.prefix(12))
        return first.hasPrefix("/") ? String(first.dropFirst()) : first
    }
}

/// The Docker API's container list in, containers out. Pure: no I/O.
enum DockerContainers {
    static func parse(_ body: [UInt8]) throws -> [DockerContainer] {
        try JSONDecoder().decode([DockerContainer].self, from: Data(body))
    }

    private struct Inspection: Decodable {
        var RestartCount: Int
    }

    /// `GET /containers/{id}/json`: how often Docker restarted the container.
    static func restartCount(_ body: [UInt8]) throws -> Int {
        try JSONDecoder().decode(Inspection.self, from: Data(body)).RestartCount
    }
}
