#!/usr/bin/env python3
"""measure.py: run a shell command REPEAT times; print the best wall time
and the largest peak RSS of any process it waited for (ru_maxrss)."""
import os
import resource
import subprocess
import sys
import time


def measure(cmd, repeat):
    best = None
    for _ in range(repeat):
        t0 = time.monotonic()
        # Each run in its own child so ru_maxrss is that run's alone.
        pid = os.fork()
        if pid == 0:
            rc = subprocess.call(cmd, shell=True)
            os._exit(rc)
        _, status, ru = os.wait4(pid, 0)
        wall = time.monotonic() - t0
        if best is None or wall < best[0]:
            best = (wall, ru.ru_maxrss, os.waitstatus_to_exitcode(status))
    return best


if __name__ == "__main__":
    repeat = int(sys.argv[1])
    wall, rss_kib, rc = measure(sys.argv[2], repeat)
    print(f"{wall:.3f} {rss_kib} {rc}")
