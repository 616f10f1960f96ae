"""Which function enters, and which resumes, each type of step."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from helpline.flows import callback_step
from helpline.flows.interpreter import Input, Renderer
from helpline.flows.model import Step
from helpline.flows.steps import (
    enter_caller,
    enter_dial,
    enter_goto,
    enter_hangup,
    enter_hours,
    enter_menu,
    enter_say,
    enter_voicemail,
    resume_dial,
    resume_end,
    resume_menu,
    resume_voicemail,
)

Enter = Callable[[Renderer, Step], Step | None]
Resume = Callable[[Renderer, Step, Input], Step | None]

ENTER: Mapping[str, Enter] = {
    "say": enter_say, "hangup": enter_hangup, "goto": enter_goto, "hours": enter_hours,
    "caller": enter_caller, "menu": enter_menu, "dial": enter_dial,
    "voicemail": enter_voicemail, "callback": callback_step.enter_callback,
}  # fmt: skip
RESUME: Mapping[tuple[str, str], Resume] = {
    ("menu", "gather"): resume_menu, ("dial", "dial"): resume_dial,
    ("voicemail", "record"): resume_voicemail, ("hangup", "end"): resume_end,
    ("callback", "gather"): callback_step.resume_callback,
}  # fmt: skip
