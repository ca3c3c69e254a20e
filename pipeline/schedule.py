"""Schedules: when each feed is harvested, and which feeds are due now.

A feed's ``schedule`` is one of

- ``daily HH:MM`` (e.g. ``daily 02:00``),
- ``weekly DAY HH:MM`` (``weekly mon 03:00``; ``mon`` … ``sun``, also Dutch ``ma`` … ``zo``),
- a cron line of five fields (``30 1 * * 1-5``, croniter's syntax: ranges, steps, names),
- empty: harvested by hand only.

Times are wall-clock times in the operator's ``timezone`` (setting, default
Europe/Brussels). Across daylight-saving changes a wall time that does not exist (02:30 on
the spring-forward night) runs when the gap ends (03:00), and one that occurs twice (02:30
on the fall-back night) runs once, at its first occurrence.

A feed is **due** when the first scheduled time after the start of its last run (or, when it
never ran, after it was registered) has come, it is not paused, and no run of it is going
on. ``oogst harvest --due`` runs the due feeds, so one cron line (``*/15 * * * * oogst
harvest --due``) or one systemd timer is the whole nightly setup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter

from ..errors import ConfigError

if TYPE_CHECKING:
    from ..records import Feed
    from .core import Oogst

DAYS = {"mon": "mon", "tue": "tue", "wed": "wed", "thu": "thu", "fri": "fri", "sat": "sat", "sun": "sun",
        "ma": "mon", "di": "tue", "wo": "wed", "do": "thu", "vr": "fri", "za": "sat", "zo": "sun"}
_TIME = r"([01]?\d|2[0-3]):([0-5]\d)"
_DAILY = re.compile(rf"^daily\s+{_TIME}$", re.I)
_WEEKLY = re.compile(rf"^weekly\s+([a-z]+)\s+{_TIME}$", re.I)
EXAMPLES = "'daily 02:00', 'weekly mon 03:00' or a cron line such as '30 1 * * 1-5'"


@dataclass(frozen=True)
class Schedule:
    """A parsed schedule: its text as given and the cron line it comes down to."""

    text: str
    cron: str

    def next_after(self, after: datetime, tz: ZoneInfo) -> datetime:
        """The first scheduled instant strictly after ``after`` (aware), in UTC."""
        wall = after.astimezone(tz).replace(tzinfo=None)
        # iterate on naive wall-clock times (no DST arithmetic inside croniter), then place each
        # on the time line; a candidate that is not after ``after`` (the second pass of a
        # fall-back hour) is skipped
        times = croniter(self.cron, wall - timedelta(minutes=1))
        for _ in range(10_000):
            candidate = _place(times.get_next(datetime), tz)
            if candidate > after:
                return candidate
        raise ConfigError(f"schedule {self.text!r} has no next time")  # pragma: no cover - croniter finds one


def _place(wall: datetime, tz: ZoneInfo) -> datetime:
    """A naive wall time as an instant: the first of two (fold=0), or, for a wall time that
    does not exist (spring forward), the first one after it that does (the end of the gap)."""
    for minutes in range(0, 24 * 60):
        moment = wall + timedelta(minutes=minutes)
        utc = moment.replace(tzinfo=tz, fold=0).astimezone(UTC)
        if utc.astimezone(tz).replace(tzinfo=None) == moment:
            return utc
    return wall.replace(tzinfo=tz).astimezone(UTC)  # pragma: no cover - no zone has a day-long gap


def parse(text: str | None, feed: str | None = None) -> Schedule | None:
    """A schedule from its text; None for none. A ConfigError says what is wrong and how
    to write it."""
    text = " ".join((text or "").split())
    if not text:
        return None
    if m := _DAILY.match(text):
        return Schedule(text, f"{int(m[2])} {int(m[1])} * * *")
    if m := _WEEKLY.match(text):
        day = DAYS.get(m[1].lower()[:3]) or DAYS.get(m[1].lower()[:2])
        if day is None:
            raise ConfigError(f"schedule {text!r}: {m[1]!r} is not a day of the week", feed=feed,
                              hint="use mon, tue, wed, thu, fri, sat or sun, e.g. 'weekly mon 03:00'")
        return Schedule(text, f"{int(m[3])} {int(m[2])} * * {day}")
    word = text.split()[0].lower()
    if word in ("daily", "weekly"):
        raise ConfigError(f"schedule {text!r} has no valid time", feed=feed,
                          hint=f"write the time as HH:MM on a 24-hour clock: {EXAMPLES}")
    if len(text.split()) != 5 or not croniter.is_valid(text):
        raise ConfigError(f"schedule {text!r} is neither daily, weekly nor a valid cron line", feed=feed,
                          hint=f"use {EXAMPLES} (cron: minute hour day-of-month month day-of-week)")
    return Schedule(text, text)


def normalise(text: str | None, feed: str | None = None) -> str | None:
    """The schedule text to store (checked); None for no schedule."""
    schedule = parse(text, feed)
    return schedule.text if schedule else None


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"setting timezone = {name!r} is not a known time zone",
                          hint="an IANA name such as Europe/Brussels or UTC") from exc


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


class Schedules:
    """Which feeds are due, and when each runs next."""

    def __init__(self, core: Oogst) -> None:
        self.core = core

    @property
    def tz(self) -> ZoneInfo:
        return zone(self.core.settings.timezone)

    def plan(self, now: datetime | None = None) -> list[dict[str, Any]]:
        """Every feed with its schedule, the base time (last run's start, else its
        registration), the next scheduled time, and whether it is due now."""
        now = (now or datetime.now(UTC)).astimezone(UTC)
        return [self.entry(feed, now) for feed in self.core.state.list_feeds()]

    def entry(self, feed: Feed, now: datetime) -> dict[str, Any]:
        tz = self.tz
        schedule = parse(feed.schedule, feed.name) if feed.schedule else None
        last = self._last_start(feed.name)
        base = last or _parse_time(feed.created_at) or now
        nxt = schedule.next_after(base, tz) if schedule else None
        running = self._running(feed.name)
        due = bool(nxt and nxt <= now and feed.status != "paused" and not running)
        reason = ("no schedule" if not schedule else "paused" if feed.status == "paused" else
                  "running" if running else "due" if due else "waiting")
        return {"feed": feed.name, "schedule": feed.schedule, "cron": schedule.cron if schedule else None,
                "status": feed.status, "last_start": _iso(last), "next": _iso(nxt),
                "next_local": nxt.astimezone(tz).isoformat() if nxt else None,
                "following": _iso(schedule.next_after(max(nxt, now), tz)) if schedule and nxt else None,
                "due": due, "reason": reason}

    def due(self, now: datetime | None = None) -> list[str]:
        """The names of the feeds due now."""
        return [e["feed"] for e in self.plan(now) if e["due"]]

    def _last_start(self, feed: str) -> datetime | None:
        for run in self.core.state.runs(feed, 10):
            if run["mode"] != "remap":
                return _parse_time(run["started_at"])
        return None

    def _running(self, feed: str) -> bool:
        """A run of the feed is going on: its lock is held (a 'running' row alone may be stale)."""
        with self.core.lock.hold(feed) as mine:
            return not mine


def _iso(when: datetime | None) -> str | None:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ") if when else None
