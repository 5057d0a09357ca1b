import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MODEL_URL, PREFIX, useWalkthrough } from "../support.mjs";

describe("loading", () => {
  const ctx = useWalkthrough();

  it("loads under the sub-path and becomes ready with no console errors", async () => {
    const { app } = ctx;
    const requested = [];
    app.page.on("request", (req) => requested.push(new URL(req.url())));
    await app.open();
    await app.waitUntilReady();
    assert.equal(await app.modelState(), "ready");
    const outside = requested.filter((url) => url.protocol.startsWith("http") && !url.pathname.startsWith(PREFIX));
    assert.deepEqual(outside.map(String), [], "every request stays under the sub-path");
    // useWalkthrough's afterEach fails the test on any console error, page error or HTTP error.
  });

  it("shows a progress bar while the model downloads", async () => {
    const { app } = ctx;
    // Hold the model back so the loading state is long enough to see.
    let release;
    const held = new Promise((resolve) => (release = resolve));
    await app.page.route(MODEL_URL, async (route) => {
      await held;
      await route.continue();
    });
    await app.open();
    await app.page.locator('[data-testid="model-status"][data-state="loading"]').waitFor();
    await app.progress.waitFor();
    assert.equal(await app.progress.evaluate((el) => el.tagName.toLowerCase()), "progress");
    release();
    await app.waitUntilReady();
  });
});
