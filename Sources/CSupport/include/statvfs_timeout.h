#ifndef CSUPPORT_STATVFS_TIMEOUT_H
#define CSUPPORT_STATVFS_TIMEOUT_H
#include <sys/statvfs.h>

/// statvfs(path) that gives up after timeout_ms. A hung NFS server blocks statvfs in the
/// kernel where no signal reaches it, so the call runs on a detached thread we can abandon.
/// Returns 0 on success, an errno value on failure, and ETIMEDOUT when it did not answer.
int csupport_statvfs_timeout(const char *path, struct statvfs *out, int timeout_ms);

#endif
