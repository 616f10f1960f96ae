"""A caller's history across cases: earlier cases listed, the newest safety decision carried."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from helpline.cases.matching import (
    Safety,
    SafetyDecision,
    is_new_decision,
    linked_cases,
    newest_decision,
    safety_of,
)
from helpline.db import get_database
from helpline.models import Call, Case, CaseChange
from tests.auth_actions import AuthActions
from tests.casework import case_page
from tests.handler_calls import CALLER, OTHER_CALLER, TUESDAY_10AM, case_reference, ring
from tests.test_flows_webhooks import SID, follow, gather_action, gather_params, unanswered_menu
from tests.twilio_client import TwilioClient

AT = datetime(2026, 11, 1, tzinfo=UTC)


def decision(case_id: int, hours: int, call_back: bool | None = False) -> SafetyDecision:
    """Return a decision on a case, made some hours after AT."""
    return SafetyDecision(case_id, f"HAR-2026-{case_id:05d}", call_back, None, "h@x", AT +
                          timedelta(hours=hours))  # fmt: skip


def test_cases_sharing_a_number_are_linked_and_nothing_else_is() -> None:
    numbers = {1: {"+44A"}, 2: {"+44A", "+44B"}, 3: {"+44C"}}
    cases = {"+44A": {1, 2}, "+44B": {2, 4}, "+44C": {3}}
    assert linked_cases(1, numbers, cases) == {2}
    assert linked_cases(2, numbers, cases) == {1, 4}
    assert linked_cases(3, numbers, cases) == frozenset()
    assert linked_cases(9, numbers, cases) == frozenset()  # numbers erased: no link


def test_the_newest_decision_wins_whichever_case_it_is_on() -> None:
    old, new = decision(1, 1, call_back=False), decision(2, 5, call_back=True)
    assert newest_decision([old, new]) == new and newest_decision([]) is None
    carried = safety_of(3, [1, 2], {1: old, 2: new})
    assert carried.decision == new and carried.carried and carried.call_back is True
    own = safety_of(2, [1], {1: old, 2: new})
    assert not own.carried and own.decision == new
    assert safety_of(1, [2], {1: old, 2: new}).decision == new  # an old case shows it too
    assert safety_of(1, [], {}).decision is None


def test_only_a_different_answer_is_a_new_decision() -> None:
    shown = Safety(3, decision(1, 1, call_back=False))
    assert not is_new_decision(shown, False, None)
    assert is_new_decision(shown, True, None) and is_new_decision(shown, False, True)
    assert not is_new_decision(Safety(3, None), None, None)


def flag_do_not_call(auth: AuthActions, reference: str, close: bool = True) -> None:
    """Record "not safe to call back" on a case as a handler, then close it."""
    auth.post(f"/cases/{reference}/outcome", {"safe_to_call_back": "no"})
    auth.post(f"/cases/{reference}/notes", {"body": "Ex-partner checks her phone."})
    if close:
        auth.post(f"/cases/{reference}/status", {"status": "closed"})


def flagged_case(app: Flask, twilio: TwilioClient, auth: AuthActions, at: datetime) -> str:
    """Ring CALLER's first call (CA0001), then flag its case do-not-call and close it."""
    ring(twilio, "CA0001", CALLER, at, "answered")
    old = case_reference(app, "CA0001")
    auth.login_as("handler")
    flag_do_not_call(auth, old)
    return old


def ring_again(app: Flask, twilio: TwilioClient, at: datetime, ending: str = "answered") -> str:
    """Ring CALLER's second call (CA0002) and return its case's reference."""
    ring(twilio, "CA0002", CALLER, at, ending)
    return case_reference(app, "CA0002")


def test_a_flagged_caller_ringing_again_sees_the_old_flag_and_case_before_an_answer(
    app: Flask, twilio: TwilioClient, client: FlaskClient, auth: AuthActions
) -> None:
    old = flagged_case(app, twilio, auth, TUESDAY_10AM)
    new = ring_again(app, twilio, TUESDAY_10AM + timedelta(hours=2), "live")
    assert new != old
    auth.login_as("handler")  # the clock moved on: sign in again
    page = case_page(client, new)
    assert "NO — do not call" in page
    assert f'from <a href="/cases/{old}">{old}</a>, set by Test Handler, on Tue 24 Nov 2026' in page
    assert 'id="caller-history"' in page and f'href="/cases/{old}"' in page
    assert "closed" in page and "retention policy removes" in page
    assert "The safety flags below come from" in page
    api = client.get(
        f"/api/v1/cases/{new}", headers={"Authorization": f"Bearer {auth.token('handler')}"}
    )
    safety = api.get_json()["safety"]
    assert (safety["safe_to_call_back"], safety["decided_on"], safety["set_by"]) == (
        False,
        old,
        "handler@example.org",
    )
    assert api.get_json()["safe_to_call_back"] is None  # the new case's own flag: not yet set


def test_the_live_list_shows_a_ringing_repeat_callers_carried_flag(
    app: Flask, twilio: TwilioClient, client: FlaskClient, auth: AuthActions
) -> None:
    """The new case has no flag of its own yet; the list shows the old case's decision."""
    flagged_case(app, twilio, auth, TUESDAY_10AM)
    ring(twilio, "CA0002", CALLER, TUESDAY_10AM + timedelta(hours=2), "live")
    auth.login_as("handler")
    rows = client.get("/calls/rows").get_data(as_text=True)
    live = rows.split('class="live"', 1)[1].split("</section>", 1)[0]
    assert "2nd call" in live and 'class="flag no">NO — do not call' in live, live


def test_carried_flag_stays_until_a_handler_changes_it(
    app: Flask, twilio: TwilioClient, client: FlaskClient, auth: AuthActions
) -> None:
    old = flagged_case(app, twilio, auth, TUESDAY_10AM)
    new = ring_again(app, twilio, TUESDAY_10AM + timedelta(minutes=5))
    # Saving the form with the flags as shown keeps the carried decision and its provenance.
    auth.post(f"/cases/{new}/outcome", {"categories": ["noise"], "safe_to_call_back": "no"})
    assert f'from <a href="/cases/{old}">{old}</a>' in case_page(client, new)
    auth.post(f"/cases/{new}/outcome", {"safe_to_call_back": "yes", "safe_to_leave_message": "no"})
    page = case_page(client, new)
    assert f'from <a href="/cases/{old}">' not in page and "set by Test Handler" in page
    assert "Safety flags changed" in page and "Safe to call back: yes." in page
    # The old case now shows the newer decision too: the newest decision wins.
    old_page = case_page(client, old)
    assert f'from <a href="/cases/{new}">{new}</a>' in old_page
    with get_database(app).transaction() as session:
        kinds = session.scalars(select(CaseChange.kind).join(Case).where(Case.reference == new))
        assert "safety" in list(kinds)


def withheld_keys(digits: str) -> dict[str, str]:
    """Return what Twilio posts when a caller who withheld their number presses keys."""
    return gather_params(digits) | {"From": "anonymous", "Caller": "anonymous"}


def test_a_withheld_caller_who_keys_in_a_number_is_matched_to_its_cases(
    app: Flask, twilio: TwilioClient, client: FlaskClient, auth: AuthActions
) -> None:
    old = flagged_case(app, twilio, auth, TUESDAY_10AM - timedelta(days=1))
    menu = unanswered_menu(twilio, TUESDAY_10AM, "no-answer", caller="anonymous")
    safe = follow(twilio, gather_action(menu), withheld_keys("3"))
    message = follow(twilio, gather_action(safe), withheld_keys("1"))
    number = follow(twilio, gather_action(message), withheld_keys("2"))
    follow(twilio, gather_action(number), withheld_keys("07911123456"))
    withheld = case_reference(app, SID)
    assert withheld != old
    auth.login_as("handler")
    page = case_page(client, withheld)
    assert "Number withheld" in page and "NO — do not call" in page
    assert f'<strong id="callback-number">{CALLER}</strong>' in page
    assert f'from <a href="/cases/{old}">{old}</a>' in page


def test_merging_and_moving_keep_the_link(
    app: Flask, twilio: TwilioClient, client: FlaskClient, auth: AuthActions
) -> None:
    ring(twilio, "CA0001", CALLER, TUESDAY_10AM, "answered")
    ring(twilio, "CA0002", "anonymous", TUESDAY_10AM + timedelta(hours=1), "answered")
    ring(twilio, "CA0003", OTHER_CALLER, TUESDAY_10AM + timedelta(hours=2), "answered")
    known, withheld = case_reference(app, "CA0001"), case_reference(app, "CA0002")
    other = case_reference(app, "CA0003")
    twilio.at(TUESDAY_10AM + timedelta(hours=3))
    auth.login_as("handler")
    flag_do_not_call(auth, known, close=False)
    auth.post(f"/cases/{withheld}/merge", {"target": known})
    page = case_page(client, withheld)
    assert f'from <a href="/cases/{known}">{known}</a>' in page
    kept = case_page(client, known)
    assert f'href="/cases/{withheld}"' in kept and f"merged into {known}" in kept
    auth.post(f"/cases/{known}/move-call", {"call_sid": "CA0001", "target": other})
    moved = case_page(client, other)
    assert f'href="/cases/{known}"' in moved and "was moved here from" in moved


def test_retention_removes_the_number_and_the_link_with_it(
    app: Flask, twilio: TwilioClient, client: FlaskClient, auth: AuthActions,
    runner: FlaskCliRunner,
) -> None:  # fmt: skip
    old = flagged_case(app, twilio, auth, TUESDAY_10AM - timedelta(days=800))
    new = ring_again(app, twilio, TUESDAY_10AM)
    auth.login_as("handler")
    assert f'href="/cases/{old}"' in case_page(client, new)
    assert runner.invoke(args=["jobs", "run", "retention"]).exit_code == 0
    with get_database(app).transaction() as session:
        assert session.scalars(select(Call.from_number).where(Call.call_sid == "CA0001")).one() \
            is None  # fmt: skip
    page = case_page(client, new)
    assert f'href="/cases/{old}"' not in page and "NO — do not call" not in page
    assert "After 730 days without contact the retention policy removes" in page
