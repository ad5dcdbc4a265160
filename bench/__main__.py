"""
``python -m bench``: run the performance suite and print its tables.

Writes ``results.json`` (every measurement, the summary, the machine's
facts) and ``results.md`` (the tables) to ``--out`` (default
``bench/results/``).  ``--quick`` runs every stack and workload once with
tiny sizes, a smoke test of a few seconds whose figures mean nothing.
Exits with 1 if a measurement failed (never because of a target).
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from pathlib import Path
from typing import Any

from ._harness import STACKS, machineFacts, runSuite, unavailable, variant
from ._report import checkTargets, markdown, summarize
from ._workloads import FULL, QUICK, WORKLOADS, roundsFor


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="nodenet's performance suite: nodenet side by side with raw Twisted, "
        "asyncio (Protocols, uvloop, Streams) and Node, on loopback.",
    )
    parser.add_argument("--quick", action="store_true", help="one tiny repetition: a smoke test")
    parser.add_argument("--reps", type=int, help="repetitions (default 5, or 1 with --quick)")
    parser.add_argument(
        "--rounds",
        type=int,
        help="rounds per repetition of the short workloads, bulk and connections "
        "(default 4; 1 with --quick)",
    )
    parser.add_argument(
        "--stacks",
        help="comma-separated stacks (default: all available): " + ",".join(s.name for s in STACKS),
    )
    parser.add_argument(
        "--workloads", help="comma-separated workloads (default: all): " + ",".join(WORKLOADS)
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent / "results",
        help="directory for results.json and results.md (default: bench/results)",
    )
    parser.add_argument(
        "--nodenet-from",
        action="append",
        default=[],
        metavar="LABEL=DIR",
        help="also measure nodenet imported from DIR (a src directory), as stack nodenet@LABEL: "
        "before/after figures for a change, interleaved with the rest",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="run the Python processes under py-spy and write a flame graph of each to DIR "
        "(STACK-ROLE-WORKLOAD.svg); the figures are then slower",
    )
    parser.add_argument(
        "--retries",
        type=int,
        help="take a measurement again when other processes used more than --busy of the CPU "
        "meanwhile, at most this many times (default 2, 0 with --quick)",
    )
    parser.add_argument(
        "--busy",
        type=float,
        default=0.2,
        help="share of the machine's CPU time other processes may use during a measurement "
        "(default 0.2)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        help="seconds one measurement may take before it is killed (default 120, 30 with --quick)",
    )
    return parser


def _pick(names: str | None, known: list[str], what: str) -> list[str]:
    if not names:
        return list(known)
    chosen = [n.strip() for n in names.split(",") if n.strip()]
    unknown = [n for n in chosen if n not in known]
    if unknown:
        raise SystemExit(f"unknown {what}: {', '.join(unknown)} (known: {', '.join(known)})")
    return chosen


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    reps = args.reps or (1 if args.quick else 5)
    retries = args.retries if args.retries is not None else (0 if args.quick else 2)
    timeout = args.timeout or (30.0 if args.quick else 120.0)
    workloads = _pick(args.workloads, WORKLOADS, "workloads")
    names = _pick(args.stacks, [s.name for s in STACKS], "stacks")
    if "twisted" not in names:
        names.insert(0, "twisted")  # every ratio needs it
    chosen = [s for s in STACKS if s.name in names]
    for spec in args.nodenet_from:
        label, sep, path = spec.partition("=")
        if not sep or not label or not path:
            raise SystemExit(f"--nodenet-from wants LABEL=DIR, not {spec!r}")
        chosen.append(variant(label, path))
    stacks, skipped = [], {}
    for stack in chosen:
        reason = unavailable(stack)
        if reason is None:
            stacks.append(stack)
        else:
            skipped[stack.name] = reason
    for name, reason in skipped.items():
        print(f"skipping {name}: {reason}", file=sys.stderr)

    def progress(record: dict[str, Any]) -> None:
        shown = record.get("values") or {"error": record.get("error")}
        figures = ", ".join(
            f"{k}={v:,.2f}" if isinstance(v, float) else f"{k}={v}" for k, v in shown.items()
        )
        if record.get("foreign", 0) > 0.05:
            figures += f"  [others used {record['foreign']:.0%} of the CPU]"
        if record.get("retries"):
            figures += f"  [retried {record['retries']}x]"
        rounds = roundsFor(record["workload"], args.quick, args.rounds)
        where = f"rep {record['rep'] + 1}/{reps}"
        if rounds > 1:
            where += f", round {record['round'] + 1}/{rounds}"
        print(
            f"[{where}] {record['workload']:<15} {record['stack']:<16} "
            f"{figures}  ({record['seconds']:.1f} s)",
            file=sys.stderr,
            flush=True,
        )

    started = time.monotonic()
    if args.profile is not None:
        args.profile.mkdir(parents=True, exist_ok=True)
        retries = 0  # the profiler's own CPU time would count as another process's
    runs = runSuite(
        stacks,
        workloads,
        reps,
        args.quick,
        timeout,
        progress,
        retries,
        args.busy,
        args.profile,
        args.rounds,
    )
    summary = summarize(runs, [s.name for s in stacks])
    result: dict[str, Any] = {
        "command": "python -m bench " + shlex.join(argv) if argv else "python -m bench",
        "quick": args.quick,
        "reps": reps,
        "seconds": time.monotonic() - started,
        "machine": machineFacts(),
        "params": QUICK if args.quick else FULL,
        "stacks": [{"name": s.name, "title": s.title} for s in stacks],
        "busy": args.busy,
        "skipped": skipped,
        "workloads": workloads,
        "runs": runs,
        "summary": summary,
    }
    result["targets"] = checkTargets(summary)
    text = markdown(result)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(result, indent=1) + "\n")
    (args.out / "results.md").write_text(text + "\n")
    print(text)
    print(f"written: {args.out / 'results.json'}, {args.out / 'results.md'}", file=sys.stderr)
    return 1 if any("error" in run for run in runs) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
