"""axe-core in the browser tests: run the vendored copy on a page and fail on any violation.

Besides axe's own rules (WCAG 2.2 A and AA, and its best practices) the page must have no
repeated ids, no unnamed audio or video players, and must reflow at 320 px without scrolling
sideways.

axe-core comes from npm (`npm install axe-core`) and is kept in tests/browser/vendor/ with its
licence, so the tests never fetch it from a CDN. To update it, copy the new
node_modules/axe-core/axe.min.js and LICENSE files there and change AXE_VERSION.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from selenium.webdriver.remote.webdriver import WebDriver

AXE_VERSION = "4.14.1"
AXE_SCRIPT = Path(__file__).parent / "vendor" / f"axe-{AXE_VERSION}.min.js"
WIDTHS = (1366, 390)  # a laptop and a phone
REFLOW_WIDTH = 320  # WCAG 1.4.10: content reflows at 320 CSS pixels without sideways scrolling
HEIGHT = 900
RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ["violations"]})
  .then(results => done(results.violations))
  .catch(error => done([{id: "axe-error", impact: "critical", help: String(error), nodes: []}]));
"""


def set_width(driver: WebDriver, width: int) -> None:
    """Make the page's viewport exactly `width` CSS pixels wide, as on a device that size."""
    metrics = {"width": width, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)


def violations(driver: WebDriver) -> list[dict[str, Any]]:
    """Run axe-core on the current page and return its violations."""
    if not driver.execute_script("return typeof window.axe === 'object';"):
        driver.execute_script(AXE_SCRIPT.read_text(encoding="utf-8"))
    driver.set_script_timeout(60)
    found: list[dict[str, Any]] = driver.execute_async_script(RUN_AXE)
    return found


def describe(found: list[dict[str, Any]]) -> str:
    """Return violations as a readable list: rule, impact, what is wrong, where."""
    lines = []
    for violation in found:
        lines.append(f"- {violation['id']} ({violation.get('impact')}): {violation['help']}")
        for node in violation.get("nodes", [])[:5]:
            target = " ".join(str(part) for part in node.get("target", []))
            summary = " ".join(str(node.get("failureSummary", "")).split())
            lines.append(f"    at {target}: {summary[:300]}")
        if len(violation.get("nodes", [])) > 5:
            lines.append(f"    ... and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


# axe-core 4.7+ no longer checks duplicate ids, but a label or skip link that points at a
# repeated id sends focus to the wrong field: list every repeated id and what it labels.
FIND_DUPLICATE_IDS = """
const counts = {};
for (const element of document.querySelectorAll("[id]")) {
  counts[element.id] = (counts[element.id] || 0) + 1;
}
return Object.entries(counts).filter(([id, count]) => count > 1).map(([id, count]) => {
  const labels = [...document.querySelectorAll("label")].filter(label => label.htmlFor === id);
  const texts = labels.map(label => JSON.stringify(label.textContent.trim()));
  const labelled = texts.length ? ` (labels ${texts.join(", ")})` : "";
  return `id "${id}" is used ${count} times${labelled}`;
});
"""


def duplicate_ids(driver: WebDriver) -> str | None:
    """Return the ids used more than once on the page, or None when every id is unique."""
    found: list[str] = driver.execute_script(FIND_DUPLICATE_IDS)
    return "\n".join(f"- duplicate-id: {problem}" for problem in found) or None


# axe has no rule for media players, yet a screen reader announces an unnamed one as "audio".
FIND_UNNAMED_PLAYERS = """
return [...document.querySelectorAll("audio[controls], video[controls]")]
  .filter(player => !(player.getAttribute("aria-label") || "").trim()
                    && !player.getAttribute("aria-labelledby") && !player.title)
  .map(player => player.outerHTML.slice(0, 120));
"""


def unnamed_players(driver: WebDriver) -> str | None:
    """Return the audio and video players that have no accessible name, or None."""
    found: list[str] = driver.execute_script(FIND_UNNAMED_PLAYERS)
    return "\n".join(f"- unnamed-player: {html}" for html in found) or None


def sideways_scroll(driver: WebDriver, width: int = REFLOW_WIDTH) -> str | None:
    """Return why the page scrolls sideways at this width, or None when it reflows."""
    set_width(driver, width)
    sizes = driver.execute_script(
        "const page = document.scrollingElement;return [page.scrollWidth, page.clientWidth];"
    )
    scroll_width, client_width = sizes
    if scroll_width <= client_width:
        return None
    return f"- reflow: at {width} px the page is {scroll_width} px wide ({client_width} px shown)"


def accessibility_problems(driver: WebDriver) -> str:
    """Return every axe violation at each width, then the checks axe does not make."""
    report = []
    for width in WIDTHS:
        set_width(driver, width)
        found = violations(driver)
        if found:
            report.append(f"at {width} px:\n{describe(found)}")
    checks = (duplicate_ids(driver), unnamed_players(driver), sideways_scroll(driver))
    report += [problem for problem in checks if problem]
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    return "\n".join(report)


def assert_accessible(driver: WebDriver, page: str) -> None:
    """Fail with a readable list if axe finds any violation or the page does not reflow."""
    problems = accessibility_problems(driver)
    assert not problems, f"{page} ({driver.current_url}) is not accessible:\n{problems}"
