"""The three ways a supervisor changes a line's hours, as forms that turn into closure periods."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_wtf import FlaskForm
from wtforms import DateField, DateTimeLocalField, SelectField, StringField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length

# InputRequired (not DataRequired) on dates and times keeps "Not a valid date" when one is typed
# wrongly, instead of replacing it with "This field is required".
REASON = [DataRequired(message="Give a reason: it is shown in reports."), Length(max=200)]


class LineForm(FlaskForm):  # type: ignore[misc]
    """A form about one of the lines with opening hours (the view fills in the choices)."""

    # Shown only when several lines have hours; SelectField itself refuses a line not offered.
    line = SelectField("Line")

    def for_lines(self, choices: list[tuple[str, str]]) -> LineForm:
        """Offer these lines (key, name), the first chosen unless the form says otherwise."""
        self.line.choices = choices
        if self.line.data is None:
            self.line.data = choices[0][0]
        return self


class CloseNowForm(LineForm):
    """Close a line from now until a time."""

    until = DateTimeLocalField("Closed until (UK time)", validators=[InputRequired()])
    reason = StringField("Reason", validators=REASON)

    def period(self, now: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """Return (now, until) as aware instants; raise ValueError if until has passed."""
        until = local(self.until.data, zone)
        if until <= now:
            raise ValueError("the closure must end in the future")
        return now, until


class DayOffForm(LineForm):
    """Close a line for a whole local day."""

    day = DateField("Day", validators=[InputRequired()])
    reason = StringField("Reason", validators=REASON)

    def period(self, now: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """Return the day's local midnights; raise ValueError for a day already over."""
        return whole_day(self.day.data, now, zone)


class OpenDayForm(LineForm):
    """Open a line on a day (or at hours) it is normally closed."""

    day = DateField("Day", validators=[InputRequired()])
    opens = TimeField("Opens", default=time(9), validators=[InputRequired()])
    closes = TimeField("Closes", default=time(17), validators=[InputRequired()])
    reason = StringField("Reason", validators=REASON)

    def period(self, now: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """Return the opening's start and end; raise ValueError if they make no sense."""
        starts = local(datetime.combine(self.day.data, self.opens.data), zone)
        ends = local(datetime.combine(self.day.data, self.closes.data), zone)
        if ends <= starts:
            raise ValueError("the line must close after it opens")
        if ends <= now:
            raise ValueError("that time has already passed")
        return starts, ends


class ConfirmForm(FlaskForm):  # type: ignore[misc]
    """A button that only needs the CSRF token (end or remove a closure)."""


def local(value: datetime, zone: ZoneInfo) -> datetime:
    """Return a wall-clock time from a form as an aware instant in the zone."""
    return value.replace(tzinfo=zone)


def whole_day(day: date, now: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """Return the local midnights around a day that has not yet ended."""
    starts = datetime.combine(day, time(0), tzinfo=zone)
    ends = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    if ends <= now:
        raise ValueError("that day has already passed")
    return starts, ends
