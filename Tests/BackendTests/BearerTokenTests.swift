import Testing
@testable import Backend

/// The bearer token as read from an Authorization header.
@Suite struct BearerTokenTests {
    @Test(arguments: [
        ("Bearer mt_abc", "mt_abc"), ("bearer mt_abc", "mt_abc"), ("BEARER mt_abc", "mt_abc"),
        ("Bearer   mt_abc \t", "mt_abc"),
    ])
    func theTokenIsReadWhateverTheSchemesCase(header: String, token: String) {
        #expect(TokenAuthenticator.bearerToken(header) == token)
    }

    @Test(arguments: ["Basic bWU6cHc=", "Bearer", "Bearer ", "Bearer    ", "Bearermt_abc", "Bearer\tmt_abc", "Token mt_abc",
                      "Bearer " + String(repeating: "x", count: 513)])
    func anythingElseIsNoToken(header: String) {
        #expect(TokenAuthenticator.bearerToken(header) == nil)
    }
}
