"""CPU ticks read from /proc, for the benches that split a request's cost between its processes."""

import os

TICK = os.sysconf("SC_CLK_TCK")


def backend_ticks(database: str) -> int:
    """CPU ticks (user + system) of the PostgreSQL backends serving `database` (their titles name it)."""
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                title = f.read().decode(errors="ignore")
            if not title.startswith("postgres: ") or f" {database} " not in title:
                continue
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            continue
    return total


def machine_ticks() -> int:
    """CPU ticks every core has spent busy since boot (all of /proc/stat's first line but idle and iowait): the
    whole machine's cost of a run, whatever processes came and went (a server's database connections are
    recycled, and an ended backend's ticks can no longer be read)."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    return sum(fields) - fields[3] - fields[4]
