"""Every step kind a flow may use: the one table. To add a kind, define it and list it here."""

from __future__ import annotations

from collections.abc import Mapping

from helpline.flows.callback_step import CALLBACK
from helpline.flows.dial_step import DIAL
from helpline.flows.kind import StepKind
from helpline.flows.menu_step import MENU
from helpline.flows.steps import CALLER, GOTO, HANGUP, HOURS, SAY, VOICEMAIL

KINDS: Mapping[str, StepKind] = {
    kind.name: kind for kind in (SAY, MENU, HOURS, CALLER, DIAL, VOICEMAIL, CALLBACK, GOTO, HANGUP)
}
