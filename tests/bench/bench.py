#!/usr/bin/env python3
"""What the real daemon costs, in a headless desktop session, beside a bare python.

    python3 tests/bench/bench.py [--minutes N] [--json PATH]

Starts Xvfb, a private session bus and dunst (tests/support/desktop.py), then ``python3 -m
ergo_daemon run`` (built-in defaults, working hours around the clock) beside ``python3 -c "import
time; time.sleep(1e9)"``, and samples both from /proc while the person is idle and then active (an X
input event every second). It also times start-up from exec to the "ready" line, and prompts
from due to reaching dunst at --speed 300. Prints a table against the budgets; --json writes it.
Not a test module (pytest collects test_*.py only); a default run takes about 13 minutes.

CPU comes from /proc/PID/stat (utime + stime, 10 ms ticks: too coarse for these budgets over a
few minutes) and, to the nanosecond, from /proc/PID/task/*/schedstat. "Wake-ups" are context
switches over all threads: an idle tick costs two (the timer, then waiting on the X server).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent
sys.path.insert(0, str(TESTS))

from support.desktop import (  # noqa: E402
    Desktop,
    DesktopUnavailable,
    desktop_session,
    stop_gracefully,
)
from support.quiet_session import pulseaudio  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")
SAMPLE_EVERY = 15.0  # seconds between /proc samples; four make a minute
WARM_UP = 10.0  # seconds after "ready" before the first sample
READY_TIMEOUT = 20.0
BASELINE = [sys.executable, "-c", "import time; time.sleep(1e9)"]
BASELINE_START = [
    sys.executable,
    "-c",
    "import sys, time; sys.stderr.write(f'{time.time():.6f} ready\\n')",
]
ALL_HOURS = '[work_hours]\ndays = "mon-sun"\nhours = ["00:00-24:00"]\n'
# At --speed 300: an eye prompt after each second of activity, and nothing else. A break needs
# almost a second without input (xdotool types every 0.1 s), away needs 2 s.
PROMPT_EVERY = 1.0
PROMPTS = ALL_HOURS + (
    '[timing]\naway_after = "10m"\nsample_every = "2m30s"\n'
    '[eyes]\nevery = "5m"\nduration = "4m50s"\n'
    "[stretch]\nenabled = false\n[break]\nenabled = false\n"
    "[hydration]\nenabled = false\n[posture]\nenabled = false\n"
)


@dataclass(frozen=True)
class Sample:
    """One look at a process in /proc."""

    at: float  # monotonic seconds
    pss_kb: int
    rss_kb: int
    cpu_ticks: int  # utime + stime, /proc/PID/stat
    cpu_ns: int | None  # summed over threads, /proc/PID/task/*/schedstat (if the kernel has it)
    switches: int  # voluntary + involuntary, summed over threads


@dataclass(frozen=True)
class Row:
    metric: str
    daemon: float | None
    baseline: float | None
    budget: str
    holds: bool | None
    unit: str


def sample(pid: int) -> Sample:
    proc = Path(f"/proc/{pid}")
    rollup = _fields(proc.joinpath("smaps_rollup").read_text())
    stat = proc.joinpath("stat").read_text()
    after_name = stat[stat.rindex(")") + 2 :].split()  # fields 3 onwards; comm may hold spaces
    switches, ns = 0, 0
    schedstat: bool = True
    for task in proc.joinpath("task").iterdir():
        try:
            status = _fields(task.joinpath("status").read_text())
        except FileNotFoundError:  # a thread that just ended
            continue
        switches += status["voluntary_ctxt_switches"] + status["nonvoluntary_ctxt_switches"]
        try:
            ns += int(task.joinpath("schedstat").read_text().split()[0])
        except FileNotFoundError:  # a kernel without CONFIG_SCHED_INFO
            schedstat = False
    return Sample(
        at=time.monotonic(),
        pss_kb=rollup["Pss"],
        rss_kb=rollup["Rss"],
        cpu_ticks=int(after_name[11]) + int(after_name[12]),
        cpu_ns=ns if schedstat else None,
        switches=switches,
    )


def pss_by_mapping(pid: int, top: int = 12) -> dict[str, float]:
    """Where the PSS is, in MB: each mapped file, and anonymous memory (heap and arenas)."""
    totals: Counter[str] = Counter()
    name = "?"
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        parts = line.split()
        if parts and "-" in parts[0] and not parts[0].endswith(":"):
            name = parts[5] if len(parts) > 5 else "[anonymous]"
            if name.startswith("/"):
                name = name.replace(sys.prefix, "<prefix>").replace(str(ROOT), "<repo>")
        elif parts and parts[0] == "Pss:":
            totals[name] += int(parts[1])
    return {k: round(v / 1024, 2) for k, v in totals.most_common(top)}


def _fields(text: str) -> dict[str, int]:
    """``Name:  123 kB`` lines as ``{"Name": 123}`` (lines without a number are skipped)."""
    found: dict[str, int] = {}
    for line in text.splitlines():
        name, _, value = line.partition(":")
        number = value.split()[:1]
        if number and number[0].isdigit():
            found[name.strip()] = int(number[0])
    return found


class Running:
    """A started process with its stderr in a file; ``started`` is just before exec."""

    def __init__(self, argv: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        with log.open("wb") as sink:
            self.started = time.monotonic()
            self.process = subprocess.Popen(
                argv, env=env, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=sink, stderr=sink
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, needle: str, timeout: float = READY_TIMEOUT, after: int = 0) -> str:
        """The first log line (from character ``after`` on) that contains ``needle``."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.text()
            at = text.find(needle, after)
            if at >= 0 and text.find("\n", at) >= 0:
                start = text.rfind("\n", 0, at) + 1
                return text[start : text.index("\n", at)]
            if self.process.poll() is not None:
                raise RuntimeError(f"exited ({self.process.returncode}) before {needle!r}:\n{text}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"no {needle!r} after {timeout} s:\n{text}")
            time.sleep(0.005)

    def stop(self) -> None:
        stop_gracefully(self.process)


def logged_at(line: str) -> float:
    """When the daemon logged ``line`` (its asctime, to the millisecond), on the monotonic clock."""
    wall = datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f").timestamp()
    return wall - (time.time() - time.monotonic())


class Bench:
    """One benchmark run inside one desktop session."""

    def __init__(self, desk: Desktop, work: Path, args: argparse.Namespace) -> None:
        self.desk = desk
        self.work = work
        self.args = args
        self.env = dict(desk.env)
        # Time start-up as an installed package would: compiled bytecode cached (the first
        # start writes it, outside the repository), whatever this shell says.
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)
        self.env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
        self.config = work / "config.toml"
        self.config.write_text(ALL_HOURS)
        self.prompts = work / "prompts.toml"
        self.prompts.write_text(PROMPTS)
        self.count = 0
        self.cold = 0.0

    def _log(self, name: str) -> Path:
        self.count += 1
        return self.work / f"{self.count:02d}-{name}.log"

    def daemon(self, *extra: str, config: Path | None = None, state: Path | None = None) -> Running:
        """Start ``ergo-daemon run``; ``state``: its own state folder, so no timers carry over."""
        argv = [sys.executable, "-m", "ergo_daemon", "run", "--config", str(config or self.config)]
        env = self.env if state is None else {**self.env, "XDG_STATE_HOME": str(state)}
        return Running([*argv, *extra], env, self._log("daemon"))

    # -- start-up ------------------------------------------------------------------------------

    def ready_times(self) -> tuple[list[float], list[float], list[float]]:
        """Exec to "ready" for the daemon and exec to a line for bare python; CPU to ready.

        The first start compiles the bytecode and is not counted; it is kept as ``cold``.
        """
        daemon, bare, cpu = [], [], []
        for run in range(self.args.starts + 1):
            started = self.daemon()
            line = started.wait_for(" ready (")
            used = sample(started.pid).cpu_ticks / CLK_TCK
            started.stop()
            python = Running(BASELINE_START, self.env, self._log("python"))
            python.process.wait(timeout=10)
            written = float(python.text().split()[0]) - (time.time() - time.monotonic())
            if run:
                daemon.append(logged_at(line) - started.started)
                bare.append(written - python.started)
                cpu.append(used)
            else:
                self.cold = logged_at(line) - started.started
        return daemon, bare, cpu

    def import_profile(self) -> dict[str, object]:
        """One start under ``-X importtime``: what the imports before "ready" cost."""
        started = Running(
            [
                sys.executable,
                "-X",
                "importtime",
                "-m",
                "ergo_daemon",
                "run",
                "--config",
                str(self.config),
            ],
            self.env,
            self._log("importtime"),
        )
        line = started.wait_for(" ready (")
        ready = logged_at(line) - started.started
        started.stop()
        rows = []
        for entry in started.text().splitlines():
            match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", entry)
            if match:
                rows.append((int(match[1]), int(match[2]), len(match[3]) // 2, match[4]))
        by_root: Counter[str] = Counter()
        for own, _, _, name in rows:
            by_root[name.split(".")[0]] += own
        total = sum(own for own, *_ in rows)
        return {
            "ready_s_with_importtime": round(ready, 3),
            "imports_total_s": round(total / 1e6, 3),
            "by_package_s": {k: round(v / 1e6, 3) for k, v in by_root.most_common(12)},
            "largest_cumulative_s": {
                name: round(cumulative / 1e6, 3)
                for _, cumulative, _, name in sorted(rows, key=lambda r: -r[1])[:15]
            },
        }

    # -- idle and active -----------------------------------------------------------------------

    def windows(self) -> tuple[dict[str, dict[str, list[Sample]]], dict[str, float]]:
        """Sample the daemon and the baseline through an idle window, then an active one."""
        baseline = Running(BASELINE, self.env, self._log("baseline"))
        daemon = self.daemon()
        try:
            daemon.wait_for(" ready (")
            time.sleep(WARM_UP)
            idle = self._watch({"daemon": daemon.pid, "baseline": baseline.pid})
            with self.desk.keep_active(interval=1.0):
                active = self._watch({"daemon": daemon.pid, "baseline": baseline.pid})
            where = pss_by_mapping(daemon.pid)
        finally:
            daemon.stop()
            baseline.stop()
        return {"idle": idle, "active": active}, where

    def _watch(self, pids: dict[str, int]) -> dict[str, list[Sample]]:
        seconds = self.args.minutes * 60
        first = time.monotonic()
        samples: dict[str, list[Sample]] = {name: [] for name in pids}
        for step in range(round(seconds / SAMPLE_EVERY) + 1):
            time.sleep(max(0.0, first + step * SAMPLE_EVERY - time.monotonic()))
            for name, pid in pids.items():
                samples[name].append(sample(pid))
        return samples

    # -- due to delivered ----------------------------------------------------------------------

    def delays(self) -> tuple[list[float], list[float]]:
        """Due to dunst, and due to the daemon's "shown" line, for the first prompt of each start.

        With only eyes on, every 1 s of activity at --speed 300, the first prompt is due exactly
        1 s after the first tick, which comes just after the "ready" line: so "ready" + 1 s is
        at most the due time, and each delay here is at least the true one. Both ends are in
        milliseconds (the log's asctime; dunst's DUNST_TIMESTAMP, CLOCK_MONOTONIC).
        """
        to_dunst, to_log = [], []
        with self.desk.keep_active(interval=0.1):
            for trial in range(self.args.prompts):
                seen = len(self._records())
                fresh = self.work / f"prompt-state-{trial}"
                started = self.daemon("--speed", "300", config=self.prompts, state=fresh)
                due = logged_at(started.wait_for(" ready (")) + PROMPT_EVERY
                shown = started.wait_for(" shown eyes")
                deadline = time.monotonic() + 5
                while len(self._records()) == seen and time.monotonic() < deadline:
                    time.sleep(0.02)
                started.stop()
                records = self._records()[seen:]
                if not records:
                    raise RuntimeError(f"no prompt reached dunst:\n{started.text()}")
                to_dunst.append(int(str(records[0]["timestamp"])) / 1000 - due)  # ms, monotonic
                to_log.append(logged_at(shown) - due)
        return to_dunst, to_log

    def _records(self) -> list[dict[str, object]]:
        try:
            lines = self.desk.notification_log.read_text().splitlines()
        except FileNotFoundError:
            return []
        records = [json.loads(line) for line in lines if line.strip()]
        return [r for r in records if r.get("app_name") == "ergo-daemon"]


def per_minute(samples: list[Sample], value: str) -> list[float]:
    """The growth of ``value`` per minute, over each whole minute (or the whole window)."""
    step = min(round(60 / SAMPLE_EVERY), len(samples) - 1)
    growth = []
    for i in range(0, len(samples) - step, step):
        first, last = getattr(samples[i], value), getattr(samples[i + step], value)
        if first is None or last is None:
            return []
        growth.append((last - first) * 60 / (samples[i + step].at - samples[i].at))
    return growth


def cpu_per_hour(samples: list[Sample]) -> float:
    """utime + stime over the whole window, extrapolated to an hour."""
    seconds = (samples[-1].cpu_ticks - samples[0].cpu_ticks) / CLK_TCK
    return seconds * 3600 / (samples[-1].at - samples[0].at)


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def table(
    windows: dict[str, dict[str, list[Sample]]],
    ready: tuple[list[float], list[float], list[float]],
    cold: float,
    delays: tuple[list[float], list[float]],
    minutes: float,
) -> list[Row]:
    def both(
        fn: Callable[[list[Sample]], float | None], window: str
    ) -> tuple[float | None, float | None]:
        return fn(windows[window]["daemon"]), fn(windows[window]["baseline"])

    def row(
        metric: str,
        values: tuple[float | None, float | None],
        limit: float | None,
        unit: str,
        judge: bool = True,
    ) -> Row:
        daemon = values[0]
        holds = None if limit is None or daemon is None or not judge else daemon <= limit
        return Row(
            metric, daemon, values[1], "-" if limit is None else f"<= {limit:g}", holds, unit
        )

    run = f"{2 * minutes:g} min"
    rows = [
        row(
            f"PSS at the end ({run} run; budget: after 1 h)",
            both(lambda s: s[-1].pss_kb / 1024, "active"),
            32,
            "MB",
        ),
        row("RSS at the end", both(lambda s: s[-1].rss_kb / 1024, "active"), None, "MB"),
    ]
    tick = 3600 / CLK_TCK / (minutes * 60)  # what one clock tick in the window is per hour
    for window, limit in (("idle", 0.5), ("active", 1.0)):
        coarse = tick > limit / 2
        rows += [
            row(
                f"CPU, {window} person (/proc/PID/stat over {minutes:g} min, per hour; "
                f"1 tick = {tick:.2g} s/h{', too coarse to judge' if coarse else ''})",
                both(cpu_per_hour, window),
                limit,
                "s/h",
                judge=not coarse,
            ),
            row(
                f"CPU, {window} person (schedstat, median minute, per hour)",
                both(
                    lambda s: _scaled(_median([v / 1e9 for v in per_minute(s, "cpu_ns")])), window
                ),
                limit,
                "s/h",
            ),
            row(
                f"wake-ups, {window} person (context switches, median minute)",
                both(lambda s: _median(per_minute(s, "switches")), window),
                10,
                "/min",
            ),
        ]
    daemon_ready, bare_ready, cpu_ready = ready
    rows += [
        row(
            f"ready after exec (median of {len(daemon_ready)})",
            (_median(daemon_ready), _median(bare_ready)),
            0.3,
            "s",
        ),
        row("ready after exec, first start (compiling bytecode)", (cold, None), None, "s"),
        row("CPU used until ready (median)", (_median(cpu_ready), None), None, "s"),
        row(
            f"prompt due -> reached dunst at --speed 300 (median of {len(delays[0])})",
            (_median(delays[0]), None),
            1.0,
            "s",
        ),
        row("prompt due -> reached dunst, worst", (max(delays[0], default=None), None), 1.0, "s"),
        row("prompt due -> daemon's 'shown' line (median)", (_median(delays[1]), None), None, "s"),
    ]
    return rows


def _scaled(per_minute_value: float | None) -> float | None:
    return None if per_minute_value is None else per_minute_value * 60


def render(rows: list[Row]) -> str:
    def fmt(value: float | None) -> str:
        return "-" if value is None else f"{value:.3g}"

    header = ("metric", "ergo-daemon", "baseline python", "budget", "holds?")
    lines = [
        (
            r.metric,
            f"{fmt(r.daemon)} {r.unit}",
            f"{fmt(r.baseline)} {r.unit}" if r.baseline is not None else "-",
            f"{r.budget} {r.unit}" if r.budget != "-" else "-",
            {True: "yes", False: "NO", None: "-"}[r.holds],
        )
        for r in rows
    ]
    widths = [max(len(str(c)) for c in column) for column in zip(header, *lines, strict=True)]
    out = [" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    out.append("-|-".join("-" * w for w in widths))
    out += [" | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in lines]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--minutes",
        type=float,
        default=5.0,
        # Five, so that the minutes holding one-off events (a missing desktop service retried
        # after 1 and 3 min, the move to "away" after 2) cannot make the median.
        help="length of the idle window and of the active window (default 5)",
    )
    parser.add_argument("--starts", type=int, default=7, help="start-ups to time (default 7)")
    parser.add_argument("--prompts", type=int, default=8, help="prompts to time (default 8)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the results here")
    args = parser.parse_args(argv)
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="ergo-bench-") as tmp:
        try:
            with desktop_session(Path(tmp)) as desk, ExitStack() as sound:
                if shutil.which("pulseaudio"):  # so the microphone signal really asks a server
                    desk.env["PULSE_SERVER"] = sound.enter_context(pulseaudio(desk))
                bench = Bench(desk, Path(tmp), args)
                print("timing start-up ...", flush=True)
                ready = bench.ready_times()
                print(
                    f"sampling {args.minutes:g} min idle, then {args.minutes:g} min active ...",
                    flush=True,
                )
                windows, where = bench.windows()
                print("timing prompts at --speed 300 ...", flush=True)
                delays = bench.delays()
                rows = table(windows, ready, bench.cold, delays, args.minutes)
                slow = any(r.metric.startswith("ready") and r.holds is False for r in rows)
                profile = bench.import_profile() if slow else None
        except DesktopUnavailable as exc:
            print(f"bench: {exc}", file=sys.stderr)
            return 2
    print(render(rows))
    print(
        f"({time.monotonic() - began:.0f} s; CPU per hour is extrapolated from the window;"
        " stat ticks are 1/%d s, schedstat is in ns)" % CLK_TCK
    )
    if profile is not None:
        print("start-up over budget; imports under -X importtime:")
        print(json.dumps(profile, indent=2))
    if any(r.metric.startswith("PSS") and r.holds is False for r in rows):
        print("PSS over budget; the daemon's PSS by mapping at the end, MB:")
        print(json.dumps(where, indent=2))
    if args.json:
        result = {
            "rows": [asdict(r) for r in rows],
            "ready_s": {"daemon": ready[0], "baseline": ready[1], "cpu_to_ready": ready[2]},
            "delay_s": {"to_dunst": delays[0], "to_shown_line": delays[1]},
            "samples": {
                w: {p: [asdict(s) for s in ss] for p, ss in by.items()} for w, by in windows.items()
            },
            "import_profile": profile,
            "pss_by_mapping_mb": where,
            "ready_cold_s": bench.cold,
            "minutes": args.minutes,
            "python": sys.version,
        }
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
