"""
From measurements to figures: medians, ranges, ratios to raw Twisted, targets.

A ratio is a stack's value divided by raw Twisted's value *in the same
sample* (one round of one repetition, every stack measured in turn); the
tables give the median of those ratios and their range.
For memory (lower is better) the ratio is read the other way round: 2.0
means twice raw Twisted's memory.
"""

from __future__ import annotations

import statistics
from typing import Any

from ._workloads import METRICS, Metric

__all__ = ["TARGETS", "summarize", "checkTargets", "markdown"]

BASELINE = "twisted"
SUBJECT = "nodenet"

#: The issue's targets for nodenet: (workload, value key, ratio bound, absolute bound).
#: A bound is (">=", x) or ("<=", x); the absolute bound is in the metric's unit.
TARGETS: list[tuple[str, str, tuple[str, float], tuple[str, float] | None]] = [
    ("bulk", "mbps", (">=", 0.90), None),
    ("pingpong-1core", "rtps", (">=", 0.80), None),
    ("pipelined", "mps", (">=", 0.75), None),
    ("connections", "aps", (">=", 0.80), None),
    ("connections", "kibPerConn", ("<=", 2.5), ("<=", 4.8)),
]


def _metricId(metric: Metric) -> str:
    return f"{metric.workload}.{metric.key}"


def _sample(run: dict[str, Any]) -> tuple[int, int]:
    """Which sample a measurement belongs to: its repetition and its round in it."""
    return run["rep"], run.get("round", 0)


def summarize(runs: list[dict[str, Any]], stacks: list[str]) -> dict[str, Any]:
    """
    Per metric and stack: ``values``, ``median``, ``min``, ``max``, and the
    per-sample ``ratios`` with their ``ratioMedian``, ``ratioMin``, ``ratioMax``
    (a sample: one round of one repetition, every stack measured in turn).
    """
    byKey: dict[tuple[str, str, tuple[int, int]], dict[str, float]] = {}
    for run in runs:
        if "values" in run:
            byKey[(run["workload"], run["stack"], _sample(run))] = run["values"]
    samples = sorted({_sample(run) for run in runs})
    summary: dict[str, Any] = {}
    for metric in METRICS:
        perStack: dict[str, Any] = {}
        for stack in stacks:
            values: list[float] = []
            ratios: list[float] = []
            for sample in samples:
                mine = byKey.get((metric.workload, stack, sample), {}).get(metric.key)
                if mine is None:
                    continue
                values.append(mine)
                base = byKey.get((metric.workload, BASELINE, sample), {}).get(metric.key)
                if base:
                    ratios.append(mine / base)
            entry: dict[str, Any] = {"values": values, "ratios": ratios}
            if values:
                entry.update(median=statistics.median(values), min=min(values), max=max(values))
            if ratios:
                entry.update(
                    ratioMedian=statistics.median(ratios), ratioMin=min(ratios), ratioMax=max(ratios)
                )
            perStack[stack] = entry
        summary[_metricId(metric)] = perStack
    return summary


def _holds(value: float, bound: tuple[str, float]) -> bool:
    op, limit = bound
    return value >= limit if op == ">=" else value <= limit


def checkTargets(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target of the issue, with nodenet's figure and whether it holds."""
    checks: list[dict[str, Any]] = []
    for workload, key, ratioBound, absoluteBound in TARGETS:
        entry = summary.get(f"{workload}.{key}", {}).get(SUBJECT, {})
        ratio = entry.get("ratioMedian")
        absolute = entry.get("median")
        met = ratio is not None and _holds(ratio, ratioBound)
        if absoluteBound is not None:
            met = met and absolute is not None and _holds(absolute, absoluteBound)
        checks.append(
            {
                "workload": workload,
                "key": key,
                "ratio": ratio,
                "ratioBound": list(ratioBound),
                "absolute": absolute,
                "absoluteBound": list(absoluteBound) if absoluteBound else None,
                "met": met,
            }
        )
    for metric in METRICS:
        perStack = summary.get(_metricId(metric), {})
        mine = perStack.get(SUBJECT, {}).get("median")
        theirs = perStack.get("streams", {}).get("median")
        if mine is None or theirs is None:
            continue
        ahead = mine > theirs if metric.higherIsBetter else mine < theirs
        checks.append(
            {
                "workload": metric.workload,
                "key": metric.key,
                "versus": "streams",
                "absolute": mine,
                "other": theirs,
                "met": ahead,
            }
        )
    return checks


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    if unit == "KiB":
        return f"{value:.2f}"
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.1f}"


def _ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _bound(bound: list[Any] | None, unit: str = "") -> str:
    if not bound:
        return ""
    op = "≥" if bound[0] == ">=" else "≤"
    return f"{op} {bound[1]}{(' ' + unit) if unit else ''}"


def _roundsPerWorkload(result: dict[str, Any]) -> dict[str, int]:
    """How many rounds each repetition gave each workload."""
    rounds: dict[str, int] = {}
    for run in result["runs"]:
        rounds[run["workload"]] = max(rounds.get(run["workload"], 1), run.get("round", 0) + 1)
    return rounds


def _where(run: dict[str, Any], rounds: dict[str, int]) -> str:
    """Which measurement ``run`` was: repetition, round (if several), workload, stack."""
    place = f"repetition {run['rep'] + 1}"
    if rounds.get(run["workload"], 1) > 1:
        place += f" round {run.get('round', 0) + 1}"
    return f"{place}, {run['workload']}, {run['stack']}"


def markdown(result: dict[str, Any]) -> str:
    """The whole report as Markdown: machine, command, one table per figure, targets."""
    facts = result["machine"]
    stacks: list[dict[str, Any]] = result["stacks"]
    rounds = _roundsPerWorkload(result)
    several = ", ".join(f"{w} {n}" for w, n in rounds.items() if n > 1)
    summary = result["summary"]
    lines = [
        "## Machine",
        "",
        f"- cores: {facts['cores']} ({facts['cpu']}), memory {facts['memoryGiB']} GiB, {facts['system']}",
        f"- Python {facts['python']} ({facts['implementation']}), Twisted {facts['twisted']}, "
        f"uvloop {facts['uvloop']}, Node {facts['node']}",
        f"- nodenet {facts['nodenet']} from `{facts['nodenetPath']}` (commit {facts['commit']}"
        f"{', with uncommitted changes in src/' if facts.get('srcChanged') else ''})",
        f"- {facts['date']}; {result['reps']} repetition(s)"
        f"{f' (rounds per repetition: {several})' if several else ''}"
        f"{', quick' if result['quick'] else ''}; "
        f"{result['seconds']:.0f} s in all; load average {facts.get('loadAverage', 0):.2f} at the end",
        "",
        f"Command: `{result['command']}`",
        "",
    ]
    if result.get("skipped"):
        for name, reason in result["skipped"].items():
            lines.append(f"- skipped `{name}`: {reason}")
        lines.append("")
    lines += [
        "Each cell: median over the samples (one per round of each repetition), then",
        "min–max; \"× Twisted\" is the median of the per-sample ratios to raw Twisted",
        "(min–max).",
        "",
    ]
    for metric in METRICS:
        perStack = summary[_metricId(metric)]
        lines += [
            f"### {metric.title} ({metric.unit}, {'higher' if metric.higherIsBetter else 'lower'} is better)",
            "",
            f"| stack | {metric.unit} | min–max | × Twisted | min–max |",
            "|---|---:|---:|---:|---:|",
        ]
        for stack in stacks:
            entry = perStack.get(stack["name"], {})
            if not entry.get("values"):
                lines.append(f"| {stack['name']} | – | | | |")
                continue
            lines.append(
                f"| {stack['name']} | {_fmt(entry['median'], metric.unit)} "
                f"| {_fmt(entry['min'], metric.unit)}–{_fmt(entry['max'], metric.unit)} "
                f"| {_ratio(entry.get('ratioMedian'))} "
                f"| {_ratio(entry.get('ratioMin'))}–{_ratio(entry.get('ratioMax'))} |"
            )
        lines.append("")
    lines += ["### Targets (nodenet)", "", "| figure | target | nodenet | met |", "|---|---|---:|:---:|"]
    units = {_metricId(m): m.unit for m in METRICS}
    for check in result["targets"]:
        name = f"{check['workload']} {check['key']}"
        unit = units.get(f"{check['workload']}.{check['key']}", "")
        if "versus" in check:
            target = f"ahead of asyncio Streams ({_fmt(check['other'], unit)} {unit})"
            shown = f"{_fmt(check['absolute'], unit)} {unit}"
        else:
            target = f"{_bound(check['ratioBound'])} × Twisted"
            shown = f"{_ratio(check['ratio'])} ×"
            if check["absoluteBound"]:
                target += f", {_bound(check['absoluteBound'], unit)}"
                shown += f", {_fmt(check['absolute'], unit)} {unit}"
        lines.append(f"| {name} | {target} | {shown} | {'yes' if check['met'] else '**no**'} |")
    lines.append("")
    busy = result.get("busy", 1.0)
    disturbed = [run for run in result["runs"] if run.get("foreign", 0) > busy]
    if disturbed:
        lines += ["### Measurements disturbed by other processes (after retries)", ""]
        for run in disturbed:
            lines.append(
                f"- {_where(run, rounds)}: others used {run['foreign']:.0%} of the CPU"
            )
        lines.append("")
    errors = [run for run in result["runs"] if "error" in run]
    if errors:
        lines += ["### Failed measurements", ""]
        for run in errors:
            lines.append(
                f"- {_where(run, rounds)}: {run['error']}"
            )
        lines.append("")
    return "\n".join(lines)
