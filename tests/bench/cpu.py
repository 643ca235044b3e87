#!/usr/bin/python3
"""cpu.py -- CPU seconds spent by the processes of one local stack, by role,
and by everything else on the machine (other engineers' stacks share it).

  cpu.py snap STATE_DIR PG_PORT > FILE     a snapshot (JSON)
  cpu.py diff BEFORE AFTER                 prints "label=seconds ..." (>= 0.1 s),
                                           ending with other=... (the rest of the
                                           machine) and idle=...

As a module: procs(state_dir, pg_port) and snapshot(procs) / diff(a, b).
Roles: kafka-N (each broker JVM), the services by pid file (gateway-1, ...),
redis, postgres (the postmaster and all its backends)."""
import glob
import json
import os
import subprocess
import sys

TICK = os.sysconf("SC_CLK_TCK")


def _ticks(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12]), int(fields[1])  # utime+stime, ppid
    except (OSError, IndexError, ValueError):
        return None, None


def _read_pid(path):
    try:
        return int(open(path).read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def procs(state_dir, pg_port):
    """label -> pid of this stack's long-lived processes."""
    out = {}
    for p in sorted(glob.glob(os.path.join(state_dir, "kafka*", "pid"))):
        d = os.path.basename(os.path.dirname(p))
        label = "kafka-1" if d == "kafka" else d
        pid = _read_pid(p)
        if pid:
            out[label] = pid
    for p in sorted(glob.glob(os.path.join(state_dir, "pids", "*.pid"))):
        pid = _read_pid(p)
        if pid:
            out[os.path.basename(p)[:-4]] = pid
    pid = _read_pid(os.path.join(state_dir, "redis.pid"))
    if pid:
        out["redis"] = pid
    try:
        ss = subprocess.run(["ss", "-Hltnp", f"sport = :{pg_port}"], capture_output=True, text=True).stdout
        pid = int(ss.split("pid=")[1].split(",")[0])
        out["postgres"] = pid
    except (IndexError, ValueError, OSError):
        pass
    return out


def _machine():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + v[4]
    return sum(v[:8]) - idle, idle  # busy, idle (ticks)


def snapshot(p):
    """Ticks per label; the postmaster's children as pg:<pid>."""
    snap = {}
    for label, pid in p.items():
        t, _ = _ticks(pid)
        if t is not None:
            snap[label] = t
    pg = p.get("postgres")
    if pg:
        for d in os.listdir("/proc"):
            if d.isdigit() and int(d) != pg:
                t, ppid = _ticks(d)
                if ppid == pg:
                    snap[f"pg:{d}"] = t
    snap["_busy"], snap["_idle"] = _machine()
    return snap


def diff(a, b):
    """Seconds by role, largest first, then other (the rest of the machine)
    and idle. A process started in between counts from its start; a
    backend that ended in between is not counted."""
    res = {}
    for k, v in b.items():
        if k.startswith("_"):
            continue
        label = "postgres" if k.startswith("pg:") else k
        res[label] = res.get(label, 0) + (v - a.get(k, 0)) / TICK
    busy = (b["_busy"] - a["_busy"]) / TICK
    res = dict(sorted(res.items(), key=lambda kv: -kv[1]))
    res["other"] = max(0.0, busy - sum(res.values()))
    res["idle"] = (b["_idle"] - a["_idle"]) / TICK
    return res


def fmt(d):
    return " ".join(f"{k}={v:.1f}" for k, v in d.items() if v >= 0.1 or k in ("other", "idle"))


if __name__ == "__main__":
    if sys.argv[1] == "snap":
        json.dump(snapshot(procs(sys.argv[2], sys.argv[3])), sys.stdout)
    elif sys.argv[1] == "diff":
        print(fmt(diff(json.load(open(sys.argv[2])), json.load(open(sys.argv[3])))))
    else:
        sys.exit(__doc__)
