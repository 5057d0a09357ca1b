// Share and embed: the header's Share button copies the link to what is on screen and offers the
// <iframe> code; `&embed=1` shows the view alone (no header, no navigation) with a link back to
// the full view, and keeps `embed=1` while the reader moves through the view.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { DESKTOP, PHONE, useWalkthrough } from "../support.mjs";
import { DigitsPage } from "../pages/digits.mjs";
import { AXE_SCRIPT, seriousViolations } from "../axe.mjs";

const byTestId = (id) => `[data-testid="${id}"]`;

/** The Share button's parts on `page`. */
const share = (page) => ({
  button: page.locator(byTestId("share")),
  panel: page.locator(byTestId("share-panel")),
  link: page.locator(byTestId("share-link")),
  copy: page.locator(byTestId("share-copy")),
  embedToggle: page.locator(byTestId("share-embed-toggle")),
  snippet: page.locator(byTestId("share-snippet")),
  copyEmbed: page.locator(byTestId("share-copy-embed")),
  status: page.locator(byTestId("share-status")),
});

/** The embedded layout's link back to the full view. */
const fullLink = (page) => page.locator(byTestId("embed-full-link"));

/** Resolves once the address bar's hash satisfies `test`. */
async function waitForHash(page, test) {
  await page.waitForFunction(test, null, { timeout: 10_000 });
}

describe("Share", () => {
  const ctx = useWalkthrough();

  it("copies the link to the view on screen and offers the embed code", async () => {
    const { app, context } = ctx;
    const { page } = app;
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(ctx.site.url).origin });
    await app.open();
    await app.waitUntilReady();
    await app.setText("Share this sentence");
    await app.goToStep("softmax");
    await waitForHash(page, () => location.hash.includes("step=softmax"));
    const s = share(page);
    assert.equal(await s.button.getAttribute("aria-expanded"), "false");
    await s.button.click();
    await s.status.filter({ hasText: "Link copied" }).waitFor();
    assert.equal(await s.button.getAttribute("aria-expanded"), "true");
    const href = await page.evaluate(() => location.href);
    assert.match(href, /#\/walkthrough\?text=Share%20this%20sentence.*step=softmax/);
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), href);
    assert.equal(await s.link.inputValue(), href);

    // The embed code: one iframe with the same view and embed=1, named for screen readers.
    assert.equal(await s.snippet.count(), 0, "shown on request only");
    await s.embedToggle.click();
    assert.equal(await s.embedToggle.getAttribute("aria-expanded"), "true");
    const snippet = await s.snippet.inputValue();
    const src = `${href.replace(/&/g, "&amp;")}&amp;embed=1`;
    assert.equal(snippet, `<iframe src="${src}" title="Attention Playground: Step by step" width="100%" height="720" style="border:0" loading="lazy"></iframe>`);
    await s.copyEmbed.click();
    await s.status.filter({ hasText: "Embed code copied" }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), snippet);

    // A later change of the view is in the link the popover shows.
    await app.goToStep("context");
    await page.waitForFunction(() => document.querySelector('[data-testid="share-link"]')?.value.includes("step=context"));

    // Escape closes it and gives the focus back to the button.
    await s.link.focus();
    await page.keyboard.press("Escape");
    await s.panel.waitFor({ state: "detached" });
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), "share");
  });

  it("without a clipboard, selects the link for Ctrl+C and says so", async () => {
    const { app } = ctx;
    const { page } = app;
    // An insecure page has no navigator.clipboard at all.
    await page.addInitScript(() => Object.defineProperty(Navigator.prototype, "clipboard", { get: () => undefined }));
    await app.open();
    await app.waitUntilReady();
    const s = share(page);
    await s.button.click();
    await s.status.filter({ hasText: "press Ctrl+C" }).waitFor();
    const selected = await page.evaluate(() => {
      const el = document.activeElement;
      return { testid: el?.dataset.testid, all: el?.selectionStart === 0 && el?.selectionEnd === el?.value.length, value: el?.value };
    });
    assert.deepEqual(selected, { testid: "share-link", all: true, value: await page.evaluate(() => location.href) });
  });
});

describe("Embed", () => {
  const ctx = useWalkthrough();

  it("shows the view alone, keeps embed=1 through the view's own link updates, and links back", async () => {
    const { app, context } = ctx;
    const { page } = app;
    await page.addInitScript({ path: AXE_SCRIPT });
    await page.goto(`${ctx.site.url}#/walkthrough?text=Hello%20world&embed=1`);
    await app.waitUntilReady();
    assert.equal(await page.locator("header.top").count(), 0, "no header");
    assert.equal(await page.locator(byTestId("demo-nav")).count(), 0, "no navigation");
    assert.equal(await page.locator(byTestId("share")).count(), 0, "no Share button");
    assert.equal(await app.textInput.inputValue(), "Hello world");
    assert.ok((await app.tokens.count()) > 0);

    // The view works and writes its link; embed=1 stays.
    await app.goToStep("softmax");
    await waitForHash(page, () => location.hash.includes("step=softmax"));
    assert.match(await page.evaluate(() => location.hash), /^#\/walkthrough\?text=Hello%20world.*&embed=1$/);
    await app.setText("Bonjour");
    await waitForHash(page, () => location.hash.includes("text=Bonjour"));
    assert.match(await page.evaluate(() => location.hash), /embed=1/);

    // The link back: the same view, full, in a new tab.
    const link = fullLink(page);
    assert.equal(await link.getAttribute("target"), "_blank");
    assert.match(await link.textContent(), /Open in Attention Playground/);
    const href = await link.getAttribute("href");
    const hash = await page.evaluate(() => location.hash);
    assert.equal(new URL(href).hash, hash.replace("&embed=1", ""));
    assert.deepEqual(await seriousViolations(page), []);
    const [full] = await Promise.all([context.waitForEvent("page"), link.click()]);
    const fullApp = new app.constructor(full, ctx.site.url);
    await fullApp.waitUntilReady();
    await full.locator("header.top").waitFor();
    assert.equal(await fullApp.currentStep(), "softmax");
    assert.equal(await fullApp.textInput.inputValue(), "Bonjour");
    fullApp.assertHealthy();
  });

  it("fits a 600 px iframe in another page without sideways scrolling", async () => {
    const { app } = ctx;
    const { page } = app;
    await page.setContent(`<iframe src="${ctx.site.url}#/digits?test=49&embed=1" title="digits" width="600" height="720" style="border:0"></iframe>`);
    const frame = page.frameLocator("iframe");
    await frame.locator(`${byTestId("model-status")}[data-state="ready"]`).waitFor({ timeout: 60_000 });
    await frame.locator(byTestId("prediction")).waitFor();
    const overflow = await frame.locator("html").evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.equal(overflow, 0);
    assert.equal(await frame.locator(byTestId("embed-full-link")).count(), 1);
  });
});

describe("Share and embed in Chinese", () => {
  const ctx = useWalkthrough({ locale: "zh-CN" });

  it("says everything in Chinese", async () => {
    const { app, context } = ctx;
    const { page } = app;
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(ctx.site.url).origin });
    const digits = new DigitsPage(page, ctx.site.url);
    await digits.open("test=49");
    await digits.waitUntilReady();
    const s = share(page);
    assert.equal((await s.button.textContent()).trim(), "分享");
    await s.button.click();
    await s.status.filter({ hasText: "链接已复制" }).waitFor();
    await s.embedToggle.click();
    assert.match(await s.snippet.inputValue(), /title="注意力游乐场：图像块"/);
    // On a phone the popover stays on the screen.
    await page.setViewportSize(PHONE);
    const box = await s.panel.boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= PHONE.width, `popover at ${box.x}…${box.x + box.width} px`);
    await page.setViewportSize(DESKTOP);

    // The embedded digits view, in Chinese, follows a picked test image.
    await page.goto(`${ctx.site.url}#/digits?test=49&embed=1`);
    await digits.waitUntilReady();
    await digits.prediction.waitFor();
    assert.match(await fullLink(page).textContent(), /在注意力游乐场中打开/);
    const before = await page.evaluate(() => location.hash);
    await digits.pickExample(2);
    await page.waitForFunction((before) => location.hash !== before, before);
    assert.match(await page.evaluate(() => location.hash), /embed=1/);
    const href = await fullLink(page).getAttribute("href");
    assert.doesNotMatch(href, /embed=1/);
    assert.equal(new URL(href).hash, (await page.evaluate(() => location.hash)).replace(/[?&]embed=1/, ""));
  });
});
