import Foundation

/// What a short-lived command said, and how it ended.
public struct CommandOutcome: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs a program to its end with a clean environment (no METRICS_* or DATABASE_URL from the
/// developer's shell) plus `environment`, and captures what it says.
public func runCommand(_ program: String, _ arguments: [String], environment: [String: String] = [:]) async throws -> CommandOutcome {
    try await onOwnThread { try runCommandBlocking(program, arguments, environment: environment) }
}

private func runCommandBlocking(_ program: String, _ arguments: [String], environment: [String: String]) throws -> CommandOutcome {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program)
    process.arguments = arguments
    process.environment = ["PATH": "/usr/bin:/bin:/usr/sbin:/sbin"].merging(environment) { $1 }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CommandOutcome(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
}
