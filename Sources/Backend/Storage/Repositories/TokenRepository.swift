import Foundation

/// API tokens, kept as hashes.
protocol TokenRepository: Sendable {
    func createToken(_ token: NewToken) async throws -> TokenRecord
    func tokens() async throws -> [TokenRecord]
    /// Marks a token revoked; false when no live token has that id.
    func revokeToken(id: Int64, at: Date) async throws -> Bool
    func token(hash: String) async throws -> TokenRecord?
}
