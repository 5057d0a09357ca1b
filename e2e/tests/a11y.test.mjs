// Accessibility audit: axe-core's WCAG 2.0 and 2.1 level A and AA rules on every view's main
// states, in English and Chinese, at desktop and phone width. A serious or critical violation
// fails the test, which prints each one: the state, the rule, its impact, how many elements and
// which (CSS selectors).
//
// Fast by design: one page per viewport visits the states in sequence (models stay loaded in the
// worker) and audits each state in both languages with the header's language switch.
// To audit a new view, add its states to STATES.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { DESKTOP, PHONE, STEPS, useWalkthrough } from "../support.mjs";
import { EncoderPage } from "../pages/encoder.mjs";
import { TranslatePage } from "../pages/translate.mjs";
import { RecommendPage } from "../pages/recommend.mjs";
import { ForecastPage } from "../pages/forecast.mjs";
import { DigitsPage, SHAPES } from "../pages/digits.mjs";

const AXE = fileURLToPath(new URL("../../node_modules/axe-core/axe.min.js", import.meta.url));
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const BLOCKING = new Set(["serious", "critical"]);
const LANGS = ["en", "zh-CN"];

/**
 * The states audited, in the order visited. `show(views)` brings the page there, `views` being
 * one page object per demo on the same page. States of one view follow each other, so a state
 * may build on the one before.
 */
export const STATES = [
  ...STEPS.map((step, i) => ({
    name: `walkthrough: step ${step}`,
    show: async ({ walkthrough }) => {
      if (i === 0) {
        await walkthrough.open();
        await walkthrough.waitUntilReady();
        await walkthrough.setText("The cat sat on the mat.");
      }
      await walkthrough.goToStep(step);
    },
  })),
  {
    name: "walkthrough: a score's q·k breakdown",
    show: async ({ walkthrough }) => {
      await walkthrough.goToStep("scores");
      await walkthrough.clickScoreCell(1, 2);
      await walkthrough.breakdown.waitFor();
    },
  },
  {
    name: "encoder: model view",
    show: async ({ encoder }) => encoder.openAndRun({ text: "The river bank was muddy." }),
  },
  { name: "encoder: head view", show: async ({ encoder }) => encoder.pickHead(2, 4) },
  {
    name: "encoder: step by step (softmax)",
    show: async ({ encoder }) => {
      await encoder.showView("steps");
      await encoder.goToStep("softmax");
    },
  },
  {
    name: "translation: mid-decode",
    show: async ({ translate }) => {
      await translate.open();
      await translate.waitUntilReady();
      await translate.translate("God is love.");
      for (let i = 0; i < 3; i++) await translate.forwardButton.click();
      await translate.waitForShown(3);
    },
  },
  {
    name: "recommendation: a history, an earlier position",
    show: async ({ recommend }) => {
      await recommend.open("h=50-181-172-174-100-127&at=3");
      await recommend.waitUntilReady();
      await recommend.waitForResult(0);
    },
  },
  {
    name: "forecast",
    show: async ({ forecast }) => {
      await forecast.open();
      await forecast.waitUntilForecast();
    },
  },
  {
    name: "digits: a drawn digit",
    show: async ({ digits }) => {
      await digits.open();
      await digits.waitUntilReady();
      await digits.draw(SHAPES.seven);
    },
  },
  { name: "digits: a test image", show: async ({ digits }) => digits.pickExample(4) },
];

/** axe's serious and critical violations on the page as it is, one line each. */
async function audit(page) {
  const violations = await page.evaluate(async (tags) => {
    const result = await window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target.join(" ")) }));
  }, TAGS);
  return violations
    .filter((v) => BLOCKING.has(v.impact))
    .map((v) => `${v.id} (${v.impact}) on ${v.targets.length} element(s): ${v.targets.slice(0, 5).join(" | ")}${v.targets.length > 5 ? " | …" : ""}`);
}

for (const [width, viewport] of [["desktop", DESKTOP], ["phone", PHONE]]) {
  describe(`accessibility (axe-core, WCAG 2.1 AA), ${width}`, () => {
    const ctx = useWalkthrough({ viewport });

    it("every view's main states have no serious or critical violation, in English and Chinese", async () => {
      const { app } = ctx;
      const { page } = app;
      // Before every document: the page loads once, but a view may reload it.
      await page.addInitScript({ path: AXE });
      const views = {
        walkthrough: app,
        encoder: new EncoderPage(page, ctx.site.url),
        translate: new TranslatePage(page, ctx.site.url),
        recommend: new RecommendPage(page, ctx.site.url),
        forecast: new ForecastPage(page, ctx.site.url),
        digits: new DigitsPage(page, ctx.site.url),
      };
      const findings = [];
      let audits = 0;
      for (const state of STATES) {
        await state.show(views);
        // The language the page is in first, then the other: one switch per state.
        const first = await app.language();
        for (const lang of [first, ...LANGS.filter((l) => l !== first)]) {
          if (lang !== first) await app.switchLanguage(lang);
          for (const line of await audit(page)) findings.push(`[${state.name}, ${lang}, ${width}] ${line}`);
          audits += 1;
        }
      }
      assert.equal(audits, STATES.length * LANGS.length);
      assert.deepEqual(findings, [], `${findings.length} serious or critical axe violation(s):\n${findings.join("\n")}`);
    });
  });
}
