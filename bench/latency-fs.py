#!/usr/bin/env python3
"""
A read-only view of a folder through FUSE that waits DELAY_MS on every call it answers: a
stand-in for a network share, where each listing, stat, open and read is a round trip. The
kernel keeps what it learns for one second, as NFS and SMB clients keep attributes.

    python3 bench/latency-fs.py SOURCE MOUNTPOINT DELAY_MS

Needs FUSE (/dev/fuse, fusermount3) and fusepy (Debian: fuse3 python3-fusepy). Stop it with
`fusermount3 -u MOUNTPOINT`.
"""
import os
import sys
import time

try:
    from fusepy import FUSE, FuseOSError, Operations
except ImportError:  # installed from PyPI rather than Debian
    from fuse import FUSE, FuseOSError, Operations

STAT_FIELDS = ('st_atime', 'st_ctime', 'st_gid', 'st_mode', 'st_mtime', 'st_nlink', 'st_size', 'st_uid', 'st_ino')
STATVFS_FIELDS = ('f_bavail', 'f_bfree', 'f_blocks', 'f_bsize', 'f_favail', 'f_ffree', 'f_files', 'f_flag',
                  'f_frsize', 'f_namemax')


def encodable(name):
    """fusepy hands names to the kernel as UTF-8; a name that is not is left out of listings."""
    try:
        name.encode('utf-8')
        return True
    except UnicodeEncodeError:
        return False


class Latency(Operations):
    def __init__(self, source, delay):
        self.source = source
        self.delay = delay

    def _real(self, path):
        return os.path.join(self.source, path.lstrip('/'))

    def _round_trip(self):
        time.sleep(self.delay)

    def getattr(self, path, fh=None):
        self._round_trip()
        try:
            st = os.lstat(self._real(path))
        except OSError as e:
            raise FuseOSError(e.errno)
        return {k: getattr(st, k) for k in STAT_FIELDS}

    def readdir(self, path, fh):
        self._round_trip()
        return ['.', '..'] + [n for n in os.listdir(self._real(path)) if encodable(n)]

    def readlink(self, path):
        self._round_trip()
        return os.readlink(self._real(path))

    def open(self, path, flags):
        self._round_trip()
        return os.open(self._real(path), os.O_RDONLY)

    def read(self, path, size, offset, fh):
        self._round_trip()
        return os.pread(fh, size, offset)

    def release(self, path, fh):
        os.close(fh)

    def statfs(self, path):
        st = os.statvfs(self._real(path))
        return {k: getattr(st, k) for k in STATVFS_FIELDS}


if __name__ == '__main__':
    source, mountpoint, delay_ms = sys.argv[1], sys.argv[2], float(sys.argv[3])
    FUSE(Latency(source, delay_ms / 1000.0), mountpoint, foreground=True, ro=True, nothreads=False,
         use_ino=True, attr_timeout=1, entry_timeout=1)
