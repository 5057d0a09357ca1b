#!/usr/bin/env python3
"""Tiny vision transformer on scikit-learn's bundled 8x8 digits: extract -> train -> evaluate -> export -> golden.

Run from the repository root:

    pip install -r models/digits/requirements.txt
    python models/digits/train.py

The images come from the scikit-learn wheel (sklearn/datasets/data/digits.csv.gz, a copy of the
test set of the UCI "Optical Recognition of Handwritten Digits" data). The wheel is downloaded
with pip into models/.cache/ (git-ignored), checked by sha256, and the file is read straight out
of it with zipfile: scikit-learn itself is not needed.

Written to models/digits/: model.onnx, manifest.json (labels, a few test images, metrics),
golden.json (PyTorch reference values, attention rollout included) and metrics.json.
Deterministic: CPU, one thread, fixed seeds.

Environment overrides (optional):
  SKLEARN_WHEEL=/path/to/wheel  use an already downloaded wheel
  DIGITS_EPOCHS=N               training epochs (default below)
  DIGITS_OUT=/some/dir          write the artefacts there instead of models/digits/
"""

import gzip
import hashlib
import io
import json
import math
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SRC = Path(__file__).resolve().parent              # models/digits
CACHE = SRC.parent / ".cache"                      # models/.cache (git-ignored)
HERE = Path(os.environ.get("DIGITS_OUT", SRC))     # where the artefacts are written

SKLEARN_VERSION = "1.7.2"
# pinned platform so that every machine downloads the same file (only its data file is read)
SKLEARN_WHEEL = f"scikit_learn-{SKLEARN_VERSION}-cp311-cp311-manylinux2014_x86_64.manylinux_2_17_x86_64.whl"
SKLEARN_SHA256 = "89877e19a80c7b11a2891a27c21c4894fb18e2c2e077815bcade10d34287b20d"

SEED = 7
TEST_SIZE = 360          # fixed split: a seeded permutation, the first 360 images are the test set
IMAGE = 8
PATCH = 2                # 2x2 patches -> a 4x4 grid of 16 patches
GRID = IMAGE // PATCH
N_PATCHES = GRID * GRID
SEQ = N_PATCHES + 1      # [CLS] first
D_MODEL = 48
N_HEADS = 4
D_K = D_MODEL // N_HEADS
N_LAYERS = 2
D_FF = 96
DROPOUT = 0.1
LN_EPS = 1e-5
BATCH = 64
EPOCHS = int(os.environ.get("DIGITS_EPOCHS", "150"))
LR = 2e-3
WARMUP = 200
WEIGHT_DECAY = 0.05
OPSET = 17
N_CLASSES = 10


def log(*a):
    print(f"[{time.strftime('%H:%M:%S')}]", *a, flush=True)


# --------------------------------------------------------------------------- data

def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def sklearn_wheel():
    if os.environ.get("SKLEARN_WHEEL"):
        wheel = Path(os.environ["SKLEARN_WHEEL"])
    else:
        CACHE.mkdir(parents=True, exist_ok=True)
        wheel = CACHE / SKLEARN_WHEEL
        if not wheel.exists():
            log(f"downloading scikit-learn=={SKLEARN_VERSION} (about 10 MB) into {CACHE}")
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                            "--platform", "manylinux2014_x86_64", "--python-version", "3.11",
                            f"scikit-learn=={SKLEARN_VERSION}", "-d", str(CACHE)], check=True)
    digest = sha256(wheel)
    if digest != SKLEARN_SHA256:
        raise SystemExit(f"unexpected sha256 for {wheel}: {digest}")
    return wheel


def load_digits():
    """-> images float32 [1797, 64] (0..16, row-major 8x8), labels int64 [1797]"""
    with zipfile.ZipFile(sklearn_wheel()) as z:
        raw = gzip.decompress(z.read("sklearn/datasets/data/digits.csv.gz")).decode("ascii")
    a = np.loadtxt(io.StringIO(raw), delimiter=",")
    assert a.shape == (1797, 65), a.shape
    return a[:, :64].astype(np.float32), a[:, 64].astype(np.int64)


def shift_batch(x, gen):
    """Random horizontal shift by -1, 0 or +1 pixel (zeros come in): the drawn digits the app
    feeds are centred by their bounding box, but not to the pixel. [B,64] -> [B,64]"""
    img = x.view(-1, IMAGE, IMAGE)
    shifts = torch.randint(-1, 2, (img.shape[0],), generator=gen)
    out = torch.zeros_like(img)
    out[shifts == 0] = img[shifts == 0]
    out[shifts == 1, :, 1:] = img[shifts == 1, :, :-1]
    out[shifts == -1, :, :-1] = img[shifts == -1, :, 1:]
    return out.view(-1, IMAGE * IMAGE)


# --------------------------------------------------------------------------- model

class Layer(nn.Module):
    def __init__(self):
        super().__init__()
        def w(*shape):
            return nn.Parameter(torch.randn(*shape) * (1.0 / math.sqrt(shape[0])))
        for n in "qkvo":
            setattr(self, f"w_{n}", w(D_MODEL, D_MODEL))
            setattr(self, f"b_{n}", nn.Parameter(torch.zeros(D_MODEL)))
        self.ln1_g, self.ln1_b = nn.Parameter(torch.ones(D_MODEL)), nn.Parameter(torch.zeros(D_MODEL))
        self.ln2_g, self.ln2_b = nn.Parameter(torch.ones(D_MODEL)), nn.Parameter(torch.zeros(D_MODEL))
        self.w_ff1, self.b_ff1 = w(D_MODEL, D_FF), nn.Parameter(torch.zeros(D_FF))
        self.w_ff2, self.b_ff2 = w(D_FF, D_MODEL), nn.Parameter(torch.zeros(D_MODEL))


def layer_norm(x, g, b):
    mean = x.mean(-1, keepdim=True)
    d = x - mean
    var = (d * d).mean(-1, keepdim=True)
    return d / torch.sqrt(var + LN_EPS) * g + b


def patches(pixels):
    """[B,64] (0..16) -> [B,16,4]: pixels/16 cut into 2x2 patches; patches in row-major order of
    the 4x4 grid, the 4 pixels of a patch in row-major order."""
    B = pixels.shape[0]
    x = (pixels / 16.0).view(B, GRID, PATCH, GRID, PATCH).permute(0, 1, 3, 2, 4)
    return x.reshape(B, N_PATCHES, PATCH * PATCH)


class TinyViT(nn.Module):
    def __init__(self):
        super().__init__()
        self.w_patch = nn.Parameter(torch.randn(PATCH * PATCH, D_MODEL) * 0.5)
        self.b_patch = nn.Parameter(torch.zeros(D_MODEL))
        self.cls = nn.Parameter(torch.randn(D_MODEL) * 0.1)
        self.pos = nn.Parameter(torch.randn(SEQ, D_MODEL) * 0.1)
        self.layers = nn.ModuleList([Layer() for _ in range(N_LAYERS)])
        self.lnf_g, self.lnf_b = nn.Parameter(torch.ones(D_MODEL)), nn.Parameter(torch.zeros(D_MODEL))
        self.w_cls = nn.Parameter(torch.randn(D_MODEL, N_CLASSES) / math.sqrt(D_MODEL))
        self.b_cls = nn.Parameter(torch.zeros(N_CLASSES))
        self.drop = nn.Dropout(DROPOUT)

    def forward(self, pixels):
        B = pixels.shape[0]
        emb = patches(pixels) @ self.w_patch + self.b_patch                         # [B,16,d]
        x = torch.cat([self.cls.expand(B, 1, D_MODEL), emb], dim=1) + self.pos       # [B,17,d]
        out = {}
        for l, L in enumerate(self.layers):
            a = layer_norm(x, L.ln1_g, L.ln1_b)
            qh = (a @ L.w_q + L.b_q).view(B, SEQ, N_HEADS, D_K).transpose(1, 2)    # [B,h,17,dk]
            kh = (a @ L.w_k + L.b_k).view(B, SEQ, N_HEADS, D_K).transpose(1, 2)
            vh = (a @ L.w_v + L.b_v).view(B, SEQ, N_HEADS, D_K).transpose(1, 2)
            weights = torch.softmax(qh @ kh.transpose(-1, -2) / math.sqrt(D_K), dim=-1)  # [B,h,17,17]
            out[f"layer{l}.weights"] = weights
            ctx = (self.drop(weights) @ vh).transpose(1, 2).reshape(B, SEQ, D_MODEL)
            x = x + self.drop(ctx @ L.w_o + L.b_o)
            f = torch.relu(layer_norm(x, L.ln2_g, L.ln2_b) @ L.w_ff1 + L.b_ff1) @ L.w_ff2 + L.b_ff2
            x = x + self.drop(f)
        h = layer_norm(x[:, 0], self.lnf_g, self.lnf_b)
        logits = h @ self.w_cls + self.b_cls
        out["logits"] = logits
        out["probs"] = torch.softmax(logits, dim=-1)
        return out


def output_names():
    return ["logits", "probs"] + [f"layer{l}.weights" for l in range(N_LAYERS)]


def rollout(weights_per_layer):
    """Attention rollout (Abnar & Zuidema 2020) in float64: per layer the head-averaged weights
    A, with the residual connection as 0.5*I + 0.5*A, each row renormalised to sum 1; then the
    product of the layers, last layer on the left. [L] x [h,S,S] -> [S,S]"""
    S = weights_per_layer[0].shape[-1]
    r = np.eye(S)
    for w in weights_per_layer:
        a = 0.5 * np.eye(S) + 0.5 * np.asarray(w, dtype=np.float64).mean(axis=0)
        a = a / a.sum(axis=-1, keepdims=True)
        r = a @ r
    return r


# --------------------------------------------------------------------------- ONNX

def build_onnx(model, path):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    nodes, inits = [], []

    def init(name, arr):
        inits.append(numpy_helper.from_array(np.asarray(arr), name))
        return name

    def node(op, ins, outs, **attrs):
        nodes.append(helper.make_node(op, ins, outs, name=f"{op}_{len(nodes)}", **attrs))
        return outs[0]

    def t(x):
        return x.detach().cpu().numpy().astype(np.float32)

    init("const.sixteen", np.array(16.0, dtype=np.float32))
    init("const.sqrt_dk", np.array(math.sqrt(D_K), dtype=np.float32))
    init("const.eps", np.array(LN_EPS, dtype=np.float32))
    init("const.grid_shape", np.array([0, GRID, PATCH, GRID, PATCH], dtype=np.int64))
    init("const.patch_shape", np.array([0, N_PATCHES, PATCH * PATCH], dtype=np.int64))
    init("const.first", np.array([0], dtype=np.int64))
    init("const.second", np.array([1], dtype=np.int64))
    init("const.one_d", np.array([1, D_MODEL], dtype=np.int64))
    init("const.zero_i64", np.array(0, dtype=np.int64))
    init("const.split_heads", np.array([0, 0, N_HEADS, D_K], dtype=np.int64))
    init("const.merge_heads", np.array([0, 0, D_MODEL], dtype=np.int64))

    init("param.w_patch", t(model.w_patch))
    init("param.b_patch", t(model.b_patch))
    init("param.cls", t(model.cls).reshape(1, 1, D_MODEL))
    init("param.pos", t(model.pos))
    node("Div", ["pixels", "const.sixteen"], ["pixels_unit"])
    node("Reshape", ["pixels_unit", "const.grid_shape"], ["pixels_grid"])             # [B,4,2,4,2]
    node("Transpose", ["pixels_grid"], ["pixels_patch_grid"], perm=[0, 1, 3, 2, 4])    # [B,4,4,2,2]
    node("Reshape", ["pixels_patch_grid", "const.patch_shape"], ["patches"])          # [B,16,4]
    node("MatMul", ["patches", "param.w_patch"], ["patch_mm"])
    node("Add", ["patch_mm", "param.b_patch"], ["patch_embeddings"])                 # [B,16,d]
    node("Shape", ["pixels"], ["pixels_shape"])
    node("Slice", ["pixels_shape", "const.first", "const.second"], ["batch"])
    node("Concat", ["batch", "const.one_d"], ["cls_shape"], axis=0)
    node("Expand", ["param.cls", "cls_shape"], ["cls_tokens"])                        # [B,1,d]
    node("Concat", ["cls_tokens", "patch_embeddings"], ["tokens"], axis=1)
    node("Add", ["tokens", "param.pos"], ["layer0.x"])                                # [B,17,d]

    def layer_norm_nodes(x, g, b, prefix):
        mean = node("ReduceMean", [x], [prefix + ".mean"], axes=[-1], keepdims=1)
        d = node("Sub", [x, mean], [prefix + ".centered"])
        sq = node("Mul", [d, d], [prefix + ".sq"])
        var = node("ReduceMean", [sq], [prefix + ".var"], axes=[-1], keepdims=1)
        ve = node("Add", [var, "const.eps"], [prefix + ".var_eps"])
        sd = node("Sqrt", [ve], [prefix + ".std"])
        n = node("Div", [d, sd], [prefix + ".norm"])
        gm = node("Mul", [n, g], [prefix + ".scaled"])
        return node("Add", [gm, b], [prefix + ".out"])

    x = "layer0.x"
    for l, L in enumerate(model.layers):
        p = f"layer{l}."
        for n in ("w_q", "b_q", "w_k", "b_k", "w_v", "b_v", "w_o", "b_o", "ln1_g", "ln1_b", "ln2_g",
                  "ln2_b", "w_ff1", "b_ff1", "w_ff2", "b_ff2"):
            init(f"param.{p}{n}", t(getattr(L, n)))
        a = layer_norm_nodes(x, f"param.{p}ln1_g", f"param.{p}ln1_b", p + "ln1")
        heads = {}
        for n, perm in (("q", [0, 2, 1, 3]), ("k", [0, 2, 3, 1]), ("v", [0, 2, 1, 3])):
            y = node("Add", [node("MatMul", [a, f"param.{p}w_{n}"], [p + f"{n}_mm"]), f"param.{p}b_{n}"], [p + n])
            y = node("Reshape", [y, "const.split_heads"], [p + f"{n}_split"])
            heads[n] = node("Transpose", [y], [p + f"{n}_heads"], perm=perm)
        sc = node("MatMul", [heads["q"], heads["k"]], [p + "scores"])                 # [B,h,17,17]
        sc = node("Div", [sc, "const.sqrt_dk"], [p + "scores_scaled"])
        node("Softmax", [sc], [p + "weights"], axis=-1)
        ch = node("MatMul", [p + "weights", heads["v"]], [p + "context_heads"])
        ct = node("Transpose", [ch], [p + "context_t"], perm=[0, 2, 1, 3])
        ctx = node("Reshape", [ct, "const.merge_heads"], [p + "context"])
        o = node("Add", [node("MatMul", [ctx, f"param.{p}w_o"], [p + "o_mm"]), f"param.{p}b_o"], [p + "attn_out"])
        x = node("Add", [x, o], [p + "resid1"])
        h = layer_norm_nodes(x, f"param.{p}ln2_g", f"param.{p}ln2_b", p + "ln2")
        f1 = node("Add", [node("MatMul", [h, f"param.{p}w_ff1"], [p + "ff1_mm"]), f"param.{p}b_ff1"], [p + "ff1"])
        f1 = node("Relu", [f1], [p + "ff1_relu"])
        f2 = node("Add", [node("MatMul", [f1, f"param.{p}w_ff2"], [p + "ff2_mm"]), f"param.{p}b_ff2"], [p + "ff2"])
        x = node("Add", [x, f2], [p + "resid2"])

    init("param.lnf_g", t(model.lnf_g))
    init("param.lnf_b", t(model.lnf_b))
    init("param.w_cls", t(model.w_cls))
    init("param.b_cls", t(model.b_cls))
    node("Gather", [x, "const.zero_i64"], ["cls_out"], axis=1)                        # [B,d]
    h = layer_norm_nodes("cls_out", "param.lnf_g", "param.lnf_b", "lnf")
    node("Add", [node("MatMul", [h, "param.w_cls"], ["logits_mm"]), "param.b_cls"], ["logits"])
    node("Softmax", ["logits"], ["probs"], axis=-1)

    F32 = TensorProto.FLOAT
    outputs = [helper.make_tensor_value_info("logits", F32, ["batch", N_CLASSES]),
               helper.make_tensor_value_info("probs", F32, ["batch", N_CLASSES])]
    outputs += [helper.make_tensor_value_info(f"layer{l}.weights", F32, ["batch", N_HEADS, SEQ, SEQ])
                for l in range(N_LAYERS)]
    inputs = [helper.make_tensor_value_info("pixels", F32, ["batch", IMAGE * IMAGE])]
    graph = helper.make_graph(nodes, "digits", inputs, outputs, inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                          producer_name="attention-playground/models/digits/train.py")
    m.ir_version = 8
    m.doc_string = "Tiny vision transformer for 8x8 digits (2x2 patches + [CLS]). See models/README.md."
    onnx.checker.check_model(m, full_check=True)
    onnx.save(m, str(path))


# --------------------------------------------------------------------------- JSON

def fmt_float(x):
    s = str(np.float32(x))      # shortest repr that round-trips to the same float32
    if s in ("inf", "-inf", "nan"):
        raise ValueError("non-finite value in golden output")
    return s


def to_json(obj, depth=0):
    """JSON writer; float32 arrays as shortest round-trip decimals, one line per array."""
    if isinstance(obj, dict):
        items = [json.dumps(k) + ":" + to_json(v, depth + 1) for k, v in obj.items()]
        if depth >= 4 or all(not isinstance(v, (dict, list, np.ndarray)) for v in obj.values()):
            return "{" + ",".join(items) + "}"
        return "{\n" + ",\n".join(items) + "\n}"
    if isinstance(obj, np.ndarray) and obj.dtype == np.float32:
        return "[" + ",".join(fmt_float(v) for v in obj.ravel()) + "]"
    if isinstance(obj, np.ndarray) and obj.dtype == np.float64:
        return "[" + ",".join(repr(float(v)) for v in obj.ravel()) + "]"
    if isinstance(obj, np.ndarray):
        return json.dumps(obj.tolist())
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], dict):
            return "[\n" + ",\n".join(to_json(v, depth + 1) for v in obj) + "\n]"
        return "[" + ",".join(to_json(v, depth + 1) for v in obj) + "]"
    if isinstance(obj, float):
        return repr(obj)
    return json.dumps(obj, ensure_ascii=False)


# --------------------------------------------------------------------------- main

def main():
    t0 = time.time()
    HERE.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    torch.use_deterministic_algorithms(True)
    np.random.seed(SEED)

    images, labels = load_digits()
    order = np.random.default_rng(SEED).permutation(len(images))
    test_idx, train_idx = np.sort(order[:TEST_SIZE]), np.sort(order[TEST_SIZE:])
    xtr, ytr = torch.from_numpy(images[train_idx]), torch.from_numpy(labels[train_idx])
    xte, yte = torch.from_numpy(images[test_idx]), torch.from_numpy(labels[test_idx])
    log(f"train {len(train_idx)}, test {len(test_idx)} images; test per class {np.bincount(labels[test_idx]).tolist()}")

    model = TinyViT()
    n_params = sum(p.numel() for p in model.parameters())
    log(f"model parameters: {n_params}")
    decay = [p for n, p in model.named_parameters() if p.dim() == 2 and n != "pos"]
    rest = [p for n, p in model.named_parameters() if not (p.dim() == 2 and n != "pos")]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": WEIGHT_DECAY},
                             {"params": rest, "weight_decay": 0.0}], lr=LR)
    steps_per_epoch = math.ceil(len(train_idx) / BATCH)
    total = EPOCHS * steps_per_epoch
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / WARMUP) * 0.5 * (1 + math.cos(math.pi * min(1.0, s / total))))
    gen = torch.Generator().manual_seed(SEED + 1)

    def accuracy(x, y):
        model.eval()
        with torch.no_grad():
            return float((model(x)["logits"].argmax(-1) == y).float().mean())

    for epoch in range(EPOCHS):
        model.train()
        perm = torch.randperm(len(xtr), generator=gen)
        run_loss = 0.0
        for i in range(0, len(perm), BATCH):
            idx = perm[i:i + BATCH]
            logits = model(shift_batch(xtr[idx], gen))["logits"]
            loss = F.cross_entropy(logits, ytr[idx], label_smoothing=0.05)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            run_loss += loss.item() * len(idx)
        if (epoch + 1) % 25 == 0:
            log(f"epoch {epoch + 1}/{EPOCHS} loss {run_loss / len(xtr):.4f} train acc {accuracy(xtr, ytr):.4f}")
    model.eval()

    with torch.no_grad():
        pred = model(xte)["logits"].argmax(-1).numpy()
    test_acc = float((pred == labels[test_idx]).mean())
    train_acc = accuracy(xtr, ytr)
    cm = np.zeros((N_CLASSES, N_CLASSES), dtype=int)
    for g, p_ in zip(labels[test_idx], pred):
        cm[g, p_] += 1
    log(f"test accuracy {test_acc:.4f} ({int((pred == labels[test_idx]).sum())}/{len(test_idx)}), train {train_acc:.4f}")

    # ------------------------------------------------------------------ export + onnxruntime check
    onnx_path = HERE / "model.onnx"
    build_onnx(model, onnx_path)
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(str(onnx_path), so, providers=["CPUExecutionProvider"])
    got = sess.run(output_names(), {"pixels": xte.numpy()})
    with torch.no_grad():
        ref = model(xte)
    max_err = max(float(np.max(np.abs(g - ref[k].numpy()))) for k, g in zip(output_names(), got))
    assert max_err < 1e-5, max_err
    log(f"onnxruntime vs PyTorch: max abs diff {max_err:.2e} over the {len(test_idx)} test images")

    # ------------------------------------------------------------------ examples: 2 test images per class
    examples = []
    for d in range(N_CLASSES):
        for i in [i for i, j in enumerate(test_idx) if labels[j] == d][:2]:
            examples.append({"label": d, "index": int(test_idx[i]), "predicted": int(pred[i]),
                             "pixels": [int(v) for v in images[test_idx[i]]]})

    # ------------------------------------------------------------------ golden
    ring = np.zeros((8, 8), dtype=np.float32)           # a hand-made "0": a ring of 16s
    ring[1:7, 2:6] = 16
    ring[2:6, 3:5] = 0
    cases = [
        ("test_images", images[test_idx[:3]], "first three test images"),
        ("hand_made_zero", ring.reshape(1, 64), "a rectangle ring of 16s, not from the data set"),
        ("fractional", (images[test_idx[3:4]] * 0.37).astype(np.float32), "a test image times 0.37: non-integer pixels"),
        ("blank", np.zeros((1, 64), dtype=np.float32), "all zeros (the app refuses it; the model still answers)"),
    ]
    gcases = []
    for name, x, note in cases:
        with torch.no_grad():
            o = model(torch.from_numpy(np.ascontiguousarray(x)))
        roll = np.stack([rollout([o[f"layer{l}.weights"][b].numpy() for l in range(N_LAYERS)])
                         for b in range(x.shape[0])])
        gcases.append({"name": name, "note": note, "pixels": np.ascontiguousarray(x, dtype=np.float32),
                       "predicted": o["probs"].argmax(-1).tolist(),
                       "rollout": {"shape": list(roll.shape), "data": roll},
                       "outputs": {k: {"shape": list(o[k].shape), "data": o[k].numpy().astype(np.float32)}
                                   for k in output_names()}})
        log(f"golden {name}: predicted {gcases[-1]['predicted']}")
    golden = {"model": "digits", "tolerance": 1e-4,
              "note": "Computed by PyTorch (float32) from models/digits/train.py; rollout in float64 from the "
                      "float32 weights (0.5*I + 0.5*mean over heads, rows renormalised, last layer on the left).",
              "output_names": output_names(), "cases": gcases}
    (HERE / "golden.json").write_text(to_json(golden) + "\n", encoding="utf-8")

    def gz(path):
        return len(gzip.compress(path.read_bytes(), compresslevel=9, mtime=0))

    metrics = {"test_accuracy": round(test_acc, 4), "test_correct": int((pred == labels[test_idx]).sum()),
               "test_images": len(test_idx), "train_images": len(train_idx), "train_accuracy": round(train_acc, 4),
               "parameters": n_params, "epochs": EPOCHS, "split_seed": SEED,
               "test_indices": test_idx.tolist(),
               "confusion": {"rows_true_cols_pred": list(range(N_CLASSES)), "matrix": cm.tolist()},
               "onnxruntime_max_abs_diff": max_err}
    manifest = {"id": "digits", "name": "Tiny vision transformer, 8x8 digits", "onnx": "model.onnx",
                "onnx_bytes": onnx_path.stat().st_size, "onnx_gzip_bytes": gz(onnx_path),
                "image": IMAGE, "patch": PATCH, "n_patches": N_PATCHES, "n_layers": N_LAYERS, "n_heads": N_HEADS,
                "d_model": D_MODEL, "d_ff": D_FF, "opset": OPSET, "pixel_max": 16,
                "metrics": {"test_accuracy": metrics["test_accuracy"], "test_images": len(test_idx)},
                "examples": examples}
    (HERE / "manifest.json").write_text(to_json(manifest) + "\n", encoding="utf-8")
    (HERE / "metrics.json").write_text(json.dumps(metrics, indent=1) + "\n", encoding="utf-8")
    log(f"model.onnx {onnx_path.stat().st_size} B (gzip {manifest['onnx_gzip_bytes']}), "
        f"golden.json {(HERE / 'golden.json').stat().st_size} B")
    log(f"done in {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
