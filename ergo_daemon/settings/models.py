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
from typing import Annotated, Any, ClassVar, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict
from pydantic_settings.sources import DefaultSettingsSource

from ergo_daemon.durations import format_duration, parse_duration
from ergo_daemon.settings.sources import PLANNED, placed

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60


def _to_duration(value: object) -> object:
    if isinstance(value, str):
        return parse_duration(value)
    if isinstance(value, int | float):  # a bare 90 is ambiguous: seconds? minutes?
        raise ValueError(
            'a bare number has no unit: write a duration in quotes, like "90s" or "20m"'
        )
    return value


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
    if first == last:
        raise ValueError(f"{value!r} starts and ends at once (a whole day is 00:00-24:00)")
    if last < first:  # a night shift: the range ends on the next day
        last += MINUTES_PER_DAY
    return (first, last)


def _to_list(value: object) -> object:
    return [v.strip() for v in value.split(",") if v.strip()] if isinstance(value, str) else value


def _to_positions(value: object) -> object:
    value = _to_list(value)
    for item in value if isinstance(value, list) else ():
        if item not in ("standing", "seated"):
            raise ValueError(
                f"{item!r} is not a position: use 'standing' and/or 'seated'"
                " (for floor exercises set content.allow_floor = true)"
            )
    return value


def _format_minute(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def format_range(first: int, last: int) -> str:
    """``(1320, 1800)`` as ``"22:00-06:00"``: an end past midnight is a time of the next day."""
    end = last - MINUTES_PER_DAY if last > MINUTES_PER_DAY else last
    return f"{_format_minute(first)}-{_format_minute(end)}"


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
    PlainSerializer(lambda r: format_range(*r), return_type=str),
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


def _at_least(value: timedelta, floor: timedelta, what: str) -> timedelta:
    """Refuse an interval under ``floor``: shorter ones flood the person with prompts."""
    if value < floor:
        raise ValueError(
            f"must be at least {format_duration(floor)} for {what} "
            f'(allowed: {format_duration(floor)} or more, e.g. "{format_duration(floor * 4)}")'
        )
    return value


class ActiveReminder(Strict):
    """A reminder due after ``every`` of active time; idle for ``duration`` counts as taken."""

    floor: ClassVar[timedelta] = timedelta(minutes=10)
    what: ClassVar[str] = "a reminder"

    enabled: bool = True
    every: Duration
    duration: Duration

    @field_validator("every")
    @classmethod
    def _not_too_often(cls, value: timedelta) -> timedelta:
        return _at_least(value, cls.floor, cls.what)

    @field_validator("duration")
    @classmethod
    def _sane_length(cls, value: timedelta, info: ValidationInfo) -> timedelta:
        if not timedelta(seconds=5) <= value <= timedelta(hours=1):
            raise ValueError("must be between 5s and 1h")
        return _shorter_than_every(value, info)


def _shorter_than_every(value: timedelta, info: ValidationInfo) -> timedelta:
    every = info.data.get("every")
    if isinstance(every, timedelta) and value >= every:
        raise ValueError(
            f"must be shorter than 'every' ({format_duration(every)}): the break has to fit "
            "between two reminders"
        )
    return value


class Eyes(ActiveReminder):
    floor = timedelta(minutes=5)
    what = "eye rests"
    every: Duration = timedelta(minutes=20)
    duration: Duration = timedelta(seconds=20)


class Stretch(ActiveReminder):
    floor = timedelta(minutes=10)
    what = "stretches"
    every: Duration = timedelta(minutes=30)
    duration: Duration = timedelta(minutes=2)


class RestBreak(ActiveReminder):
    floor = timedelta(minutes=10)
    what = "breaks"
    every: Duration = timedelta(minutes=60)
    duration: Duration = timedelta(minutes=5)
    screen: Literal["off", "window", "strict"] = Field(
        default="off",
        description="show the break in a window with a countdown; strict: without buttons",
    )
    heads_up: Duration = Field(
        default=timedelta(seconds=30), description="a notice this long before a break; 0s: none"
    )
    remind_after: Duration = Field(
        default=timedelta(minutes=10),
        description="ask once more after this much work past an unanswered break; 0s: never",
    )

    @model_validator(mode="after")
    def _follow_ups_fit(self) -> Self:
        if not timedelta(0) <= self.heads_up <= timedelta(minutes=10):
            raise ValueError("'heads_up' must be between 0s (none) and 10m")
        if self.heads_up >= self.every:
            raise ValueError("'heads_up' must be shorter than 'every'")
        if self.remind_after < timedelta(0):
            raise ValueError("'remind_after' cannot be negative (0s: never ask again)")
        return self


class Posture(Strict):
    enabled: bool = True
    with_every_nth_stretch: int = Field(default=2, ge=0, le=10, description="0: never")
    after_away: Duration = Field(default=timedelta(minutes=15), description="0s: never")


class Hydration(Strict):
    enabled: bool = True
    every: Duration = Field(default=timedelta(minutes=75), description="clock time at work")

    @field_validator("every")
    @classmethod
    def _not_too_often(cls, value: timedelta) -> timedelta:
        return _at_least(value, timedelta(minutes=15), "water reminders")


class Snooze(Strict):
    length: Duration = Field(
        default=timedelta(minutes=5), description="how long 'snooze' puts a reminder off"
    )
    per_day: int = Field(default=5, ge=0, description="snoozes allowed a day; 0: none")


class Sound(Strict):
    enabled: bool = Field(default=False, description="a sound with each reminder")
    name: str = Field(
        default="message-new-instant",
        pattern=r"^[a-z0-9][a-z0-9-]*$",
        description="a freedesktop sound name (where the notification server plays sounds)",
    )


class CustomReminder(Strict):
    """Either every N of active time (``every``) or at fixed times (``at``) on ``days``."""

    name: str
    title: str = Field(min_length=1, max_length=64)
    message: str = Field(default="", max_length=256)
    every: Duration | None = None
    duration: Duration = timedelta(minutes=1)
    at: Annotated[list[TimeOfDay], BeforeValidator(_to_list)] = []
    days: Days = Field(default=list(WEEKDAYS[:5]), min_length=1)

    @field_validator("name")
    @classmethod
    def _plain_name(cls, name: str) -> str:
        if not re.fullmatch(r"[a-z][a-z0-9-]{0,31}", name):
            raise ValueError(
                "expected a short name: lower-case letters, digits and '-', starting with a "
                "letter, at most 32 characters, e.g. lunch-walk"
            )
        return name

    @field_validator("every")
    @classmethod
    def _not_too_often(cls, value: timedelta | None) -> timedelta | None:
        return None if value is None else _at_least(value, timedelta(minutes=5), "a reminder")

    @field_validator("duration")
    @classmethod
    def _fits(cls, value: timedelta, info: ValidationInfo) -> timedelta:
        return _shorter_than_every(value, info)

    @model_validator(mode="after")
    def _one_trigger(self) -> Self:
        if (self.every is None) == (not self.at):
            raise ValueError("set exactly one of 'every' (active time) or 'at' (times of day)")
        return self


class Exercise(Strict):
    id: str
    name: str = Field(min_length=1, max_length=40)
    area: str
    positions: list[Literal["seated", "standing", "floor"]] = Field(min_length=1)
    dose: str
    how: str
    caution: str

    @field_validator("id")
    @classmethod
    def _plain_id(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", value):
            raise ValueError(
                "expected an id of lower-case letters, digits and '-', e.g. door-frame-stretch"
            )
        return value


class Content(Strict):
    """Your own items, added to the shipped catalogue."""

    allow_floor: bool = Field(default=False, description="offer exercises done on the floor")
    positions: Annotated[list[Literal["standing", "seated"]], BeforeValidator(_to_positions)] = (
        Field(
            default=["standing"],
            min_length=1,
            description="how you can stretch now: add 'seated' where standing is not possible",
        )
    )
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


class Settings(BaseSettings):
    """Everything the daemon can be told; each table is one ``[section]`` of config.toml.

    Built from the layers a load plans (``settings.sources``); ``model_validate`` takes plain data.
    """

    model_config = SettingsConfigDict(
        extra="forbid",
        frozen=True,
        populate_by_name=True,
        serialize_by_alias=True,
        validate_default=False,  # the defaults are built, valid tables
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Highest priority first: the locked policy, then what people set, then defaults.

        Never the process's own environment, a .env file or the command line: the loader
        plans which variables and flags count, so a typo is an error and locks stay on top.
        """
        planned = PLANNED.get()
        return (
            *placed(planned, "policy"),
            init_settings,
            *placed(planned, "command line"),
            *placed(planned, "environment"),
            *placed(planned, "user file"),
            *placed(planned, "organisation defaults"),
            *placed(planned, "preset"),
            DefaultSettingsSource(settings_cls),
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
    sound: Sound = Sound()
    custom: list[CustomReminder] = []
    content: Content = Content()
    quiet: Quiet = Quiet()

    @field_validator("custom", mode="after")
    @classmethod
    def _unique_custom_names(cls, custom: list[CustomReminder]) -> list[CustomReminder]:
        # Raised at the clashing entry's name, so the message points at its key and line.
        from pydantic import ValidationError
        from pydantic_core import InitErrorDetails, PydanticCustomError

        from ergo_daemon.kinds import BUILT_IN_NAMES

        names = [c.name for c in custom]
        for index, name in enumerate(names):
            if name in BUILT_IN_NAMES:
                why = f"'{name}' is a built-in reminder; give your own reminder another name"
            elif name in names[:index]:
                why = f"'{name}' names another [[custom]] reminder already; names must differ"
            else:
                continue
            error = InitErrorDetails(
                type=PydanticCustomError("custom_name", why), loc=(index, "name"), input=name
            )
            raise ValidationError.from_exception_data("custom", [error])
        return custom


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
