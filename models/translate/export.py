#!/usr/bin/env python3
"""English -> French verse translator, step 2 of 2: quantize -> evaluate -> ONNX -> golden.

Run from the repository root after train.py:

    python models/translate/export.py

Reads models/.cache/translate/checkpoint.pt and models/translate/tokenizer.json, and writes
into models/translate/:

  encoder.onnx    src_ids [1,S] int64, src_mask [1,S] int64
                  -> memory [1,S,d], enc{l}.self_attn [1,H,S,S]
  decoder.onnx    tgt_ids [1,T] int64, memory [1,S,d] float32, src_mask [1,S] int64
                  -> log_probs [1,V] (next token after the last position),
                     dec{l}.self_attn [1,H,T,T] (causal), dec{l}.cross_attn [1,H,T,S]
  golden.json     PyTorch reference: encoder outputs and the full greedy decode (tokens, top-5
                  log-probabilities per step, every attention map) of several sentences
  manifest.json   what the web page needs (files, sizes, dimensions, example sentences)
  metrics.json    BLEU / chrF (sacrebleu) on the held-out books, float32 and int8

Every weight matrix (the shared embedding/output table included) is stored as int8 with one
float32 scale per output channel (DequantizeLinear, zero point 0). Before evaluating and
computing the golden values, the PyTorch model's weights are replaced by exactly those
dequantized values, so PyTorch, onnxruntime and tract compute the same function.

Deterministic: one thread, no randomness (greedy decoding).
"""

import argparse
import gzip
import importlib.util
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

HERE = Path(__file__).resolve().parent


def _train_module():
    spec = importlib.util.spec_from_file_location("translate_train", HERE / "train.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


T = _train_module()
PAD, UNK, BOS, EOS = T.PAD, T.UNK, T.BOS, T.EOS
OPSET = 17
MAX_NEW = T.MAX_TGT - 1          # at most 95 generated tokens (decoder input <s> + 94)
log = T.log


# --------------------------------------------------------------------------- quantization

def quantize(w, axis):
    """Symmetric int8, one scale per index along `axis` (the output channel)."""
    w = w.astype(np.float32)
    red = tuple(i for i in range(w.ndim) if i != axis)
    amax = np.abs(w).max(axis=red)
    scale = np.where(amax > 0, amax / np.float32(127), np.float32(1)).astype(np.float32)
    shape = [1] * w.ndim
    shape[axis] = -1
    q = np.clip(np.rint(w / scale.reshape(shape)), -127, 127).astype(np.int8)
    deq = (q.astype(np.float32) * scale.reshape(shape)).astype(np.float32)
    return q, scale, deq


def quant_axis(name):
    """Output-channel axis of a 2-D parameter: rows of the embedding table, columns of X @ W."""
    return 0 if name == "emb" else 1


def quantize_model(model):
    """Replace every 2-D weight by its int8-dequantized value; return {name: (q, scale)}."""
    qs = {}
    err = 0.0
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() != 2:
                continue
            q, s, deq = quantize(p.detach().numpy(), quant_axis(name))
            err = max(err, float(np.abs(deq - p.detach().numpy()).max()))
            p.copy_(torch.from_numpy(deq))
            qs[name] = (q, s)
    log(f"int8: {len(qs)} matrices, {sum(q.size for q, _ in qs.values())} weights, max abs rounding error {err:.2e}")
    return qs


# --------------------------------------------------------------------------- decoding (PyTorch)

@torch.no_grad()
def greedy_reference(model, src_ids):
    """The decode loop the browser runs: recompute the whole prefix at every step (no cache).

    Returns generated ids (without <s>, with the final </s> if produced) and per step the
    log-probabilities, plus the attention maps of the last step."""
    src = torch.tensor([src_ids])
    mask = torch.ones_like(src)
    mem, enc_attn = model.encode(src, mask)
    tgt = [BOS]
    steps = []
    last = None
    for _ in range(MAX_NEW):
        h, sa, ca = model.decode(torch.tensor([tgt]), mem, mask)
        lp = torch.log_softmax(model.logits(h[:, -1]), dim=-1)[0]
        nxt = int(lp.argmax())
        steps.append(lp.numpy().copy())
        last = (sa, ca)
        tgt.append(nxt)
        if nxt == EOS:
            break
    return {"memory": mem[0], "enc_attn": enc_attn, "tokens": tgt[1:], "log_probs": steps,
            "self_attn": last[0], "cross_attn": last[1]}


@torch.no_grad()
def greedy_batch(model, srcs):
    """Batched greedy decoding with a key/value cache (evaluation only; same stopping rule)."""
    B = len(srcs)
    src = T.pad(srcs)
    mask = (src != PAD).long()
    mem, _ = model.encode(src, mask)
    src_add = model.key_mask(mask)
    H, dk = T.N_HEADS, T.D_K

    def heads(x):
        return x.view(B, -1, H, dk).transpose(1, 2)

    def attend(A, q_in, k, v, add):
        q = heads(q_in @ A.w_q + A.b_q)
        w = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(dk) + add, dim=-1)
        return (w @ v).transpose(1, 2).reshape(B, -1, T.D_MODEL) @ A.w_o + A.b_o

    cross_kv = [(heads(mem @ L.cross_attn.w_k + L.cross_attn.b_k), heads(mem @ L.cross_attn.w_v + L.cross_attn.b_v))
                for L in model.dec]
    self_k = [None] * len(model.dec)
    self_v = [None] * len(model.dec)
    cur = torch.full((B, 1), BOS, dtype=torch.long)
    out = [[] for _ in range(B)]
    done = torch.zeros(B, dtype=torch.bool)
    for t in range(MAX_NEW):
        y = model.emb[cur] * math.sqrt(T.D_MODEL) + model.pe[t:t + 1]
        for i, L in enumerate(model.dec):
            h = L.ln1(y)
            A = L.self_attn
            k, v = heads(h @ A.w_k + A.b_k), heads(h @ A.w_v + A.b_v)
            self_k[i] = k if self_k[i] is None else torch.cat([self_k[i], k], 2)
            self_v[i] = v if self_v[i] is None else torch.cat([self_v[i], v], 2)
            y = y + attend(A, h, self_k[i], self_v[i], 0.0)
            y = y + attend(L.cross_attn, L.ln2(y), cross_kv[i][0], cross_kv[i][1], src_add)
            y = y + L.ff(L.ln3(y))
        nxt = model.logits(model.dec_ln(y))[:, -1].argmax(-1)
        for b in range(B):
            if not done[b]:
                out[b].append(int(nxt[b]))
        done |= nxt == EOS
        if bool(done.all()):
            break
        cur = nxt[:, None]
    return out


def detok(tok, ids):
    return tok.decode([i for i in ids if i not in (PAD, BOS, EOS)], skip_special_tokens=False)


def translate_all(model, tok, sources, batch=48):
    encs = [tok.encode(s).ids for s in sources]
    order = sorted(range(len(encs)), key=lambda i: len(encs[i]))
    hyps = [None] * len(encs)
    for i in range(0, len(order), batch):
        idx = order[i:i + batch]
        res = greedy_batch(model, [np.array(encs[j], dtype=np.int64) for j in idx])
        for j, r in zip(idx, res):
            hyps[j] = detok(tok, r)
    return hyps


def evaluate(model, tok, test, label):
    import sacrebleu
    t0 = time.time()
    srcs = [s for _, s, _ in test]
    refs = [f for _, _, f in test]
    hyps = translate_all(model, tok, srcs)
    bleu_m, chrf_m = sacrebleu.metrics.BLEU(), sacrebleu.metrics.CHRF()
    bleu = bleu_m.corpus_score(hyps, [refs])
    chrf = chrf_m.corpus_score(hyps, [refs])
    log(f"{label}: BLEU {bleu.score:.2f} chrF {chrf.score:.2f} on {len(test)} held-out verses ({time.time() - t0:.0f}s)")
    return {"bleu": round(bleu.score, 2), "chrf": round(chrf.score, 2), "bleu_signature": str(bleu_m.get_signature()),
            "chrf_signature": str(chrf_m.get_signature()), "verses": len(test)}, hyps


# --------------------------------------------------------------------------- ONNX

class Graph:
    def __init__(self):
        from onnx import numpy_helper, helper
        self.h, self.nh = helper, numpy_helper
        self.nodes, self.inits, self.names = [], [], set()

    def init(self, name, arr):
        if name not in self.names:
            self.inits.append(self.nh.from_array(np.asarray(arr), name))
            self.names.add(name)
        return name

    def node(self, op, ins, outs, **attrs):
        self.nodes.append(self.h.make_node(op, ins, outs, name=f"{op}_{len(self.nodes)}", **attrs))
        return outs[0]

    def const(self):
        self.init("c.zero_i64", np.array(0, dtype=np.int64))
        self.init("c.zero_f", np.array(0.0, dtype=np.float32))
        self.init("c.neg_inf", np.array(-np.inf, dtype=np.float32))
        self.init("c.sqrt_dk", np.array(math.sqrt(T.D_K), dtype=np.float32))
        self.init("c.sqrt_d", np.array(math.sqrt(T.D_MODEL), dtype=np.float32))
        self.init("c.eps", np.array(T.LN_EPS, dtype=np.float32))
        self.init("c.axes_12", np.array([1, 2], dtype=np.int64))
        self.init("c.axes_01", np.array([0, 1], dtype=np.int64))
        self.init("c.i0", np.array([0], dtype=np.int64))
        self.init("c.i1", np.array([1], dtype=np.int64))
        self.init("c.i2", np.array([2], dtype=np.int64))
        self.init("c.split_heads", np.array([0, 0, T.N_HEADS, T.D_K], dtype=np.int64))
        self.init("c.merge_heads", np.array([0, 0, T.D_MODEL], dtype=np.int64))
        self.init("c.last_2d", np.array([1, T.D_MODEL], dtype=np.int64))

    def qweight(self, name, qs):
        """Dequantized float32 tensor of parameter `name` (int8 + per-channel scale)."""
        q, s = qs[name]
        base = "param." + name
        self.init(base + ".int8", q)
        self.init(base + ".scale", s)
        self.init(base + ".zero_point", np.zeros(s.shape[0], dtype=np.int8))
        return self.node("DequantizeLinear", [base + ".int8", base + ".scale", base + ".zero_point"],
                         [base], axis=quant_axis(name))

    def fweight(self, name, t):
        return self.init("param." + name, t.detach().numpy().astype(np.float32))

    def layer_norm(self, x, ln, pname, prefix):
        g, b = self.fweight(pname + ".g", ln.g), self.fweight(pname + ".b", ln.b)
        mean = self.node("ReduceMean", [x], [prefix + ".mean"], axes=[-1], keepdims=1)
        d = self.node("Sub", [x, mean], [prefix + ".centered"])
        sq = self.node("Mul", [d, d], [prefix + ".sq"])
        var = self.node("ReduceMean", [sq], [prefix + ".var"], axes=[-1], keepdims=1)
        ve = self.node("Add", [var, "c.eps"], [prefix + ".var_eps"])
        sd = self.node("Sqrt", [ve], [prefix + ".std"])
        n = self.node("Div", [d, sd], [prefix + ".norm"])
        gm = self.node("Mul", [n, g], [prefix + ".scaled"])
        return self.node("Add", [gm, b], [prefix + ".out"])

    def linear(self, x, pname, w_name, b_name, b_param, qs, out):
        mm = self.node("MatMul", [x, self.qweight(w_name, qs)], [out + ".mm"])
        return self.node("Add", [mm, self.fweight(b_name, b_param)], [out])

    def attention(self, xq, xkv, A, pname, qs, mask_add, weights_name, prefix):
        """Returns the attention block output; the weights are the graph value `weights_name`."""
        q = self.linear(xq, pname, f"{pname}.w_q", f"{pname}.b_q", A.b_q, qs, prefix + ".q")
        k = self.linear(xkv, pname, f"{pname}.w_k", f"{pname}.b_k", A.b_k, qs, prefix + ".k")
        v = self.linear(xkv, pname, f"{pname}.w_v", f"{pname}.b_v", A.b_v, qs, prefix + ".v")
        qh = self.node("Transpose", [self.node("Reshape", [q, "c.split_heads"], [prefix + ".q_split"])],
                       [prefix + ".q_heads"], perm=[0, 2, 1, 3])
        kt = self.node("Transpose", [self.node("Reshape", [k, "c.split_heads"], [prefix + ".k_split"])],
                       [prefix + ".k_heads_t"], perm=[0, 2, 3, 1])
        vh = self.node("Transpose", [self.node("Reshape", [v, "c.split_heads"], [prefix + ".v_split"])],
                       [prefix + ".v_heads"], perm=[0, 2, 1, 3])
        sc = self.node("MatMul", [qh, kt], [prefix + ".scores"])
        sc = self.node("Div", [sc, "c.sqrt_dk"], [prefix + ".scores_scaled"])
        sc = self.node("Add", [sc, mask_add], [prefix + ".scores_masked"])
        self.node("Softmax", [sc], [weights_name], axis=-1)
        ch = self.node("MatMul", [weights_name, vh], [prefix + ".context_heads"])
        ct = self.node("Transpose", [ch], [prefix + ".context_t"], perm=[0, 2, 1, 3])
        ctx = self.node("Reshape", [ct, "c.merge_heads"], [prefix + ".context"])
        return self.linear(ctx, pname, f"{pname}.w_o", f"{pname}.b_o", A.b_o, qs, prefix + ".attn_out")

    def ffn(self, x, ff, pname, qs, prefix):
        h = self.linear(x, pname, f"{pname}.w_1", f"{pname}.b_1", ff.b_1, qs, prefix + ".ff1")
        h = self.node("Relu", [h], [prefix + ".ff1_relu"])
        return self.linear(h, pname, f"{pname}.w_2", f"{pname}.b_2", ff.b_2, qs, prefix + ".ff2")

    def embed(self, ids, model, qs, prefix):
        E = self.qweight("emb", qs)
        self.init("param.positional_table", model.pe.numpy().astype(np.float32))
        tokv = self.node("Gather", [E, ids], [prefix + ".tok"], axis=0)
        tokv = self.node("Mul", [tokv, "c.sqrt_d"], [prefix + ".tok_scaled"])
        shp = self.node("Shape", [ids], [prefix + ".ids_shape"])
        n = self.node("Slice", [shp, "c.i1", "c.i2"], [prefix + ".len"])
        pe = self.node("Slice", ["param.positional_table", "c.i0", n, "c.i0"], [prefix + ".pe"])
        return self.node("Add", [tokv, pe], [prefix + ".x0"])

    def key_mask(self, mask):
        isp = self.node("Equal", [mask, "c.zero_i64"], ["src_is_pad"])
        m2 = self.node("Where", [isp, "c.neg_inf", "c.zero_f"], ["src_add_2d"])
        return self.node("Unsqueeze", [m2, "c.axes_12"], ["src_add"])      # [1,1,1,S]

    def save(self, path, name, inputs, outputs, doc):
        import onnx
        m = self.h.make_model(self.h.make_graph(self.nodes, name, inputs, outputs, self.inits),
                              opset_imports=[self.h.make_opsetid("", OPSET)],
                              producer_name="attention-playground/models/translate/export.py")
        m.ir_version = 8
        m.doc_string = doc
        onnx.checker.check_model(m, full_check=True)
        onnx.save(m, str(path))


def build_encoder(model, qs, path):
    from onnx import TensorProto, helper
    g = Graph()
    g.const()
    x = g.embed("src_ids", model, qs, "enc")
    src_add = g.key_mask("src_mask")
    for l, L in enumerate(model.enc):
        p, pn = f"enc{l}", f"enc.{l}"
        h = g.layer_norm(x, L.ln1, pn + ".ln1", p + ".ln1")
        a = g.attention(h, h, L.attn, pn + ".attn", qs, src_add, f"enc{l}.self_attn", p + ".sa")
        x = g.node("Add", [x, a], [p + ".res1"])
        f = g.ffn(g.layer_norm(x, L.ln2, pn + ".ln2", p + ".ln2"), L.ff, pn + ".ff", qs, p + ".ff")
        x = g.node("Add", [x, f], [p + ".res2"])
    m = g.layer_norm(x, model.enc_ln, "enc_ln", "enc_ln")
    g.node("Identity", [m], ["memory"])
    F32, I64 = TensorProto.FLOAT, TensorProto.INT64
    inputs = [helper.make_tensor_value_info("src_ids", I64, [1, "S"]),
              helper.make_tensor_value_info("src_mask", I64, [1, "S"])]
    outputs = [helper.make_tensor_value_info("memory", F32, [1, "S", T.D_MODEL])] + \
        [helper.make_tensor_value_info(f"enc{l}.self_attn", F32, [1, T.N_HEADS, "S", "S"]) for l in range(T.N_ENC)]
    g.save(path, "translate_encoder", inputs, outputs,
           "English->French translator, encoder (3 pre-LN layers). See models/README.md.")
    return [o.name for o in outputs]


def build_decoder(model, qs, path):
    from onnx import TensorProto, helper
    g = Graph()
    g.const()
    y = g.embed("tgt_ids", model, qs, "dec")
    src_add = g.key_mask("src_mask")
    # causal mask: the top-left T x T corner of a constant table (0 on and below the diagonal)
    causal = np.triu(np.full((T.PE_LEN, T.PE_LEN), -np.inf, dtype=np.float32), k=1)
    g.init("param.causal_table", causal)
    n = "dec.len"
    ends = g.node("Concat", [n, n], ["dec.len2"], axis=0)
    starts = g.init("c.i00", np.array([0, 0], dtype=np.int64))
    c2 = g.node("Slice", ["param.causal_table", starts, ends, "c.axes_01"], ["causal_2d"])
    causal_add = g.node("Unsqueeze", [c2, "c.axes_01"], ["causal_add"])   # [1,1,T,T]
    for l, L in enumerate(model.dec):
        p, pn = f"dec{l}", f"dec.{l}"
        h = g.layer_norm(y, L.ln1, pn + ".ln1", p + ".ln1")
        a = g.attention(h, h, L.self_attn, pn + ".self_attn", qs, causal_add, f"dec{l}.self_attn", p + ".sa")
        y = g.node("Add", [y, a], [p + ".res1"])
        h = g.layer_norm(y, L.ln2, pn + ".ln2", p + ".ln2")
        a = g.attention(h, "memory", L.cross_attn, pn + ".cross_attn", qs, src_add, f"dec{l}.cross_attn", p + ".ca")
        y = g.node("Add", [y, a], [p + ".res2"])
        f = g.ffn(g.layer_norm(y, L.ln3, pn + ".ln3", p + ".ln3"), L.ff, pn + ".ff", qs, p + ".ff")
        y = g.node("Add", [y, f], [p + ".res3"])
    hf = g.layer_norm(y, model.dec_ln, "dec_ln", "dec_ln")
    t_minus_1 = g.node("Sub", ["dec.len", "c.i1"], ["dec.len_minus_1"])
    last = g.node("Slice", [hf, t_minus_1, "dec.len", "c.i1"], ["dec.last"])        # [1,1,d]
    last = g.node("Reshape", [last, "c.last_2d"], ["dec.last_2d"])                    # [1,d]
    logits = g.node("Gemm", [last, "param.emb"], ["logits"], transB=1)                 # [1,V]
    g.node("LogSoftmax", [logits], ["log_probs"], axis=-1)
    F32, I64 = TensorProto.FLOAT, TensorProto.INT64
    V = model.emb.shape[0]
    inputs = [helper.make_tensor_value_info("tgt_ids", I64, [1, "T"]),
              helper.make_tensor_value_info("memory", F32, [1, "S", T.D_MODEL]),
              helper.make_tensor_value_info("src_mask", I64, [1, "S"])]
    outputs = [helper.make_tensor_value_info("log_probs", F32, [1, V])]
    for l in range(T.N_DEC):
        outputs += [helper.make_tensor_value_info(f"dec{l}.self_attn", F32, [1, T.N_HEADS, "T", "T"]),
                    helper.make_tensor_value_info(f"dec{l}.cross_attn", F32, [1, T.N_HEADS, "T", "S"])]
    g.save(path, "translate_decoder", inputs, outputs,
           "English->French translator, decoder (3 pre-LN layers, causal self-attention, cross-attention); "
           "log-probabilities of the token after the last position. See models/README.md.")
    return [o.name for o in outputs]


# --------------------------------------------------------------------------- checks

def check_onnxruntime(model, enc_path, dec_path, enc_names, dec_names, vocab):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    es = ort.InferenceSession(str(enc_path), so, providers=["CPUExecutionProvider"])
    ds = ort.InferenceSession(str(dec_path), so, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(T.SEED)
    worst = 0.0
    for S, Tn in ((1, 1), (7, 3), (T.MAX_SRC, 20), (12, MAX_NEW)):
        src = rng.integers(4, vocab, size=(1, S)).astype(np.int64)
        src[0, -1] = EOS
        mask = np.ones((1, S), dtype=np.int64)
        tgt = rng.integers(4, vocab, size=(1, Tn)).astype(np.int64)
        tgt[0, 0] = BOS
        with torch.no_grad():
            mem, ea = model.encode(torch.from_numpy(src), torch.from_numpy(mask))
            h, sa, ca = model.decode(torch.from_numpy(tgt), mem, torch.from_numpy(mask))
            lp = torch.log_softmax(model.logits(h[:, -1]), dim=-1)
        ref_e = {"memory": mem, **{f"enc{l}.self_attn": w for l, w in enumerate(ea)}}
        got_e = dict(zip(enc_names, es.run(enc_names, {"src_ids": src, "src_mask": mask})))
        ref_d = {"log_probs": lp, **{f"dec{l}.self_attn": w for l, w in enumerate(sa)},
                 **{f"dec{l}.cross_attn": w for l, w in enumerate(ca)}}
        got_d = dict(zip(dec_names, ds.run(dec_names, {"tgt_ids": tgt, "memory": got_e["memory"], "src_mask": mask})))
        for ref, got in ((ref_e, got_e), (ref_d, got_d)):
            for n, r in ref.items():
                r = r.numpy()
                assert got[n].shape == r.shape, (n, got[n].shape, r.shape)
                e = float(np.abs(got[n] - r).max())
                worst = max(worst, e)
                assert e <= 1e-4, (n, S, Tn, e)
    log(f"onnxruntime vs PyTorch: max abs diff {worst:.2e}")
    return worst


# --------------------------------------------------------------------------- golden JSON

def fmt_float(x):
    s = str(np.float32(x))
    if s in ("inf", "-inf", "nan"):
        raise ValueError("non-finite value in golden output")
    return s


def to_json(obj, depth=0):
    if isinstance(obj, dict):
        items = [json.dumps(k) + ":" + to_json(v, depth + 1) for k, v in obj.items()]
        if depth >= 4 or all(not isinstance(v, (dict, list, np.ndarray)) for v in obj.values()):
            return "{" + ",".join(items) + "}"
        return "{\n" + ",\n".join(items) + "\n}"
    if isinstance(obj, np.ndarray) and obj.dtype == np.float32:
        return "[" + ",".join(fmt_float(v) for v in obj.ravel()) + "]"
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], dict):
            return "[\n" + ",\n".join(to_json(v, depth + 1) for v in obj) + "\n]"
        return "[" + ",".join(to_json(v, depth + 1) for v in obj) + "]"
    return json.dumps(obj, ensure_ascii=False)


def tensor(t):
    a = t.detach().numpy().astype(np.float32) if isinstance(t, torch.Tensor) else np.asarray(t, dtype=np.float32)
    return {"shape": list(a.shape), "data": a}


# --------------------------------------------------------------------------- main

# English sentences written for the UI, each with the French translations we accept as
# correct (Louis Segond's wording where the Bible has the sentence). A sentence is offered as an
# example only if the model's greedy output is one of them (ignoring the final punctuation mark):
# "translates well" is checked, not claimed.
CHECKED_EXAMPLES = {
    "And God said, let there be light.": ["Et Dieu dit: Que la lumière soit", "Dieu dit: Que la lumière soit"],
    "In the beginning God created the heavens and the earth.": [
        "Au commencement, Dieu créa les cieux et la terre", "Au commencement Dieu créa les cieux et la terre"],
    "The king went up to the city with his servants.": ["Le roi monta à la ville avec ses serviteurs"],
    "The king said to his servants, go into the city.": ["Le roi dit à ses serviteurs: Allez dans la ville"],
    "The people went out of the city.": ["Le peuple sortit de la ville"],
    "The men went out of the house.": ["Les hommes sortirent de la maison"],
    "They went into the house.": ["Ils entrèrent dans la maison", "Ils allèrent dans la maison"],
    "Jesus wept.": ["Jésus pleura"],
    "God is love.": ["Dieu est amour"],
    "Yahweh is my shepherd.": ["L'Éternel est mon berger"],
    "He said to them, follow me.": ["Il leur dit: Suivez-moi"],
    "My son, hear my words.": ["Mon fils, écoute mes paroles"],
    "Blessed are the poor in spirit.": ["Heureux les pauvres en esprit"],
    "The woman gave birth to a son.": ["La femme enfanta un fils"],
    "Give thanks to Yahweh, for he is good.": ["Louez l'Éternel, car il est bon", "Célébrez l'Éternel, car il est bon"],
    "You shall love your neighbor as yourself.": ["Tu aimeras ton prochain comme toi-même"],
    "The disciples came to Jesus.": ["Les disciples vinrent à Jésus", "Les disciples s'approchèrent de Jésus"],
    "Peace be with you.": [
        "La paix soit avec vous", "Que la paix soit avec vous", "La paix soit avec toi", "Que la paix soit avec toi"],
}
HELD_OUT_EXAMPLES = 4          # plus up to this many short held-out verses it translates best
HELD_OUT_MAX_WORDS = 14
HELD_OUT_MIN_CHRF = 70.0


def strip_final(s):
    return s.strip().rstrip(".!;:,?").strip()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", default=str(T.WORK / "checkpoint.pt"))
    ap.add_argument("--out", default=str(HERE))
    ap.add_argument("--skip-eval", action="store_true", help="development only: no BLEU/chrF")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)

    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(str(HERE / "tokenizer.json"))
    vocab = tok.get_vocab_size()
    ck = torch.load(args.checkpoint, map_location="cpu")
    assert ck["vocab"] == vocab
    model = T.Translator(vocab)
    model.load_state_dict(ck["model"])
    model.eval()
    log(f"checkpoint {args.checkpoint}: step {ck['step']}/{ck['steps']}, "
        f"{sum(p.numel() for p in model.parameters())} parameters")

    pairs = T.load_pairs()
    test = [p for p in pairs if p[0][0] in T.TEST_BOOKS]
    metrics = {"checkpoint_step": ck["step"], "test_books": sorted(T.TEST_BOOKS),
               "test_verses": len(test),
               "test_sources_truncated": sum(len(tok.encode(s).ids) == T.MAX_SRC and
                                             len(tok.encode(s).overflowing) > 0 for _, s, _ in test)}
    if not args.skip_eval:
        metrics["float32"], _ = evaluate(model, tok, test, "float32")
    qs = quantize_model(model)
    samples = []
    if not args.skip_eval:
        metrics["int8"], hyps = evaluate(model, tok, test, "int8 (shipped)")
        for i in range(0, len(test), max(1, len(test) // 12))[:12]:
            k, s, f = test[i]
            samples.append({"ref": f"{k[0]}:{k[1]}:{k[2]}", "source": s, "reference": f, "output": hyps[i]})

    enc_path, dec_path = out / "encoder.onnx", out / "decoder.onnx"
    enc_names = build_encoder(model, qs, enc_path)
    dec_names = build_decoder(model, qs, dec_path)
    metrics["onnxruntime_max_abs_diff"] = check_onnxruntime(model, enc_path, dec_path, enc_names, dec_names, vocab)

    # examples offered in the UI: the checked sentences it gets right, then the short held-out
    # verses with the best sentence-level chrF against Louis Segond
    examples = []
    for en, accepted in CHECKED_EXAMPLES.items():
        ids = tok.encode(en).ids
        r = greedy_reference(model, ids)
        fr = detok(tok, r["tokens"])
        ok = UNK not in ids and r["tokens"][-1:] == [EOS] and strip_final(fr) in accepted
        log(f"example {'ok' if ok else 'no'}: {en!r} -> {fr!r}")
        examples.append({"en": en, "fr": fr, "kind": "checked", "correct": bool(ok)})
    if not args.skip_eval:
        import sacrebleu
        chrf = sacrebleu.metrics.CHRF()
        short = []
        for (k, s, f), h in zip(test, hyps):
            if len(s.split()) <= HELD_OUT_MAX_WORDS and UNK not in tok.encode(s).ids:
                sc = chrf.sentence_score(h, [f]).score
                if sc >= HELD_OUT_MIN_CHRF:
                    short.append((-sc, f"{k[0]}:{k[1]}:{k[2]}", s, f, h))
        for negsc, ref, s, f, h in sorted(short)[:HELD_OUT_EXAMPLES]:
            log(f"held-out example {ref} chrF {-negsc:.1f}: {s!r} -> {h!r} (Segond: {f!r})")
            examples.append({"en": s, "fr": h, "kind": "held_out", "verse": ref, "segond": f,
                             "chrf": round(-negsc, 1), "correct": True})

    # golden values: full greedy decode of several sentences (the browser's loop)
    long_src = " ".join(s for _, s, _ in test[:6])
    cases = [
        ("short", "And God said, let there be light."),
        ("held_out_verse", test[min(40, len(test) - 1)][1]),
        ("unknown_and_emoji", "The xylophonist said shalom 🙂 to Zxqwv!"),
        ("html_like", '<b>God</b> & "love"'),
        ("one_word", "Jerusalem"),
        ("long_truncated", long_src),
    ]
    gcases = []
    for name, text in cases:
        e = tok.encode(text)
        if name == "long_truncated":
            assert len(e.ids) == T.MAX_SRC and e.ids[-1] == EOS and e.overflowing, len(e.ids)
        r = greedy_reference(model, e.ids)
        top5 = []
        for lp in r["log_probs"]:
            idx = np.argsort(-lp, kind="stable")[:5]
            top5.append({"ids": [int(i) for i in idx], "log_probs": lp[idx].astype(np.float32)})
        outs = {"memory": tensor(r["memory"][None])}
        for l, w in enumerate(r["enc_attn"]):
            outs[f"enc{l}.self_attn"] = tensor(w)
        for l in range(T.N_DEC):
            outs[f"dec{l}.self_attn"] = tensor(r["self_attn"][l])
            outs[f"dec{l}.cross_attn"] = tensor(r["cross_attn"][l])
        gcases.append({"name": name, "text": text, "src_tokens": e.tokens, "src_ids": e.ids,
                       "truncated": bool(e.overflowing), "out_ids": r["tokens"],
                       "out_tokens": [tok.id_to_token(i) for i in r["tokens"]],
                       "translation": detok(tok, r["tokens"]),
                       "first_step_log_probs": tensor(r["log_probs"][0]),
                       "steps": top5, "outputs": outs})
        log(f"golden {name}: {len(e.ids)} source tokens -> {len(r['tokens'])} tokens: {detok(tok, r['tokens'])!r}")
    golden = {"model": "translate", "tolerance": 1e-4, "max_new_tokens": MAX_NEW, "eos_id": EOS, "bos_id": BOS,
              "note": "Computed by PyTorch (float32, every weight matrix = its int8 per-channel dequantized value) "
                      "by models/translate/export.py. Greedy decoding that recomputes the whole prefix at every "
                      "step; 'outputs' holds the encoder outputs and the attention maps of the last decoding "
                      "step (whose rows are those of every earlier step: causal).",
              "encoder_outputs": enc_names, "decoder_outputs": dec_names, "cases": gcases}
    (out / "golden.json").write_text(to_json(golden) + "\n", encoding="utf-8")

    def gz(p):
        return len(gzip.compress(p.read_bytes(), compresslevel=9, mtime=0))

    if out != HERE:
        (out / "tokenizer.json").write_bytes((HERE / "tokenizer.json").read_bytes())
    import hashlib
    files = {n: {"bytes": (out / n).stat().st_size, "gzip_bytes": gz(out / n),
                 "sha256": hashlib.sha256((out / n).read_bytes()).hexdigest()}
             for n in ("encoder.onnx", "decoder.onnx", "tokenizer.json")}
    manifest = {
        "id": "translate", "name": "English → French verse translator",
        "encoder": "encoder.onnx", "decoder": "decoder.onnx", "tokenizer": "tokenizer.json",
        "files": files, "served_bytes": sum(f["bytes"] for f in files.values()),
        "vocab_size": vocab, "d_model": T.D_MODEL, "n_heads": T.N_HEADS, "n_enc_layers": T.N_ENC,
        "n_dec_layers": T.N_DEC, "d_ff": T.D_FF, "max_src": T.MAX_SRC, "max_new_tokens": MAX_NEW,
        "pad_id": PAD, "unk_id": UNK, "bos_id": BOS, "eos_id": EOS, "opset": OPSET,
        "examples": [e["en"] for e in examples if e["correct"]],
        "metrics": {k: metrics[k] for k in ("int8", "float32") if k in metrics},
    }
    metrics["examples"] = examples
    metrics["samples"] = samples
    metrics["files"] = files
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    log(f"files: {files}; golden.json {(out / 'golden.json').stat().st_size} B; done in {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
