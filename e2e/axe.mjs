// axe-core (npm axe-core, the standard accessibility rules engine) in a Playwright page: WCAG 2.0
// and 2.1 level A and AA rules; what fails a test is a serious or critical violation.

import { fileURLToPath } from "node:url";

/** The script to inject (`page.addInitScript({ path: AXE_SCRIPT })`, before the page loads). */
export const AXE_SCRIPT = fileURLToPath(new URL("../node_modules/axe-core/axe.min.js", import.meta.url));
export const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const BLOCKING = new Set(["serious", "critical"]);

/**
 * axe's serious and critical violations on the page as it is now, one line each: the rule, its
 * impact, how many elements and the first five of them (CSS selectors). Empty when there are none.
 */
export async function seriousViolations(page) {
  const violations = await page.evaluate(async (tags) => {
    const result = await window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target.join(" ")) }));
  }, WCAG_TAGS);
  return violations
    .filter((v) => BLOCKING.has(v.impact))
    .map((v) => `${v.id} (${v.impact}) on ${v.targets.length} element(s): ${v.targets.slice(0, 5).join(" | ")}${v.targets.length > 5 ? " | …" : ""}`);
}
