"""Elapsed and suspended time from the clocks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ergo_daemon.clock import Instant, gap, read_clocks

T0 = datetime(2026, 11, 23, 9, tzinfo=UTC)


def test_boottime_gives_the_exact_time_asleep() -> None:
    before = Instant(T0, 100.0, 100.0)
    after = Instant(T0 + timedelta(hours=8, seconds=15), 115.0, 115.0 + 8 * 3600)
    assert gap(before, after) == (15.0 + 8 * 3600, 8 * 3600)


def test_without_boottime_the_wall_clock_running_ahead_is_a_sleep() -> None:
    before = Instant(T0, 100.0, None)
    after = Instant(T0 + timedelta(hours=2, seconds=15), 115.0, None)
    assert gap(before, after) == (15.0 + 7200, 7200)


def test_a_manual_clock_change_is_not_a_sleep_with_boottime() -> None:
    before = Instant(T0, 100.0, 100.0)
    after = Instant(T0 + timedelta(hours=1, seconds=15), 115.0, 115.0)
    assert gap(before, after) == (15.0, 0.0)


def test_a_clock_set_backwards_never_gives_negative_time() -> None:
    before = Instant(T0, 100.0, None)
    after = Instant(T0 - timedelta(hours=1), 115.0, None)
    assert gap(before, after) == (15.0, 0.0)


def test_clock_noise_is_not_a_sleep() -> None:
    assert gap(Instant(T0, 1.0, 1.0), Instant(T0, 16.0, 16.0004)) == (15.0, 0.0)


def test_reading_the_real_clocks() -> None:
    first, second = read_clocks(), read_clocks()
    elapsed, asleep = gap(first, second)
    assert 0 <= elapsed < 1 and asleep == 0
    assert first.wall.tzinfo is not None
