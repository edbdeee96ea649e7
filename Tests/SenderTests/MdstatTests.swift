@testable import Sender
import Testing

@Suite struct MdstatTests {
    @Test func readsHeaderMembersAndFlags() throws {
        let arrays = Mdstat.parse("""
            Personalities : [raid1]
            md9 : active raid1 sdc1[2](W) sdb1[1](F) sda1[0](S)
                  1000 blocks super 1.2 [2/1] [U_]
            """)
        let array = try #require(arrays.first)
        #expect(array.name == "md9")
        #expect(array.level == "raid1")
        #expect(array.members.map(\.state) == ["active", "faulty", "spare"])
        #expect(array.members.map(\.slot) == [2, 1, 0])
        #expect(array.disksRequired == 2)
        #expect(array.disksInSync == 1)
    }

    @Test(arguments: [
        "[=>...]  recovery = 8.5% (1/2) finish=156.0min speed=104320K/sec",
        "[=>...]  recovery =  8.5% (1/2) finish=156.0min speed=104320K/sec",
        "[=>...]  recovery=8.5% (1/2) finish=156.0min speed=104320K/sec",
    ])
    func progressSpacingVariants(line: String) throws {
        let arrays = Mdstat.parse("md0 : active raid1 sdb1[1] sda1[0]\n      10 blocks [2/1] [U_]\n      \(line)\n")
        let sync = try #require(arrays.first?.sync)
        #expect(sync == RaidSync(action: "recovery", state: "running", percent: 8.5, finishMinutes: 156.0, speedKiBps: 104320))
    }

    @Test func raid0WithoutPairCountsMembersNotFailed() {
        let array = Mdstat.parse("md0 : active raid0 sdb1[1] sda1[0]\n      20 blocks super 1.2 512k chunks\n")[0]
        let observation = RaidCollector.observation(for: array, sysfs: nil)
        #expect(observation.status == "ok")
        #expect(observation.details?["disksRequired"] == 2)
        #expect(observation.details?["disksActive"] == 2)
    }

    @Test func recoveryInProgressIsStillDegraded() {
        let array = Mdstat.parse("""
            md1 : active raid1 sdd1[2] sdc1[0]
                  100 blocks super 1.2 [2/1] [U_]
                  [====>......]  recovery = 23.4% (2/9) finish=72.5min speed=171934K/sec
            """)[0]
        let observation = RaidCollector.observation(for: array, sysfs: nil)
        #expect(observation.status == "degraded")
        #expect(observation.details?["syncPercent"] == 23.4)
    }

    @Test func sysfsDegradedCountMarksDegraded() {
        let array = Mdstat.parse("md0 : active raid1 sdb1[1] sda1[0]\n      10 blocks [2/2] [UU]\n")[0]
        #expect(RaidCollector.observation(for: array, sysfs: nil).status == "ok")
        #expect(RaidCollector.observation(for: array, sysfs: RaidSysfs(degraded: 1)).status == "degraded")
        #expect(RaidCollector.observation(for: array, sysfs: RaidSysfs(arrayState: "inactive")).status == "inactive")
    }

    @Test(arguments: [
        "", "garbage", "md0 :", "md0 : active", "md0 : exploded raid1 sda1[0]", "md0 : active raid1 sda1[x] sdb1[",
        "      1000 blocks [2/2] [UU]", "md0 : active raid1 sda1[0]\n      blocks [a/b]\n      recovery = %", String(repeating: "md0 : active ", count: 1000),
    ])
    func garbageNeverCrashes(text: String) {
        for array in Mdstat.parse(text) {
            _ = RaidCollector.observation(for: array, sysfs: nil)
        }
    }

    @Test func emptyMdstatHasNoArrays() {
        #expect(Mdstat.parse("Personalities : \nunused devices: <none>\n").isEmpty)
    }
}
