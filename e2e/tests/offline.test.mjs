import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { useWalkthrough } from "../support.mjs";

describe("offline", () => {
  const ctx = useWalkthrough({ serviceWorkers: "allow" });

  it("after one visit the walkthrough loads and runs with the network off", async () => {
    const { app, context } = ctx;
    await app.open();
    await app.waitUntilReady();
    // The service worker installs after load and keeps the app and the walkthrough's model.
    const version = await app.page.evaluate(async () => {
      const reg = await navigator.serviceWorker.ready;
      const names = await caches.keys();
      return { active: Boolean(reg.active), names };
    });
    assert.ok(version.active, "a service worker is active");
    assert.ok(version.names.some((n) => n.startsWith("attention-playground-app-")), JSON.stringify(version.names));

    await context.setOffline(true);
    await app.page.reload();
    await app.waitUntilReady();
    await app.setText("Der König sprach zum Volk.");
    assert.ok((await app.tokenTexts()).length > 3);
    assert.equal(await app.error.count(), 0);
    await context.setOffline(false);
  });

  it("the service worker keeps what the page downloaded without fetching it again", async () => {
    const { app } = ctx;
    ctx.site.resetBytes?.();
    await app.open();
    await app.waitUntilReady();
    const cached = await app.page.evaluate(async () => {
      await navigator.serviceWorker.ready;
      const name = (await caches.keys()).find((n) => n.startsWith("attention-playground-app-"));
      return (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname);
    });
    assert.ok(cached.some((p) => p.endsWith("worker_bg.wasm")), cached.join(", "));
    // (The icon is fetched by the browser's own icon loader, which keeps a cache of its own.)
    const twice = [...(ctx.site.requestsByPath?.() ?? [])].filter(([path, n]) => n > 1 && !/sw\.js$|icon/.test(path));
    assert.deepEqual(twice, [], "each file travels once (the server sends no-cache)");
  });

  it("each build ships a service worker with its own version and file list", async () => {
    const { app } = ctx;
    const response = await app.page.request.get(new URL("sw.js", ctx.site.url).href);
    const text = await response.text();
    const match = text.match(/const PRECACHE = (\{.*\});/);
    assert.ok(match, "the build hook wrote the file list into sw.js");
    const { version, files: entries } = JSON.parse(match[1]);
    assert.match(version, /^[0-9a-f]{16}$/);
    assert.ok(entries.every((f) => /^[0-9a-f]{64}$/.test(f.sha256)), "each file with its SHA-256");
    const files = entries.map((f) => f.url);
    assert.ok(files.includes("./"));
    assert.ok(files.some((f) => f.endsWith(".wasm")), "the wasm files are kept");
    assert.ok(files.includes("models/langid/model.onnx"));
    assert.ok(!files.some((f) => f.startsWith("models/") && !f.startsWith("models/langid/")),
      "other demos' models are kept only once used");
  });
});
