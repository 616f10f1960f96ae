"""`helpline twilio configure`: point a Twilio number's webhooks at this service."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask.cli import with_appcontext
from twilio.base.exceptions import TwilioException, TwilioRestException

from helpline import current, phones
from helpline.twilio.client import TwilioNotConfiguredError, answered_status, credentials
from helpline.twilio.numbers import (
    CONNECTION_OVERRIDES,
    changes_for,
    find_number,
    update_number,
    wanted_settings,
)

FALLBACK_HELP = (
    "Where Twilio goes when the service fails (default: its /voice/fallback); "
    "a TwiML Bin there survives the whole service being down."
)


class SetUpError(click.ClickException):
    """Something the person setting up must put right: one line, exit status 2."""

    exit_code = 2


@click.group("twilio")
def twilio_cli() -> None:
    """Set up the Twilio account for the helpline."""


@twilio_cli.command("configure")
@click.option("--number", "number_text", required=True, help="The helpline's Twilio number.")
@click.option("--yes", is_flag=True, help="Change the number without asking.")
@click.option("--fallback-url", help=FALLBACK_HELP)
@with_appcontext
def configure(number_text: str, yes: bool, fallback_url: str | None) -> None:
    """Set the number's Voice URL, status callback and fallback URL to this service."""
    base_url = _public_base_url()
    e164 = phones.to_e164(number_text)
    if e164 is None:
        raise click.BadParameter(f"not a phone number: {number_text!r}", param_hint="--number")
    _check_credentials()
    with talking_to_twilio():
        _point_at_service(e164, base_url, fallback_url, yes)


def _point_at_service(e164: str, base_url: str, fallback_url: str | None, yes: bool) -> None:
    """Show how the number's settings differ from the service's and change them if agreed."""
    number = find_number(e164)
    if number is None:
        raise SetUpError(f"{e164} is not a number on this Twilio account")
    wanted = wanted_settings(base_url, fallback_url)
    _explain_failover(wanted)
    changes = changes_for(number, wanted)
    if not changes:
        click.echo(f"{e164} ({number.sid}) already points at {base_url}; nothing to change.")
        return
    _show(e164, number.sid, changes)
    if not yes and not click.confirm("Apply these changes?", default=False):
        raise click.Abort
    update_number(number.sid, changes)
    click.echo(f"{e164} updated. Twilio sends inbound calls' status callback when a call ends.")


@contextmanager
def talking_to_twilio() -> Iterator[None]:
    """Turn Twilio being unreachable or refusing us into one line instead of a traceback."""
    try:
        yield
    except (OSError, TwilioException) as error:  # requests' errors are OSErrors
        raise click.ClickException(_one_line(error)) from None


def _one_line(error: Exception) -> str:
    """Say what went wrong talking to Twilio, and what to check."""
    status = answered_status(error)
    if status in (401, 403):
        return (
            f"Twilio refused the credentials (HTTP {status}); "
            "check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN"
        )
    if isinstance(error, OSError):
        return f"could not reach Twilio ({type(error).__name__}); check the network and try again"
    if status is None:
        return f"could not read Twilio's answer: {' '.join(str(error).split())}"
    detail = error.msg if isinstance(error, TwilioRestException) else error.args[0]
    return f"Twilio answered HTTP {status}: {' '.join(str(detail).split())}"


def _check_credentials() -> None:
    """Stop with a clear message when the Twilio credentials are not set."""
    try:
        credentials()
    except TwilioNotConfiguredError as error:
        raise click.UsageError(str(error)) from None


def _explain_failover(wanted: dict[str, str]) -> None:
    """Print the Voice URL's connection overrides and the fallback URL they fail over to."""
    ms = CONNECTION_OVERRIDES
    click.echo(f"Voice URL: {wanted['voice_url']}")
    click.echo(
        f"  connection overrides: connect within {ms['ct']} ms, respond within {ms['rt']} ms, "
        f"{ms['rc']} retry, {ms['tt']} ms in all, then the fallback URL"
    )
    click.echo(
        f"Fallback URL (if the Voice URL fails or times out): {wanted['voice_fallback_url']}"
    )


def _public_base_url() -> str:
    """Return HELPLINE_PUBLIC_BASE_URL, which the number's webhooks must use."""
    base_url: str | None = current.settings().public_base_url
    if not base_url:
        raise click.UsageError("set HELPLINE_PUBLIC_BASE_URL to the service's public https URL")
    if not base_url.startswith("https://"):
        click.echo(
            f"warning: {base_url} is not https; Twilio should reach the service over TLS", err=True
        )
    return base_url


def _show(e164: str, sid: str, changes: dict[str, tuple[str, str]]) -> None:
    """Print what will change, one setting a line."""
    click.echo(f"{e164} ({sid}) will change:")
    for name, (present, wanted) in changes.items():
        click.echo(f"  {name}: {present or '(not set)'} -> {wanted}")
