"""The configuration schema. Every default here is the ``office`` preset.

Sources for the defaults (see README, "Why these defaults"):
- eyes 20 s every 20 min: the 20-20-20 rule (AAO, AOA); Stanford EHS micro-breaks every 20 min.
- stretch 2 min every 30 min of sitting: UK CMOs/NHS "get up every 30 minutes"; Cornell 20-8-2;
  Dunstan 2012 and Columbia 2023 (light activity every 20-30 min).
- break 5 min every 60 min: UK HSE (5-10 min after 50-60 min of screen work); CCOHS.
- posture with every second stretch and after 15 min away: Cornell "posture break every 20-30
  min"; Callaghan (change posture before discomfort starts).
- hydration every 75 min of working hours: EFSA 2.0-2.5 L/day, NHS 6-8 glasses: roughly one
  glass an hour of an 8 h day, without ever asking for catch-up drinking.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    field_validator,
    model_validator,
)

from ergo_daemon.durations import format_duration, parse_duration

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60


def _to_duration(value: object) -> object:
    return parse_duration(value) if isinstance(value, str) else value


def _to_days(value: object) -> object:
    """Accept ``"mon-fri"``, ``"mon,wed,fri"`` or a list of day names."""
    if not isinstance(value, str):
        return value
    days: list[str] = []
    for part in filter(None, (p.strip().lower() for p in value.split(","))):
        first, _, last = part.partition("-")
        if last and first in WEEKDAYS and last in WEEKDAYS:
            i, j = WEEKDAYS.index(first), WEEKDAYS.index(last)
            days.extend(WEEKDAYS[i : j + 1] if i <= j else WEEKDAYS[i:] + WEEKDAYS[: j + 1])
        else:
            days.append(part)
    return days


_CLOCK = re.compile(r"(\d{1,2}):(\d{2})")


def _minute_of_day(text: str, *, allow_end_of_day: bool = False) -> int:
    match = _CLOCK.fullmatch(text.strip())
    limit = MINUTES_PER_DAY if allow_end_of_day else MINUTES_PER_DAY - 1
    if match is None or int(match[2]) > 59 or int(match[1]) * 60 + int(match[2]) > limit:
        raise ValueError(f"expected a time of day like 08:30, not {text!r}")
    return int(match[1]) * 60 + int(match[2])


def _to_time_of_day(value: object) -> object:
    return _minute_of_day(value) if isinstance(value, str) else value


def _to_range(value: object) -> object:
    if not isinstance(value, str):
        return value
    start, sep, end = value.partition("-")
    if not sep:
        raise ValueError("expected a time range like 08:00-12:30")
    first, last = _minute_of_day(start), _minute_of_day(end, allow_end_of_day=True)
    if first >= last:
        raise ValueError(f"{value!r} ends before it starts (ranges cannot cross midnight)")
    return (first, last)


def _to_list(value: object) -> object:
    return [v.strip() for v in value.split(",") if v.strip()] if isinstance(value, str) else value


def _format_minute(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


Duration = Annotated[
    timedelta,
    BeforeValidator(_to_duration),
    PlainSerializer(format_duration, return_type=str),
]
TimeOfDay = Annotated[
    int,
    Field(ge=0, lt=MINUTES_PER_DAY),
    BeforeValidator(_to_time_of_day),
    PlainSerializer(_format_minute, return_type=str),
]
DayRange = Annotated[
    tuple[int, int],
    BeforeValidator(_to_range),
    PlainSerializer(lambda r: f"{_format_minute(r[0])}-{_format_minute(r[1])}", return_type=str),
]
Days = Annotated[list[Weekday], BeforeValidator(_to_days)]


class Strict(BaseModel):
    """A config table: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class WorkHours(Strict):
    days: Days = Field(default=list(WEEKDAYS[:5]), min_length=1)
    hours: Annotated[list[DayRange], BeforeValidator(_to_list)] = Field(
        default=[(8 * 60, 18 * 60)], min_length=1
    )
    timezone: str | None = Field(default=None, description="IANA name; empty means the system's")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(
                    f"unknown time zone {value!r} (use a name like Europe/Berlin)"
                ) from None
        return value or None


class Timing(Strict):
    away_after: Duration = Field(
        default=timedelta(minutes=2), description="no input for this long counts as away"
    )
    merge_within: Duration = Field(
        default=timedelta(minutes=2), description="prompts this close together become one"
    )
    fixed_grace: Duration = Field(
        default=timedelta(minutes=30), description="a missed fixed-time reminder still shows"
    )
    sample_every: Duration = Field(
        default=timedelta(seconds=30),
        description="the longest wait between two looks at activity (a return is noticed "
        "this late at most; breaks and leaving are seen as they happen)",
    )


class ActiveReminder(Strict):
    """A reminder due after ``every`` of active time; idle for ``duration`` counts as taken."""

    enabled: bool = True
    every: Duration
    duration: Duration

    @model_validator(mode="after")
    def _positive(self) -> Self:
        if self.every < timedelta(minutes=1):
            raise ValueError("'every' must be at least 1m")
        if not timedelta(seconds=5) <= self.duration <= timedelta(hours=1):
            raise ValueError("'duration' must be between 5s and 1h")
        return self


class Eyes(ActiveReminder):
    every: Duration = timedelta(minutes=20)
    duration: Duration = timedelta(seconds=20)


class Stretch(ActiveReminder):
    every: Duration = timedelta(minutes=30)
    duration: Duration = timedelta(minutes=2)


class RestBreak(ActiveReminder):
    every: Duration = timedelta(minutes=60)
    duration: Duration = timedelta(minutes=5)


class Posture(Strict):
    enabled: bool = True
    with_every_nth_stretch: int = Field(default=2, ge=0, le=10, description="0: never")
    after_away: Duration = Field(default=timedelta(minutes=15), description="0s: never")


class Hydration(Strict):
    enabled: bool = True
    every: Duration = Field(default=timedelta(minutes=75), description="clock time at work")


class Snooze(Strict):
    length: Duration = Field(
        default=timedelta(minutes=5), description="how long 'snooze' puts a reminder off"
    )
    per_day: int = Field(default=5, ge=0, description="snoozes allowed a day; 0: none")


class CustomReminder(Strict):
    """Either every N of active time (``every``) or at fixed times (``at``) on ``days``."""

    name: str = Field(pattern=r"^[a-z][a-z0-9-]{0,31}$")
    title: str = Field(min_length=1, max_length=64)
    message: str = Field(default="", max_length=256)
    every: Duration | None = None
    duration: Duration = timedelta(minutes=1)
    at: Annotated[list[TimeOfDay], BeforeValidator(_to_list)] = []
    days: Days = Field(default=list(WEEKDAYS[:5]), min_length=1)

    @model_validator(mode="after")
    def _one_trigger(self) -> Self:
        if (self.every is None) == (not self.at):
            raise ValueError("set exactly one of 'every' (active time) or 'at' (times of day)")
        if self.every is not None and self.every < timedelta(minutes=1):
            raise ValueError("'every' must be at least 1m")
        return self


class Exercise(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str = Field(min_length=1, max_length=40)
    area: str
    positions: list[Literal["seated", "standing", "floor"]] = Field(min_length=1)
    dose: str
    how: str
    caution: str


class Content(Strict):
    """Your own items, added to the shipped catalogue."""

    allow_floor: bool = Field(default=False, description="offer exercises done on the floor")
    exercises: list[Exercise] = []
    posture: list[str] = []
    hydration: list[str] = []
    eyes: list[str] = []
    rest: list[str] = []


class QuietWindow(Strict):
    """A time when prompts wait, e.g. a daily stand-up: ``days = "mon-fri"``, ``hours``."""

    days: Days = Field(default=list(WEEKDAYS[:5]), min_length=1)
    hours: Annotated[list[DayRange], BeforeValidator(_to_list)] = Field(min_length=1)


class Quiet(Strict):
    """When the person is there but busy (a call, a film): prompts wait, no break is counted."""

    camera: bool = Field(default=True, description="hold prompts while a camera is in use")
    microphone: bool = Field(default=True, description="hold while a microphone records")
    fullscreen: bool = Field(default=True, description="hold while a window is fullscreen")
    do_not_disturb: bool = Field(default=True, description="hold while the desktop is muted")
    inhibitors: bool = Field(
        default=True, description="hold while a player or call keeps the screen awake"
    )
    max_hold: Duration = Field(
        default=timedelta(hours=3), description="a hold this long ends by itself"
    )
    windows: list[QuietWindow] = []
    apps: Annotated[list[str], BeforeValidator(_to_list)] = Field(
        default=[], description="program names that hold prompts while they run"
    )

    @field_validator("max_hold")
    @classmethod
    def _some_hold(cls, value: timedelta) -> timedelta:
        if not timedelta(minutes=1) <= value <= timedelta(hours=24):
            raise ValueError("'max_hold' must be between 1m and 24h")
        return value


class Settings(BaseModel):
    """Everything the daemon can be told; each table is one ``[section]`` of config.toml.

    Layers (files, organisation policy, ``ERGO_*`` variables, ``--set``) are merged, traced and
    locked by ``settings.layers``, then validated here once.
    """

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, serialize_by_alias=True
    )

    preset: str | None = Field(default=None, description="a shipped preset name or a file path")
    work_hours: WorkHours = WorkHours()
    timing: Timing = Timing()
    eyes: Eyes = Eyes()
    stretch: Stretch = Stretch()
    rest_break: RestBreak = Field(default=RestBreak(), alias="break")
    posture: Posture = Posture()
    hydration: Hydration = Hydration()
    snooze: Snooze = Snooze()
    custom: list[CustomReminder] = []
    content: Content = Content()
    quiet: Quiet = Quiet()

    @model_validator(mode="after")
    def _unique_custom_names(self) -> Self:
        names = [c.name for c in self.custom]
        clash = {n for n in names if names.count(n) > 1 or n in BUILT_IN_KINDS}
        if clash:
            raise ValueError(f"custom reminder names must be unique and new: {sorted(clash)}")
        return self


BUILT_IN_KINDS = ("eyes", "stretch", "break", "posture", "hydration")


def time_scaled(settings: Settings, speed: float) -> Settings:
    """Every duration divided by ``speed`` (for ``run --speed``); times of day stay as they are."""

    def scale(value: Any) -> Any:
        if isinstance(value, timedelta):
            return value / speed
        if isinstance(value, BaseModel):
            fields = type(value).model_fields
            return value.model_copy(update={name: scale(getattr(value, name)) for name in fields})
        if isinstance(value, list):
            return [scale(item) for item in value]
        return value

    scaled: Settings = scale(settings)
    return scaled
