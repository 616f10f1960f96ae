"""`helpline twilio configure`: point a Twilio number's webhooks at this service."""

from __future__ import annotations

from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

from helpline import phones
from helpline.twilio_api import TwilioNotConfiguredError, twilio_client

# Twilio's names for the number's voice settings, as the Python client spells them.
SETTINGS = (
    "voice_url", "voice_method", "voice_fallback_url", "voice_fallback_method",
    "status_callback", "status_callback_method",
)  # fmt: skip
# Twilio's webhook connection overrides, read from the Voice URL's fragment (never sent to us):
# connect within 1 s, answer within 2 s, one retry of a failed connection, 3 s in all. Twilio
# then asks the fallback URL, so a dead service costs the caller about 3 s, not 15.
CONNECTION_OVERRIDES = {"ct": 1000, "rt": 2000, "tt": 3000, "rc": 1}


def overrides_fragment() -> str:
    """Return the connection overrides as the URL fragment Twilio reads (#ct=...&rt=...)."""
    return "#" + "&".join(f"{key}={value}" for key, value in CONNECTION_OVERRIDES.items())


def wanted_settings(base_url: str, fallback_url: str | None = None) -> dict[str, str]:
    """Return the voice settings a number needs to be answered by the service at base_url."""
    return {
        "voice_url": f"{base_url}/voice/incoming{overrides_fragment()}",
        "voice_method": "POST",
        "voice_fallback_url": fallback_url or f"{base_url}/voice/fallback",
        "voice_fallback_method": "POST",
        "status_callback": f"{base_url}/voice/status",
        "status_callback_method": "POST",
    }


def changes_for(number: Any, wanted: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Return each setting that differs: name -> (current, wanted)."""
    current = {name: str(getattr(number, name, "") or "") for name in SETTINGS}
    return {
        name: (current[name], value) for name, value in wanted.items() if current[name] != value
    }


FALLBACK_HELP = (
    "Where Twilio goes when the service fails (default: its /voice/fallback); "
    "a TwiML Bin there survives the whole service being down."
)


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
    client = _client()
    number = _find_number(client, e164)
    wanted = wanted_settings(base_url, fallback_url)
    _explain_failover(wanted)
    changes = changes_for(number, wanted)
    if not changes:
        click.echo(f"{e164} ({number.sid}) already points at {base_url}; nothing to change.")
        return
    _show(e164, number.sid, changes)
    if not yes and not click.confirm("Apply these changes?", default=False):
        raise click.Abort
    client.incoming_phone_numbers(number.sid).update(
        **{name: wanted for name, (_, wanted) in changes.items()}
    )
    click.echo(f"{e164} updated. Twilio sends inbound calls' status callback when a call ends.")


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
    base_url: str | None = current_app.extensions["helpline.settings"].public_base_url
    if not base_url:
        raise click.UsageError("set HELPLINE_PUBLIC_BASE_URL to the service's public https URL")
    if not base_url.startswith("https://"):
        click.echo(f"warning: {base_url} is not https; Twilio should reach the service over TLS",
                   err=True)  # fmt: skip
    return base_url


def _client() -> Any:
    """Return the Twilio client or stop with a clear message."""
    try:
        return twilio_client()
    except TwilioNotConfiguredError as error:
        raise click.UsageError(str(error)) from None


def _find_number(client: Any, e164: str) -> Any:
    """Return the account's IncomingPhoneNumber for e164, or stop if it has none."""
    matches = client.incoming_phone_numbers.list(phone_number=e164, limit=2)
    if not matches:
        raise click.UsageError(f"{e164} is not a number on this Twilio account")
    return matches[0]


def _show(e164: str, sid: str, changes: dict[str, tuple[str, str]]) -> None:
    """Print what will change, one setting a line."""
    click.echo(f"{e164} ({sid}) will change:")
    for name, (current, wanted) in changes.items():
        click.echo(f"  {name}: {current or '(not set)'} -> {wanted}")
