import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { useWalkthrough } from "../support.mjs";

describe("chinese", () => {
  const ctx = useWalkthrough();

  it("Chinese text is tokenized one character per token and identified as Chinese", async () => {
    const { app } = ctx;
    await app.open();
    await app.waitUntilReady();
    const text = "注意力机制是深度学习的核心。";
    await app.setText(text);
    const tokens = await app.tokenTexts();
    // [CLS] + one token per character + [SEP]
    assert.equal(tokens.length, [...text].length + 2, `tokens: ${tokens.join(" ")}`);
    await app.prediction.waitFor();
    const first = (await app.prediction.locator("li").first().innerText()).trim();
    assert.match(first, /^Chinese/, `top prediction: ${first}`);
    assert.equal(await app.textInput.inputValue(), text, "the text is kept");
  });
});
