"""Time pb's Pabulib parser and every rule on the largest real files, against pabutools 1.2.3 in the same run.

Usage: python benchmarks/tally.py [--limit SECONDS] [--jobs N] [--files NAME ...]

pb is timed in this process, one file after another (best of ``--repeat`` runs). pabutools runs in a
subprocess per (file, rule), killed after ``--limit`` seconds and then reported as "> limit"; ``--jobs``
such subprocesses run at once, after pb's timings, so they never slow pb's. pabutools' time includes its
own parsing, as pb's "rule + parse" column does. Prints a Markdown table for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pb.tally.pabulib import read  # noqa: E402
from pb.tally.rules import RULES, count  # noqa: E402

FILES = (
    "Poland_Wroclaw_2015_150_-_500.pb",
    "Poland_Lodz_2022.pb",
    "Poland_Wroclaw_2018.pb",
    "Poland_Krakow_2021.pb",
    "Poland_Warszawa_2020_Praga-Poludnie.pb",
    "Poland_Warszawa_2019_Ursynow_Poludniowy.pb",
)

#: The rules pabutools is timed on, as pb's README defines them through pabutools' own functions.
REFERENCE_RULES = ("greedy", "equalshares", "equalshares/add1", "phragmen")

#: Runs one pabutools rule on one file and prints {"parse": s, "rule": s, "selected": [...]}.
_REFERENCE = r"""
import json, sys, time
from fractions import Fraction
path, rule = sys.argv[1], sys.argv[2]
from pabutools.election import parse_pabulib, Cost_Sat, AbstractApprovalProfile
from pabutools.rules import method_of_equal_shares, sequential_phragmen, greedy_utilitarian_welfare, BudgetAllocation
from pabutools.rules.mes.mes_rule import method_of_equal_shares_scheme
from pabutools.tiebreaking import lexico_tie_breaking
start = time.perf_counter()
instance, profile = parse_pabulib(path)
parsed = time.perf_counter()
if rule == "greedy":
    result = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
elif rule == "equalshares":
    result = method_of_equal_shares(instance, profile, sat_class=Cost_Sat)
elif rule == "equalshares/add1":
    money = Fraction(int(instance.budget_limit) // profile.num_ballots())
    result = method_of_equal_shares_scheme(
        instance, profile, profile.as_sat_profile(Cost_Sat), money, BudgetAllocation(), lexico_tie_breaking,
        voter_budget_increment=1, binary_sat=isinstance(profile, AbstractApprovalProfile),
    )
elif rule == "phragmen":
    result = sequential_phragmen(instance, profile)
done = time.perf_counter()
print(json.dumps({"parse": parsed - start, "rule": done - parsed, "selected": sorted(p.name for p in result)}))
"""


def _reference_applies(vote_type: str, rule: str) -> bool:
    """pabutools' greedy by Cost_Sat is greedy by score only for approval-like ballots; phragmen needs them."""
    return rule in ("equalshares", "equalshares/add1") or vote_type in ("approval", "choose-1")


def time_pb(path: Path, repeat: int) -> dict[str, object]:
    """pb's parse time and each rule's time (best of ``repeat``), with the outcomes."""
    parse = min(_timed(lambda: read(path))[0] for _ in range(repeat))
    election = read(path)
    rules: dict[str, tuple[float, list[str]]] = {}
    for rule in RULES:
        if rule == "phragmen" and election.vote_type not in ("approval", "choose-1"):
            continue
        seconds, outcome = min((_timed(lambda: count(election, rule)) for _ in range(repeat)), key=lambda x: x[0])
        rules[rule] = (seconds, sorted(outcome.selected))
    return {"parse": parse, "rules": rules, "voters": election.voter_count, "vote_type": election.vote_type}


def _timed(job):  # noqa: ANN001, ANN202 - any zero-argument callable; returns (seconds, its result)
    start = time.perf_counter()
    result = job()
    return time.perf_counter() - start, result


def time_reference(path: Path, rule: str, limit: float) -> dict[str, object] | None:
    """pabutools' parse and rule times and outcome, or None when it did not finish within ``limit`` seconds."""
    try:
        done = subprocess.run(
            [sys.executable, "-c", _REFERENCE, str(path), rule],
            capture_output=True,
            text=True,
            timeout=limit,
            check=True,
        )
    except subprocess.TimeoutExpired:
        return None
    return json.loads(done.stdout)


def main() -> None:
    """Run the benchmark and print the Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=float, default=300.0, help="seconds before a pabutools run is killed")
    parser.add_argument("--jobs", type=int, default=1, help="pabutools subprocesses at once")
    parser.add_argument("--repeat", type=int, default=3, help="pb runs per measurement (the best counts)")
    parser.add_argument("--files", nargs="*", default=list(FILES))
    parser.add_argument(
        "--data", type=Path, default=os.environ.get("PB_PABULIB_DIR")
    )
    args = parser.parse_args()
    if not args.data:
        parser.error("name a Pabulib folder with files/ (from pabulib.org): --data or $PB_PABULIB_DIR")
    args.data = Path(args.data)
    paths = [args.data / "files" / name for name in args.files]
    ours = {path: time_pb(path, args.repeat) for path in paths}
    jobs = [(path, rule) for path in paths for rule in REFERENCE_RULES if _reference_applies(ours[path]["vote_type"], rule)]
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        theirs = dict(zip(jobs, pool.map(lambda job: time_reference(job[0], job[1], args.limit), jobs)))

    print(f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"Date: {time.strftime('%Y-%m-%d %H:%M %Z')}; pabutools limit {args.limit:.0f} s, {args.jobs} at once\n")
    print("| file | voters | pb parse | rule | pb rule | pb rule + parse | pabutools parse + rule | ratio | same set |")
    print("|---|---:|---:|---|---:|---:|---:|---:|---|")
    for path in paths:
        mine = ours[path]
        for rule, (seconds, selected) in mine["rules"].items():  # type: ignore[union-attr]
            total = seconds + mine["parse"]  # type: ignore[operator]
            ref_cell = ratio = same = ""
            if (path, rule) in theirs:
                ref = theirs[(path, rule)]
                if ref is None:
                    ref_cell, ratio, same = f"> {args.limit:.0f} s", f"> {args.limit / total:.0f}x", "n/a"
                else:
                    ref_total = ref["parse"] + ref["rule"]
                    ref_cell, ratio = f"{ref_total:.2f} s", f"{ref_total / total:.0f}x"
                    same = "yes" if ref["selected"] == selected else "no"
            print(
                f"| {path.name} | {mine['voters']} | {mine['parse']:.2f} s | {rule} | {seconds:.3f} s | {total:.2f} s "
                f"| {ref_cell} | {ratio} | {same} |"
            )


if __name__ == "__main__":
    main()
