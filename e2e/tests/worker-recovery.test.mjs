import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { useWalkthrough } from "../support.mjs";

/** Makes the model worker die the way a trap in its wasm does: an error nothing inside catches. */
async function killWorker(page) {
  const workers = page.workers();
  assert.ok(workers.length > 0, "the page has a model worker");
  await Promise.all(workers.map((w) => w.evaluate(() => {
    setTimeout(() => { throw new Error("killed by the test"); }, 0);
  }).catch(() => {})));
}

describe("a worker that recovers", () => {
  const ctx = useWalkthrough();

  it("the worker dies mid-run: the page says so at once, starts a fresh one, reloads the model and keeps the text", async () => {
    const { app } = ctx;
    ctx.allow = { allowConsole: [/killed by the test/] };
    await app.open();
    await app.waitUntilReady();
    await app.setText("Der König sprach zum Volk.");
    const before = await app.tokenTexts();
    // A new text is on its way to the worker when it dies.
    await app.textInput.fill("Il re parlò al popolo.");
    const started = Date.now();
    await killWorker(app.page);
    const note = app.page.getByTestId("worker-restarted");
    await note.waitFor({ timeout: 5_000 });
    assert.ok(Date.now() - started < 5_000, "noticed at once, not after a request's time limit");
    assert.match(await note.textContent(), /killed by the test/);
    assert.match(await note.textContent(), /fresh one/);
    await app.waitUntilReady();
    assert.equal(await app.textInput.inputValue(), "Il re parlò al popolo.", "what the user typed is kept");
    await app.page.waitForFunction(() => document.querySelectorAll('[data-testid="token"]').length > 0);
    const after = await app.tokenTexts();
    assert.notDeepEqual(after, before, "the tokens are those of the text typed before the crash");
    // The fresh worker answers the next edit.
    await app.setText("The king spoke to the people.");
    assert.ok((await app.tokenTexts()).length > 3);
  });

  it("a worker that keeps dying is not restarted forever", async () => {
    const { app } = ctx;
    ctx.allow = { allowConsole: [/killed by the test/] };
    await app.open();
    await app.waitUntilReady();
    const note = app.page.getByTestId("worker-restarted");
    for (let i = 1; i <= 4; i++) {
      await killWorker(app.page);
      await app.page.locator(`[data-testid="worker-restarted"][data-count="${i}"]`).waitFor({ timeout: 5_000 });
      if (i < 4) await app.waitUntilReady();
    }
    assert.match(await note.textContent(), /keeps stopping/);
  });
});
