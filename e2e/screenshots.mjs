// Writes a PNG of every walkthrough step at desktop and phone width into e2e/artifacts/, for
// reviewing the layout by eye (and for the README). Serves DIST (default dist) under the sub-path.
//
//   node e2e/screenshots.mjs            → e2e/artifacts/desktop-01-tokens.png … phone-10-output.png
//   ONLY=translate,recommend node e2e/screenshots.mjs   → only those demos
//   LOCALE=zh-CN node e2e/screenshots.mjs   → the Chinese interface (files named zh-CN-desktop-…);
//                                            install a CJK font first, e.g. Debian's fonts-wqy-microhei

import { mkdir } from "node:fs/promises";
import { DESKTOP, PHONE, STEPS, launchBrowser, startSite } from "./support.mjs";
import { WalkthroughPage } from "./pages/walkthrough.mjs";
import { ForecastPage } from "./pages/forecast.mjs";
import { DigitsPage, SHAPES } from "./pages/digits.mjs";
import { EncoderPage } from "./pages/encoder.mjs";
import { TranslatePage } from "./pages/translate.mjs";
import { RecommendPage } from "./pages/recommend.mjs";
import { CostPage } from "./pages/cost.mjs";
import { ExplainPanel } from "./pages/explain.mjs";
import { GeneratePage } from "./pages/generate.mjs";
import { LearnPage } from "./pages/learn.mjs";
import { OpenPage, exportFiles } from "./pages/open.mjs";

const SENTENCE = "The cat sat on the mat because it was warm.";
const ONLY = (process.env.ONLY ?? "").split(",").filter(Boolean);
const wanted = (demo) => ONLY.length === 0 || ONLY.includes(demo);
const LOCALE = process.env.LOCALE ?? "en-US";
const shoot = async (page, name) => {
  const file = new URL(name, outDir);
  await page.screenshot({ path: file.pathname, fullPage: true });
  console.log(`wrote e2e/artifacts/${name}`);
};
const outDir = new URL("./artifacts/", import.meta.url);
await mkdir(outDir, { recursive: true });

const site = await startSite();
const browser = await launchBrowser();
const problems = [];
try {
  for (const [width, viewport] of Object.entries({ desktop: DESKTOP, phone: PHONE })) {
    const label = LOCALE === "en-US" ? width : `${LOCALE}-${width}`;
    const context = await browser.newContext({ viewport, deviceScaleFactor: 1, locale: LOCALE });
    const app = new WalkthroughPage(await context.newPage(), site.url);
    if (wanted("walkthrough")) {
      await app.open();
      await app.waitUntilReady();
      await app.setText(SENTENCE);
      for (const [i, name] of STEPS.entries()) {
        await app.goToStep(name);
        if (name === "scores") await app.clickScoreCell(1, 2).catch(() => {}); // show the q·k breakdown too
        const file = new URL(`${label}-${String(i + 1).padStart(2, "0")}-${name}.png`, outDir);
        await app.page.screenshot({ path: file.pathname, fullPage: true });
        console.log(`wrote e2e/artifacts/${file.pathname.split("/").pop()}`);
      }
    }
    // The pretrained encoder (#/encoder): model view, head view, all heads, two steps.
    if (wanted("encoder")) {
      const enc = new EncoderPage(app.page, site.url);
      await enc.openAndRun();
      const shots = [
        ["model", async () => {}],
        ["head", async () => { await enc.pickHead(2, 4); await enc.queries.nth(4).hover(); }],
        ["all-heads", async () => { await app.page.mouse.move(0, 0); await enc.allHeadsToggle.check(); }],
        ["step-embeddings", async () => { await enc.showView("steps"); await enc.goToStep("embeddings"); }],
        ["step-softmax", async () => { await enc.goToStep("softmax"); }],
      ];
      for (const [name, show] of shots) {
        await show();
        const file = new URL(`${label}-encoder-${name}.png`, outDir);
        await app.page.screenshot({ path: file.pathname, fullPage: true });
        console.log(`wrote e2e/artifacts/${file.pathname.split("/").pop()}`);
      }
    }
    if (wanted("forecast")) {
      // Time series (#/forecast): the default view, then a past value dragged up; image patches
      // (#/digits): a drawn 7 with its attention and rollout, then a test image.
      const fc = new ForecastPage(app.page, site.url);
      await fc.open();
      await fc.waitUntilForecast();
      await app.page.screenshot({ path: new URL(`${label}-forecast.png`, outDir).pathname, fullPage: true });
      await fc.dragPastPoint(30, -40);
      await app.page.screenshot({ path: new URL(`${label}-forecast-edited.png`, outDir).pathname, fullPage: true });
    }
    if (wanted("digits")) {
      const dg = new DigitsPage(app.page, site.url);
      await dg.open();
      await dg.waitUntilReady();
      await dg.prediction.waitFor();
      await app.page.screenshot({ path: new URL(`${label}-digits-opened.png`, outDir).pathname, fullPage: true });
      await dg.draw(SHAPES.seven);
      await app.page.screenshot({ path: new URL(`${label}-digits-drawn.png`, outDir).pathname, fullPage: true });
      await dg.pickExample(4);
      await app.page.screenshot({ path: new URL(`${label}-digits-test-image.png`, outDir).pathname, fullPage: true });
      console.log(`wrote e2e/artifacts/${label}-forecast*.png and ${label}-digits-*.png`);
    }
    // Translation (#/translate): an example decoded to the end, then stepped back to the middle.
    if (wanted("translate")) {
      const tr = new TranslatePage(app.page, site.url);
      await tr.open();
      await tr.waitUntilReady();
      await tr.translate("The king went up to the city with his servants.");
      await tr.translateAll();
      await tr.targetTokens.nth(1).hover();
      await shoot(app.page, `${label}-translate-done.png`);
      await app.page.mouse.move(0, 0);
      for (let i = 0; i < 5; i++) await tr.backButton.click();
      await shoot(app.page, `${label}-translate-step.png`);
    }
    // The cost of attention (#/cost): a sweep to n = 1024 with its charts and the accuracy panel.
    if (wanted("cost")) {
      const cost = new CostPage(app.page, site.url);
      await cost.open("n=1024&d=64&w=2");
      await cost.runSweep({ timeout: 120_000 });
      await cost.waitForAccuracy();
      await shoot(app.page, `${label}-cost.png`);
    }
    // Recommendation (#/recommend): a real user's history, then an earlier position inspected.
    if (wanted("recommend")) {
      const rec = new RecommendPage(app.page, site.url);
      await rec.open();
      await rec.waitUntilReady();
      await rec.waitForResult(0);
      await shoot(app.page, `${label}-recommend.png`);
      await rec.open("h=50-181-172-174-100-127&at=3");
      await rec.page.reload();
      await rec.waitUntilReady();
      await rec.waitForResult(0);
      await shoot(app.page, `${label}-recommend-earlier.png`);
    }
    // Share and embed: the Share popover with the embed code open, then a view embedded (embed=1).
    if (wanted("share")) {
      await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(site.url).origin });
      await app.page.goto(`${site.url}#/walkthrough`);
      await app.waitUntilReady();
      await app.page.getByTestId("share").click();
      await app.page.getByTestId("share-embed-toggle").click();
      await app.page.getByTestId("share-status").filter({ hasText: /./ }).waitFor();
      await shoot(app.page, `${label}-share.png`);
      const dg = new DigitsPage(app.page, site.url);
      await dg.open("test=49&embed=1");
      await dg.waitUntilReady();
      await dg.prediction.waitFor();
      await shoot(app.page, `${label}-embed.png`);
    }
    // "Does attention explain this?" (walkthrough and digits): the full panel with one token removed.
    if (wanted("explain")) {
      const panel = new ExplainPanel(app.page);
      await app.page.goto(`${site.url}#/walkthrough?text=${encodeURIComponent(SENTENCE)}&explain=1`);
      await app.waitUntilReady();
      await panel.waitForRunAfter(0);
      await panel.chips.nth(1).click();
      await app.page.waitForFunction(() => document.querySelector('[data-testid="explain-live"]')?.dataset.value);
      await panel.root.scrollIntoViewIfNeeded();
      await panel.root.screenshot({ path: new URL(`${label}-explain-walkthrough.png`, outDir).pathname });
      console.log(`wrote e2e/artifacts/${label}-explain-walkthrough.png`);
      await app.page.goto(`${site.url}#/digits?test=49&explain=1`);
      await app.page.reload();
      await panel.waitForRunAfter(0, { timeout: 60_000 });
      await panel.root.screenshot({ path: new URL(`${label}-explain-digits.png`, outDir).pathname });
      console.log(`wrote e2e/artifacts/${label}-explain-digits.png`);
    }
    // The same panel on the sequence models (ONLY=explain-more): one element removed each.
    if (wanted("explain-more")) {
      const panel = new ExplainPanel(app.page);
      const views = [
        ["recommend", "#/recommend?explain=1"],
        ["translate", `#/translate?text=${encodeURIComponent("In the beginning God created the heavens and the earth.")}&step=3&explain=1`],
        ["generate", `#/generate?text=${encodeURIComponent("ROMEO:\nBut soft, what light through yonder window breaks? It is the east, and Juliet is the sun.")}&t=0&step=3&explain=1`],
      ];
      for (const [view, hash] of views) {
        await app.page.goto(`${site.url}${hash}`);
        await app.page.reload();
        await panel.waitForRunAfter(0, { timeout: 60_000 });
        await panel.chips.nth(1).click();
        await app.page.waitForFunction(() => document.querySelector('[data-testid="explain-live"]')?.dataset.value);
        await panel.root.scrollIntoViewIfNeeded();
        await panel.root.screenshot({ path: new URL(`${label}-explain-${view}.png`, outDir).pathname });
        console.log(`wrote e2e/artifacts/${label}-explain-${view}.png`);
      }
    }
    // Generator (#/generate): a seeded sampled continuation stepped to token 12, then the steps.
    if (wanted("generate")) {
      const gen = new GeneratePage(app.page, site.url);
      await gen.open(`text=${encodeURIComponent("ROMEO:\nBut soft, what light")}&step=12&layer=2&head=1`);
      await gen.waitUntilReady();
      await gen.waitForShown(12);
      await shoot(app.page, `${label}-generate.png`);
      await gen.open(`text=${encodeURIComponent("JULIET:\nO Romeo, Romeo! wherefore art thou Romeo?")}&t=0&step=30`);
      await gen.page.reload();
      await gen.waitUntilReady();
      await gen.waitForShown(30);
      await app.page.locator('[data-testid="steps"]').scrollIntoViewIfNeeded();
      await shoot(app.page, `${label}-generate-greedy.png`);
    }
    // Your own model (#/open): a refused file, a tiny GPT-2's model view and head view, a tiny ViT.
    if (wanted("open")) {
      const own = new OpenPage(app.page, site.url);
      await own.open();
      await own.fileInput.setInputFiles(exportFiles("gpt2").slice(1));
      await own.openError.waitFor();
      await shoot(app.page, `${label}-open-refused.png`);
      await own.fileInput.setInputFiles(exportFiles("gpt2"));
      await own.runText("The cat sat on the mat because it was warm.");
      await shoot(app.page, `${label}-open-model.png`);
      await own.gridCells.nth(6).click();
      await shoot(app.page, `${label}-open-head.png`);
      await own.fileInput.setInputFiles(exportFiles("vit"));
      await own.waitForRun();
      await shoot(app.page, `${label}-open-vit.png`);
    }
    // Learn (#/learn): a lesson with a wrong answer and the worked solution, the masks lesson,
    // the softmax lesson's tables, and a worksheet.
    if (wanted("learn")) {
      const learn = new LearnPage(app.page, site.url);
      const text = encodeURIComponent(SENTENCE);
      await learn.open(`lesson=dot&text=${text}`);
      await learn.answer("dot.score", "1");
      await learn.exercise("dot.score").solutionButton.click();
      await shoot(app.page, `${label}-learn-dot.png`);
      await learn.open(`lesson=softmax&text=${text}`);
      await shoot(app.page, `${label}-learn-softmax.png`);
      await learn.open(`lesson=masks&text=${text}`);
      await shoot(app.page, `${label}-learn-masks.png`);
      await learn.open(`sheet=positions.value,values.context,cost.fixed&text=${text}`);
      await shoot(app.page, `${label}-learn-sheet.png`);
      await app.page.emulateMedia({ media: "print" });
      await shoot(app.page, `${label}-learn-sheet-print.png`);
      await app.page.emulateMedia({ media: "screen" });
    }
    try {
      app.assertHealthy();
    } catch (err) {
      problems.push(`${label}: ${err.message}`);
    }
    await context.close();
  }
} finally {
  await browser.close();
  await site.close();
}
if (problems.length > 0) {
  console.error(problems.join("\n"));
  process.exitCode = 1;
}
