#ifndef CSUPPORT_STATVFS_TIMEOUT_H
#define CSUPPORT_STATVFS_TIMEOUT_H
#include <sys/statvfs.h>

struct csupport_statvfs_result {
    /// 0 on success, an errno value on failure, ETIMEDOUT when the mount did not answer in time.
    int error;
    struct statvfs stats;
};

/// statvfs for each path, each allowed timeout_ms, all within budget_ms (negative: no budget);
/// paths left when the budget runs out get ECANCELED. A hung mount (NFS, FUSE) can block statvfs
/// in the kernel where no signal ends it, and a thread stuck that way even keeps the process from
/// exiting; so the calls run in a forked child that we can abandon, and a new child carries on
/// with the paths after a stuck one.
void csupport_statvfs_many(const char *const *paths, int count, struct csupport_statvfs_result *results, int timeout_ms, int budget_ms);

#endif
