"""axe-core (vendored, tests/browser/vendor/axe-core) on every page a browser test passes through.

`install(context)` makes axe available in every document of a browser context (an init script: it
runs before the page's own scripts and is not subject to the page's Content-Security-Policy, so the
CSP stays as strict as in production). `check(page, where)` runs it: every violation is appended to
test-artifacts/browser/axe-report.txt, and those of impact serious or critical are returned for the
test to fail on (tests/browser/conftest.py runs it report-only until the known ones are fixed).
"""

from __future__ import annotations

from pathlib import Path

AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
REPORT = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser" / "axe-report.txt"
BLOCKING = ("serious", "critical")

RUN = """async () => {
  const result = await window.axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ")),
  }));
}"""


def install(context) -> None:
    context.add_init_script(path=str(AXE_JS))


def check(page, where: str, fail_on: tuple[str, ...] = BLOCKING) -> list[str]:
    """Run axe on the page as it is now: every violation goes to the report; those whose impact is in
    `fail_on` are also returned, as readable lines (for the test to fail on)."""
    try:
        violations = page.evaluate(RUN)
        lang = page.evaluate("document.documentElement.lang")
    except Exception as exc:  # noqa: BLE001 - a page that navigated away mid-run: say so, do not hide it
        violations, lang = [{"impact": "unknown", "id": "axe-did-not-run", "help": str(exc)[:200], "nodes": []}], "?"
    lines = [
        f"{where} [{lang}] {page.url}: {v['impact']} {v['id']} ({v['help']}) at {', '.join(v['nodes'])}"
        for v in violations
    ]
    if lines:
        REPORT.parent.mkdir(parents=True, exist_ok=True)
        with REPORT.open("a", encoding="utf-8") as report:
            report.write("\n".join(lines) + "\n")
    return [line for line, v in zip(lines, violations, strict=True) if v["impact"] in fail_on]
