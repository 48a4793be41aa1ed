"""Time the three add1 rules on real Pabulib files: pb's fast path against its own unit-step loop.

Usage: python benchmarks/add1.py [--data DIR] [--files NAME ...] [--slowest N] [--limit SECONDS]

"After" is ``count(election, rule)`` for equalshares/add1, add1+greedy and add1-comparison, parsing
excluded, best of ``--repeat`` runs. "Before" is ``EqualShares.add1_unit_steps()``: one equal-shares count
per currency unit per voter, exactly as the README defines add1 and as pb counted it before the fast path.
It runs in a subprocess killed after ``--limit`` seconds (reported as "> limit"). Both must find the same
run; the script says so per file. Without ``--files`` every file of the directory is timed and the table
lists the ``--slowest`` by "before" (all of them with ``--slowest 0``). Prints a Markdown table for
BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pb.tally.pabulib import read  # noqa: E402
from pb.tally.rules import count  # noqa: E402
from pb.tally.rules.equalshares import EqualShares  # noqa: E402
from pb.tally.rules.profile import prepare, tie_order  # noqa: E402

RULES = ("equalshares/add1", "equalshares/add1+greedy", "equalshares/add1-comparison")

#: Runs the unit-step loop on one file and prints its time, its k and its purchases.
_UNIT_STEPS = r"""
import sys, time
sys.path.insert(0, sys.argv[1])
from pb.tally.pabulib import read
from pb.tally.rules.equalshares import EqualShares
from pb.tally.rules.profile import prepare, tie_order
election = read(sys.argv[2])
_, rank = tie_order(election.projects, "lexico")
start = time.perf_counter()
found = EqualShares(prepare(election, rank, None)).add1_unit_steps()
seconds = time.perf_counter() - start
print(seconds, found.increments, None if found.run is None else [p.project for p in found.run.purchases])
"""


def time_fast(path: Path, repeat: int) -> tuple[dict[str, float], tuple[int, list[int] | None]]:
    """Best time of each add1 rule, and the fast add1's (k, purchases) for the comparison."""
    election = read(path)
    times = {}
    for rule in RULES:
        best = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            count(election, rule)
            best = min(best, time.perf_counter() - start)
        times[rule] = best
    _, rank = tie_order(election.projects, "lexico")
    found = EqualShares(prepare(election, rank, None)).add1()
    return times, (found.increments, None if found.run is None else [p.project for p in found.run.purchases])


def time_unit_steps(path: Path, limit: float) -> tuple[float | None, tuple[int, list[int] | None] | None]:
    try:
        done = subprocess.run([sys.executable, "-c", _UNIT_STEPS, str(REPO), str(path)], capture_output=True,
                              text=True, timeout=limit, check=True)
    except subprocess.TimeoutExpired:
        return None, None
    seconds, increments, purchases = done.stdout.split(" ", 2)
    return float(seconds), (int(increments), eval(purchases))  # noqa: S307 - our own subprocess' repr of a list


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--data", type=Path,
        default=Path(os.environ.get("PB_PABULIB_DIR", REPO / "tests" / "tally" / "data")) / "files")
    parser.add_argument("--files", nargs="*")
    parser.add_argument("--slowest", type=int, default=6, help="rows to print, slowest 'before' first (0: all)")
    parser.add_argument("--limit", type=float, default=600.0, help="seconds before the unit-step loop is killed")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    paths = [args.data / name for name in args.files] if args.files else sorted(args.data.glob("*.pb"))
    rows = []
    for path in paths:
        fast, fast_found = time_fast(path, args.repeat)
        before, unit_found = time_unit_steps(path, args.limit)
        same = "n/a" if unit_found is None else ("yes" if unit_found == fast_found else "NO")
        rows.append((path.name, before, fast, same, fast_found[0]))
        print(f"{path.name}: before {before}, after {fast}, same {same}", file=sys.stderr, flush=True)
    rows.sort(key=lambda row: -(row[1] if row[1] is not None else float("inf")))
    shown = rows if args.slowest == 0 else rows[:args.slowest]
    print(f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores; "
          f"{len(rows)} files timed, slowest after: {max(max(r[2].values()) for r in rows):.3f} s.\n")
    print("| file | increments k | before: unit steps | add1 | add1+greedy | add1-comparison | speed-up | same run |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for name, before, fast, same, k in shown:
        add1 = fast["equalshares/add1"]
        before_text = f"> {args.limit:.0f} s" if before is None else f"{before:.2f} s"
        ratio = f"> {args.limit / add1:.0f}x" if before is None else f"{before / add1:.0f}x"
        print(f"| {name} | {k} | {before_text} | {add1:.3f} s | {fast['equalshares/add1+greedy']:.3f} s | "
              f"{fast['equalshares/add1-comparison']:.3f} s | {ratio} | {same} |")


if __name__ == "__main__":
    main()
