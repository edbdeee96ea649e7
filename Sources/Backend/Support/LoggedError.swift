import PostgresNIO

/// An error as the logs show it. PostgreSQL's errors, printed in full, carry the query with its
/// bound values (session and CSRF tokens, emails, ping bodies) and a detail that quotes rows:
/// only their code, state, message (with quoted values blanked) and the names of the table,
/// column and constraint are kept.
enum LoggedError {
    static func text(_ error: any Error) -> String {
        if let transaction = error as? PostgresTransactionError {
            let parts = [("begin", transaction.beginError), ("closure", transaction.closureError), ("rollback", transaction.rollbackError),
                         ("commit", transaction.commitError)].compactMap { name, inner in inner.map { "\(name): \(text($0))" } }
            return "PostgresTransactionError(" + parts.joined(separator: ", ") + ")"
        }
        guard let psql = error as? PSQLError else { return String(reflecting: error) }
        var parts = ["code: \(psql.code)"]
        if let info = psql.serverInfo {
            let fields: [(String, PSQLError.ServerInfo.Field)] = [
                ("sqlState", .sqlState), ("message", .message), ("table", .tableName), ("column", .columnName), ("constraint", .constraintName),
            ]
            for (name, field) in fields { if let value = info[field] { parts.append("\(name): \(blankingQuoted(value))") } }
        }
        if let underlying = psql.underlying { parts.append("underlying: \(text(underlying))") }
        return "PSQLError(" + parts.joined(separator: ", ") + ")"
    }

    /// `invalid input syntax for type integer: "secret"` → `… integer: "…"`.
    static func blankingQuoted(_ text: String) -> String {
        var out = ""
        var quoted = false
        for character in text.prefix(300) {
            if character == "\"" {
                out.append(quoted ? "…\"" : "\"")
                quoted.toggle()
            } else if !quoted {
                out.append(character)
            }
        }
        return quoted ? out + "…" : out
    }
}
