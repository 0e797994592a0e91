#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Which tasks a bench job's context switches went to.

    tools/bench/switches.py [FILE...]

Each FILE is a build/guest/KVER/logs/switches-TARGET-JOB.txt, the trace that
tools/bench/targets.sh keeps of a job named in KITT_BENCH_SWITCHES
(sched_switch and workqueue_execute_start/end events in the job's measured
window, inside fio's run);
without FILEs, every such file of the latest bench run. Each switch is
named by the task switched to; a kernel worker by the work functions it
ran (or resumed) before it switched away again. Counts are per I/O, the
I/Os taken from the bench-raw.txt beside the trace, whose count of
context switches is printed for comparison.
"""
import collections
import glob
import os
import re
import sys

import table    # tools/bench/table.py: bench-raw.txt's reader

EVENT = re.compile(r'^\s*.+?-(\d+)\s+\[(\d+)\]\s.*?:\s+(\w+):\s+(.*)$')
NEXT = re.compile(r'next_comm=(.+?) next_pid=(\d+)')
ENTRIES = re.compile(r'^# entries-in-buffer/entries-written: (\d+)/(\d+)')
TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')


def task_class(comm):
    """A task's name without its numbers: fio, idle, kworker, iscsi_q."""
    if comm.startswith('kworker/'):
        return 'kworker'
    if comm.startswith('swapper/'):
        return 'idle'
    return re.sub(r'[-_:][\d.:]+$', '', comm.split('/')[0])


def work_name(rest):
    return re.sub(r' \[\w+\]$', '', rest.rsplit('function ', 1)[-1].strip())


class Counter:
    """Switches by what they switched to."""

    def __init__(self):
        self.running = {}       # cpu -> (class, set of work functions)
        self.busy = {}          # worker pid -> work it is in the middle of
        self.counts = collections.Counter()
        self.total = 0
        self.lost = False

    def close(self, cpu):
        cur = self.running.get(cpu)
        if cur is None:
            return
        works = ','.join(sorted(cur[1]))
        if works:
            self.counts[f'{cur[0]}[{works}]'] += 1
        else:
            self.counts[cur[0] + (' (no work)' if cur[0] == 'kworker'
                                  else '')] += 1

    def line(self, line):
        e = ENTRIES.match(line)
        if e and e.group(1) != e.group(2):
            self.lost = True
        if 'LOST' in line and 'EVENTS' in line:
            self.lost = True
        m = EVENT.match(line)
        if not m:
            return
        pid, cpu, event, rest = m.group(1), int(m.group(2)), m.group(3), \
            m.group(4)
        if event == 'sched_switch':
            n = NEXT.search(rest)
            if not n:
                return
            self.close(cpu)
            works = set()
            if n.group(2) in self.busy:
                works.add(self.busy[n.group(2)])
            self.running[cpu] = (task_class(n.group(1)), works)
            self.total += 1
        elif event == 'workqueue_execute_start':
            self.busy[pid] = work_name(rest)
            if cpu in self.running:
                self.running[cpu][1].add(self.busy[pid])
        elif event == 'workqueue_execute_end':
            self.busy.pop(pid, None)

    def finish(self):
        for cpu in list(self.running):
            self.close(cpu)


def bench_line(path):
    """The job's I/Os and context switches from bench-raw.txt beside it."""
    base = os.path.basename(path)
    raw = os.path.join(os.path.dirname(path), 'bench-raw.txt')
    try:
        rows = table.load(raw)[0]
    except OSError as e:
        print(f'{path}: {e}', file=sys.stderr)
        return None
    for (target, job), row in rows.items():
        if base == f'switches-{target}-{job}.txt':
            return row['ios'], row['ctxt']
    print(f'{path}: no such job in {raw}', file=sys.stderr)
    return None


def report(path):
    if not os.path.isfile(path):
        print(f'{path}: no such trace', file=sys.stderr)
        return False
    job = bench_line(path)
    if not job:
        return False
    ios, ctxt = job
    c = Counter()
    try:
        with open(path, errors='replace') as f:
            for line in f:
                c.line(line)
    except OSError as e:
        print(f'{path}: {e}', file=sys.stderr)
        return False
    c.finish()
    ios = max(ios, 1)
    print(f'{os.path.basename(path)}: {c.total} switches traced '
          f'({ctxt} counted by the bench), {ios} I/Os, '
          f'{c.total / ios:.2f} per I/O')
    if c.lost:
        print('  (the trace buffer overflowed: events were lost)')
    for what, n in c.counts.most_common():
        if n / ios < 0.01:
            break
        print(f'  {n / ios:6.2f}  {what}')
    return True


def latest():
    """The traces of the newest bench run (by its bench-raw.txt)."""
    raws = glob.glob(os.path.join(TOP, 'build/guest/*/logs/bench-raw.txt'))
    if not raws:
        return []
    logs = os.path.dirname(max(raws, key=os.path.getmtime))
    return sorted(glob.glob(os.path.join(logs, 'switches-*.txt')))


def main():
    paths = sys.argv[1:] or latest()
    if not paths:
        sys.exit('switches.py: no traces (KITT_BENCH_SWITCHES names the jobs)')
    ok = [report(p) for p in paths]
    sys.exit(0 if all(ok) else 1)


if __name__ == '__main__':
    main()
