"""The interpreter, pure: each step type, each transition, silence and wrong keys."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import pytest

from helpline import flows
from helpline.flows.interpreter import Input, Turn, resume, start
from helpline.routing import working_deadline
from tests.flow_helpers import EVENING, HARMONY, IN_HOURS, LONDON, context, prompts, write_flows

MAIN = """
    initial: start
    states:
      start: {type: caller, known: welcome_back, new: when, withheld: when}
      welcome_back: {type: say, say: Welcome back., next: when}
      when: {type: hours, open: menu, closed: closed_msg, weekend: weekend_msg}
      closed_msg: {type: say, say: We are closed., next: other}
      weekend_msg: {type: hangup, say: It is the weekend.}
      other: {type: goto, flow: extra}
      menu:
        type: menu
        say: Press 1 or say team. Press 2 for a message.
        choices: {1: ring, 2: leave}
        words: {1: [team, person]}
        attempts: 2
        no_input: ring
        invalid: bye
      ring: {type: dial, line: harmony, answered: thanks, no_answer: leave, unanswered: ask}
      leave:
        {type: voicemail, say: Speak after the tone., max_length: 60, recorded: thanks,
         no_message: bye}
      ask: {type: callback, requested: thanks, declined: bye}
      thanks: {type: hangup, say: Thank you.}
      bye: {type: hangup, say: Goodbye.}
"""
EXTRA = "initial: fin\nstates:\n  fin: {type: hangup, say: From the extra flow.}\n"


@pytest.fixture
def flowset(tmp_path: Path) -> flows.FlowSet:
    """Return the test flows, loaded and checked."""
    return flows.load(write_flows(tmp_path, main=MAIN, extra=EXTRA), "main", prompts())


def xml(turn: Turn) -> ElementTree.Element:
    """Parse a turn's TwiML."""
    return ElementTree.fromstring(str(turn.response))  # noqa: S314 - our own output


def words(document: ElementTree.Element) -> str:
    """Return everything said in a document."""
    return " ".join("".join(say.itertext()) for say in document.iter("Say"))


def query(url: str | None) -> dict[str, str]:
    """Return a callback URL's query as a plain dict."""
    return {k: v[0] for k, v in parse_qs(urlsplit(url or "").query).items()}


def go(flowset: flows.FlowSet, state: str, hook: str, at: datetime = IN_HOURS,
       number: str | None = "+447911123456", **given: object) -> Turn:  # fmt: skip
    """Resume a state with what Twilio would send."""
    return resume(flowset, prompts(), context(at, number), "main", state, hook, Input(**given))  # type: ignore[arg-type]


def test_caller_step_branches_known_new_and_withheld(flowset: flows.FlowSet) -> None:
    """A known caller, a new caller and a withheld number each take their own way."""
    known = start(flowset, prompts(), context(kind="known"))
    assert "Welcome back" in words(xml(known)) and known.path[0] == "start:known"
    new = start(flowset, prompts(), context(kind="new"))
    assert "Welcome back" not in words(xml(new)) and new.path[0] == "start:new"
    withheld = start(flowset, prompts(), context(number=None, kind="known"))
    assert withheld.path[0] == "start:withheld"


def test_menu_retries_silence_then_dials_inline(flowset: flows.FlowSet) -> None:
    """Two gathers, then the no-input target (a dial) in the same document."""
    document = xml(start(flowset, prompts(), context()))
    tags = [child.tag for child in document]
    assert tags == ["Gather", "Gather", "Dial"]
    first, second = document.findall("Gather")
    assert query(first.get("action"))["attempt"] == "1" and "trail" not in query(
        first.get("action")
    )
    assert query(second.get("action"))["trail"] == "menu:no_input_repeat"
    assert "Sorry, I did not hear a choice" in words(second)
    assert first.get("input") == "dtmf speech" and first.get("hints") == "team, person"
    dial = document.find("Dial")
    assert dial is not None and [n.text for n in dial.iter("Number")] == [HARMONY]
    assert query(dial.get("action"))["trail"] == "menu:no_input_repeat~menu:no_input~ring"


def test_hours_branches_on_closed_reasons(flowset: flows.FlowSet) -> None:
    """Weekend has its own way; other closed times take "closed" (here, a goto)."""
    weekend = start(flowset, prompts(), context(at=datetime(2026, 11, 28, 12, tzinfo=LONDON)))
    assert "It is the weekend" in words(xml(weekend)) and "when:weekend" in weekend.path
    evening = start(flowset, prompts(), context(at=EVENING))
    assert "From the extra flow" in words(xml(evening))
    assert evening.path[-3:] == ("closed_msg", "other", "extra/fin")
    assert [child.tag for child in xml(evening)][-1] == "Hangup"


def test_menu_key_and_speech_choices(flowset: flows.FlowSet) -> None:
    """Pressing 1 or saying a listed word dials; an unsure speech guess is a wrong choice."""
    assert xml(go(flowset, "menu", "gather", digits="1")).find("Dial") is not None
    said = go(flowset, "menu", "gather", speech="A person please", confidence=0.8)
    assert said.path[0] == "menu:1"
    unsure = go(flowset, "menu", "gather", speech="A person", confidence=0.1)
    assert unsure.path[0] == "menu:invalid_repeat"


def test_wrong_key_reprompts_then_takes_invalid(flowset: flows.FlowSet) -> None:
    """A wrong key hears sorry and the menu again; a wrong key on the last try says goodbye."""
    again = xml(go(flowset, "menu", "gather", digits="9", query={"attempt": "1"}))
    assert "not one of the choices" in words(again)
    assert [child.tag for child in again] == ["Say", "Gather", "Dial"]
    last = go(flowset, "menu", "gather", digits="9", query={"attempt": "2"})
    assert last.path == ("menu:invalid", "bye") and "Goodbye" in words(xml(last))
    assert [child.tag for child in xml(last)][-1] == "Hangup"


def test_silence_callback_on_last_attempt_takes_no_input(flowset: flows.FlowSet) -> None:
    """An empty gather result on the last attempt takes the no-input way."""
    turn = go(flowset, "menu", "gather", query={"attempt": "2"})
    assert turn.path[0] == "menu:no_input" and xml(turn).find("Dial") is not None


@pytest.mark.parametrize(
    ("status", "event", "then"),
    [
        ("completed", "ring:answered", "Hangup"),
        ("no-answer", "ring:no_answer", "Record"),
        ("busy", "ring:busy", "Gather"),
        ("failed", "ring:failed", "Gather"),
        ("canceled", "ring:ended", "Hangup"),
    ],
)
def test_dial_outcomes(flowset: flows.FlowSet, status: str, event: str, then: str) -> None:
    """Each DialCallStatus leads where the flow says; unanswered covers busy and failed."""
    turn = go(flowset, "ring", "dial", dial_status=status)
    assert turn.path[0] == event
    assert then in [child.tag for child in xml(turn)]


def test_voicemail_records_with_callbacks(flowset: flows.FlowSet) -> None:
    """<Record> has an action, a status callback, a maximum length, and silence falls through."""
    document = xml(go(flowset, "ring", "dial", dial_status="no-answer"))
    record = document.find("Record")
    assert record is not None
    assert urlsplit(record.get("action")).path == "/main/leave/record"
    assert urlsplit(record.get("recordingStatusCallback")).path == "/main/leave/recording"
    assert record.get("maxLength") == "60" and record.get("finishOnKey") == "#"
    assert "Goodbye" in words(document)  # heard only if nothing was recorded
    assert [child.tag for child in document][-1] == "Redirect"


def test_voicemail_outcomes(flowset: flows.FlowSet) -> None:
    """A message is thanked; an empty recording takes the no-message way."""
    kept = go(flowset, "leave", "record", recording_sid="RE1", recording_seconds=12)
    assert kept.path == ("leave:recorded", "thanks")
    empty = go(flowset, "leave", "record", recording_sid="RE1", recording_seconds=0)
    assert empty.path == ("leave:no_message", "bye")


def test_callback_for_known_number(flowset: flows.FlowSet) -> None:
    """Safe, then no message: a callback on the caller's own number, due in one working day."""
    asked = xml(go(flowset, "ask", "gather", digits="1", query={"stage": "safe"}))
    gather = asked.find("Gather")
    assert gather is not None and query(gather.get("action"))["stage"] == "message"
    done = go(flowset, "ask", "gather", digits="2", query={"stage": "message", "safe": "1"})
    assert done.callback is not None
    assert done.callback.number == "+447911123456" and done.callback.safe_to_call
    assert not done.callback.may_leave_message
    assert done.callback.due_at == working_deadline(IN_HOURS, context().calendar)
    assert done.path[-2:] == ("ask:requested", "thanks")


def test_callback_declined_when_not_safe(flowset: flows.FlowSet) -> None:
    """Pressing 2 (not safe) stores nothing and says goodbye."""
    turn = go(flowset, "ask", "gather", digits="2", query={"stage": "safe"})
    assert turn.callback is None and turn.path[0] == "ask:declined"


def test_withheld_caller_keys_in_a_valid_number(flowset: flows.FlowSet) -> None:
    """A withheld caller is asked for a number; a bad one is refused, a good one kept."""
    asked = xml(go(flowset, "ask", "gather", number=None, digits="1",
                   query={"stage": "message", "safe": "1"}))  # fmt: skip
    gather = asked.find("Gather")
    assert gather is not None and gather.get("finishOnKey") == "#"
    assert query(gather.get("action"))["stage"] == "number"
    number_stage = {"stage": "number", "safe": "1", "message": "1", "attempt": "1"}
    bad = go(flowset, "ask", "gather", number=None, digits="12", query=number_stage)
    assert bad.callback is None and "does not look like a phone number" in words(xml(bad))
    good = go(flowset, "ask", "gather", number=None, digits="07700900456", query=number_stage)
    assert good.callback is not None and good.callback.number == "+447700900456"
    assert good.callback.may_leave_message


def test_trail_is_logged_and_malformed_entries_dropped(flowset: flows.FlowSet) -> None:
    """The path carried by a callback URL is kept; anything odd in it is dropped."""
    turn = go(flowset, "ring", "dial", dial_status="completed",
              query={"trail": "menu:no_input~<script>~ring"})  # fmt: skip
    assert turn.path[:3] == ("menu:no_input", "ring", "ring:answered")


def test_unknown_state_is_an_error(flowset: flows.FlowSet) -> None:
    """A callback for a state that does not exist raises (the webhook then connects the caller)."""
    with pytest.raises(KeyError):
        go(flowset, "nowhere", "gather", digits="1")


def test_callback_message_question_silence_means_no(flowset: flows.FlowSet) -> None:
    """No answer on leaving messages redirects once, then is taken as no."""
    asked = xml(go(flowset, "ask", "gather", digits="1", query={"stage": "safe"}))
    redirect = asked.find("Redirect")
    assert redirect is not None and query(redirect.text)["stage"] == "message"
    silent = go(flowset, "ask", "gather", query=query(redirect.text))
    assert silent.callback is not None and not silent.callback.may_leave_message


SCREENED = """
    initial: ring
    states:
      ring:
        type: dial
        line: harmony
        screening: Helpline call. Press 1.
        answered: thanks
        no_answer: leave
        unanswered: bye
      leave: {type: voicemail, say: Speak after the tone., recorded: thanks, no_message: bye}
      thanks: {type: hangup, say: Thank you.}
      bye: {type: hangup, say: Goodbye.}
"""


def test_a_screened_line_reports_progress_and_declines_like_no_answer(tmp_path: Path) -> None:
    """<Number> names the prompt and progress URLs; answered but not bridged is 'declined'."""
    screened = flows.load(write_flows(tmp_path, main=SCREENED), "main", prompts())
    turn = start(screened, prompts(), context())
    number = xml(turn).find("Dial/Number")
    assert number is not None and (number.text, turn.waiting_on) == (HARMONY, "line:harmony")
    assert urlsplit(number.get("url")).path == "/main/ring/screen"
    assert urlsplit(number.get("statusCallback")).path == "/main/ring/leg"
    assert "Press 1" not in words(xml(turn))
    for bridged, event, waiting_on in (
        ("false", "ring:declined", "message"),
        ("true", "ring:answered", ""),
    ):
        given = Input(dial_status="completed", dial_bridged=bridged)
        after = resume(screened, prompts(), context(), "main", "ring", "dial", given)
        assert (after.path[0], after.waiting_on) == (event, waiting_on)
