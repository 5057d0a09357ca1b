import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { useWalkthrough } from "../support.mjs";

describe("permalinks", () => {
  const ctx = useWalkthrough();

  it("the address bar follows the view, and opening it restores text, step, layer and head", async () => {
    const { app, context } = ctx;
    await app.open();
    await app.waitUntilReady();
    const text = "Le roi & la reine: 100% «oui» 🙂";
    await app.setText(text);
    await app.goToStep("softmax");
    await app.layerSelect.selectOption("2");
    await app.headSelect.selectOption("3");
    await app.page.waitForFunction(() => location.hash.includes("head=3"));
    const url = app.page.url();
    assert.match(url, /#\/walkthrough\?text=.*&step=softmax&layer=2&head=3$/);

    const other = await context.newPage();
    await other.goto(url);
    await other.locator('[data-testid="model-status"][data-state="ready"]').waitFor({ timeout: 60_000 });
    await other.locator('[data-testid="step"][data-step="softmax"]').waitFor();
    assert.equal(await other.getByTestId("text-input").inputValue(), text);
    assert.equal(await other.getByTestId("layer-select").inputValue(), "2");
    assert.equal(await other.getByTestId("head-select").inputValue(), "3");
    await other.locator('[data-testid="heatmap"][data-name="weights head 3"]').first().waitFor();
    await other.close();
  });

  it("a tampered link keeps what it can and says what it could not use", async () => {
    const { app } = ctx;
    await app.page.goto(`${app.baseUrl}#/walkthrough?text=Hola%20mundo&step=%3Cimg%3E&layer=999&head=-1`);
    await app.waitUntilReady();
    const problem = app.page.getByTestId("link-problem");
    await problem.waitFor();
    assert.match(await problem.textContent(), /step and layer and head could not be used/);
    assert.equal(await app.textInput.inputValue(), "Hola mundo");
    assert.equal(await app.currentStep(), "tokens");
  });

  it("a link opened in the tab that already shows the walkthrough is read, not ignored", async () => {
    const { app } = ctx;
    await app.page.goto(`${app.baseUrl}#/walkthrough?text=Hello%20world`);
    await app.waitUntilReady();
    assert.equal(await app.textInput.inputValue(), "Hello world");
    const before = await app.tokenTexts();
    // The user edits the address bar of the same tab: a hashchange, no reload.
    await app.page.evaluate(() => { location.hash = "#/walkthrough?text=Bonjour%20le%20monde&step=softmax&layer=2&head=3"; });
    await app.page.locator('[data-testid="step"][data-step="softmax"]').waitFor();
    await app.waitUntilReady();
    assert.equal(await app.textInput.inputValue(), "Bonjour le monde");
    assert.equal(await app.layerSelect.inputValue(), "2");
    assert.equal(await app.headSelect.inputValue(), "3");
    await app.page.locator('[data-testid="heatmap"][data-name="weights head 3"]').first().waitFor();
    await app.page.waitForFunction((n) => document.querySelectorAll('[data-testid="token"]').length > 0, null);
    assert.notDeepEqual(await app.tokenTexts(), before, "the tokens are those of the new text");
    // Back returns to the first link, read afresh too.
    await app.page.goBack();
    await app.page.locator('[data-testid="step"][data-step="tokens"]').waitFor();
    await app.page.waitForFunction(() => document.querySelector('[data-testid="text-input"]')?.value === "Hello world");
    // And so is every later link: each address change is a new visit, not only the first one.
    for (const text of ["Guten Tag", "Buenos días"]) {
      await app.page.evaluate((t) => { location.hash = `#/walkthrough?text=${encodeURIComponent(t)}&step=scores`; }, text);
      await app.page.locator('[data-testid="step"][data-step="scores"]').waitFor();
      await app.page.waitForFunction((t) => document.querySelector('[data-testid="text-input"]')?.value === t, text);
    }
  });
});
