import Shared

/// Running Docker containers, each a heartbeat `container:<name>` (the original's `dockerPing`),
/// `degraded` when its health check says unhealthy, it is restarting, or it restarted since the
/// previous run (`ContainerRestarts`),
/// read from the Engine API over its unix socket through libcurl.
struct ContainerCollector: Collector {
    static let name = "container"

    var socket = "/var/run/docker.sock"
    /// Containers whose names start with one of these are skipped (CI runners, the backend itself).
    var excludePrefixes: [String] = []
    var timeout = TimeSpan(seconds: 5)

    func collect(_ context: CollectContext) -> [Observation] {
        let path = context.path(socket)
        guard FileReader.exists(path) else {
            // No Docker on this host: nothing to say unless the user asked for containers.
            return context.explicit ? [failure("\(path) does not exist; is Docker running?")] : []
        }
        var request = HTTPRequest(url: "http://localhost/v1.41/containers/json", unixSocket: path)
        request.connectTimeout = Self.seconds(context.timeout(timeout))
        request.totalTimeout = request.connectTimeout
        let response: HTTPResponse
        do { response = try HTTPClient.perform(request) } catch {
            return [failure("cannot reach Docker at \(path): \(error.message)")]
        }
        guard response.status == 200 else {
            return [failure("Docker answered HTTP \(response.status): \(BackendClient.errorMessage(response))")]
        }
        let containers: [DockerContainer]
        do { containers = try DockerContainers.parse(response.body) } catch {
            return [failure("Docker's container list could not be read: \(error)")]
        }
        let watched = containers.filter { container in !excludePrefixes.contains { container.name.hasPrefix($0) } }
        let restarts = ContainerRestarts.risen(watched, context: context) { id in restartCount(id, socket: path, context: context) }
        return watched
            .sorted { $0.name < $1.name }
            .map { container in
                var details: [String: JSONValue] = ["id": .string(String(container.id.prefix(12)))]
                if let image = container.image { details["image"] = .string(image) }
                if let state = container.state { details["state"] = .string(state) }
                if let status = container.status { details["status"] = .string(status) }
                if let health = container.health { details["health"] = .string(health) }
                if let restarted = restarts[container.id] { details["restartedTimes"] = .number(Double(restarted)) }
                let status = container.isProblem || restarts[container.id] != nil ? ObservationStatus.degraded : ObservationStatus.ok
                return Observation(name: "container:\(container.name)", kind: .container, status: status, details: details)
            }
    }

    /// nil when Docker does not say (or collection's time is up): the container is then simply not
    /// checked for a loop this run.
    private func restartCount(_ id: String, socket: String, context: CollectContext) -> Int? {
        guard !context.pastDeadline else { return nil }
        var request = HTTPRequest(url: "http://localhost/v1.41/containers/\(id)/json", unixSocket: socket)
        request.connectTimeout = Self.seconds(context.timeout(timeout))
        request.totalTimeout = request.connectTimeout
        guard let response = try? HTTPClient.perform(request), response.status == 200 else { return nil }
        return try? DockerContainers.restartCount(response.body)
    }

    /// libcurl takes whole seconds here; at least one.
    private static func seconds(_ timeout: Double) -> Int { max(1, Int(timeout.rounded(.up))) }

    private func failure(_ message: String) -> Observation {
        Observation(name: "container", kind: .container, status: ObservationStatus.error, error: message)
    }
}
