// Accessibility audit: axe-core's WCAG 2.0 and 2.1 level A and AA rules on every view's main
// states, in English and Chinese, at desktop and phone width. A serious or critical violation
// fails the test, which prints each one: the state, the rule, its impact, how many elements and
// which (CSS selectors).
//
// Fast by design: one page visits the states in sequence (models stay loaded in the worker) and
// audits each state in both languages (the header's language switch) at both widths (resized).
// To audit a new view, add its states to STATES.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { DESKTOP, PHONE, STEPS, useWalkthrough } from "../support.mjs";
import { AXE_SCRIPT, seriousViolations } from "../axe.mjs";
import { EncoderPage } from "../pages/encoder.mjs";
import { TranslatePage } from "../pages/translate.mjs";
import { RecommendPage } from "../pages/recommend.mjs";
import { ForecastPage } from "../pages/forecast.mjs";
import { DigitsPage, SHAPES } from "../pages/digits.mjs";
import { CostPage } from "../pages/cost.mjs";
import { ExplainPanel } from "../pages/explain.mjs";
import { LearnPage } from "../pages/learn.mjs";
import { GeneratePage } from "../pages/generate.mjs";
import { OpenPage, exportFiles } from "../pages/open.mjs";

const LANGS = ["en", "zh-CN"];
const WIDTHS = [["desktop", DESKTOP], ["phone", PHONE]];

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
        await walkthrough.setText("The cat sat.");
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
      // A link's step waits there (decoding would otherwise play on by itself, and forward
      // clicks racing the play would land on a step that depends on the machine's speed).
      await translate.openLink(`text=${encodeURIComponent("God is love.")}&step=3`);
      await translate.waitUntilReady();
      await translate.waitForShown(3, { timeout: 60_000 });
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
  {
    name: "walkthrough: does attention explain this? (one token removed)",
    show: async ({ walkthrough }) => {
      const panel = new ExplainPanel(walkthrough.page);
      await walkthrough.page.goto(`${walkthrough.baseUrl}#/walkthrough?text=${encodeURIComponent("The cat sat on the mat.")}&explain=1`);
      await walkthrough.waitUntilReady();
      await panel.waitForRunAfter(0);
      await panel.chips.nth(1).click();
      await walkthrough.page.waitForFunction(() => document.querySelector('[data-testid="explain-live"]')?.dataset.value);
    },
  },
  {
    name: "digits: does attention explain this?",
    show: async ({ walkthrough }) => {
      const panel = new ExplainPanel(walkthrough.page);
      await walkthrough.page.goto(`${walkthrough.baseUrl}#/digits?test=49&explain=1`);
      await walkthrough.page.reload();
      await panel.waitForRunAfter(0, { timeout: 60_000 });
    },
  },
  ...[
    ["recommendation", "#/recommend?explain=1"],
    ["translation", `#/translate?text=${encodeURIComponent("Jesus wept, and the people saw it.")}&step=2&explain=1`],
    ["generation", `#/generate?text=${encodeURIComponent("ROMEO: But soft, what light")}&t=0&step=2&explain=1`],
  ].map(([view, hash]) => ({
    name: `${view}: does attention explain this? (one element removed)`,
    show: async ({ walkthrough }) => {
      const panel = new ExplainPanel(walkthrough.page);
      await walkthrough.page.goto(`${walkthrough.baseUrl}${hash}`);
      await walkthrough.page.reload();
      await panel.waitForRunAfter(0, { timeout: 60_000 });
      await panel.chips.nth(1).click();
      await walkthrough.page.waitForFunction(() => document.querySelector('[data-testid="explain-live"]')?.dataset.value);
    },
  })),
  {
    name: "generate: a seeded sampled step (candidates, draw, causal attention, the steps, the cache, the head table)",
    show: async ({ generate }) => {
      await generate.open(`text=${encodeURIComponent("ROMEO:\nBut soft, what light")}&t=0.8&k=40&p=0.95&seed=7&step=4&sort=sink`);
      await generate.page.reload();
      await generate.waitUntilReady();
      await generate.waitForShown(4);
    },
  },
  {
    name: "cost: a measured sweep and the accuracy on real Q, K, V",
    show: async ({ cost }) => {
      await cost.open("n=256&d=32");
      await cost.runSweep();
      await cost.waitForAccuracy();
    },
  },
  {
    name: "learn: a lesson with a wrong answer and its worked solution",
    show: async ({ learn }) => {
      await learn.open("lesson=dot&text=The%20cat%20sat.");
      await learn.answer("dot.score", "1");
      await learn.exercise("dot.score").solutionButton.click();
    },
  },
  { name: "learn: the masks lesson", show: async ({ learn }) => learn.path.locator('a[data-lesson="masks"]').click() },
  {
    name: "learn: the last lesson's attribution panel, and the teacher's panel",
    show: async ({ learn }) => {
      await learn.path.locator('a[data-lesson="limits"]').click();
      const panel = new ExplainPanel(learn.page);
      await panel.open();
      await panel.waitForRunAfter(0);
      await learn.teacher.locator("summary").click();
    },
  },
  {
    name: "learn: a worksheet, one answer not a number",
    show: async ({ learn }) => {
      await learn.open("sheet=softmax.weight,heads.most,cost.fixed&text=The%20cat%20sat.");
      await learn.answer("cost.fixed", "abc");
    },
  },
  {
    name: "your own model: the picker, with a message for a file that is not an export",
    show: async ({ open }) => {
      await open.open();
      await open.fileInput.setInputFiles(exportFiles("gpt2").slice(1));
      await open.openError.waitFor();
    },
  },
  {
    name: "your own model: a tiny GPT-2's model view (causal maps) and statistics",
    show: async ({ open }) => {
      await open.fileInput.setInputFiles(exportFiles("gpt2"));
      await open.waitForRun();
    },
  },
  {
    name: "your own model: the head view with its matrix and data table",
    show: async ({ open }) => {
      await open.gridCells.nth(5).click();
      await open.tableValues();
    },
  },
  {
    name: "the Share popover with the embed code",
    show: async ({ walkthrough: { page } }) => {
      await page.getByTestId("share").click();
      await page.getByTestId("share-embed-toggle").click();
      await page.getByTestId("share-snippet").waitFor();
    },
  },
];

describe("accessibility (axe-core, WCAG 2.1 AA)", () => {
  const ctx = useWalkthrough({ viewport: DESKTOP });

  it("every view's main states have no serious or critical violation, in English and Chinese, at desktop and phone width", async (t) => {
    const { app } = ctx;
    const { page } = app;
    // Before every document: the page loads once, but a view may reload it.
    await page.addInitScript({ path: AXE_SCRIPT });
    const views = {
      walkthrough: app,
      encoder: new EncoderPage(page, ctx.site.url),
      translate: new TranslatePage(page, ctx.site.url),
      recommend: new RecommendPage(page, ctx.site.url),
      forecast: new ForecastPage(page, ctx.site.url),
      digits: new DigitsPage(page, ctx.site.url),
      cost: new CostPage(page, ctx.site.url),
      learn: new LearnPage(page, ctx.site.url),
      generate: new GeneratePage(page, ctx.site.url),
      open: new OpenPage(page, ctx.site.url),
    };
    const findings = [];
    let audits = 0;
    const started = Date.now();
    for (const state of STATES) {
      await state.show(views);
      // Each state in the language the page is in, then in the other (one switch per state), at
      // both widths: nothing in the views measures the window, so a resized page lays out as
      // one opened at that width.
      const first = await app.language();
      const langs = [first, ...LANGS.filter((l) => l !== first)];
      for (const [k, lang] of langs.entries()) {
        if (k > 0) await app.switchLanguage(lang);
        for (const [width, viewport] of k % 2 === 0 ? WIDTHS : [...WIDTHS].reverse()) {
          await page.setViewportSize(viewport);
          for (const line of await seriousViolations(page)) findings.push(`[${state.name}, ${lang}, ${width}] ${line}`);
          audits += 1;
        }
      }
    }
    t.diagnostic(`${audits} audits of ${STATES.length} states in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    assert.equal(audits, STATES.length * LANGS.length * WIDTHS.length);
    if (findings.length > 0) assert.fail(`${findings.length} serious or critical axe violation(s):\n${findings.join("\n")}`);
  });
});
