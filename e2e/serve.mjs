// A zero-dependency static server that serves a built site the way GitHub Pages does:
// under a sub-path (https://user.github.io/<repo>/), gzip-compressed when the client accepts it,
// with correct MIME types (application/wasm, so streaming compilation works) and 404 elsewhere.
//
//   node e2e/serve.mjs --dir dist --prefix /attention-playground/ --port 8081 [--host 127.0.0.1]
//
// Tests and benchmarks import startServer(); bench/run.mjs reads bytesSent() for transfer sizes.
// `cors: true` adds Access-Control-Allow-Origin: * (the cross-engine smoke serves models/hf/ so).

import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";

const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".onnx": "application/octet-stream",
  ".bin": "application/octet-stream",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".woff2": "font/woff2",
  ".webmanifest": "application/manifest+json",
};

// Formats that are already compressed gain nothing from gzip.
const ALREADY_COMPRESSED = new Set([".png", ".jpg", ".woff2", ".gz", ".br", ".zip"]);

function acceptsGzip(header = "") {
  return header
    .split(",")
    .map((part) => part.trim().split(";"))
    .some(([coding, q]) => coding.trim() === "gzip" && !/^\s*q=0(\.0*)?\s*$/.test(q ?? ""));
}

/**
 * Serves `dir` under `prefix` (which must start and end with "/").
 * Resolves to { url, port, close(), bytesSent() } once listening; port 0 picks a free port.
 */
export async function startServer({ dir, prefix = "/", port = 0, host = "127.0.0.1", log = false, cors = false }) {
  if (!prefix.startsWith("/") || !prefix.endsWith("/")) {
    throw new Error(`prefix must start and end with "/": ${prefix}`);
  }
  const root = resolve(dir);
  if (!(await stat(root).catch(() => null))?.isDirectory()) {
    throw new Error(`not a directory: ${root} (build the site first: trunk build --release --public-url ${prefix})`);
  }
  const gzipCache = new Map(); // path -> { mtimeMs, body }
  let bytesByPath = new Map(); // response body bytes as sent (gzip when compressed)
  let requestsByPath = new Map(); // how many times each path was sent

  async function handle(req, res) {
    const send = (status, headers, body) => {
      res.writeHead(status, headers);
      if (req.method === "HEAD") return res.end();
      bytesByPath.set(req.url, (bytesByPath.get(req.url) ?? 0) + body.length);
      requestsByPath.set(req.url, (requestsByPath.get(req.url) ?? 0) + 1);
      res.end(body);
    };
    const notFound = () => send(404, { "content-type": "text/plain; charset=utf-8" }, Buffer.from("404 Not Found\n"));

    if (req.method !== "GET" && req.method !== "HEAD") {
      return send(405, { allow: "GET, HEAD" }, Buffer.from("405 Method Not Allowed\n"));
    }
    const url = new URL(req.url, "http://localhost");
    let pathname;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      return notFound();
    }
    if (pathname === prefix.slice(0, -1)) {
      return send(301, { location: prefix + url.search }, Buffer.alloc(0));
    }
    if (!pathname.startsWith(prefix) || pathname.includes("\0")) return notFound();

    let file = resolve(root, "." + pathname.slice(prefix.length - 1));
    if (file !== root && !file.startsWith(root + sep)) return notFound();
    let info = await stat(file).catch(() => null);
    if (info?.isDirectory()) {
      file = join(file, "index.html");
      info = await stat(file).catch(() => null);
    }
    if (!info?.isFile()) return notFound();

    const ext = extname(file).toLowerCase();
    const headers = {
      "content-type": MIME[ext] ?? "application/octet-stream",
      "cache-control": "no-cache",
      vary: "Accept-Encoding",
      // A host that lets pages of other origins read its files (a user's model for #/open).
      ...(cors ? { "access-control-allow-origin": "*" } : {}),
    };
    let body;
    if (acceptsGzip(req.headers["accept-encoding"]) && !ALREADY_COMPRESSED.has(ext)) {
      const cached = gzipCache.get(file);
      if (cached?.mtimeMs === info.mtimeMs) {
        body = cached.body;
      } else {
        body = gzipSync(await readFile(file), { level: 9 });
        gzipCache.set(file, { mtimeMs: info.mtimeMs, body });
      }
      headers["content-encoding"] = "gzip";
    } else {
      body = await readFile(file);
    }
    headers["content-length"] = body.length;
    send(200, headers, body);
  }

  const server = createServer((req, res) => {
    handle(req, res)
      .catch((err) => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
        res.end(`500 ${err.message}\n`);
      })
      .finally(() => {
        if (log) console.log(`${res.statusCode} ${req.method} ${req.url}`);
      });
  });
  await new Promise((ok, fail) => server.once("error", fail).listen(port, host, ok));
  const actualPort = server.address().port;
  return {
    port: actualPort,
    url: `http://${host}:${actualPort}${prefix}`,
    /** Body bytes sent since the last reset, in total and per URL path. */
    bytesSent: () => [...bytesByPath.values()].reduce((a, b) => a + b, 0),
    bytesByPath: () => new Map(bytesByPath),
    requestsByPath: () => new Map(requestsByPath),
    resetBytes: () => {
      bytesByPath = new Map();
      requestsByPath = new Map();
    },
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

function parseArgs(argv) {
  const args = { dir: "dist", prefix: "/attention-playground/", port: 8081, host: "127.0.0.1", log: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === "--log") args.log = true;
    else if (["--dir", "--prefix", "--port", "--host"].includes(flag) && i + 1 < argv.length) {
      args[flag.slice(2)] = flag === "--port" ? Number(argv[++i]) : argv[++i];
    } else {
      throw new Error(`usage: node e2e/serve.mjs [--dir dist] [--prefix /attention-playground/] [--port 8081] [--host 127.0.0.1] [--log] (unknown: ${flag})`);
    }
  }
  return args;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const site = await startServer(parseArgs(process.argv.slice(2)));
  console.log(`Serving on ${site.url}`);
  const stop = () => site.close().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
