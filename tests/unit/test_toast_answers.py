"""Buttons on Windows toasts, through a stand-in for the windows_toasts module."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from support.notifiers import BREAK

from ergo_daemon import kinds
from ergo_daemon.notify.answers import Answer
from ergo_daemon.notify.toast_answers import button_toast, interactive_toaster


@dataclass
class ToastButton:
    content: str = ""
    arguments: str = ""


@dataclass
class Toast:
    text_fields: list[str] = field(default_factory=list)
    actions: list[ToastButton] = field(default_factory=list)
    on_activated: Any = None
    on_dismissed: Any = None
    on_failed: Any = None


class InteractableWindowsToaster:
    def __init__(self, application_text: str) -> None:
        self.application_text = application_text
        self.shown: list[Toast] = []

    def show_toast(self, toast: Toast) -> None:
        self.shown.append(toast)


class FakeToasts:
    """The parts of windows_toasts the buttons use, with its names."""

    ToastButton = ToastButton
    Toast = Toast
    InteractableWindowsToaster = InteractableWindowsToaster


@dataclass
class Activated:  # windows_toasts.ToastActivatedEventArgs
    arguments: str | None = None


@dataclass
class Dismissed:  # WinRT ToastDismissedEventArgs
    reason: int


def test_each_button_clicked_on_a_toast_comes_back_as_an_answer() -> None:
    got: list[Answer] = []
    toaster = interactive_toaster(FakeToasts)
    toast = button_toast(FakeToasts, BREAK, ["Break time", "Step away."], got.append)
    toaster.show_toast(toast)
    assert toaster.application_text == "ergo-daemon"
    assert [(b.content, b.arguments) for b in toast.actions] == [
        ("Done", "done"),
        ("Snooze", "snooze"),
        ("Skip", "skip"),
    ]
    toast.on_activated(Activated("snooze"))
    toast.on_activated(Activated(None))  # the toast's body: no answer
    toast.on_activated(Activated("open-settings"))  # nothing this notice offered
    toast.on_dismissed(Dismissed(2))  # timed out
    toast.on_dismissed(Dismissed(0))  # closed by the person
    assert got == [
        Answer(kinds.BREAK, "snooze", (kinds.EYES,)),
        Answer(kinds.BREAK, "dismissed", (kinds.EYES,)),
    ]


def test_a_heads_up_toast_carries_its_own_words_and_a_failing_handler_stays_contained() -> None:
    heads_up = dataclasses.replace(
        BREAK, actions=("snooze", "skip"), labels=("Postpone 5 minutes", "Skip")
    )

    def broken(answer: Answer) -> None:
        raise RuntimeError("daemon gone")

    toast = button_toast(FakeToasts, heads_up, ["Break in 30 seconds"], broken)
    assert [b.content for b in toast.actions] == ["Postpone 5 minutes", "Skip"]
    toast.on_activated(Activated("skip"))  # logged, not raised into Windows' thread
