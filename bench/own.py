#!/usr/bin/env python3
"""own.py: run one program (no shell) with its output to /dev/null; print
its wall time, its own CPU apart from its children's, and its own peak
RSS:
    WALL USER SYS RSS_KIB CHILDREN_CPU EXIT

The program's own CPU is read from /proc/PID/stat once it has exited but
before it is reaped (waitid with WNOWAIT): utime and stime count the
process alone, cutime and cstime the children it waited for. Its peak RSS
is VmHWM, read every 50 ms while it runs (a zombie has no memory left to
report), so the last reading is its peak to within that interval."""
import os
import subprocess
import sys
import time


def hwm(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def main(argv):
    tick = os.sysconf("SC_CLK_TCK")
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    rss = 0
    while True:
        info = os.waitid(os.P_PID, p.pid,
                         os.WEXITED | os.WNOWAIT | os.WNOHANG)
        if info is not None:
            break
        now = hwm(p.pid)
        if now is not None:
            rss = max(rss, now)
        time.sleep(0.05)
    wall = time.monotonic() - t0
    with open(f"/proc/{p.pid}/stat") as f:
        # The fields after the command's name, which may hold blanks.
        f = f.read().rsplit(")", 1)[1].split()
    utime, stime, cutime, cstime = (int(x) / tick for x in f[11:15])
    rc = p.wait()
    print(f"{wall:.3f} {utime:.2f} {stime:.2f} {rss} "
          f"{cutime + cstime:.2f} {rc}")


if __name__ == "__main__":
    main(sys.argv[1:])
