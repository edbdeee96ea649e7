import CZlib
import NIOCore

/// gzip and deflate decompression with a ceiling on the output, for request bodies.
enum Inflate {
    enum Failure: Error { case tooLarge, corrupt }

    static func gunzip(_ input: ByteBuffer, limit: Int) throws(Failure) -> ByteBuffer {
        // 15 + 16: a gzip header and trailer, as senders and curl --compressed write them.
        try decompress(input, windowBits: 15 + 16, limit: limit)
    }

    /// Content-Encoding `deflate`: HTTP means zlib's wrapper, but Go's clients and Loki itself use
    /// raw deflate (compress/flate), so the wrapper is taken when its two-byte header is there.
    static func deflate(_ input: ByteBuffer, limit: Int) throws(Failure) -> ByteBuffer {
        let head = Array(input.readableBytesView.prefix(2))
        let zlib = head.count == 2 && head[0] & 0x0F == 8 && (Int(head[0]) << 8 | Int(head[1])) % 31 == 0
        return try decompress(input, windowBits: zlib ? 15 : -15, limit: limit)
    }

    private static func decompress(_ input: ByteBuffer, windowBits: Int32, limit: Int) throws(Failure) -> ByteBuffer {
        var stream = z_stream()
        guard inflateInit2_(&stream, windowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { throw .corrupt }
        defer { inflateEnd(&stream) }
        var output = ByteBufferAllocator().buffer(capacity: min(limit, max(4096, input.readableBytes * 4)))
        var bytes = Array(input.readableBytesView)
        let count = bytes.count
        var status: Int32 = Z_OK
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var failure: Failure?
        bytes.withUnsafeMutableBufferPointer { inputPointer in
            stream.next_in = inputPointer.baseAddress
            stream.avail_in = UInt32(count)
            repeat {
                let produced: Int = chunk.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = UInt32(out.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    return out.count - Int(stream.avail_out)
                }
                guard status == Z_OK || status == Z_STREAM_END || (status == Z_BUF_ERROR && produced > 0) else {
                    failure = .corrupt
                    return
                }
                guard output.readableBytes + produced <= limit else {
                    failure = .tooLarge
                    return
                }
                output.writeBytes(chunk[0..<produced])
                if produced == 0 && status != Z_STREAM_END {
                    failure = .corrupt  // input ended before the end of the stream
                    return
                }
            } while status != Z_STREAM_END
        }
        if let failure { throw failure }
        return output
    }
}
