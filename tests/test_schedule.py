"""Schedules (pipeline/schedule.py): daily, weekly and cron times in the operator's time zone,
across midnight and Europe/Brussels' daylight-saving changes, and which feeds are due."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from oogst.errors import ConfigError
from oogst.pipeline import Oogst
from oogst.pipeline.schedule import normalise, parse
from oogst.settings import Settings

BXL = ZoneInfo("Europe/Brussels")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def local(text: str, fold: int = 0) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BXL, fold=fold)


def nexts(text: str, after: datetime, n: int) -> list[datetime]:
    schedule = parse(text)
    out = []
    for _ in range(n):
        after = schedule.next_after(after, BXL)
        out.append(after)
    return out


def test_daily_runs_across_midnight() -> None:
    assert nexts("daily 02:00", local("2026-01-10T23:30"), 2) == [utc("2026-01-11T01:00"), utc("2026-01-12T01:00")]
    assert nexts("daily 00:00", local("2026-01-10T23:59:30"), 1) == [utc("2026-01-10T23:00")]  # midnight itself
    assert nexts("daily 23:45", local("2026-01-10T23:45"), 1) == [utc("2026-01-11T22:45")], "strictly after"


def test_spring_forward_a_time_in_the_gap_runs_when_the_gap_ends() -> None:
    # 29 March 2026: 02:00 CET becomes 03:00 CEST; 02:30 does not exist that night
    runs = nexts("daily 02:30", local("2026-03-28T12:00"), 3)
    assert runs == [utc("2026-03-29T01:00"),  # 03:00 CEST, the end of the gap
                    utc("2026-03-30T00:30"), utc("2026-03-31T00:30")]  # 02:30 CEST
    assert [r.astimezone(BXL).strftime("%H:%M") for r in runs] == ["03:00", "02:30", "02:30"]
    # a time before the gap keeps its wall time; the night is an hour shorter
    assert nexts("daily 01:30", local("2026-03-28T12:00"), 2) == [utc("2026-03-29T00:30"), utc("2026-03-29T23:30")]


def test_fall_back_a_time_that_occurs_twice_runs_once() -> None:
    # 25 October 2026: 03:00 CEST becomes 02:00 CET; 02:30 happens twice that night
    runs = nexts("daily 02:30", local("2026-10-24T12:00"), 3)
    assert runs == [utc("2026-10-25T00:30"),  # the first 02:30 (CEST)
                    utc("2026-10-26T01:30"), utc("2026-10-27T01:30")]  # not the second one (01:30 UTC on the 25th)
    # after the first 02:30, still within the repeated hour: the next run is the next day
    assert nexts("daily 02:30", local("2026-10-25T02:45", fold=1), 1) == [utc("2026-10-26T01:30")]
    # a run at 01:00 the day before and after: 25 hours apart
    first, second = nexts("daily 01:00", local("2026-10-24T12:00"), 2)
    assert second - first == timedelta(hours=25)


def test_hourly_cron_through_both_changes_is_strictly_increasing() -> None:
    for start in ("2026-03-28T22:00", "2026-10-24T22:00"):
        runs = nexts("0 * * * *", local(start), 8)
        assert runs == sorted(set(runs)), "no time twice, always forward"
        assert all(r.minute == 0 for r in (x.astimezone(BXL) for x in runs))


def test_weekly_and_cron() -> None:
    # Wednesday 7 January 2026 → Monday 12 January 03:00 CET
    assert nexts("weekly mon 03:00", local("2026-01-07T10:00"), 2) == [utc("2026-01-12T02:00"), utc("2026-01-19T02:00")]
    assert parse("weekly ma 03:00").cron == parse("Weekly Mon 3:00").cron == "0 3 * * mon"  # Dutch day, any case
    # weekdays at 01:30: Friday → Monday
    assert nexts("30 1 * * 1-5", local("2026-01-09T02:00"), 1) == [utc("2026-01-12T00:30")]
    # a weekly run across the spring change keeps its wall time
    assert nexts("weekly sun 04:00", local("2026-03-22T05:00"), 1) == [utc("2026-03-29T02:00")]


@pytest.mark.parametrize(("text", "message"), [
    ("daily 25:00", "has no valid time"),
    ("daily", "has no valid time"),
    ("weekly funday 03:00", "is not a day of the week"),
    ("every night", "neither daily, weekly nor a valid cron line"),
    ("61 * * * *", "neither daily, weekly nor a valid cron line"),
    ("* * *", "neither daily, weekly nor a valid cron line"),
])
def test_a_bad_schedule_says_what_is_wrong_and_how_to_write_it(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        parse(text, feed="museum")
    assert info.value.hint and ("daily 02:00" in info.value.hint or "mon" in info.value.hint or "HH:MM" in info.value.hint)
    assert normalise("  ") is None and normalise("daily  02:00") == "daily 02:00"


# -- which feeds are due -------------------------------------------------------------------------
@pytest.fixture
def app(tmp_path: Path):
    with Oogst(Settings(data_dir=tmp_path)) as core:
        yield core


def add(app: Oogst, name: str, schedule: str | None, created: str) -> None:
    app.add_feed(name, "https://example.org/oai", "lido", schedule=schedule)
    with app.state.transaction() as db:
        db.execute("UPDATE feeds SET created_at = ? WHERE name = ?", (created, name))


def started(app: Oogst, name: str, when: str, status: str = "complete") -> None:
    run_id = app.state.start_run(name, "incremental", None)
    with app.state.transaction() as db:
        db.execute("UPDATE runs SET started_at = ?, status = ? WHERE id = ?", (when, status, run_id))


def test_due_feeds(app: Oogst) -> None:
    add(app, "nightly", "daily 02:00", "2026-01-10T10:00:00Z")  # never ran: the first run is the next night
    add(app, "weekly", "weekly mon 03:00", "2026-01-01T10:00:00Z")
    add(app, "manual", None, "2026-01-01T10:00:00Z")
    add(app, "paused", "daily 02:00", "2026-01-01T10:00:00Z")
    app.pause_feed("paused")
    started(app, "weekly", "2026-01-05T02:00:03Z")  # Monday 5 January, 03:00 CET

    assert app.schedules.due(utc("2026-01-10T12:00")) == []
    assert app.schedules.due(utc("2026-01-11T00:59")) == []
    assert app.schedules.due(utc("2026-01-11T01:00")) == ["nightly"]
    started(app, "nightly", "2026-01-11T01:00:05Z")
    assert app.schedules.due(utc("2026-01-11T01:15")) == [], "it ran: next night again"
    assert app.schedules.due(utc("2026-01-12T02:00")) == ["nightly", "weekly"]

    plan = {e["feed"]: e for e in app.schedules.plan(utc("2026-01-12T02:00"))}
    assert plan["manual"]["reason"] == "no schedule" and plan["manual"]["next"] is None
    assert plan["paused"]["reason"] == "paused" and not plan["paused"]["due"]
    assert plan["weekly"]["next"] == "2026-01-12T02:00:00Z" and plan["weekly"]["next_local"].startswith(
        "2026-01-12T03:00:00+01:00")
    assert plan["weekly"]["following"] == "2026-01-19T02:00:00Z"
    json.dumps(plan)  # the plan is plain JSON (`oogst schedule --json`)

    with app.lock.hold("nightly"):  # a run of it going on in another process
        plan = {e["feed"]: e for e in app.schedules.plan(utc("2026-01-12T02:00"))}
        assert plan["nightly"]["reason"] == "running" and not plan["nightly"]["due"]


def test_a_failed_or_interrupted_run_counts_as_the_last_start(app: Oogst) -> None:
    add(app, "museum", "daily 02:00", "2026-01-01T10:00:00Z")
    started(app, "museum", "2026-01-11T01:00:00Z", status="failed")
    assert app.schedules.due(utc("2026-01-11T12:00")) == []
    assert app.schedules.due(utc("2026-01-12T01:00")) == ["museum"]


def test_feeds_add_and_edit_check_the_schedule(app: Oogst) -> None:
    with pytest.raises(ConfigError, match="schedule 'nightly' is neither"):
        app.add_feed("museum", "https://example.org/oai", "lido", schedule="nightly")
    feed = app.add_feed("museum", "https://example.org/oai", "lido", schedule=" daily  2:00 ")
    assert feed.schedule == "daily 2:00"
    with pytest.raises(ConfigError, match="not a day of the week"):
        app.edit_feed("museum", schedule="weekly xyz 02:00")
    assert app.edit_feed("museum", schedule="0 3 * * 1").schedule == "0 3 * * 1"
    assert app.edit_feed("museum", schedule="").schedule is None, "'' is by hand only"
    with pytest.raises(ConfigError, match="not a known time zone"):
        Oogst(Settings(data_dir=app.settings.data_dir, timezone="Mars/Olympus")).schedules.plan()
