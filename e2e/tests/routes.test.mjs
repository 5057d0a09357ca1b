import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { useWalkthrough } from "../support.mjs";

describe("demo navigation", () => {
  const ctx = useWalkthrough();

  it("every demo has a link, the hash picks the demo, and back returns", async () => {
    const { app } = ctx;
    await app.open();
    await app.waitUntilReady();
    const links = app.page.getByTestId("demo-link");
    const slugs = await links.evaluateAll((as) => as.map((a) => a.dataset.demo));
    assert.deepEqual(slugs, ["learn", "walkthrough", "encoder", "translate", "recommend", "forecast", "digits", "generate", "cost", "open"]);
    assert.equal(await app.page.locator('[data-testid="demo-link"][aria-current="page"]').getAttribute("data-demo"), "walkthrough");

    await app.page.locator('[data-testid="demo-link"][data-demo="recommend"]').click();
    await app.page.waitForURL(/#\/recommend$/);
    assert.equal(await app.page.locator('[data-testid="demo-link"][aria-current="page"]').getAttribute("data-demo"), "recommend");
    assert.equal(await app.textInput.count(), 0, "the walkthrough is gone");

    await app.page.goBack();
    // The walkthrough's own status: the recommendation's may still be on screen for a moment.
    await app.textInput.waitFor();
    await app.waitUntilReady();
    await app.setText("Il re parlò al popolo.");
    assert.ok((await app.tokenTexts()).length > 3, "the walkthrough works again after coming back");
  });

  it("a demo that finishes loading after the address has left it does not write its link back", async () => {
    const { app } = ctx;
    await app.open();
    await app.waitUntilReady();
    // Hold the recommendation's files, open it, then change the address the way back does
    // before the shell has heard of it (the hashchange comes later, as a task of its own).
    let release;
    const held = new Promise((resolve) => { release = resolve; });
    const files = /models\/recommend\//;
    await app.page.route(files, async (route) => { await held; await route.continue(); });
    await app.page.locator('[data-testid="demo-link"][data-demo="recommend"]').click();
    await app.page.waitForURL(/#\/recommend$/);
    await app.page.evaluate(() => history.replaceState(null, "", `${location.pathname}#/walkthrough`));
    release();
    // The leaving view gets its files and renders with its link ready...
    await app.page.locator('[data-testid="model-status"][data-state="ready"]').waitFor();
    await app.page.waitForTimeout(500);
    await app.page.unroute(files);
    // ...but the address keeps naming the demo the user went to.
    assert.match(app.page.url(), /#\/walkthrough$/);
    await app.page.evaluate(() => window.dispatchEvent(new HashChangeEvent("hashchange")));
    await app.textInput.waitFor({ timeout: 10_000 });
    assert.equal(await app.page.locator('[data-testid="demo-link"][aria-current="page"]').getAttribute("data-demo"), "walkthrough");
  });

  it("a link to a view that does not exist says so and shows the walkthrough", async () => {
    const { app } = ctx;
    await app.page.goto(`${app.baseUrl}#/<script>alert(1)</script>?x=%zz`);
    const problem = app.page.getByTestId("route-problem");
    await problem.waitFor();
    assert.match(await problem.textContent(), /does not exist/);
    await app.waitUntilReady();
  });
});
