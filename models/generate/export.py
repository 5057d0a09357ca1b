#!/usr/bin/env python3
"""Shakespeare generator, step 2 of 2: checkpoint -> int8 ONNX with a KV cache, metrics, golden values.

Run from the repository root after train.py:

    python models/generate/export.py            # reads models/.cache/generate/checkpoint.pt
    python models/generate/export.py --smoke    # untrained weights, writes to /tmp (tests the path)

1. Weight-only int8: every matrix (token embedding, W_Q, W_K, W_V, W_O, both MLP matrices of every
   layer) becomes int8 with one float32 scale per output channel (symmetric, zero point 0,
   scale = max|w| / 127). The "quantized model" everywhere below is the PyTorch model whose
   weights are exactly those dequantized values; LayerNorm parameters stay float32.
2. model.onnx: torch.onnx.export (legacy exporter, opset 17) of Generator.forward with the cache
   as inputs and outputs, then every float matrix initializer is replaced by int8 + scale +
   DequantizeLinear. Inputs: ids [1, n] int64, start [1] int64 (absolute position of ids[0]),
   past.{l}.key / past.{l}.value [1, H, past, d_k]. Outputs: logits [1, n, vocab],
   layer{l}.key / layer{l}.value [1, H, past+n, d_k] (the cache with the new rows; keys after
   RoPE), layer{l}.weights [1, H, n, past+n], layer{l}.x [1, n, d] (LayerNorm output the attention
   block reads), final.hidden / final.norm [1, n, d] (before / after the final LayerNorm) and the
   parameter outputs layer{l}.w_q/.w_k/.w_v/.w_o [d, d] (row-vector layout, x·W), final.gamma,
   final.beta [d].
3. Checks onnxruntime against PyTorch (full recompute and prefill + cached steps).
4. metrics.json: held-out perplexity (float32 and int8) against unigram and bigram baselines on
   the same target tokens; per-head previous-token / induction / sink scores.
5. golden.json: PyTorch values for several prompts, the greedy and a seeded sampled decode.
   The sampler is written out below exactly as src/demos/generate/sampling.rs runs it,
   including ChaCha8 (rand_chacha's ChaCha8Rng::seed_from_u64) for the uniform draws.
"""

import argparse
import gzip
import hashlib
import json
import math
import struct
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import model as M  # noqa: E402
import train as T  # noqa: E402

OPSET = 17
MAX_NEW_TOKENS = 200
INDUCTION_PERIOD = 40          # random tokens, then the same tokens again
INDUCTION_SEED = 7


def log(*a):
    print(f"[{time.strftime('%H:%M:%S')}]", *a, flush=True)


# --------------------------------------------------------------------------- int8

def quantize_rows(w):
    """Symmetric int8 per row: scale = max|row| / 127, q = round(w / scale) in [-127, 127]."""
    w = np.asarray(w, dtype=np.float32)
    amax = np.abs(w).max(axis=1)
    scale = np.where(amax > 0, amax / np.float32(127.0), np.float32(1.0)).astype(np.float32)
    q = np.clip(np.rint(w / scale[:, None]), -127, 127).astype(np.int8)
    return q, scale


def quantize_model(model):
    """Rounds every matrix to int8 in place; returns {param name: (q, scale)} (rows = out channels)."""
    quant = {}
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() == 2:
                q, s = quantize_rows(p.numpy())
                quant[name] = (q, s)
                p.copy_(torch.from_numpy(q.astype(np.float32) * s[:, None]))
    return quant


# --------------------------------------------------------------------------- ONNX

def input_names():
    names = ["ids", "start"]
    for l in range(M.N_LAYERS):
        names += [f"past.{l}.key", f"past.{l}.value"]
    return names


def output_names():
    names = ["logits"]
    for l in range(M.N_LAYERS):
        names += [f"layer{l}.key", f"layer{l}.value", f"layer{l}.weights", f"layer{l}.x"]
    names += ["final.hidden", "final.norm"]
    for l in range(M.N_LAYERS):
        names += [f"layer{l}.w_q", f"layer{l}.w_k", f"layer{l}.w_v", f"layer{l}.w_o"]
    return names + ["final.gamma", "final.beta"]


class Exported(torch.nn.Module):
    """Generator.forward with flat inputs and outputs, plus the intermediates the view shows."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, ids, start, *past_flat):
        m = self.model
        past = [(past_flat[2 * l], past_flat[2 * l + 1]) for l in range(M.N_LAYERS)]
        xs = []
        hooks = [b.ln1.register_forward_hook(lambda _m, _i, o: xs.append(o)) for b in m.blocks]
        finals = []
        hooks.append(m.ln_f.register_forward_hook(lambda _m, i, o: finals.append((i[0], o))))
        logits, new, attn = m(ids, start[0], past)
        for h in hooks:
            h.remove()
        out = [logits]
        for l in range(M.N_LAYERS):
            out += [new[l][0], new[l][1], attn[l], xs[l]]
        out += [finals[0][0], finals[0][1]]
        for b in m.blocks:
            out += [b.w_q.weight.t(), b.w_k.weight.t(), b.w_v.weight.t(), b.w_o.weight.t()]
        out += [m.ln_f.weight * 1.0, m.ln_f.bias * 1.0]
        return tuple(out)


def export_onnx(model, quant, path):
    import onnx
    from onnx import helper, numpy_helper
    wrapper = Exported(model)
    wrapper.eval()          # torch.onnx.export restores the wrapper's mode on every submodule
    ids = torch.tensor([[5, 6, 7]], dtype=torch.int64)
    start = torch.tensor([2], dtype=torch.int64)
    past = [torch.randn(1, M.N_HEADS, 2, M.D_K) for _ in range(2 * M.N_LAYERS)]
    dyn = {"ids": {1: "n"}}
    for l in range(M.N_LAYERS):
        dyn[f"past.{l}.key"] = {2: "past"}
        dyn[f"past.{l}.value"] = {2: "past"}
        dyn[f"layer{l}.key"] = {2: "total"}
        dyn[f"layer{l}.value"] = {2: "total"}
        dyn[f"layer{l}.weights"] = {2: "n", 3: "total"}
        dyn[f"layer{l}.x"] = {1: "n"}
    dyn["logits"] = {1: "n"}
    dyn["final.hidden"] = {1: "n"}
    dyn["final.norm"] = {1: "n"}
    tmp = path.with_suffix(".f32.onnx")
    torch.onnx.export(wrapper, (ids, start, *past), str(tmp), input_names=input_names(),
                      output_names=output_names(), dynamic_axes=dyn, opset_version=OPSET,
                      do_constant_folding=True, dynamo=False)
    g = onnx.load(str(tmp))
    tmp.unlink()
    # the exporter names outputs that are (transposed) weights by number: give them their names
    want = output_names()
    assert len(g.graph.output) == len(want)
    for out, name in zip(g.graph.output, want):
        if out.name != name:
            for node in g.graph.node:
                node.output[:] = [name if o == out.name else o for o in node.output]
            out.name = name

    # every float matrix initializer -> int8 + scale + DequantizeLinear (found by its values)
    known = []
    for name, (q, s) in quant.items():
        deq = q.astype(np.float32) * s[:, None]
        known.append((name, deq, q, s))
    new_inits, new_nodes = [], []
    replaced = set()
    for init in g.graph.initializer:
        a = numpy_helper.to_array(init)
        if a.dtype != np.float32 or a.ndim != 2:
            new_inits.append(init)
            continue
        match = None
        for name, deq, q, s in known:
            if a.shape == deq.shape and np.array_equal(a, deq):
                match = (name, q, s, 0)
            elif a.shape == deq.T.shape and np.array_equal(a, deq.T):
                match = (name, np.ascontiguousarray(q.T), s, 1)
            if match:
                break
        if match is None:
            raise SystemExit(f"float matrix initializer {init.name} {a.shape} is not a known weight")
        pname, qa, sa, axis = match
        base = init.name
        new_inits += [numpy_helper.from_array(qa, base + ".int8"), numpy_helper.from_array(sa, base + ".scale"),
                      numpy_helper.from_array(np.zeros(sa.shape[0], dtype=np.int8), base + ".zero_point")]
        new_nodes.append(helper.make_node("DequantizeLinear", [base + ".int8", base + ".scale", base + ".zero_point"],
                                          [base], name=f"dequantize.{pname}.{axis}", axis=axis))
        replaced.add(pname)
    missing = set(quant) - replaced
    if missing:
        raise SystemExit(f"weights not found among the initializers: {sorted(missing)}")
    del g.graph.initializer[:]
    g.graph.initializer.extend(new_inits)
    nodes = list(g.graph.node)
    del g.graph.node[:]
    g.graph.node.extend(new_nodes + nodes)
    g.doc_string = ("Shakespeare generator (attention-playground models/generate): decoder-only, RoPE, "
                    "KV cache in and out, weight-only int8")
    onnx.checker.check_model(g)
    onnx.save(g, str(path))
    log(f"wrote {path} ({path.stat().st_size} bytes)")


def run_ort(path, ids, start, past):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    # no graph fusions: ORT's DequantizeLinear+MatMul fusions change the arithmetic (1e-2 here)
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
    feed = {"ids": np.asarray([ids], dtype=np.int64), "start": np.asarray([start], dtype=np.int64)}
    for l in range(M.N_LAYERS):
        feed[f"past.{l}.key"] = past[l][0]
        feed[f"past.{l}.value"] = past[l][1]
    return dict(zip(output_names(), sess.run(None, feed)))


def empty_past_np():
    z = np.zeros((1, M.N_HEADS, 0, M.D_K), dtype=np.float32)
    return [(z, z) for _ in range(M.N_LAYERS)]


# --------------------------------------------------------------------------- PyTorch reference

@torch.no_grad()
def full(model, ids, start=0):
    """Full recompute: (logits [n, V], [(k, v)] each [H, n, d_k], [weights [H, n, n]], extras)."""
    w = Exported(model)
    outs = w(torch.tensor([ids]), torch.tensor([start]), *[t for kv in model.empty_past() for t in kv])
    return dict(zip(output_names(), [o.numpy() for o in outs]))


@torch.no_grad()
def step(model, ids, start, past_np):
    w = Exported(model)
    flat = [torch.from_numpy(t) for kv in past_np for t in kv]
    outs = w(torch.tensor([ids]), torch.tensor([start]), *flat)
    return dict(zip(output_names(), [o.numpy() for o in outs]))


def cache_of(outs):
    return [(outs[f"layer{l}.key"], outs[f"layer{l}.value"]) for l in range(M.N_LAYERS)]


# --------------------------------------------------------------------------- the sampler (as in Rust)

MASK32 = 0xFFFFFFFF
MASK64 = 0xFFFFFFFFFFFFFFFF


class ChaCha8:
    """rand_chacha 0.9 ChaCha8Rng::seed_from_u64(seed) and its next_u64 (stream 0)."""

    def __init__(self, seed):
        # rand_core's default seed_from_u64: PCG32 expands the u64 into the 32-byte key
        state = seed & MASK64
        key = b""
        for _ in range(8):
            state = (state * 6364136223846793005 + 11634580027462260723) & MASK64
            xorshifted = (((state >> 18) ^ state) >> 27) & MASK32
            rot = state >> 59
            x = ((xorshifted >> rot) | (xorshifted << ((32 - rot) & 31))) & MASK32
            key += struct.pack("<I", x)
        self.key = list(struct.unpack("<8I", key))
        self.counter = 0
        self.buf = []

    @staticmethod
    def _qr(s, a, b, c, d):
        s[a] = (s[a] + s[b]) & MASK32; s[d] ^= s[a]; s[d] = ((s[d] << 16) | (s[d] >> 16)) & MASK32
        s[c] = (s[c] + s[d]) & MASK32; s[b] ^= s[c]; s[b] = ((s[b] << 12) | (s[b] >> 20)) & MASK32
        s[a] = (s[a] + s[b]) & MASK32; s[d] ^= s[a]; s[d] = ((s[d] << 8) | (s[d] >> 24)) & MASK32
        s[c] = (s[c] + s[d]) & MASK32; s[b] ^= s[c]; s[b] = ((s[b] << 7) | (s[b] >> 25)) & MASK32

    def _block(self):
        init = [0x61707865, 0x3320646E, 0x79622D32, 0x6B206574] + self.key + [
            self.counter & MASK32, self.counter >> 32, 0, 0]
        s = list(init)
        for _ in range(4):   # 8 rounds = 4 double rounds
            self._qr(s, 0, 4, 8, 12); self._qr(s, 1, 5, 9, 13); self._qr(s, 2, 6, 10, 14); self._qr(s, 3, 7, 11, 15)
            self._qr(s, 0, 5, 10, 15); self._qr(s, 1, 6, 11, 12); self._qr(s, 2, 7, 8, 13); self._qr(s, 3, 4, 9, 14)
        self.counter += 1
        return [(x + y) & MASK32 for x, y in zip(s, init)]

    def next_u32(self):
        if not self.buf:
            self.buf = self._block()
        return self.buf.pop(0)

    def next_u64(self):
        lo = self.next_u32()
        hi = self.next_u32()
        return (hi << 32) | lo

    def uniform(self):
        """[0, 1) with 53 random bits: (next_u64 >> 11) · 2⁻⁵³ (as rand's StandardUniform for f64)."""
        return (self.next_u64() >> 11) * (1.0 / (1 << 53))


def sample_step(logits, temperature, top_k, top_p, rng):
    """One step of src/demos/generate/sampling.rs, in float64. Returns (token, u or None)."""
    z = np.asarray(logits, dtype=np.float64)
    if temperature <= 0.0:
        # greedy: the largest logit, the lowest id on a tie
        return int(np.argmax(z)), None
    z = z / temperature
    order = sorted(range(len(z)), key=lambda i: (-z[i], i))
    if top_k > 0:
        order = order[:top_k]
    kept = np.array([z[i] for i in order])
    p = np.exp(kept - kept.max())
    p /= p.sum()
    if top_p < 1.0:
        cum, n = 0.0, 0
        for pi in p:
            cum += pi
            n += 1
            if cum >= top_p:
                break
        order, p = order[:n], p[:n] / p[:n].sum()
    u = rng.uniform()
    cum = 0.0
    for i, pi in enumerate(p):
        cum += pi
        if u < cum:
            return int(order[i]), u
    return int(order[-1]), u


def decode(model, prompt_ids, temperature, top_k, top_p, seed, max_new=MAX_NEW_TOKENS):
    """Prefill then cached steps; stops at <|endoftext|> or max_new. Returns (tokens, draws, stop)."""
    rng = ChaCha8(seed)
    outs = full(model, prompt_ids)
    cache = cache_of(outs)
    logits = outs["logits"][0, -1]
    toks, draws = [], []
    pos = len(prompt_ids)
    while True:
        tok, u = sample_step(logits, temperature, top_k, top_p, rng)
        toks.append(tok)
        if u is not None:
            draws.append(u)
        if tok == 0:
            return toks, draws, "end_token"
        if len(toks) == max_new:
            return toks, draws, "cap"
        if pos + 1 > M.CONTEXT:
            raise SystemExit("golden decodes stay inside the context")
        outs = step(model, [tok], pos, cache)
        cache = cache_of(outs)
        logits = outs["logits"][0, -1]
        pos += 1


# --------------------------------------------------------------------------- scores (as in Rust)

def head_scores(weights, period):
    """weights [L, H, n, n] of a sequence whose tokens repeat with `period` (tokens t and t+period equal).

    previous-token: mean over queries i >= 1 of w[i, i-1]
    induction:      mean over queries i >= period + 1 (inside the repeat) of w[i, i - period + 1]
    sink:           mean over queries i >= 1 of w[i, 0]
    """
    L, H, n, _ = weights.shape
    out = []
    for l in range(L):
        for h in range(H):
            w = weights[l, h].astype(np.float64)
            prev = float(np.mean([w[i, i - 1] for i in range(1, n)]))
            ind = float(np.mean([w[i, i - period + 1] for i in range(period + 1, n)]))
            sink = float(np.mean([w[i, 0] for i in range(1, n)]))
            out.append({"layer": l, "head": h, "previous_token": prev, "induction": ind, "sink": sink})
    return out


def induction_ids(tok):
    """INDUCTION_PERIOD distinct random vocabulary tokens that decode to plain ASCII words, twice."""
    rng = np.random.default_rng(INDUCTION_SEED)
    pool = [i for i in range(257, tok.get_vocab_size())
            if tok.decode([i]).strip().isalpha() and tok.decode([i]).isascii()]
    first = [int(x) for x in rng.choice(pool, size=INDUCTION_PERIOD, replace=False)]
    return first + first


# --------------------------------------------------------------------------- metrics

@torch.no_grad()
def held_out_eval(model, stream):
    """Next-token loss over non-overlapping CONTEXT windows: (mean nats, targets [N], positions)."""
    L = M.CONTEXT
    total, n = 0.0, 0
    targets = []
    for w in range((len(stream) - 1) // L):
        x = torch.from_numpy(stream[w * L:w * L + L + 1])
        logits = model.train_logits(x[None, :-1])
        total += F.cross_entropy(logits[0], x[1:], reduction="sum").item()
        n += L
        targets.append((stream[w * L:w * L + L], stream[w * L + 1:w * L + L + 1]))
    return total / n, targets


def baselines(train, targets, vocab):
    """Unigram (add-one) and interpolated bigram perplexity on the same held-out targets."""
    uni = np.bincount(train, minlength=vocab).astype(np.float64) + 1.0
    uni /= uni.sum()
    prev, nxt = np.concatenate([t[0] for t in targets]), np.concatenate([t[1] for t in targets])
    uni_nll = -np.log(uni[nxt]).mean()

    def bigram_probs(counts_stream, lam):
        pairs = counts_stream[:-1].astype(np.int64) * vocab + counts_stream[1:]
        big = np.bincount(pairs, minlength=vocab * vocab).reshape(vocab, vocab).astype(np.float64)
        rows = big.sum(axis=1, keepdims=True)
        cond = np.divide(big, rows, out=np.zeros_like(big), where=rows > 0)
        return lambda a, b: lam * cond[a, b] + (1 - lam) * uni[b]

    # λ chosen on the last 5 % of the training stream, counts from the rest; then counts from all
    cut = int(len(train) * 0.95)
    dev_a, dev_b = train[cut:-1], train[cut + 1:]
    best = None
    for lam in np.arange(0.05, 1.0, 0.05):
        p = bigram_probs(train[:cut], lam)
        nll = -np.log(p(dev_a, dev_b)).mean()
        if best is None or nll < best[1]:
            best = (float(round(lam, 2)), nll)
    lam = best[0]
    bi_nll = -np.log(bigram_probs(train, lam)(prev, nxt)).mean()
    return float(np.exp(uni_nll)), float(np.exp(bi_nll)), lam


# --------------------------------------------------------------------------- JSON

def r(a, digits=7):
    a = np.asarray(a, dtype=np.float64)
    return [float(f"{x:.{digits}g}") for x in a.ravel()]


def tensor(a):
    a = np.asarray(a, dtype=np.float32)
    return {"shape": list(a.shape), "data": r(a)}


def sha256(p):
    return hashlib.sha256(p.read_bytes()).hexdigest()


PROMPTS = [
    "ROMEO:\nBut soft, what light",
    "To be, or not to be",
    "KING HENRY:\nOnce more unto the breach",
    "O, wörld — 你好!",
]
EXAMPLES = [
    "ROMEO:\nBut soft, what light through yonder window breaks?",
    "HAMLET:\nTo be, or not to be, that is the question:",
    "JULIET:\nO Romeo, Romeo! wherefore art thou Romeo?",
    "KING RICHARD III:\nNow is the winter of our discontent",
    "First Citizen:\nBefore we proceed any further, hear me speak.",
    "MACBETH:\nIs this a dagger which I see before me,",
]
SAMPLED = {"temperature": 0.8, "top_k": 40, "top_p": 0.95, "seed": 42}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--smoke", action="store_true", help="untrained weights, artefacts to /tmp/generate-smoke")
    args = ap.parse_args()
    torch.set_num_threads(1)
    out_dir = Path("/tmp/generate-smoke") if args.smoke else HERE
    out_dir.mkdir(parents=True, exist_ok=True)

    tok, train, test, train_names, test_names = T.corpus()
    vocab = tok.get_vocab_size()
    if args.smoke:
        torch.manual_seed(0)
        model = M.Generator(vocab)
        info = {"steps": 0}
    else:
        ck = torch.load(T.WORK / "checkpoint.pt", map_location="cpu", weights_only=False)
        model = M.Generator(vocab)
        model.load_state_dict(ck["model"])
        info = json.loads((HERE / "train.json").read_text())
    model.eval()

    metrics = {}
    if not args.smoke:
        f32_nll, targets = held_out_eval(model, test)
    quant = quantize_model(model)
    if not args.smoke:
        q_nll, _ = held_out_eval(model, test)
        uni_ppl, bi_ppl, lam = baselines(train, targets, vocab)
        metrics["held_out"] = {
            "plays": test_names, "tokens": int(sum(len(t[1]) for t in targets)),
            "method": f"non-overlapping windows of {M.CONTEXT} tokens, every token predicted from the earlier "
                      "tokens of its window",
            "perplexity_int8": round(math.exp(q_nll), 3), "perplexity_float32": round(math.exp(f32_nll), 3),
            "loss_int8": round(q_nll, 5), "loss_float32": round(f32_nll, 5),
            "unigram_perplexity": round(uni_ppl, 3), "bigram_perplexity": round(bi_ppl, 3),
            "baselines": f"counted on the training plays' tokens: unigram with add-one smoothing; bigram "
                         f"interpolated with the unigram, λ = {lam} (chosen on the last 5 % of the training "
                         "stream, counts from the rest)"}
        log(f"held-out perplexity int8 {math.exp(q_nll):.2f} float32 {math.exp(f32_nll):.2f}; "
            f"unigram {uni_ppl:.1f} bigram {bi_ppl:.1f} (λ {lam})")

    onnx_path = out_dir / "model.onnx"
    export_onnx(model, quant, onnx_path)

    # onnxruntime vs PyTorch: full recompute, then prefill of all but 3 tokens + 3 cached steps
    ids = tok.encode(PROMPTS[0]).ids
    ref = full(model, ids)
    ort_full = run_ort(onnx_path, ids, 0, empty_past_np())
    worst = max(float(np.abs(ort_full[k] - ref[k]).max()) for k in output_names())
    part = run_ort(onnx_path, ids[:-3], 0, empty_past_np())
    cache = cache_of(part)
    for i in range(len(ids) - 3, len(ids)):
        s = run_ort(onnx_path, [ids[i]], i, cache)
        cache = cache_of(s)
    cached_diff = float(np.abs(s["logits"][0, -1] - ref["logits"][0, -1]).max())
    kv_diff = max(float(np.abs(cache[l][0] - ref[f"layer{l}.key"]).max()) for l in range(M.N_LAYERS))
    log(f"onnxruntime vs PyTorch: full {worst:.2e}; cached last logits {cached_diff:.2e}, keys {kv_diff:.2e}")
    assert worst < 1e-4 and cached_diff < 1e-4 and kv_diff < 1e-4

    # induction / previous-token / sink scores on repeated random tokens
    rep = induction_ids(tok)
    rep_out = full(model, rep)
    rep_w = np.stack([rep_out[f"layer{l}.weights"][0] for l in range(M.N_LAYERS)])
    scores = head_scores(rep_w, INDUCTION_PERIOD)
    metrics["heads"] = {"example_ids": rep, "period": INDUCTION_PERIOD,
                        "scores": [{k: (round(v, 4) if isinstance(v, float) else v) for k, v in s.items()}
                                   for s in scores]}
    for s in sorted(scores, key=lambda s: -s["induction"])[:4]:
        log(f"  L{s['layer']}H{s['head']}: induction {s['induction']:.3f} prev {s['previous_token']:.3f} "
            f"sink {s['sink']:.3f}")

    # golden values
    cases = []
    for i, p in enumerate(PROMPTS):
        e = tok.encode(p)
        o = full(model, e.ids)
        case = {"prompt": p, "ids": e.ids, "tokens": e.tokens,
                "last_logits": tensor(o["logits"][0, -1]),
                "logits_head": tensor(o["logits"][0, :, :16]),
                "weights": [tensor(o[f"layer{l}.weights"][0]) for l in range(M.N_LAYERS)],
                "final_norm": tensor(o["final.norm"][0])}
        if i == 0:
            case["x"] = [tensor(o[f"layer{l}.x"][0]) for l in range(M.N_LAYERS)]
            case["keys"] = [tensor(o[f"layer{l}.key"][0]) for l in range(M.N_LAYERS)]
            case["values"] = [tensor(o[f"layer{l}.value"][0]) for l in range(M.N_LAYERS)]
        cases.append(case)
    g_ids = tok.encode(PROMPTS[0]).ids
    greedy, _, greedy_stop = decode(model, g_ids, 0.0, 0, 1.0, 0)
    sampled, draws, sampled_stop = decode(model, g_ids, SAMPLED["temperature"], SAMPLED["top_k"],
                                          SAMPLED["top_p"], SAMPLED["seed"])
    log(f"greedy ({greedy_stop}): {tok.decode(greedy)[:120]!r}")
    log(f"sampled ({sampled_stop}): {tok.decode(sampled)[:120]!r}")
    rng = ChaCha8(SAMPLED["seed"])
    first_u64 = [str(rng.next_u64()) for _ in range(4)]
    golden = {
        "tolerance": 1e-4,
        "cases": cases,
        "greedy": {"prompt_ids": g_ids, "tokens": greedy, "stop": greedy_stop, "text": tok.decode(greedy)},
        # each draw u = k · 2⁻⁵³ exactly: k is written as an integer (JSON readers may round decimals)
        "sampled": dict(SAMPLED, prompt_ids=g_ids, tokens=sampled, draws=r(draws, 17),
                        draws_53bit=[int(u * (1 << 53)) for u in draws], stop=sampled_stop, text=tok.decode(sampled)),
        "chacha8_seed_42_first_u64": first_u64,
        "induction": {"ids": rep, "period": INDUCTION_PERIOD, "scores": [
            {k: (float(f"{v:.9g}") if isinstance(v, float) else v) for k, v in s.items()} for s in scores]},
    }
    (out_dir / "golden.json").write_text(json.dumps(golden, ensure_ascii=False, separators=(",", ":")) + "\n",
                                         encoding="utf-8")
    if not args.smoke:
        (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=1, ensure_ascii=False) + "\n",
                                              encoding="utf-8")

    files = {}
    for name in ("model.onnx", "tokenizer.json"):
        p = onnx_path if name == "model.onnx" else HERE / name
        files[name] = {"bytes": p.stat().st_size, "gzip_bytes": len(gzip.compress(p.read_bytes(), 9, mtime=0)),
                       "sha256": sha256(p)}
    manifest = {
        "id": "generate", "name": "Shakespeare generator (decoder-only, RoPE, KV cache)",
        "model": "model.onnx", "tokenizer": "tokenizer.json", "files": files,
        "served_bytes": sum(f["bytes"] for f in files.values()),
        "vocab_size": vocab, "context": M.CONTEXT, "d_model": M.D_MODEL, "n_heads": M.N_HEADS,
        "n_layers": M.N_LAYERS, "d_k": M.D_K, "d_ff": M.D_FF, "rope_base": M.ROPE_BASE, "ln_eps": M.LN_EPS,
        "end_id": 0, "end_token": T.EOT, "max_new_tokens": MAX_NEW_TOKENS, "opset": OPSET,
        "inputs": {"ids": "[1, n] int64", "start": "[1] int64",
                   "past.{l}.key": f"[1, {M.N_HEADS}, past, {M.D_K}] float32",
                   "past.{l}.value": f"[1, {M.N_HEADS}, past, {M.D_K}] float32"},
        "outputs": output_names(),
        "examples": EXAMPLES,
        "induction": {"ids": rep, "period": INDUCTION_PERIOD},
        "training": {"steps": info.get("steps"), "tokens_seen": info.get("tokens_seen"),
                     "epochs": info.get("epochs")},
        "metrics": metrics.get("held_out", {}),
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n",
                                           encoding="utf-8")
    log(f"wrote {out_dir}/golden.json, manifest.json" + ("" if args.smoke else ", metrics.json"))


if __name__ == "__main__":
    main()
