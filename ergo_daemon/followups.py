"""Around a break prompt: a heads-up shortly before it, and one more ask if it was ignored.

Both are decided from the policy's timers, given ``now``; the daemon shows what they return.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ergo_daemon.durations import humanize
from ergo_daemon.kinds import BREAK
from ergo_daemon.ports import Notice

if TYPE_CHECKING:
    from ergo_daemon.policy import Policy
    from ergo_daemon.settings.models import Settings

HEADS_UP, AGAIN = "heads-up", "again"  # Notice.follow_up


def _break_every(policy: Policy) -> float:
    """Seconds of active time between two breaks (0: no break reminder)."""
    rule = policy.rule(BREAK)
    return rule.trigger.interval() if rule is not None else 0.0


class HeadsUp:
    """Once per break, ``break.heads_up`` of active time before it falls due."""

    def __init__(self) -> None:
        self._warned = False
        self._counted = 0.0

    def check(self, policy: Policy, now: datetime) -> tuple[bool, datetime | None]:
        """(warn now, when to look again); call only while the person is at work."""
        lead = policy.settings.rest_break.heads_up.total_seconds()
        every = _break_every(policy)
        if not lead or not every:
            return False, None
        counted = policy.state.counted.get(BREAK.name, 0.0)
        if counted < self._counted:  # shown, taken, skipped or snoozed: a new break is ahead
            self._warned = False
        self._counted = counted
        left = every - counted
        if self._warned or left <= 0:
            return False, None
        if left <= lead:
            self._warned = True
            return True, None
        return False, now + timedelta(seconds=left - lead)


class AskAgain:
    """A break prompt that got no answer while the person kept working is asked once more."""

    def __init__(self) -> None:
        self._waiting = False

    def shown(self) -> None:
        """A break prompt was shown (the first time)."""
        self._waiting = True

    def answered(self) -> None:
        """Taken, snoozed, skipped or dismissed (by a button, a command or a natural break)."""
        self._waiting = False

    def check(self, policy: Policy, now: datetime) -> tuple[bool, datetime | None]:
        """(ask again now, when to look again); call only while the person is at work."""
        after = policy.settings.rest_break.remind_after.total_seconds()
        if not self._waiting or not after or not _break_every(policy):
            return False, None
        # The timer restarted when the prompt was shown and counts only active time since.
        counted = policy.state.counted.get(BREAK.name, 0.0)
        if counted >= after:
            self._waiting = False
            return True, None
        return False, now + timedelta(seconds=after - counted)


def heads_up_notice(settings: Settings, now: datetime) -> Notice:
    """ "Break in 30 seconds", with Postpone and Skip; ``settings`` unscaled (the words)."""
    postpone = humanize(settings.snooze.length)
    return Notice(
        BREAK,
        f"Break in {humanize(settings.rest_break.heads_up)}",
        "Finish what you are doing: a break comes next.",
        now,
        actions=("snooze", "skip"),
        labels=(f"Postpone {postpone}", "Skip"),
        follow_up=HEADS_UP,
    )


def again_notice(settings: Settings, now: datetime) -> Notice:
    """The one more ask, in other words than the first."""
    length = humanize(settings.rest_break.duration)
    return Notice(
        BREAK,
        f"Still going? Step away for {length} now",
        "You kept working after the last reminder. Stand up and step away now: "
        "this is the last ask until the next break.",
        now,
        follow_up=AGAIN,
    )
