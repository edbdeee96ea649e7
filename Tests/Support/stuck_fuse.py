"""A FUSE filesystem whose statfs never answers: a stand-in for a hung NFS server.
Usage: /usr/bin/python3 stuck_fuse.py MOUNTPOINT (needs Debian's python3-fusepy and fuse3)."""
import errno
import os
import sys
import time

# Tests run in parallel: drop any pipe inherited from another test, or its reader never sees EOF.
os.closerange(3, 65536)

from fusepy import FUSE, Operations


class Stuck(Operations):
    def getattr(self, path, fh=None):
        if path == "/":
            return dict(st_mode=0o40755, st_nlink=2)
        raise OSError(errno.ENOENT, "")

    def statfs(self, path):
        time.sleep(3600)
        return {}


FUSE(Stuck(), sys.argv[1], foreground=True, fsname="stuckfs")
