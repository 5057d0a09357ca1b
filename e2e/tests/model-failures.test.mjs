import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { MODEL_URL, useWalkthrough } from "../support.mjs";

// A 1×1 PNG: a real file of the wrong kind.
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);

const BROKEN_MODELS = {
  "a missing model (404)": (route) => route.fulfill({ status: 404, contentType: "text/plain", body: "Not Found" }),
  "a truncated model (first 1000 bytes)": async (route) => {
    const real = await route.fetch();
    await route.fulfill({ status: 200, contentType: "application/octet-stream", body: (await real.body()).subarray(0, 1000) });
  },
  "a PNG instead of a model": (route) => route.fulfill({ status: 200, contentType: "application/octet-stream", body: PNG }),
  "random bytes instead of a model": (route) =>
    route.fulfill({ status: 200, contentType: "application/octet-stream", body: randomBytes(50_000) }),
};

describe("model failures", () => {
  const ctx = useWalkthrough();

  for (const [name, handler] of Object.entries(BROKEN_MODELS)) {
    it(`${name} shows a readable error and the page survives`, async () => {
      const { app } = ctx;
      // Failing to load is expected to log; throwing (a page error) or crashing is not.
      ctx.allow = { allowConsole: [/./], allowFailedResponses: [/\.onnx/] };
      await app.page.route(MODEL_URL, handler);
      await app.open();
      await app.error.waitFor({ timeout: 30_000 });
      const message = (await app.error.innerText()).trim();
      assert.ok(message.length >= 10 && message.length <= 600, `a readable message, got "${message}"`);
      assert.doesNotMatch(message, /undefined|\[object|RuntimeError|unreachable|panicked|JsValue/);
      assert.equal(await app.modelState(), "failed");
      assert.equal(await app.page.evaluate(() => document.readyState), "complete", "the page still responds");
    });
  }
});
