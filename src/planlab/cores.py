"""What this machine lends a process: cores for the solvers, the sweep and the service, and
memory for the solvers' working copies."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["available_memory", "usable_cores"]

_MEMINFO = Path("/proc/meminfo")
_CGROUP_LIMITS = (
    (Path("/sys/fs/cgroup/memory.max"), Path("/sys/fs/cgroup/memory.current")),
    (
        Path("/sys/fs/cgroup/memory/memory.limit_in_bytes"),
        Path("/sys/fs/cgroup/memory/memory.usage_in_bytes"),
    ),
)
"""Where a control group states its memory limit and use (version 2, then version 1)."""


def usable_cores() -> int:
    """The cores this process may run on: its CPU affinity where the system reports one."""
    count = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, count or 1)


def available_memory() -> int | None:
    """Bytes this process may still take before the system runs short: the kernel's
    estimate of available memory, or what is left of the control group's limit if that is
    less; None where the system reports neither."""
    found: list[int] = []
    try:
        for line in _MEMINFO.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                found.append(int(line.split()[1]) * 1024)
    except OSError:
        pass
    for limit, used in _CGROUP_LIMITS:
        try:
            text = limit.read_text().strip()
            if text.isdigit():
                found.append(max(0, int(text) - int(used.read_text().strip())))
                break
        except (OSError, ValueError):
            continue
    return min(found) if found else None
