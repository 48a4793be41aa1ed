"""The tally on the command line: ``python -m pb.tally FILE.pb [--rule RULE] [--tie-break ...] [--json]``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from pb.tally import pabulib
from pb.tally.measures import measures
from pb.tally.rules import RULES, TIE_BREAKS, count

PROG = "pb-tally"


def _parser() -> argparse.ArgumentParser:
    """The command line arguments."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Count a Pabulib election and print the funded project ids, separated by spaces.",
    )
    parser.add_argument("file", help="a Pabulib .pb file")
    parser.add_argument(
        "--rule", help=f"the rule to count with (default: the file's META rule); one of: {', '.join(RULES)}"
    )
    parser.add_argument(
        "--tie-break",
        choices=TIE_BREAKS,
        default="lexico",
        help="order of projects with equal scores; lexico (the default) is by id in plain string order",
    )
    parser.add_argument(
        "--json", action="store_true", help="print the whole outcome, with explanations and measures, as JSON"
    )
    return parser


def _fail(message: str) -> int:
    """Print one line on stderr and return the exit code of a usage or data error."""
    print(f"{PROG}: {message}", file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line tally; return 0, or 2 with one line on stderr for a bad file or rule."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exit_:
        # argparse has printed its usage message; hand its code back instead of leaving the process.
        return exit_.code if isinstance(exit_.code, int) else 2
    try:
        election = pabulib.read(args.file)
    except pabulib.PabulibError as exc:
        return _fail(str(exc))
    rule = args.rule or election.rule
    if rule is None:
        return _fail(
            f"{args.file} does not say which rule the city used (META rule is missing or 'unknown'); "
            f"choose one with --rule: {', '.join(RULES)}"
        )
    if rule not in RULES:
        origin = "--rule" if args.rule else f"the META rule of {args.file}"
        return _fail(f"{origin} names the rule '{rule}', which pb does not know; known: {', '.join(RULES)}")
    try:
        outcome = count(election, rule, tie_break=args.tie_break)
    except ValueError as exc:
        # The rules refuse elections they cannot count (e.g. Phragmen on cumulative ballots).
        return _fail(f"{args.file}: {exc}")
    if args.json:
        result = {"file": args.file, **outcome.to_dict(), "measures": measures(election, outcome.selected)}
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(" ".join(outcome.selected))
    return 0


if __name__ == "__main__":
    sys.exit(main())
