#!/usr/bin/env python3
"""Export a local Hugging Face transformer directory to an ONNX file the playground can open.

    python models/export_hf.py <hf_model_dir> <out_dir> [--int8] [--max-len N]
                               [--source TEXT] [--licence TEXT] [--no-check]

Offline: it reads only `<hf_model_dir>` (config.json, the weights, the tokenizer files or
preprocessor_config.json), never the Hugging Face hub. It writes into `<out_dir>`:

- `model.onnx`: opset 17, legacy TorchScript exporter, eager attention. Outputs: every layer's
  attention probabilities `attn.{l}` [batch, heads, seq, seq], then `last_hidden_state`
  [batch, seq, d_model] and, for GPT-2, `logits` [batch, seq, vocab]. Batch and sequence axes
  are dynamic (ViT: batch only; the sequence is fixed by the image size).
  Inputs: encoders `input_ids`, `attention_mask` (int64 [batch, seq]); GPT-2 `input_ids` only
  (the causal mask is built inside the graph); ViT `pixel_values` (float32 [batch, 3, H, W]).
- `tokenizer.json` (text models): the model's fast tokenizer, truncation at the maximum length,
  no padding. ViT: the image preprocessing (size, mean, std) goes into the manifest instead.
- `manifest.json`: architecture, kind, sizes, inputs, outputs, special tokens, maximum length,
  source and licence (as given), file sizes and the export check's differences.

Supported (`config.json` "model_type"): encoders bert, roberta, distilbert, electra, albert;
decoder gpt2; vision vit. Anything else exits with status 2 and says what is supported.

`--int8`: weight-only int8, as models/minilm does: every Linear / Conv1D weight and the input
word-embedding table become int8 (symmetric, one float32 scale per output channel, per
vocabulary row for the table, zero point 0) followed by DequantizeLinear; all computation stays
float32. The reference model of the check is the PyTorch model with exactly those dequantized
weights. (Not onnxruntime's dynamic quantization: it quantizes activations and distorts attention.)

The check (unless --no-check): a couple of sample inputs through PyTorch (transformers' own
forward with output_attentions=True), onnxruntime and, when the PyPI `tract` bindings are
installed, tract; it prints the largest |difference| on the attention maps and the last output,
and fails (status 1) when tract or onnxruntime is off by more than 1e-4 on the attention maps.
"""

import argparse
import functools
import gzip
import hashlib
import inspect
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

EXIT_UNSUPPORTED = 2
OPSET = 17
ATTN_TOLERANCE = 1e-4

# model_type -> (display name, kind)
SUPPORTED = {
    "bert": ("BERT", "encoder"),
    "roberta": ("RoBERTa", "encoder"),
    "distilbert": ("DistilBERT", "encoder"),
    "electra": ("ELECTRA", "encoder"),
    "albert": ("ALBERT", "encoder"),
    "gpt2": ("GPT-2", "decoder"),
    "vit": ("ViT", "vision"),
}
SAMPLE_TEXTS = ["The quick brown fox jumps over the lazy dog.", "Attention is all you need."]


class Unsupported(Exception):
    pass


def supported_list():
    groups = {}
    for mt, (name, kind) in SUPPORTED.items():
        groups.setdefault(kind, []).append(f"{name} ({mt})")
    label = {"encoder": "encoders", "decoder": "decoders", "vision": "vision"}
    return "; ".join(f"{label[kind]}: {', '.join(v)}" for kind, v in groups.items())


def log(*a):
    print("[export_hf]", *a, flush=True)


def read_config(model_dir):
    path = Path(model_dir) / "config.json"
    if not path.is_file():
        raise Unsupported(f"{path} not found: expected a local Hugging Face model directory "
                          "(config.json, model.safetensors or pytorch_model.bin, tokenizer files)")
    return json.loads(path.read_text())


def detect(config):
    """(model_type, display name, kind) or Unsupported with a message naming what is supported."""
    mt = config.get("model_type")
    if mt in SUPPORTED:
        if config.get("is_encoder_decoder") or config.get("add_cross_attention"):
            raise Unsupported(f"{mt} with cross-attention is not supported. Supported: {supported_list()}.")
        return (mt,) + SUPPORTED[mt]
    archs = ", ".join(config.get("architectures") or []) or "no architectures listed"
    raise Unsupported(f"model_type {mt!r} ({archs}) is not supported. Supported: {supported_list()}. "
                      "Encoder-decoder models (T5, BART, …) and other families are not.")


# --------------------------------------------------------------------------- PyTorch side

def load_model(model_dir, mt):
    import torch
    from transformers import AutoModel, GPT2LMHeadModel
    cls = GPT2LMHeadModel if mt == "gpt2" else AutoModel
    kwargs = {"attn_implementation": "eager", "dtype": torch.float32}
    if mt == "vit":
        kwargs["add_pooling_layer"] = False
    model = cls.from_pretrained(str(model_dir), **kwargs)
    model.set_attn_implementation("eager")
    model.eval()
    return model


def quantize_rows(w):
    """Symmetric int8 per row: scale = max|row| / 127, q = round(w / scale) in [-127, 127]."""
    import numpy as np
    w = np.asarray(w, dtype=np.float32)
    amax = np.abs(w).max(axis=1)
    scale = np.where(amax > 0, amax / np.float32(127.0), np.float32(1.0)).astype(np.float32)
    q = np.clip(np.rint(w / scale[:, None]), -127, 127).astype(np.int8)
    return q, scale


def quantize_model(model):
    """Replaces weights in place by their int8-dequantized values; returns a table from the bytes
    of each float tensor (and of its transpose) to (q, scale, axis) as the ONNX file stores it."""
    import numpy as np
    import torch
    from transformers.pytorch_utils import Conv1D
    table, seen = {}, set()

    def register(param, rows_are_outputs):
        if id(param) in seen:
            return
        seen.add(id(param))
        w = param.detach().cpu().numpy().astype(np.float32)
        rows = w if rows_are_outputs else w.T          # one row per output channel / vocab entry
        q, s = quantize_rows(rows)
        deq = q.astype(np.float32) * s[:, None]
        # layout as in torch, then the transposed layout (what MatMul usually gets)
        if rows_are_outputs:
            as_torch, as_torch_t = (q, s, 0, deq), (np.ascontiguousarray(q.T), s, 1, np.ascontiguousarray(deq.T))
        else:
            as_torch, as_torch_t = (np.ascontiguousarray(q.T), s, 1, np.ascontiguousarray(deq.T)), (q, s, 0, deq)
        for qq, ss, axis, dd in (as_torch, as_torch_t):
            table[hashlib.sha256(dd.tobytes() + str(dd.shape).encode()).hexdigest()] = (qq, ss, axis)
        with torch.no_grad():
            param.copy_(torch.from_numpy(as_torch[3]))

    emb = model.get_input_embeddings()
    if emb is not None and getattr(emb, "weight", None) is not None:
        register(emb.weight, True)                     # [vocab, d]: per vocabulary row
    for mod in model.modules():
        if isinstance(mod, torch.nn.Linear):
            register(mod.weight, True)                 # [out, in]
        elif isinstance(mod, Conv1D):
            register(mod.weight, False)                # GPT-2's Conv1D: [in, out]
    return table


def make_wrapper(model, mt, max_len):
    import torch

    class Encoder(torch.nn.Module):
        """The model's own forward, given a ready additive mask [batch, 1, 1, seq] (0 for real keys,
        float32 min for padding: what transformers' eager mask adds) instead of the 2-D mask, whose
        conversion in transformers (Flatten, vmap-style index maths) tract cannot load; and the
        token types (0) given explicitly rather than expanded from a buffer."""

        def __init__(self, m):
            super().__init__()
            self.m = m
            self.token_types = "token_type_ids" in inspect.signature(m.forward).parameters

        def forward(self, input_ids, attention_mask):
            mask = (attention_mask[:, None, None, :] == 0).to(torch.float32) * torch.finfo(torch.float32).min
            kw = {"token_type_ids": torch.zeros_like(input_ids)} if self.token_types else {}
            out = self.m(input_ids=input_ids, attention_mask=mask, output_attentions=True, return_dict=True, **kw)
            return (*out.attentions, out.last_hidden_state)

    class Vision(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, pixel_values):
            out = self.m(pixel_values=pixel_values, output_attentions=True, return_dict=True)
            return (*out.attentions, out.last_hidden_state)

    class GPT2(torch.nn.Module):
        """GPT2LMHeadModel's forward without transformers' mask machinery (which tract cannot run):
        the causal mask is a constant lower-triangular table sliced to the sequence length, added
        to the scores exactly as transformers' eager attention adds its mask."""

        def __init__(self, lm):
            super().__init__()
            self.lm = lm
            n = max_len
            keep = torch.tril(torch.ones(n, n, dtype=torch.bool))
            mask = torch.zeros(n, n).masked_fill(~keep, torch.finfo(torch.float32).min)
            self.register_buffer("causal", mask[None, None], persistent=False)

        def forward(self, input_ids):
            t = self.lm.transformer
            seq = input_ids.shape[1]
            h = t.wte(input_ids) + t.wpe.weight[:seq]
            h = t.drop(h)
            mask = self.causal[:, :, :seq, :seq]
            attns = []
            for block in t.h:
                a, w = block.attn(block.ln_1(h), attention_mask=mask)
                h = h + a
                h = h + block.mlp(block.ln_2(h))
                attns.append(w)
            h = t.ln_f(h)
            return (*attns, h, self.lm.lm_head(h))

    w = {"gpt2": GPT2, "vit": Vision}.get(mt, Encoder)(model)
    w.eval()     # torch.onnx.export restores the wrapper's mode on every submodule
    return w


@functools.lru_cache(maxsize=None)
def _torch():
    import torch
    torch.set_num_threads(1)
    return torch


def reference(model, mt, feeds):
    """transformers' own forward (not the wrapper): {output name: numpy array}."""
    import numpy as np
    torch = _torch()
    with torch.no_grad():
        if mt == "vit":
            out = model(pixel_values=torch.from_numpy(feeds["pixel_values"]), output_attentions=True)
            last = out.last_hidden_state
            extra = {}
        elif mt == "gpt2":
            ids = torch.from_numpy(feeds["input_ids"])
            out = model(input_ids=ids, output_attentions=True)
            last = model.transformer(input_ids=ids).last_hidden_state
            extra = {"logits": out.logits}
        else:
            out = model(input_ids=torch.from_numpy(feeds["input_ids"]),
                        attention_mask=torch.from_numpy(feeds["attention_mask"]), output_attentions=True)
            last = out.last_hidden_state
            extra = {}
    res = {f"attn.{l}": a.numpy().astype(np.float32) for l, a in enumerate(out.attentions)}
    res["last_hidden_state"] = last.numpy().astype(np.float32)
    res.update({k: v.numpy().astype(np.float32) for k, v in extra.items()})
    return res


# --------------------------------------------------------------------------- ONNX post-processing

def postprocess(path, qtable):
    """Shares transposed copies of one weight (tied GPT-2 embeddings) and, with --int8, replaces
    the weights found in `qtable` by int8 + DequantizeLinear."""
    import numpy as np
    import onnx
    from onnx import helper, numpy_helper
    m = onnx.load(str(path))
    g = m.graph
    arrays = {t.name: numpy_helper.to_array(t) for t in g.initializer}
    new_nodes, drop = [], set()

    def key(a):
        return hashlib.sha256(a.tobytes() + str(a.shape).encode()).hexdigest()

    # 1. an initializer equal to the transpose of another becomes a Transpose node
    by_key = {}
    for name, a in arrays.items():
        if a.dtype == np.float32 and a.ndim == 2 and a.size >= 1024:
            by_key.setdefault(key(a), name)
    for name, a in arrays.items():
        if a.dtype != np.float32 or a.ndim != 2 or a.size < 1024 or by_key.get(key(a)) != name:
            continue
        other = by_key.get(key(np.ascontiguousarray(a.T)))
        if other and other != name and other not in drop and name not in drop:
            drop.add(name)
            new_nodes.append(helper.make_node("Transpose", [other], [name], name=f"share_{name}", perm=[1, 0]))

    # 2. int8 weights
    n_q = 0
    if qtable:
        for name, a in arrays.items():
            if name in drop or a.dtype != np.float32 or a.ndim != 2:
                continue
            hit = qtable.get(key(np.ascontiguousarray(a)))
            if hit is None:
                continue
            q, s, axis = hit
            drop.add(name)
            base = name.replace("::", "_")
            g.initializer.extend([numpy_helper.from_array(q, base + ".int8"),
                                  numpy_helper.from_array(s, base + ".scale"),
                                  numpy_helper.from_array(np.zeros(s.shape[0], np.int8), base + ".zero_point")])
            new_nodes.insert(0, helper.make_node("DequantizeLinear",
                                                 [base + ".int8", base + ".scale", base + ".zero_point"],
                                                 [name], name=f"dequantize_{base}", axis=axis))
            n_q += 1
    if drop:
        keep = [t for t in g.initializer if t.name not in drop]
        del g.initializer[:]
        g.initializer.extend(keep)
        nodes = new_nodes + list(g.node)
        del g.node[:]
        g.node.extend(nodes)
    onnx.checker.check_model(m)
    onnx.save(m, str(path))
    return n_q, len(drop) - n_q


def export_onnx(wrapper, mt, sample, path, input_names, output_names):
    torch = _torch()
    dyn = {}
    for n in input_names:
        dyn[n] = {0: "batch"} if mt == "vit" else {0: "batch", 1: "seq"}
    for n in output_names:
        if mt == "vit":
            dyn[n] = {0: "batch"}
        elif n.startswith("attn."):
            dyn[n] = {0: "batch", 2: "seq", 3: "seq"}
        else:
            dyn[n] = {0: "batch", 1: "seq"}
    args = tuple(torch.from_numpy(sample[n]) for n in input_names)
    import warnings
    warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)
    with torch.no_grad():
        torch.onnx.export(wrapper, args, str(path), input_names=input_names, output_names=output_names,
                          dynamic_axes=dyn, opset_version=OPSET, dynamo=False, do_constant_folding=True)


# --------------------------------------------------------------------------- runners for the check

def run_onnxruntime(path, feeds, output_names):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
    return dict(zip(output_names, sess.run(output_names, feeds)))


def tract_plan(path, input_facts):
    """Load as the app does: input facts with symbols, typed, optimised, runnable."""
    import tract
    m = tract.onnx().load(str(path))
    for i, fact in enumerate(input_facts):
        m.set_input_fact(i, fact)
    # into_runnable goes through tract's default CPU runtime, which optimises the typed model
    # (into_optimized) before planning it, as GraphRunner::load does
    return m.into_model().into_runnable()


def run_tract(plan, feeds, input_names, output_names):
    outs = plan.run([feeds[n] for n in input_names])
    return dict(zip(output_names, [o.to_numpy() for o in outs]))


def max_diffs(ref, got):
    import numpy as np
    attn = max(float(np.abs(ref[k] - got[k]).max()) for k in ref if k.startswith("attn."))
    other = {k: float(np.abs(ref[k] - got[k]).max()) for k in ref if not k.startswith("attn.")}
    return attn, other


# --------------------------------------------------------------------------- tokenizer / image

def load_tokenizer(model_dir):
    """(tokenizers.Tokenizer, transformers tokenizer or None)."""
    from tokenizers import Tokenizer
    hf = None
    try:
        from transformers import AutoTokenizer
        hf = AutoTokenizer.from_pretrained(str(model_dir), use_fast=True)
    except Exception as e:  # noqa: BLE001 - any failure: fall back to tokenizer.json alone
        log(f"AutoTokenizer failed ({type(e).__name__}: {e}); trying tokenizer.json alone")
    if hf is not None and getattr(hf, "backend_tokenizer", None) is not None:
        return Tokenizer.from_str(hf.backend_tokenizer.to_str()), hf
    tj = Path(model_dir) / "tokenizer.json"
    if tj.is_file():
        return Tokenizer.from_file(str(tj)), hf
    raise Unsupported(f"{model_dir} has no fast tokenizer (tokenizer.json) and none could be converted "
                      "from the slow tokenizer files; save one with `AutoTokenizer.from_pretrained(...)"
                      ".save_pretrained(dir)` where `sentencepiece`/`protobuf` are installed")


def special_tokens(tok, hf, config):
    names = {"cls": "cls_token", "sep": "sep_token", "pad": "pad_token", "bos": "bos_token",
             "eos": "eos_token", "unk": "unk_token", "mask": "mask_token"}
    out = {}
    for short, attr in names.items():
        tid = None
        if hf is not None:
            t = getattr(hf, attr, None)
            if t is not None:
                tid = tok.token_to_id(str(t))
        if tid is None and short in ("pad", "bos", "eos"):
            tid = config.get(f"{short}_token_id")
        out[short] = None if tid is None else int(tid)
        out[short + "_token"] = None if tid is None else tok.id_to_token(int(tid))
    return out


def image_preprocessing(model_dir, config):
    pre = {}
    p = Path(model_dir) / "preprocessor_config.json"
    if p.is_file():
        pre = json.loads(p.read_text())
    size = pre.get("size", config.get("image_size", 224))
    if isinstance(size, dict):
        h, w = size.get("height", size.get("shortest_edge")), size.get("width", size.get("shortest_edge"))
    else:
        h = w = int(size)
    n = config.get("num_channels", 3)
    return {
        "height": int(h), "width": int(w), "channels": int(n),
        "do_resize": pre.get("do_resize", True), "resample": pre.get("resample", 2),
        "do_rescale": pre.get("do_rescale", True), "rescale_factor": pre.get("rescale_factor", 1 / 255),
        "do_normalize": pre.get("do_normalize", True),
        "mean": [float(x) for x in pre.get("image_mean", [0.5] * n)],
        "std": [float(x) for x in pre.get("image_std", [0.5] * n)],
        "from_preprocessor_config": p.is_file(),
    }


def text_samples(tok, mt, pad_id):
    import numpy as np
    encs = [tok.encode(t).ids for t in SAMPLE_TEXTS]
    if mt == "gpt2":   # no attention_mask input: one unpadded sentence per run
        return [{"input_ids": np.array([e], dtype=np.int64)} for e in encs]
    n = max(len(e) for e in encs)
    ids = np.full((len(encs), n), pad_id, dtype=np.int64)
    am = np.zeros((len(encs), n), dtype=np.int64)
    for i, e in enumerate(encs):
        ids[i, :len(e)] = e
        am[i, :len(e)] = 1
    single = {"input_ids": ids[:1, :len(encs[0])].copy(), "attention_mask": am[:1, :len(encs[0])].copy()}
    return [single, {"input_ids": ids, "attention_mask": am}]


# --------------------------------------------------------------------------- main

def file_info(path):
    data = Path(path).read_bytes()
    return {"bytes": len(data), "gzip_bytes": len(gzip.compress(data, 9, mtime=0)),
            "sha256": hashlib.sha256(data).hexdigest()}


def max_len_for(config, mt, requested):
    if mt == "vit":
        return None
    positions = config.get("n_positions") if mt == "gpt2" else config.get("max_position_embeddings", 512)
    if mt == "roberta":   # positions start after the padding index
        positions -= config.get("pad_token_id", 1) + 1
    if requested is None:
        return int(min(positions, 512))
    if requested > positions:
        raise SystemExit(f"--max-len {requested} exceeds the model's {positions} positions")
    return int(requested)


def export(model_dir, out_dir, int8=False, max_len=None, source=None, licence=None, check=True):
    import numpy as np
    torch = _torch()
    import onnx
    import transformers
    model_dir, out_dir = Path(model_dir), Path(out_dir)
    config = read_config(model_dir)
    mt, display, kind = detect(config)
    max_len = max_len_for(config, mt, max_len)
    log(f"{model_dir}: {display} ({kind}), max length {max_len}")
    model = load_model(model_dir, mt)
    cfg = model.config
    n_layers, n_heads, d_model = cfg.num_hidden_layers, cfg.num_attention_heads, cfg.hidden_size
    n_params = sum(p.numel() for p in model.parameters())
    torch.manual_seed(0)

    manifest_extra = {}
    tok = None
    if kind == "vision":
        img = image_preprocessing(model_dir, config)
        rng = np.random.default_rng(0)
        samples = [{"pixel_values": rng.standard_normal((2, img["channels"], img["height"], img["width"]))
                    .astype(np.float32)}]
        input_names = ["pixel_values"]
        input_facts = [f"B,{img['channels']},{img['height']},{img['width']},f32"]
        manifest_extra["image"] = img
        specials = None
    else:
        tok, hf_tok = load_tokenizer(model_dir)
        specials = special_tokens(tok, hf_tok, config)
        tok.no_padding()
        tok.enable_truncation(max_len)
        biggest = max(tok.get_vocab().values())
        if biggest >= cfg.vocab_size:
            log(f"warning: the tokenizer has ids up to {biggest}, the model's table {cfg.vocab_size} rows")
        pad = specials["pad"] if specials["pad"] is not None else 0
        samples = text_samples(tok, mt, pad)
        input_names = ["input_ids"] if mt == "gpt2" else ["input_ids", "attention_mask"]
        input_facts = ["B,S,i64"] * len(input_names)
    output_names = [f"attn.{l}" for l in range(n_layers)] + ["last_hidden_state"]
    if mt == "gpt2":
        output_names.append("logits")

    qtable = quantize_model(model) if int8 else None
    wrapper = make_wrapper(model, mt, max_len)
    out_dir.mkdir(parents=True, exist_ok=True)
    onnx_path = out_dir / "model.onnx"
    export_onnx(wrapper, mt, samples[-1], onnx_path, input_names, output_names)
    n_q, n_shared = postprocess(onnx_path, qtable)
    if int8:
        log(f"int8: {n_q} weight tensors quantized")
    if n_shared:
        log(f"{n_shared} transposed weight copies shared")
    m = onnx.load(str(onnx_path), load_external_data=False)
    assert [o.name for o in m.graph.output] == output_names, [o.name for o in m.graph.output]

    files = {"model.onnx": file_info(onnx_path)}
    if tok is not None:
        tok.save(str(out_dir / "tokenizer.json"), pretty=False)
        files["tokenizer.json"] = file_info(out_dir / "tokenizer.json")

    checks = {}
    if check:
        ort_attn, ort_other, tr_attn, tr_other = 0.0, {}, None, None
        plan = None
        try:
            plan = tract_plan(onnx_path, input_facts)
        except ImportError:
            log("PyPI `tract` not installed: tract not checked")
        for feeds in samples:
            ref = reference(model, mt, feeds)
            a, o = max_diffs(ref, run_onnxruntime(onnx_path, feeds, output_names))
            ort_attn = max(ort_attn, a)
            ort_other = {k: max(v, ort_other.get(k, 0.0)) for k, v in o.items()}
            if plan is not None:
                a, o = max_diffs(ref, run_tract(plan, feeds, input_names, output_names))
                tr_attn = max(tr_attn or 0.0, a)
                tr_other = {k: max(v, (tr_other or {}).get(k, 0.0)) for k, v in o.items()}
        checks = {"inputs": [{k: list(v.shape) for k, v in f.items()} for f in samples],
                  "reference": "transformers, eager attention" + (", int8-dequantized weights" if int8 else ""),
                  "onnxruntime_max_abs_attn": ort_attn, "onnxruntime_max_abs": ort_other,
                  "tract_max_abs_attn": tr_attn, "tract_max_abs": tr_other}
        log(f"check: max |onnxruntime − transformers| on attentions {ort_attn:.2e}, others {ort_other}")
        if plan is not None:
            log(f"check: max |tract − transformers| on attentions {tr_attn:.2e}, others {tr_other}")

    if kind == "vision":
        seq = 1 + (manifest_extra["image"]["height"] // cfg.patch_size) * (manifest_extra["image"]["width"] // cfg.patch_size)
        inputs = [{"name": "pixel_values", "dtype": "float32",
                   "shape": ["batch", manifest_extra["image"]["channels"], manifest_extra["image"]["height"],
                             manifest_extra["image"]["width"]]}]
        sdim = seq
    else:
        inputs = [{"name": n, "dtype": "int64", "shape": ["batch", "seq"]} for n in input_names]
        sdim = "seq"
    outputs = [{"name": f"attn.{l}", "dtype": "float32", "shape": ["batch", n_heads, sdim, sdim]}
               for l in range(n_layers)]
    outputs.append({"name": "last_hidden_state", "dtype": "float32", "shape": ["batch", sdim, d_model]})
    if mt == "gpt2":
        outputs.append({"name": "logits", "dtype": "float32", "shape": ["batch", sdim, cfg.vocab_size]})

    manifest = {
        "format": "attention-playground/hf-export", "format_version": 1,
        "architecture": mt, "architecture_name": display, "hf_architectures": config.get("architectures"),
        "kind": kind, "causal": mt == "gpt2",
        "n_layers": n_layers, "n_heads": n_heads, "d_model": d_model, "d_k": d_model // n_heads,
        "vocab_size": None if kind == "vision" else cfg.vocab_size, "parameters": n_params,
        "max_len": max_len if kind != "vision" else sdim,
        "inputs": inputs, "outputs": outputs,
        "attention_outputs": [f"attn.{l}" for l in range(n_layers)],
        "special_tokens": specials,
        "tokenizer": "tokenizer.json" if tok is not None else None,
        "image": manifest_extra.get("image"),
        "weights": "int8 weight-only (per-row symmetric, DequantizeLinear)" if int8 else "float32",
        "opset": OPSET, "onnx": "model.onnx",
        "source": source, "licence": licence,
        "files": files,
        "check": checks,
        "exported_with": {"torch": torch.__version__.split("+")[0], "transformers": transformers.__version__,
                          "onnx": onnx.__version__},
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    for name, info in files.items():
        log(f"{out_dir / name}: {info['bytes']:,} B ({info['gzip_bytes']:,} B gzip)")
    log(f"{display}: {n_layers} layers × {n_heads} heads, d {d_model}, {n_params:,} parameters")
    if check:
        bad = [(n, v) for n, v in (("onnxruntime", checks["onnxruntime_max_abs_attn"]),
                                   ("tract", checks["tract_max_abs_attn"])) if v is not None and v > ATTN_TOLERANCE]
        if bad:
            raise SystemExit(f"check failed: attention maps differ from transformers by {bad} (> {ATTN_TOLERANCE})")
    return manifest


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog=f"Supported: {supported_list()}.")
    ap.add_argument("model_dir", help="a local Hugging Face model directory (config.json, weights, tokenizer)")
    ap.add_argument("out_dir", help="where model.onnx, tokenizer.json and manifest.json are written")
    ap.add_argument("--int8", action="store_true", help="weight-only int8 (per-row symmetric)")
    ap.add_argument("--max-len", type=int, default=None, help="tokens (default: the positions, at most 512)")
    ap.add_argument("--source", default=None, help="where the model comes from (recorded in the manifest)")
    ap.add_argument("--licence", "--license", dest="licence", default=None,
                    help="the model's licence (recorded in the manifest)")
    ap.add_argument("--no-check", action="store_true", help="skip the onnxruntime / tract check")
    a = ap.parse_args(argv)
    try:
        export(a.model_dir, a.out_dir, int8=a.int8, max_len=a.max_len, source=a.source, licence=a.licence,
               check=not a.no_check)
    except Unsupported as e:
        print(f"export_hf: {e}", file=sys.stderr)
        return EXIT_UNSUPPORTED
    return 0


if __name__ == "__main__":
    sys.exit(main())
