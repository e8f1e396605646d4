"""Today's time at the desk: active seconds and sitting stretches, for ``status`` and the report.

The figures live in ``DeskTime`` (saved with the timers); active time reaches the statistics
every few minutes, not at every look.
"""

from __future__ import annotations

import time
from datetime import date, datetime

from ergo_daemon.persist import DeskTime
from ergo_daemon.ports import Reading, Recorder

RECORD_EVERY = 300.0  # seconds between hand-overs of active time to the statistics


class Desk:
    """Counts each look's seconds into today's figures and hands them to ``recorder``."""

    def __init__(self, recorder: Recorder | None) -> None:
        self.today = DeskTime(date.min)
        self._recorder = recorder
        self._unrecorded = 0.0
        self._unrecorded_held = 0.0  # active seconds spent held (a call, a film), for the report
        self._recorded_at = 0.0

    def count(
        self,
        now: datetime,
        reading: Reading,
        seconds: float,
        *,
        away: bool,
        paused: bool,
        held: bool,
    ) -> None:
        """Add ``seconds`` awake at the desk, or end the sitting stretch when ``away``.

        Held (a call, a film), silence is sitting at the desk: it counts, and for the report.
        """
        if now.date() != self.today.day:
            self.hand_over(force=True)
            self.today = DeskTime(now.date())
        if paused:  # frozen with the timers: the figures a pause saved stay what status says
            self.hand_over()
            return
        if away and not held:
            self.stand_up()
        elif reading.idle is None and reading.idle_pending:
            pass  # present or not is unknown for now: neither count nor end the stretch
        else:
            self.today.add(seconds)
            self._unrecorded += seconds
            self._unrecorded_held += seconds * held
        self.hand_over()

    def stand_up(self) -> None:
        """A real rest was taken: the current sitting stretch ends."""
        self.today.sitting = 0.0

    def hand_over(self, *, force: bool = False) -> None:
        """Give the statistics the active time not yet recorded, every few minutes or now."""
        if not force and time.monotonic() - self._recorded_at < RECORD_EVERY:
            return
        self._recorded_at = time.monotonic()
        if self.today.day == date.min:  # before the first look: no day to record yet
            return
        if self._recorder is not None and (self._unrecorded or force):
            held = min(self._unrecorded_held, self._unrecorded)
            self._recorder.active(self.today.day, self._unrecorded, self.today.longest, held)
        self._unrecorded = self._unrecorded_held = 0.0
