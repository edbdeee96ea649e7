@testable import Sender
import Testing

@Suite struct MeminfoTests {
    @Test func usesMemAvailable() throws {
        let text = """
            MemTotal:       65758816 kB
            MemFree:         1200000 kB
            MemAvailable:   41234556 kB
            Buffers:          100000 kB
            Cached:          3000000 kB
            SwapTotal:       8388604 kB
            SwapFree:        6291453 kB
            """
        let info = try #require(Meminfo.parse(text))
        #expect(info.totalBytes == 65_758_816 * 1024)
        #expect(info.availableBytes == 41_234_556 * 1024)
        #expect(info.availableReported)
        // 100 × (65758816 − 41234556) / 65758816 = 37.2941…
        #expect(info.usedPercent == 37.29)
        // 100 × (8388604 − 6291453) / 8388604 = 25.0000…
        #expect(info.swapUsedPercent == 25.0)
    }

    @Test func noSwapIsNil() throws {
        let info = try #require(Meminfo.parse("MemTotal: 1000 kB\nMemAvailable: 250 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n"))
        #expect(info.usedPercent == 75.0)
        #expect(info.swapUsedPercent == nil)
    }

    @Test func oldKernelFallback() throws {
        // Before 3.14: available = MemFree + Buffers + Cached + SReclaimable − Shmem.
        let text = "MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 300 kB\nSReclaimable: 50 kB\nShmem: 100 kB\n"
        let info = try #require(Meminfo.parse(text))
        #expect(!info.availableReported)
        #expect(info.availableBytes == 400 * 1024)
        #expect(info.usedPercent == 60.0)
    }

    @Test func garbageIsNil() {
        #expect(Meminfo.parse("") == nil)
        #expect(Meminfo.parse("MemTotal: lots kB\n") == nil)
        #expect(Meminfo.parse("MemTotal: 0 kB\n") == nil)
        #expect(Meminfo.parse("\u{0}\u{1}::: 99999999999999999999999 kB") == nil)
    }

    @Test func availableAboveTotalIsClamped() throws {
        let info = try #require(Meminfo.parse("MemTotal: 100 kB\nMemAvailable: 200 kB\n"))
        #expect(info.usedPercent == 0)
    }
}
