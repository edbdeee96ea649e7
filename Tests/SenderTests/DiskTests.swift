@testable import Sender
import Testing

@Suite struct MountinfoTests {
    @Test func parsesOptionalFieldsAndEscapes() {
        let text = """
            27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw,discard
            36 27 8:17 / /mnt/My\\040Files rw,noatime shared:2 master:1 - xfs /dev/sdb1 rw
            37 27 8:17 /sub /srv/bind rw - xfs /dev/sdb1 rw
            garbage line
            38 27 0:50 / /net rw - nfs4 server:/export\\134share rw
            """
        let mounts = Mountinfo.parse(text)
        #expect(mounts.count == 4)
        #expect(mounts[0] == Mount(mountId: 27, device: "254:0", root: "/", mountPoint: "/", fsType: "ext4", source: "/dev/vda"))
        #expect(mounts[1].mountPoint == "/mnt/My Files")
        #expect(mounts[1].fsType == "xfs")
        #expect(mounts[2].root == "/sub")
        #expect(mounts[3].source == "server:/export\\share")
    }

    @Test func bindMountsOfOneDeviceAreReportedOnce() {
        let text = """
            27 1 254:0 / / rw - ext4 /dev/vda rw
            40 27 8:17 /data /srv/data rw - xfs /dev/sdb1 rw
            41 27 8:17 / /mnt/data rw - xfs /dev/sdb1 rw
            42 27 8:17 / /mnt/data-again/deeper rw - xfs /dev/sdb1 rw
            43 27 0:21 / /proc rw - proc proc rw
            44 27 0:30 / /run rw - tmpfs tmpfs rw
            45 27 0:31 / /var/lib/docker/overlay2/abc/merged rw - overlay overlay rw
            """
        let chosen = DiskCollector.select(Mountinfo.parse(text), filter: DiskFilter())
        #expect(chosen.map(\.mountPoint) == ["/", "/mnt/data"])
    }

    @Test func aMountHiddenUnderAnotherIsDropped() {
        let text = """
            27 1 254:0 / / rw - ext4 /dev/vda rw
            50 27 8:33 / /backup rw - ext4 /dev/sdc1 rw
            51 27 8:49 / /backup rw - ext4 /dev/sdd1 rw
            """
        let chosen = DiskCollector.select(Mountinfo.parse(text), filter: DiskFilter())
        #expect(chosen.map(\.source) == ["/dev/vda", "/dev/sdd1"])
    }

    @Test func includeAndExclude() {
        let mounts = Mountinfo.parse("""
            27 1 254:0 / / rw - ext4 /dev/vda rw
            50 27 8:33 / /backup rw - ext4 /dev/sdc1 rw
            51 27 0:60 / /net/home rw - nfs4 srv:/home rw
            52 27 0:61 / /run/user/1000 rw - tmpfs tmpfs rw
            """)
        #expect(DiskCollector.select(mounts, filter: DiskFilter(excludeMounts: ["/back*"])).map(\.mountPoint) == ["/", "/net/home"])
        #expect(DiskCollector.select(mounts, filter: DiskFilter(excludeFsTypes: ["nfs*"])).map(\.mountPoint) == ["/", "/backup"])
        #expect(DiskCollector.select(mounts, filter: DiskFilter(includeMounts: ["/net/*"])).map(\.mountPoint) == ["/net/home"])
        // Naming a pseudo type explicitly brings it in.
        #expect(DiskCollector.select(mounts, filter: DiskFilter(includeFsTypes: ["tmpfs"])).map(\.mountPoint) == ["/run/user/1000"])
    }
}

@Suite struct DiskUsageTests {
    @Test func percentIsDfsRoundedUp() {
        // used = 1000 − 400 = 600; avail = 300 (100 blocks reserved for root); 600/900 = 66.7 → 67.
        let usage = DiskUsage(blockSize: 4096, blocks: 1000, blocksFree: 400, blocksAvailable: 300, files: 100, filesFree: 97)
        #expect(usage.usedPercent == 67)
        #expect(usage.sizeBytes == 4_096_000)
        #expect(usage.usedBytes == 600 * 4096)
        #expect(usage.availBytes == 300 * 4096)
        #expect(usage.freeBytes == 400 * 4096)
        #expect(usage.inodesUsedPercent == 3.0)
    }

    @Test func exactPercentStays() {
        let usage = DiskUsage(blockSize: 1024, blocks: 100, blocksFree: 10, blocksAvailable: 10, files: 0, filesFree: 0)
        #expect(usage.usedPercent == 90)
        #expect(usage.inodesUsedPercent == nil)
    }

    @Test func onlyTheRootReserveLeftIsFull() {
        let usage = DiskUsage(blockSize: 4096, blocks: 1000, blocksFree: 50, blocksAvailable: 0, files: 10, filesFree: 5)
        #expect(usage.usedPercent == 100)
    }

    @Test func emptyFilesystemHasNoPercent() {
        #expect(DiskUsage(blockSize: 4096, blocks: 0, blocksFree: 0, blocksAvailable: 0, files: 0, filesFree: 0).usedPercent == nil)
    }

    @Test func hugeFilesystemsDoNotOverflow() {
        let usage = DiskUsage(blockSize: 4096, blocks: .max / 2, blocksFree: .max / 4, blocksAvailable: .max / 4, files: 1, filesFree: 0)
        #expect(usage.usedPercent == 50)
    }
}
