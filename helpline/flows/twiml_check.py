"""Check a TwiML document the way Twilio reads it: known verbs, nesting, attributes, limits."""

from __future__ import annotations

from collections.abc import Iterator
from xml.etree import ElementTree

from helpline.flows.model import SAY_LIMIT

# One verb a line, its attributes read across: one-per-line would bury the verbs in 50 lines.
VERBS = {
    "Say": {"voice", "language", "loop"},
    "Play": {"loop", "digits"},
    "Pause": {"length"},
    "Gather": {"action", "method", "timeout", "numDigits", "finishOnKey", "input", "hints",
               "language", "speechTimeout", "actionOnEmptyResult", "speechModel",
               "partialResultCallback", "profanityFilter", "enhanced"},
    "Dial": {"action", "method", "timeout", "answerOnBridge", "callerId", "record",
             "hangupOnStar", "timeLimit", "ringTone"},
    "Record": {"action", "method", "timeout", "maxLength", "finishOnKey", "playBeep", "trim",
               "recordingStatusCallback", "recordingStatusCallbackMethod",
               "recordingStatusCallbackEvent", "transcribe", "transcribeCallback"},
    "Redirect": {"method"},
    "Hangup": set(),
    "Reject": {"reason"},
}  # fmt: skip
# Nouns are allowed only inside their verb, never at the top of a document.
NOUNS = {
    "Number": {"url", "method", "statusCallbackEvent", "statusCallback", "statusCallbackMethod"}
    | {"sendDigits", "byoc", "machineDetection", "machineDetectionTimeout"}
    | {"amdStatusCallback", "amdStatusCallbackMethod"},
}
ATTRIBUTES = VERBS | NOUNS
NESTED = {"Gather": {"Say", "Play", "Pause"}, "Dial": {"Number"}, "Say": {"say-as", "break"}}
URL_ATTRIBUTES = ("action", "recordingStatusCallback", "url", "statusCallback")


def problems(text: str, screening: bool = False) -> list[str]:
    """Return why Twilio would refuse or misplay a TwiML document (empty when it is fine).

    A screening document runs on the dialled line's own call: it may be empty (that connects
    the caller) and must not <Dial>.
    """
    try:
        root = ElementTree.fromstring(text)  # noqa: S314 - our own output, checked offline
    except ElementTree.ParseError as error:
        return [f"not XML: {error}"]
    if root.tag != "Response":
        return [f"root element is <{root.tag}>, not <Response>"]
    found = list(_check_children(root, set(VERBS)))
    if screening and root.find("Dial") is not None:
        found.append("a screening document may not <Dial>")
    if not len(root) and not screening:
        found.append("empty <Response>: the caller would hear nothing and be cut off")
    return found


def _check_children(parent: ElementTree.Element, allowed: set[str]) -> Iterator[str]:
    """Yield problems with each child element of a verb."""
    for element in parent:
        if element.tag not in allowed:
            yield f"<{element.tag}> is not allowed inside <{parent.tag}>"
            continue
        yield from _check_verb(element)


def _check_verb(element: ElementTree.Element) -> Iterator[str]:
    """Yield problems with one verb's attributes, text and nested nouns."""
    known = ATTRIBUTES.get(element.tag)
    if known is not None:
        for name in set(element.attrib) - known:
            yield f"<{element.tag}> has an unknown attribute {name!r}"
    for name in URL_ATTRIBUTES:
        value = element.get(name)
        if value is not None and not value.startswith(("https://", "http://")):
            yield f"<{element.tag}> {name} is not an absolute URL: {value!r}"
    if element.tag == "Say" and len("".join(element.itertext())) > SAY_LIMIT:
        yield "<Say> is longer than 4,096 characters"
    if element.tag in ("Say", "Play", "Redirect") and not "".join(element.itertext()).strip():
        yield f"<{element.tag}> is empty"
    if element.tag == "Dial" and not len(element):
        yield "<Dial> has no <Number>"
    yield from _check_children(element, NESTED.get(element.tag, set()))
