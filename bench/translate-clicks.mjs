// How many Translate clicks start nothing: N clicks (default 100), each right after the
// previous "Translate all" finished and the text box was refilled, as a user does. Prints the
// count and, for each lost click, what the page showed; asserts nothing.
//
//   node bench/translate-clicks.mjs [dist] [N] [long]
//
// A lost click was seen about once in ten on 2026-12-01. Cause found: Translate read the sentence
// of the last render, so a click that beat the re-render after an edit translated the old text.
import { startServer } from "../e2e/serve.mjs";
import { DESKTOP, PREFIX, launchBrowser } from "../e2e/support.mjs";
const dir = process.argv[2] ?? process.env.DIST ?? "dist";
const N = Number(process.argv[3] ?? 100);
const site = await startServer({ dir, prefix: PREFIX, port: 0 });
const browser = await launchBrowser();
const page = await (await browser.newContext({ viewport: DESKTOP })).newPage();
await page.addInitScript(() => {
  window.__clicks = [];
  document.addEventListener("click", (e) => {
    const b = e.target?.closest?.("button");
    const t = document.querySelector('[data-testid="timings"]');
    window.__clicks.push({ id: b?.dataset.testid ?? e.target?.tagName, disabled: b?.disabled, run: t?.dataset.run, busy: document.querySelector('[data-testid="step-counter"]')?.dataset.busy });
  }, { capture: true });
});
await page.goto(`${site.url}#/translate`);
await page.locator('[data-testid="model-status"][data-state="ready"]').waitFor({ timeout: 120000 });
const texts = process.argv[4] === "long" ? ["And the king said to his servants, go into the city and bring the people to me.", "The Lord is my shepherd; I shall not want. He makes me lie down in green pastures.", "Then Jesus said to his disciples, follow me and I will give you rest."] : ["I love you.", "Go home.", "The king spoke.", "Come here."];
let lost = 0;
for (let i = 0; i < N; i++) {
  const run = Number(await page.locator('[data-testid="timings"]').getAttribute("data-run"));
  await page.locator('[data-testid="text-input"]').fill(texts[i % texts.length]);
  await page.evaluate(() => (window.__clicks = []));
  await page.locator('[data-testid="translate-button"]').click();
  const ok = await page.waitForFunction((run) => {
    const t = document.querySelector('[data-testid="timings"]');
    return Number(t.dataset.run) > run && t.dataset.encodeMs !== "" && document.querySelector('[data-testid="all"]');
  }, run, { timeout: 5000 }).then(() => true, () => false);
  if (!ok) {
    lost++;
    const st = await page.evaluate(() => ({ clicks: window.__clicks, run: document.querySelector('[data-testid="timings"]').dataset.run, enc: document.querySelector('[data-testid="timings"]').dataset.encodeMs, text: document.querySelector('[data-testid="text-input"]').value, all: !!document.querySelector('[data-testid="all"]'), err: document.querySelector('.error, [data-testid="error"]')?.textContent }));
    console.log("LOST", i, JSON.stringify(st));
    await page.locator('[data-testid="translate-button"]').click();
    await page.waitForFunction((run) => Number(document.querySelector('[data-testid="timings"]').dataset.run) > run && document.querySelector('[data-testid="all"]'), run, { timeout: 30000 });
  }
  await page.locator('[data-testid="all"]').click();
  await page.waitForFunction(() => { const c = document.querySelector('[data-testid="step-counter"]'); return c?.dataset.finished === "true" && c.dataset.shown === c.dataset.computed; }, null, { timeout: 60000 });
}
console.log(`lost ${lost} of ${N}`);
await browser.close(); await site.close();
