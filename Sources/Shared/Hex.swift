/// Lower-case hex, without String(format:), which cost more than a hash itself per request.
public enum Hex {
    /// Inlinable, so each caller gets a copy specialised for its sequence (a digest, an array).
    @inlinable
    public static func lowercase(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
