#!/usr/bin/env python3
"""Attention forecasters for three public-domain series: extract -> train -> evaluate -> export -> golden.

Run from the repository root:

    pip install -r models/forecast/requirements.txt
    python models/forecast/train.py

The series come from the `statsmodels` wheel (its bundled datasets: public domain). The wheel is
downloaded with pip into models/.cache/ (git-ignored), checked by sha256, and the CSV files are read
straight out of it with zipfile: statsmodels itself (and pandas) are not needed.

Written to models/forecast/: <series>.onnx (one small model per series), manifest.json (the
series values and everything the page needs), golden.json (PyTorch reference values) and
metrics.json. Deterministic: CPU, one thread, fixed seeds.

Environment overrides (optional):
  STATSMODELS_WHEEL=/path/to/wheel  use an already downloaded wheel
  FORECAST_STEPS=N                  training steps per series (default below)
  FORECAST_OUT=/some/dir            write the artefacts there instead of models/forecast/
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

import numpy as np
import torch
import torch.nn as nn

SRC = Path(__file__).resolve().parent              # models/forecast
CACHE = SRC.parent / ".cache"                      # models/.cache (git-ignored)
HERE = Path(os.environ.get("FORECAST_OUT", SRC))   # where the artefacts are written

STATSMODELS_VERSION = "0.14.6"
# pinned platform so that every machine downloads the same file (only its data files are read)
STATSMODELS_WHEEL = (f"statsmodels-{STATSMODELS_VERSION}-cp311-cp311-manylinux2014_x86_64."
                     "manylinux_2_17_x86_64.manylinux_2_28_x86_64.whl")
STATSMODELS_SHA256 = "a3764ba8195c9baf0925a96da0743ff218067a269f01d155ca3558deed2658ca"

SEED = 2024
WINDOW = 36          # T: past steps the model reads
HORIZON = 12         # H: steps it forecasts at once (one query token per step)
D_MODEL = 32
N_HEADS = 4
D_K = D_MODEL // N_HEADS
N_LAYERS = 2
D_FF = 64
DROPOUT = 0.1
LN_EPS = 1e-5
BATCH = 64
STEPS = int(os.environ.get("FORECAST_STEPS", "3000"))
LR = 3e-3
WARMUP = 100
WEIGHT_DECAY = 0.01
EVAL_EVERY = 100
OPSET = 17
SCALE_FLOOR = 1e-3   # scale = max(std, SCALE_FLOOR * max(1, |mean|)): a flat window does not divide by 0

# id -> description. `test`: length of the held-out tail; `val`: the block just before it, used
# only to choose the number of training steps (the final model is then retrained on everything
# before the tail with that many steps).
SERIES = {
    "co2": {
        "title": "Atmospheric CO₂ at Mauna Loa",
        "unit": "ppm",
        "frequency": "monthly",
        "period": 12,
        "test": 96,
        "val": 48,
        "source": "statsmodels.datasets.co2 (Keeling & Whorf 2004, Scripps / CDIAC): weekly means, "
                  "averaged here per calendar month",
        "licence": "public domain (statsmodels: 'This is public domain.')",
    },
    "elnino": {
        "title": "Sea-surface temperature, Niño 1+2 region",
        "unit": "°C",
        "frequency": "monthly",
        "period": 12,
        "test": 120,
        "val": 60,
        "source": "statsmodels.datasets.elnino (NOAA NWS Climate Prediction Center, ERSST.V3B, Niño 1+2): "
                  "monthly means",
        "licence": "public domain (statsmodels: 'This data is in the public domain.')",
    },
    "sunspots": {
        "title": "Yearly sunspot number",
        "unit": "sunspots",
        "frequency": "yearly",
        "period": 11,
        "test": 60,
        "val": 36,
        # the solar cycle runs 9-14 years: train also on the series resampled in time by a random
        # factor in this range (4000 extra windows), so the model has to find the cycle in the data
        "stretch": (0.8, 1.25),
        "source": "statsmodels.datasets.sunspots (NOAA National Geophysical Data Center): yearly values",
        "licence": "public domain (statsmodels: 'This data is public domain.')",
    },
}


def log(*a):
    print(f"[{time.strftime('%H:%M:%S')}]", *a, flush=True)


# --------------------------------------------------------------------------- data

def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def statsmodels_wheel():
    if os.environ.get("STATSMODELS_WHEEL"):
        wheel = Path(os.environ["STATSMODELS_WHEEL"])
    else:
        CACHE.mkdir(parents=True, exist_ok=True)
        wheel = CACHE / STATSMODELS_WHEEL
        if not wheel.exists():
            log(f"downloading statsmodels=={STATSMODELS_VERSION} (about 10 MB) into {CACHE}")
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                            "--platform", "manylinux2014_x86_64", "--python-version", "3.11",
                            f"statsmodels=={STATSMODELS_VERSION}", "-d", str(CACHE)], check=True)
    digest = sha256(wheel)
    if digest != STATSMODELS_SHA256:
        raise SystemExit(f"unexpected sha256 for {wheel}: {digest}")
    return wheel


def load_series():
    """-> {id: {"start": [year, month or None], "values": [float], **SERIES[id]}}"""
    with zipfile.ZipFile(statsmodels_wheel()) as z:
        def csv(name):
            text = z.read(f"statsmodels/datasets/{name}/{name}.csv").decode("utf-8")
            return [line.split(",") for line in text.strip().splitlines()[1:]]

        out = {}
        # co2: weekly (date YYYYMMDD, value or empty) -> calendar-month means of the weeks present.
        # Months 1958-06, 1958-10 and 1964-02..04 have no week at all, so the series starts in
        # May 1964, the first month after which no month is missing (to December 2001).
        months = {}
        for date, v in csv("co2"):
            if v.strip():
                months.setdefault((int(date[:4]), int(date[4:6])), []).append(float(v))
        keys = sorted(k for k in months if k >= (1964, 5))
        vals = [round(sum(months[k]) / len(months[k]), 4) for k in keys]
        assert len(keys) == (keys[-1][0] - keys[0][0]) * 12 + keys[-1][1] - keys[0][1] + 1, "co2: gap"
        out["co2"] = {"start": list(keys[0]), "values": vals}
        # elnino: one row per year, 12 monthly columns
        rows = csv("elnino")
        vals = [float(v) for r in rows for v in r[1:13]]
        out["elnino"] = {"start": [int(float(rows[0][0])), 1], "values": vals}
        # sunspots: year, value
        rows = csv("sunspots")
        years = [int(float(r[0])) for r in rows]
        assert years == list(range(years[0], years[0] + len(years)))
        out["sunspots"] = {"start": [years[0], None], "values": [float(r[1]) for r in rows]}
    for k, v in out.items():
        v.update(SERIES[k])
        log(f"{k}: {len(v['values'])} values from {v['start']}")
    return out


def normalise(window):
    """(T,) float64 -> (z float32, mean, scale): z = (x - mean) / scale, population std."""
    x = np.asarray(window, dtype=np.float64)
    mean = float(x.mean())
    std = float(np.sqrt(((x - mean) ** 2).mean()))
    scale = max(std, SCALE_FLOOR * max(1.0, abs(mean)))
    return ((x - mean) / scale).astype(np.float32), mean, scale


def seasonal_naive(history, h_steps, m):
    """Forecast y[t+h] = y[t+h - m*ceil(h/m)] (h = 1..H): the same season of the last full cycle."""
    n = len(history)
    return np.array([history[n - m * math.ceil(h / m) + h - 1] for h in range(1, h_steps + 1)])


def windows(values, origins):
    """origins t: input values[t-T:t], target values[t:t+H] -> (z [N,T], target_z [N,H], mean, scale)."""
    zs, ys, means, scales = [], [], [], []
    for t in origins:
        z, mean, scale = normalise(values[t - WINDOW:t])
        zs.append(z)
        ys.append(((np.asarray(values[t:t + HORIZON]) - mean) / scale).astype(np.float32))
        means.append(mean)
        scales.append(scale)
    return (torch.from_numpy(np.stack(zs)), torch.from_numpy(np.stack(ys)),
            np.array(means), np.array(scales))


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


class Forecaster(nn.Module):
    """T value tokens (value * w_in + b_in + position) and H query tokens (learned, one per
    forecast step). Pre-LN layers; queries and keys/values: every token queries, only the T past
    steps are keys and values, so each row of the attention is a distribution over past steps."""

    def __init__(self):
        super().__init__()
        self.w_in = nn.Parameter(torch.randn(1, D_MODEL))
        self.b_in = nn.Parameter(torch.zeros(D_MODEL))
        self.pos = nn.Parameter(torch.randn(WINDOW, D_MODEL) * 0.1)
        self.queries = nn.Parameter(torch.randn(HORIZON, D_MODEL) * 0.1)
        self.layers = nn.ModuleList([Layer() for _ in range(N_LAYERS)])
        self.lnf_g, self.lnf_b = nn.Parameter(torch.ones(D_MODEL)), nn.Parameter(torch.zeros(D_MODEL))
        self.w_out = nn.Parameter(torch.randn(D_MODEL, 1) / math.sqrt(D_MODEL))
        self.b_out = nn.Parameter(torch.zeros(1))
        self.drop = nn.Dropout(DROPOUT)

    def forward(self, window):
        B = window.shape[0]
        past = window.unsqueeze(-1) @ self.w_in + self.b_in + self.pos            # [B,T,d]
        x = torch.cat([past, self.queries.unsqueeze(0).expand(B, HORIZON, D_MODEL)], dim=1)
        out = {}
        for l, L in enumerate(self.layers):
            a = layer_norm(x, L.ln1_g, L.ln1_b)
            q = a @ L.w_q + L.b_q                                                  # [B,T+H,d]
            k = a[:, :WINDOW] @ L.w_k + L.b_k                                       # [B,T,d]
            v = a[:, :WINDOW] @ L.w_v + L.b_v
            qh = q.view(B, -1, N_HEADS, D_K).transpose(1, 2)                        # [B,h,T+H,dk]
            kh = k.view(B, -1, N_HEADS, D_K).transpose(1, 2)                        # [B,h,T,dk]
            vh = v.view(B, -1, N_HEADS, D_K).transpose(1, 2)
            weights = torch.softmax(qh @ kh.transpose(-1, -2) / math.sqrt(D_K), dim=-1)  # [B,h,T+H,T]
            out[f"layer{l}.weights"] = weights
            ctx = (self.drop(weights) @ vh).transpose(1, 2).reshape(B, -1, D_MODEL)
            x = x + self.drop(ctx @ L.w_o + L.b_o)
            f = torch.relu(layer_norm(x, L.ln2_g, L.ln2_b) @ L.w_ff1 + L.b_ff1) @ L.w_ff2 + L.b_ff2
            x = x + self.drop(f)
        h = layer_norm(x[:, WINDOW:], self.lnf_g, self.lnf_b)
        out["forecast"] = (h @ self.w_out + self.b_out).squeeze(-1)               # [B,H]
        return out


def output_names():
    return ["forecast"] + [f"layer{l}.weights" for l in range(N_LAYERS)]


# --------------------------------------------------------------------------- ONNX

def build_onnx(model, path, doc):
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

    init("const.sqrt_dk", np.array(math.sqrt(D_K), dtype=np.float32))
    init("const.eps", np.array(LN_EPS, dtype=np.float32))
    init("const.axis_last", np.array([2], dtype=np.int64))
    init("const.axis1", np.array([1], dtype=np.int64))
    init("const.start0", np.array([0], dtype=np.int64))
    init("const.first", np.array([0], dtype=np.int64))
    init("const.second", np.array([1], dtype=np.int64))
    init("const.window", np.array([WINDOW], dtype=np.int64))
    init("const.window_end", np.array([WINDOW + HORIZON], dtype=np.int64))
    init("const.hd", np.array([HORIZON, D_MODEL], dtype=np.int64))
    init("const.split_heads", np.array([0, 0, N_HEADS, D_K], dtype=np.int64))
    init("const.merge_heads", np.array([0, 0, D_MODEL], dtype=np.int64))

    # value tokens: window [B,T] -> [B,T,1] @ w_in [1,d] + b_in + pos [T,d]
    init("param.w_in", t(model.w_in))
    init("param.b_in", t(model.b_in))
    init("param.pos", t(model.pos))
    init("param.queries", t(model.queries))
    node("Unsqueeze", ["window", "const.axis_last"], ["window_col"])
    node("MatMul", ["window_col", "param.w_in"], ["value_mm"])
    node("Add", ["value_mm", "param.b_in"], ["value_emb"])
    node("Add", ["value_emb", "param.pos"], ["past_tokens"])
    # query tokens: queries [H,d] broadcast to [B,H,d]
    node("Shape", ["window"], ["window_shape"])
    node("Slice", ["window_shape", "const.first", "const.second"], ["batch"])
    node("Concat", ["batch", "const.hd"], ["query_shape"], axis=0)
    node("Expand", ["param.queries", "query_shape"], ["query_tokens"])
    node("Concat", ["past_tokens", "query_tokens"], ["layer0.x"], axis=1)          # [B,T+H,d]

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
        a_past = node("Slice", [a, "const.start0", "const.window", "const.axis1"], [p + "a_past"])
        q = node("Add", [node("MatMul", [a, f"param.{p}w_q"], [p + "q_mm"]), f"param.{p}b_q"], [p + "q"])
        k = node("Add", [node("MatMul", [a_past, f"param.{p}w_k"], [p + "k_mm"]), f"param.{p}b_k"], [p + "k"])
        v = node("Add", [node("MatMul", [a_past, f"param.{p}w_v"], [p + "v_mm"]), f"param.{p}b_v"], [p + "v"])
        qh = node("Transpose", [node("Reshape", [q, "const.split_heads"], [p + "q_split"])], [p + "q_heads"],
                  perm=[0, 2, 1, 3])                                                   # [B,h,S,dk]
        kt = node("Transpose", [node("Reshape", [k, "const.split_heads"], [p + "k_split"])], [p + "k_heads_t"],
                  perm=[0, 2, 3, 1])                                                   # [B,h,dk,T]
        vh = node("Transpose", [node("Reshape", [v, "const.split_heads"], [p + "v_split"])], [p + "v_heads"],
                  perm=[0, 2, 1, 3])                                                   # [B,h,T,dk]
        sc = node("MatMul", [qh, kt], [p + "scores"])
        sc = node("Div", [sc, "const.sqrt_dk"], [p + "scores_scaled"])
        node("Softmax", [sc], [p + "weights"], axis=-1)
        ch = node("MatMul", [p + "weights", vh], [p + "context_heads"])
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
    init("param.w_out", t(model.w_out))
    init("param.b_out", t(model.b_out))
    qx = node("Slice", [x, "const.window", "const.window_end", "const.axis1"], ["query_out"])
    h = layer_norm_nodes(qx, "param.lnf_g", "param.lnf_b", "lnf")
    y = node("Add", [node("MatMul", [h, "param.w_out"], ["out_mm"]), "param.b_out"], ["forecast_col"])
    node("Squeeze", [y, "const.axis_last"], ["forecast"])

    F32 = TensorProto.FLOAT
    outputs = [helper.make_tensor_value_info("forecast", F32, ["batch", HORIZON])]
    outputs += [helper.make_tensor_value_info(f"layer{l}.weights", F32, ["batch", N_HEADS, WINDOW + HORIZON, WINDOW])
                for l in range(N_LAYERS)]
    inputs = [helper.make_tensor_value_info("window", F32, ["batch", WINDOW])]
    graph = helper.make_graph(nodes, "forecast", inputs, outputs, inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                          producer_name="attention-playground/models/forecast/train.py")
    m.ir_version = 8
    m.doc_string = doc
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
    if isinstance(obj, np.ndarray):
        return json.dumps(obj.tolist())
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], dict):
            return "[\n" + ",\n".join(to_json(v, depth + 1) for v in obj) + "\n]"
        return "[" + ",".join(to_json(v, depth + 1) for v in obj) + "]"
    if isinstance(obj, float):
        return repr(obj)        # float64, round-trips
    return json.dumps(obj, ensure_ascii=False)


# --------------------------------------------------------------------------- training

def stretched_windows(values, end, stretch, count, seed):
    """`count` windows of values[:end] resampled in time (linear interpolation) by a factor drawn
    uniformly from `stretch`: [N,T] inputs and [N,H] targets, normalised like `windows`."""
    rng = np.random.default_rng(seed)
    zs, ys = [], []
    for _ in range(count):
        f = rng.uniform(*stretch)
        start = rng.uniform(0, end - 1 - (WINDOW + HORIZON - 1) * f)
        seg = np.interp(start + np.arange(WINDOW + HORIZON) * f, np.arange(end), values[:end])
        z, mean, scale = normalise(seg[:WINDOW])
        zs.append(z)
        ys.append(((seg[WINDOW:] - mean) / scale).astype(np.float32))
    return torch.from_numpy(np.stack(zs)), torch.from_numpy(np.stack(ys))


def train_model(values, origins, steps, val=None, stretch=None, seed=SEED):
    """Train on windows at `origins` (and, with `stretch`, on time-stretched windows of the same
    stretch of data); with `val` (origins) also return the validation MSE curve."""
    torch.manual_seed(seed)
    model = Forecaster()
    z, y, _, _ = windows(values, origins)
    if stretch is not None:
        sz, sy = stretched_windows(values, origins[-1] + HORIZON, stretch, 4000, seed + 2)
        z, y = torch.cat([z, sz]), torch.cat([y, sy])
    decay = [p for n, p in model.named_parameters() if p.dim() == 2 and n not in ("pos", "queries")]
    rest = [p for n, p in model.named_parameters() if not (p.dim() == 2 and n not in ("pos", "queries"))]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": WEIGHT_DECAY},
                             {"params": rest, "weight_decay": 0.0}], lr=LR)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / WARMUP) * 0.5 * (1 + math.cos(math.pi * min(1.0, s / steps))))
    g = torch.Generator().manual_seed(seed + 1)
    curve = []
    if val is not None:
        vz, vy, _, _ = windows(values, val)
    for step in range(steps):
        model.train()
        idx = torch.randint(0, len(z), (BATCH,), generator=g)
        pred = model(z[idx])["forecast"]
        loss = torch.mean((pred - y[idx]) ** 2)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        if val is not None and (step + 1) % EVAL_EVERY == 0:
            model.eval()
            with torch.no_grad():
                vl = float(torch.mean((model(vz)["forecast"] - vy) ** 2))
            curve.append((step + 1, vl))
    model.eval()
    return model, curve


def errors(pred, true):
    d = np.asarray(pred, dtype=np.float64) - np.asarray(true, dtype=np.float64)
    return float(np.mean(np.abs(d))), float(np.sqrt(np.mean(d * d)))


def main():
    t0 = time.time()
    HERE.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    np.random.seed(SEED)
    data = load_series()
    import onnxruntime as ort

    manifest_series, metrics, golden_cases = [], {}, []
    for sid, s in data.items():
        values = np.array(s["values"], dtype=np.float64)
        n = len(values)
        n_train = n - s["test"]                 # first index of the held-out tail
        n_fit = n_train - s["val"]              # first index of the validation block
        m = s["period"]
        fit_origins = list(range(WINDOW, n_fit - HORIZON + 1))
        val_origins = list(range(n_fit, n_train - HORIZON + 1))
        train_origins = list(range(WINDOW, n_train - HORIZON + 1))
        test_origins = list(range(n_train, n - HORIZON + 1))

        # 1) choose the number of steps on the validation block
        _, curve = train_model(values, fit_origins, STEPS, val=val_origins, stretch=s.get("stretch"))
        best_steps, best_val = min(curve, key=lambda c: (c[1], c[0]))
        log(f"{sid}: {len(fit_origins)} fit windows, {len(val_origins)} val windows; "
            f"best val MSE {best_val:.4f} at {best_steps} steps")
        # 2) retrain on everything before the tail with that many steps
        model, _ = train_model(values, train_origins, best_steps, stretch=s.get("stretch"))
        n_params = sum(p.numel() for p in model.parameters())

        # ---- evaluation on the held-out tail: model vs seasonal naive (and naive-last)
        tz, _, tmean, tscale = windows(values, test_origins)
        with torch.no_grad():
            fz = model(tz)["forecast"].numpy().astype(np.float64)
        pred = tmean[:, None] + tscale[:, None] * fz
        true = np.stack([values[t:t + HORIZON] for t in test_origins])
        snaive = np.stack([seasonal_naive(values[:t], HORIZON, m) for t in test_origins])
        naive = np.stack([np.full(HORIZON, values[t - 1]) for t in test_origins])
        # MASE scale: in-sample one-step seasonal-naive MAE on the training part
        mase_scale = float(np.mean(np.abs(values[m:n_train] - values[:n_train - m])))
        res = {"n_values": n, "test_start_index": n_train, "test_values": s["test"],
               "test_origins": len(test_origins), "train_windows": len(train_origins),
               "chosen_steps": best_steps, "val_mse_normalised": round(best_val, 5),
               "parameters": n_params, "mase_scale": round(mase_scale, 5)}
        for name, p in (("model", pred), ("seasonal_naive", snaive), ("naive_last", naive)):
            mae, rmse = errors(p, true)
            res[name] = {"mae": round(mae, 4), "rmse": round(rmse, 4), "mase": round(mae / mase_scale, 4)}
            res[name]["mae_by_horizon"] = [round(float(v), 4) for v in np.mean(np.abs(p - true), axis=0)]
        metrics[sid] = res
        log(f"{sid}: model MAE {res['model']['mae']} RMSE {res['model']['rmse']} MASE {res['model']['mase']} | "
            f"seasonal naive MAE {res['seasonal_naive']['mae']} RMSE {res['seasonal_naive']['rmse']} "
            f"MASE {res['seasonal_naive']['mase']} | naive-last MASE {res['naive_last']['mase']}")

        # ---- export and check with onnxruntime
        onnx_path = HERE / f"{sid}.onnx"
        build_onnx(model, onnx_path, f"Attention forecaster for {s['title']} ({sid}). See models/README.md.")
        so = ort.SessionOptions()
        so.intra_op_num_threads = 1
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        sess = ort.InferenceSession(str(onnx_path), so, providers=["CPUExecutionProvider"])
        got = sess.run(output_names(), {"window": tz.numpy()})
        with torch.no_grad():
            ref = model(tz)
        max_err = max(float(np.max(np.abs(g - ref[k].numpy()))) for k, g in zip(output_names(), got))
        assert max_err < 1e-5, (sid, max_err)
        log(f"{sid}: onnxruntime vs PyTorch max abs diff {max_err:.2e} over {len(test_origins)} test windows")
        res["onnxruntime_max_abs_diff"] = max_err

        # ---- golden cases (PyTorch): raw window -> normalisation -> model -> forecast in units
        def case(name, window, origin, note):
            z, mean, scale = normalise(window)
            with torch.no_grad():
                o = model(torch.from_numpy(z[None]))
            fz = o["forecast"][0].numpy()
            c = {"series": sid, "name": name, "note": note, "origin": origin,
                 "raw_window": [float(v) for v in window], "mean": mean, "scale": scale, "window": z,
                 "forecast_units": [mean + scale * float(v) for v in fz],
                 "outputs": {k: {"shape": list(o[k].shape), "data": o[k].numpy().astype(np.float32)}
                             for k in output_names()}}
            if origin is not None:
                c["seasonal_naive"] = [float(v) for v in seasonal_naive(values[:origin], HORIZON, m)]
            return c

        t_test = n_train
        golden_cases.append(case("test_start", values[t_test - WINDOW:t_test], t_test,
                                 "first origin of the held-out tail"))
        golden_cases.append(case("series_end", values[n - WINDOW:n], n, "last 36 values: forecast beyond the data"))
        edited = values[t_test - WINDOW:t_test].copy()
        edited[-12] += 3.0 * float(np.std(edited))
        golden_cases.append(case("edited", edited, None, "test_start window with the value 12 steps back raised by 3 std"))
        golden_cases.append(case("flat", np.full(WINDOW, values[t_test - 1]), None,
                                 "constant window: std 0, scale falls back to 1e-3*max(1,|mean|)"))

        def gz(path):
            return len(gzip.compress(path.read_bytes(), compresslevel=9, mtime=0))

        manifest_series.append({
            "id": sid, "title": s["title"], "unit": s["unit"], "frequency": s["frequency"],
            "period": m, "start": s["start"], "source": s["source"], "licence": s["licence"],
            "onnx": onnx_path.name, "onnx_bytes": onnx_path.stat().st_size, "onnx_gzip_bytes": gz(onnx_path),
            "test_start": n_train,
            "metrics": {k: {kk: res[k][kk] for kk in ("mae", "rmse", "mase")}
                        for k in ("model", "seasonal_naive", "naive_last")},
            "values": [float(v) for v in values],
        })

    manifest = {"id": "forecast", "window": WINDOW, "horizon": HORIZON, "n_layers": N_LAYERS,
                "n_heads": N_HEADS, "d_model": D_MODEL, "d_ff": D_FF, "opset": OPSET,
                "scale_floor": SCALE_FLOOR,
                "normalisation": "z = (x - mean) / scale over the 36 input values; mean and population std; "
                                 "scale = max(std, scale_floor * max(1, |mean|)); forecast = mean + scale * output",
                "series": manifest_series}
    (HERE / "manifest.json").write_text(to_json(manifest) + "\n", encoding="utf-8")
    golden = {"model": "forecast", "tolerance": 1e-4,
              "note": "Computed by PyTorch (float32 model; normalisation and forecast_units in float64) "
                      "from models/forecast/train.py.",
              "window": WINDOW, "horizon": HORIZON, "scale_floor": SCALE_FLOOR,
              "output_names": output_names(), "cases": golden_cases}
    (HERE / "golden.json").write_text(to_json(golden) + "\n", encoding="utf-8")
    (HERE / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    sizes = {p.name: p.stat().st_size for p in sorted(HERE.glob("*.onnx"))}
    log(f"artefacts: {sizes}, manifest.json {(HERE / 'manifest.json').stat().st_size} B, "
        f"golden.json {(HERE / 'golden.json').stat().st_size} B")
    log(f"done in {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
