// Bytes on the wire and on the visitor's disk, with the offline service worker on, on the built
// site in headless Chromium. Prints figures and writes bench/results/storage.json; asserts nothing.
//
//   node bench/storage.mjs [--dir dist]
//
// - first visit on the wire: every response body e2e/serve.mjs sent (gzip when compressed) from
//   opening the walkthrough until the service worker has installed, against the bytes of the
//   distinct files (each sent once). The server sends `cache-control: no-cache`, so a service
//   worker that fetched its files again would show up here as a ratio near 2.
// - on disk: the bytes in each Cache Storage cache after also opening the pretrained encoder, and
//   how many copies of the encoder's model (23 MB) they hold.

import { parseArgs } from "node:util";
import { mkdir, writeFile } from "node:fs/promises";
import { startServer } from "../e2e/serve.mjs";
import { DESKTOP, PREFIX, launchBrowser } from "../e2e/support.mjs";

const { values: opts } = parseArgs({ options: { dir: { type: "string", default: process.env.DIST ?? "dist" } } });
const mb = (b) => `${(b / 1e6).toFixed(2)} MB`;

const site = await startServer({ dir: opts.dir, prefix: PREFIX, port: 0 });
const browser = await launchBrowser();
try {
  const context = await browser.newContext({ viewport: DESKTOP, serviceWorkers: "allow" });
  const page = await context.newPage();
  await page.goto(`${site.url}#/`);
  await page.locator('[data-testid="model-status"][data-state="ready"]').waitFor({ timeout: 120_000 });
  await page.evaluate(async () => {
    const reg = await navigator.serviceWorker.ready;
    return Boolean(reg.active);
  });
  const wire = site.bytesSent();
  const byPath = site.bytesByPath();
  const requests = site.requestsByPath();
  const distinct = [...byPath].reduce((sum, [path, bytes]) => sum + bytes / (requests.get(path) ?? 1), 0);
  const repeated = [...requests].filter(([, n]) => n > 1).map(([path, n]) => `${path.replace(PREFIX, "")} ×${n}`);

  await page.goto(`${site.url}#/encoder`);
  await page.locator('[data-testid="model-status"][data-state="ready"]').waitFor({ timeout: 180_000 });
  await page.waitForTimeout(1000);
  const disk = await page.evaluate(async () => {
    const out = [];
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      let bytes = 0;
      let encoderCopies = 0;
      for (const request of await cache.keys()) {
        const response = await cache.match(request);
        bytes += (await response.blob()).size;
        if (new URL(request.url).pathname.endsWith("models/minilm/model.onnx")) encoderCopies += 1;
      }
      out.push({ name, bytes, encoderCopies });
    }
    const estimate = await navigator.storage.estimate();
    return { caches: out, usage: estimate.usage };
  });

  console.log(`\nChromium ${browser.version()}, ${site.url}`);
  console.log(`first visit on the wire (walkthrough + service worker install): ${mb(wire)}`);
  console.log(`  distinct files: ${mb(distinct)}; ratio ${(wire / distinct).toFixed(2)}`);
  console.log(`  sent more than once: ${repeated.length ? repeated.join(", ") : "none"}`);
  console.log(`on disk after the walkthrough and the encoder:`);
  for (const c of disk.caches) console.log(`  ${c.name}: ${mb(c.bytes)}${c.encoderCopies ? ` (encoder model ×${c.encoderCopies})` : ""}`);
  const copies = disk.caches.reduce((n, c) => n + c.encoderCopies, 0);
  console.log(`  the encoder's model is stored ${copies} time(s); storage estimate ${mb(disk.usage)}`);
  const results = {
    date: new Date().toISOString(),
    browser: `Chromium ${browser.version()}`,
    firstVisitWireBytes: wire,
    firstVisitDistinctBytes: Math.round(distinct),
    wireOverDistinct: Number((wire / distinct).toFixed(2)),
    sentMoreThanOnce: repeated,
    diskBytes: disk.caches.reduce((n, c) => n + c.bytes, 0),
    encoderModelCopies: copies,
    storageEstimateBytes: disk.usage,
  };
  await mkdir(new URL("./results/", import.meta.url), { recursive: true });
  await writeFile(new URL("./results/storage.json", import.meta.url), JSON.stringify(results, null, 2) + "\n");
  console.log("\nwrote bench/results/storage.json");
} finally {
  await browser.close();
  await site.close();
}
