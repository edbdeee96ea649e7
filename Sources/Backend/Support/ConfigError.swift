/// A setting that cannot be used, named by its environment variable.
struct ConfigError: Error, CustomStringConvertible {
    var variable: String
    var message: String
    var description: String { "\(variable): \(message)" }
}
