import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { useWalkthrough } from "../support.mjs";

const MAX_TOKENS = 64;

// Text a user might paste; each must keep the page alive, show tokens and stay in the textarea.
const AWKWARD = {
  emoji: "I 💜 pizza 🍕 and 👩‍👩‍👧 families 🇫🇷",
  arabic: "مرحبا بالعالم، كيف حالك؟",
  hebrew: "שלום עולם, מה שלומך?",
  "mixed direction": "The word שלום means peace; سلام too.",
  "script tag": "<script>alert(1)</script> hello",
  "html with handler": '<img src=x onerror="alert(1)"> hi',
  "zero-width characters": "zero\u200Bwidth\u200C join\u200Der\uFEFF text",
  "control characters": "tab\there bell\u0007 escape\u001b[31m null\u0000 end",
};

describe("awkward input", () => {
  const ctx = useWalkthrough();

  async function ready() {
    await ctx.app.open();
    await ctx.app.waitUntilReady();
    return ctx.app;
  }

  it("empty input shows a readable message", async () => {
    const app = await ready();
    await app.setText("Something first.");
    await app.textInput.fill("");
    await app.inputMessage.waitFor();
    const message = (await app.inputMessage.innerText()).trim();
    assert.ok(message.length > 5, `a readable message, got "${message}"`);
  });

  it("20,000 characters are truncated with a note and the page keeps working", async () => {
    const app = await ready();
    const long = "All work and no play makes Jack a dull boy. ".repeat(500).slice(0, 20_000);
    await app.setText(long);
    await app.truncationNote.waitFor();
    const count = await app.tokens.count();
    assert.ok(count > 2 && count <= MAX_TOKENS, `at most ${MAX_TOKENS} tokens, got ${count}`);
    assert.equal((await app.textInput.inputValue()).length, long.length, "the text itself is kept");
    const { ok } = await app.agreement();
    assert.equal(ok, "true", "truncated input still agrees with tract");

    await app.setText("Short again.");
    await app.truncationNote.waitFor({ state: "detached" });
    assert.ok((await app.tokens.count()) < count);
  });

  for (const [name, text] of Object.entries(AWKWARD)) {
    it(`${name}: tokens shown, text kept, nothing executed`, async () => {
      const app = await ready();
      await app.page.evaluate(() => {
        window.__alerts = 0;
        window.alert = () => (window.__alerts += 1);
      });
      await app.setText(text);
      assert.ok((await app.tokens.count()) >= 2, "at least [CLS] and [SEP]");
      assert.equal(await app.textInput.inputValue(), text, "the textarea keeps the text as typed");
      const injected = await app.page.evaluate(() => ({
        alerts: window.__alerts,
        scripts: [...document.querySelectorAll("script")].filter((s) => s.textContent.includes("alert(1)")).length,
        images: [...document.querySelectorAll("img[onerror]")].length,
      }));
      assert.deepEqual(injected, { alerts: 0, scripts: 0, images: 0 }, "user text is never parsed as HTML");
    });
  }
});
