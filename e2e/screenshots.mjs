// Writes a PNG of every walkthrough step at desktop and phone width into e2e/artifacts/, for
// reviewing the layout by eye (and for the README). Serves DIST (default dist) under the sub-path.
//
//   node e2e/screenshots.mjs            → e2e/artifacts/desktop-01-tokens.png … phone-10-output.png

import { mkdir } from "node:fs/promises";
import { DESKTOP, PHONE, STEPS, launchBrowser, startSite } from "./support.mjs";
import { WalkthroughPage } from "./pages/walkthrough.mjs";

const SENTENCE = "The cat sat on the mat because it was warm.";
const outDir = new URL("./artifacts/", import.meta.url);
await mkdir(outDir, { recursive: true });

const site = await startSite();
const browser = await launchBrowser();
const problems = [];
try {
  for (const [label, viewport] of Object.entries({ desktop: DESKTOP, phone: PHONE })) {
    const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
    const app = new WalkthroughPage(await context.newPage(), site.url);
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
