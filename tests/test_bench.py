"""
The performance suite keeps working: its quick mode runs every stack and
workload, and its figures are computed as documented.

The quick run measures nothing meaningful (tiny sizes, one repetition), so
no figure is compared to a threshold; what is checked is that every
measurement produced its values and that the report is complete.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from twisted.trial.unittest import SynchronousTestCase

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import _harness, _report  # noqa: E402
from bench._harness import STACKS, unavailable  # noqa: E402
from bench._workloads import METRICS, WORKLOADS, roundsFor  # noqa: E402


def _run(rep: int, workload: str, stack: str, round: int = 0, **values: float) -> dict[str, Any]:
    return {"rep": rep, "round": round, "workload": workload, "stack": stack, "values": values}


class ReportTests(SynchronousTestCase):
    """Medians, ranges and ratios are computed per repetition, as the tables say."""

    def test_ratiosAreTakenWithinARepetition(self) -> None:
        """Each ratio divides by raw Twisted's value of the same repetition."""
        runs = [
            _run(0, "bulk", "twisted", mbps=1000.0),
            _run(0, "bulk", "nodenet", mbps=900.0),
            _run(1, "bulk", "twisted", mbps=500.0),
            _run(1, "bulk", "nodenet", mbps=500.0),
            _run(2, "bulk", "twisted", mbps=800.0),
            _run(2, "bulk", "nodenet", mbps=760.0),
        ]
        entry = _report.summarize(runs, ["twisted", "nodenet"])["bulk.mbps"]["nodenet"]
        self.assertEqual(
            {
                "values": [900.0, 500.0, 760.0],
                "ratios": [0.9, 1.0, 0.95],
                "median": 760.0,
                "min": 500.0,
                "max": 900.0,
                "ratioMedian": 0.95,
                "ratioMin": 0.9,
                "ratioMax": 1.0,
            },
            entry,
        )

    def test_ratiosAreTakenWithinARound(self) -> None:
        """
        The rounds of one repetition are samples of their own: each ratio
        divides by raw Twisted's value of the same round of the same repetition.
        """
        runs = [
            _run(0, "connections", "twisted", 0, aps=100.0),
            _run(0, "connections", "nodenet", 0, aps=90.0),
            _run(0, "connections", "twisted", 1, aps=50.0),
            _run(0, "connections", "nodenet", 1, aps=40.0),
            _run(1, "connections", "twisted", 0, aps=80.0),
            _run(1, "connections", "nodenet", 0, aps=80.0),
        ]
        entry = _report.summarize(runs, ["twisted", "nodenet"])["connections.aps"]["nodenet"]
        self.assertEqual(
            ([90.0, 40.0, 80.0], [0.9, 0.8, 1.0], 0.9),
            (entry["values"], entry["ratios"], entry["ratioMedian"]),
        )

    def test_failuresNameTheirRound(self) -> None:
        """The report says how many rounds each repetition had, and which round failed."""
        runs = [
            _run(0, "bulk", "twisted", 0, mbps=1000.0),
            {"rep": 0, "round": 1, "workload": "bulk", "stack": "twisted", "error": "timed out"},
            _run(0, "pipelined", "twisted", 0, mps=100.0),
        ]
        result = {
            "machine": dict.fromkeys(
                ("cores", "cpu", "memoryGiB", "system", "python", "implementation", "twisted")
                + ("uvloop", "node", "nodenet", "nodenetPath", "commit", "date"),
                "x",
            ),
            "stacks": [{"name": "twisted"}],
            "summary": _report.summarize(runs, ["twisted"]),
            "reps": 1,
            "quick": False,
            "seconds": 1.0,
            "command": "python -m bench",
            "targets": [],
            "runs": runs,
        }
        text = _report.markdown(result)
        self.assertEqual(
            (True, True),
            (
                "1 repetition(s) (rounds per repetition: bulk 2);" in text,
                "- repetition 1 round 2, bulk, twisted: timed out" in text,
            ),
        )

    def test_missingMeasurementsAreLeftOut(self) -> None:
        """A failed measurement has no value and no ratio; the others still count."""
        runs = [
            _run(0, "pipelined", "twisted", mps=200.0),
            {"rep": 0, "workload": "pipelined", "stack": "nodenet", "error": "timed out"},
            _run(1, "pipelined", "twisted", mps=100.0),
            _run(1, "pipelined", "nodenet", mps=80.0),
        ]
        summary = _report.summarize(runs, ["twisted", "nodenet", "node"])
        nodenet = {
            "values": [80.0],
            "ratios": [0.8],
            "median": 80.0,
            "min": 80.0,
            "max": 80.0,
            "ratioMedian": 0.8,
            "ratioMin": 0.8,
            "ratioMax": 0.8,
        }
        self.assertEqual(
            (nodenet, {"values": [], "ratios": []}),
            (summary["pipelined.mps"]["nodenet"], summary["pipelined.mps"]["node"]),
        )

    def test_targets(self) -> None:
        """Each target of the issue is checked against the median ratio (and absolute bound)."""
        runs = [
            _run(0, "bulk", "twisted", mbps=1000.0),
            _run(0, "bulk", "nodenet", mbps=950.0),
            _run(0, "bulk", "streams", mbps=400.0),
            _run(0, "connections", "twisted", aps=100.0, kibPerConn=2.0),
            _run(0, "connections", "nodenet", aps=70.0, kibPerConn=4.9),
            _run(0, "connections", "streams", aps=50.0, kibPerConn=6.0),
        ]
        checks = _report.checkTargets(_report.summarize(runs, ["twisted", "nodenet", "streams"]))
        self.assertEqual(
            [
                ("bulk", "mbps", None, True),
                ("pingpong-1core", "rtps", None, False),
                ("pipelined", "mps", None, False),
                ("connections", "aps", None, False),
                ("connections", "kibPerConn", None, False),
                ("bulk", "mbps", "streams", True),
                ("connections", "aps", "streams", True),
                ("connections", "kibPerConn", "streams", True),
            ],
            [(c["workload"], c["key"], c.get("versus"), c["met"]) for c in checks],
        )


class RoundsTests(SynchronousTestCase):
    """The short workloads are measured several times a repetition, stacks interleaved."""

    def test_roundsFor(self) -> None:
        """bulk and connections get 4 rounds (or what is asked); the rest, and --quick, one."""
        self.assertEqual(
            [4, 4, 1, 1, 7, 1, 1],
            [
                roundsFor("bulk", False),
                roundsFor("connections", False),
                roundsFor("pingpong", False),
                roundsFor("pipelined", False),
                roundsFor("bulk", False, 7),
                roundsFor("pipelined", False, 7),
                roundsFor("connections", True),
            ],
        )

    def test_interleaved(self) -> None:
        """Each round measures every stack in turn (A B A B), before the next workload."""
        measured: list[tuple[str, str]] = []

        def runOne(stack: Any, workload: str, *args: Any) -> tuple[dict[str, float], float]:
            measured.append((workload, stack.name))
            return {"x": 1.0}, 0.0

        self.patch(_harness, "runOne", runOne)
        stacks = [s for s in STACKS if s.name in ("twisted", "nodenet")]
        runs = _harness.runSuite(stacks, ["bulk", "pipelined"], 1, False, 1.0, rounds=2)
        self.assertEqual(
            (
                [
                    ("bulk", "twisted"),
                    ("bulk", "nodenet"),
                    ("bulk", "twisted"),
                    ("bulk", "nodenet"),
                    ("pipelined", "twisted"),
                    ("pipelined", "nodenet"),
                ],
                [(0, 0), (0, 0), (0, 1), (0, 1), (0, 0), (0, 0)],
            ),
            (measured, [(r["rep"], r["round"]) for r in runs]),
        )


class QuickRunTests(SynchronousTestCase):
    """``python -m bench --quick`` runs every available stack and workload."""

    def test_quickRun(self) -> None:
        """Every (workload, stack) pair reports its values; the report has every table."""
        out = Path(tempfile.mkdtemp(prefix="nodenet-bench-"))
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(ROOT / "src"), str(ROOT), env.get("PYTHONPATH", "")) if p
        )
        try:
            done = subprocess.run(
                [sys.executable, "-m", "bench", "--quick", "--out", str(out)],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )
        except subprocess.TimeoutExpired:
            self.fail("the quick run took more than 300 s")
        if done.returncode != 0 and not (out / "results.json").exists():
            self.fail(f"python -m bench --quick failed:\n{done.stderr[-3000:]}")
        result = json.loads((out / "results.json").read_text())
        available = [s.name for s in STACKS if unavailable(s) is None]
        expected = {(w, s, "ok") for w in WORKLOADS for s in available}
        seen = {
            (r["workload"], r["stack"], "ok" if r.get("values") else r.get("error"))
            for r in result["runs"]
        }
        self.assertEqual(expected, seen)
        for run in result["runs"]:
            keys = {m.key for m in METRICS if m.workload == run["workload"]}
            self.assertEqual(keys, set(run["values"]))
            self.assertTrue(all(v > 0 for v in run["values"].values()), run)
        self.assertEqual(0, done.returncode, done.stderr[-3000:])
        text = (out / "results.md").read_text()
        for metric in METRICS:
            self.assertIn(f"### {metric.title}", text)
        for name in available:
            self.assertIn(f"| {name} |", text)
        self.assertIn("### Targets (nodenet)", text)
        self.assertEqual(set(available), {s["name"] for s in result["stacks"]})
