extension String {
    /// At most `count` bytes of UTF-8, cut on a scalar boundary: a limit in bytes holds whatever
    /// the characters (one character may be any number of bytes).
    func prefix(utf8Bytes count: Int) -> String {
        guard utf8.count > count else { return self }
        var end = utf8.index(utf8.startIndex, offsetBy: max(0, count))
        while end > utf8.startIndex, !unicodeScalars.indices.contains(end) { end = utf8.index(before: end) }
        return String(self[..<end])
    }
}
