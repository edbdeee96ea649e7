// Replaced by the backend application.
@main struct MetricsBackend { static func main() {} }
