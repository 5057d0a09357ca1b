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
    assert.deepEqual(slugs, ["walkthrough", "encoder", "translate", "recommend", "forecast", "digits"]);
    assert.equal(await app.page.locator('[data-testid="demo-link"][aria-current="page"]').getAttribute("data-demo"), "walkthrough");

    await app.page.locator('[data-testid="demo-link"][data-demo="recommend"]').click();
    await app.page.waitForURL(/#\/recommend$/);
    assert.equal(await app.page.locator('[data-testid="demo-link"][aria-current="page"]').getAttribute("data-demo"), "recommend");
    assert.equal(await app.textInput.count(), 0, "the walkthrough is gone");

    await app.page.goBack();
    await app.waitUntilReady();
    await app.setText("Il re parlò al popolo.");
    assert.ok((await app.tokenTexts()).length > 3, "the walkthrough works again after coming back");
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
