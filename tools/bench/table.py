#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Print tools/bench/run's table from the guest's raw results.

Usage: table.py RAW [INSNDIR]

RAW holds "TARGET JOB IOPS MiB/s IOS CTXT MARK0 MARK1 [SEGS [IDLE CPUTIME]]" lines and
"TARGET memory CONN_BYTES SESS_BYTES COUNT" lines (see targets.sh). The first target is the subject: the table gives its ratio to
every other one. INSNDIR, when it holds the counting plugin's snapshots
snap-K.txt ("address instructions" lines, cumulative), adds instructions
per I/O: the difference of the totals at MARK1 and MARK0, over IOS.
"""
import os
import sys


def load(path):
    rows, targets, jobs = {}, [], []
    for line in open(path):
        f = line.split()
        if len(f) not in (8, 9, 11):
            continue
        t, job = f[0], f[1]
        rows[t, job] = {"iops": int(f[2]), "mib": float(f[3]),
                        "ios": int(f[4]), "ctxt": int(f[5]),
                        "marks": (f[6], f[7]),
                        "segs": int(f[8]) if len(f) > 8 else None,
                        "idle": (int(f[9]), int(f[10])) if len(f) > 10 else None}
        if t not in targets:
            targets.append(t)
        if job not in jobs:
            jobs.append(job)
    return rows, targets, jobs


def load_memory(path):
    """{target: (bytes per connection, bytes per session, count)}."""
    mem = {}
    for line in open(path):
        f = line.split()
        if len(f) == 5 and f[1] == "memory":
            mem[f[0]] = (int(f[2]), int(f[3]), int(f[4]))
    return mem


def print_memory(mem, targets):
    shown = [t for t in targets if t in mem]
    if not shown:
        return
    count = mem[shown[0]][2]
    print()
    print(f"kernel memory, KiB each ({count} at once from user space; "
          "unreclaimable slab, vmalloc, per-CPU; both TCP ends included):")
    rows = [["", *shown],
            ["connection before login",
             *(f"{mem[t][0] / 1024:.1f}" for t in shown)],
            ["idle session, its connection included",
             *(f"{mem[t][1] / 1024:.1f}" for t in shown)]]
    width = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                        for i, (c, w) in enumerate(zip(r, width))).rstrip())


def snapshot_total(insn_dir, mark, cache):
    if mark not in cache:
        total = 0
        with open(os.path.join(insn_dir, f"snap-{mark}.txt")) as f:
            for line in f:
                total += int(line.split()[1])
        cache[mark] = total
    return cache[mark]


def insn_per_io(row, insn_dir, cache):
    m0, m1 = row["marks"]
    if not insn_dir or m0 == "-" or m1 == "-":
        return None
    try:
        n = snapshot_total(insn_dir, m1, cache) - snapshot_total(insn_dir, m0, cache)
    except OSError:
        return None
    return n / max(row["ios"], 1)


def figure(job, row):
    """IOPS for small blocks, MiB/s for large ones, as the issue's table."""
    return row["mib"] if "128k" in job else row["iops"]


def main():
    rows, targets, jobs = load(sys.argv[1])
    mem = load_memory(sys.argv[1])
    targets += [t for t in mem if t not in targets]
    if not targets:
        sys.exit("table.py: no results")
    insn_dir = sys.argv[2] if len(sys.argv) > 2 else None
    cache = {}
    subject, peers = targets[0], targets[1:]
    insn = {k: insn_per_io(r, insn_dir, cache) for k, r in rows.items()}
    counted = any(v is not None for v in insn.values())

    head = ["job", "unit"] + targets
    head += [f"{subject}/{p}" for p in peers]
    head += [f"cs/io {t}" for t in targets]
    head += [f"segs/io {t}" for t in targets]
    head += [f"idle% {t}" for t in targets]
    if counted:
        head += [f"insn/io {t}" for t in targets]
    table = [head]
    for job in jobs:
        line = [job, "MiB/s" if "128k" in job else "IOPS"]
        got = {t: rows.get((t, job)) for t in targets}
        for t in targets:
            line.append(f"{figure(job, got[t]):,}" if got[t] else "-")
        for p in peers:
            if got[subject] and got[p] and figure(job, got[p]):
                line.append(f"{figure(job, got[subject]) / figure(job, got[p]):.2f}")
            else:
                line.append("-")
        for t in targets:
            r = got[t]
            line.append(f"{r['ctxt'] / max(r['ios'], 1):.2f}" if r else "-")
        for t in targets:
            r = got[t]
            ok = r and r["segs"] is not None
            line.append(f"{r['segs'] / max(r['ios'], 1):.2f}" if ok else "-")
        for t in targets:
            r = got[t]
            ok = r and r["idle"] is not None
            line.append(f"{100 * r['idle'][0] / max(r['idle'][1], 1):.1f}"
                        if ok else "-")
        if counted:
            for t in targets:
                v = insn.get((t, job))
                line.append(f"{v:,.0f}" if v is not None else "-")
        table.append(line)

    width = [max(len(r[i]) for r in table) for i in range(len(head))]
    for r in table:
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                        for i, (c, w) in enumerate(zip(r, width))).rstrip())
    print("cs/io: context switches (/proc/stat ctxt) per I/O, whole guest; "
          "segs/io: TCP segments sent per I/O, both ends (OutSegs); "
          "idle%: share of the CPUs' time idle (with iowait) in the window; "
          "insn/io: guest instructions per I/O, whole stack")
    print_memory(mem, targets)


if __name__ == "__main__":
    main()
