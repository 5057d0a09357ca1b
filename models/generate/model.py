"""The generator's network, shared by train.py and export.py (no data, no training here).

A decoder-only transformer, GPT-style, pre-LayerNorm, rotary positions (RoPE, "rotate half" as in
GPT-NeoX / LLaMA), GELU MLP, tied input/output embeddings, no biases in the linear layers.
Row-vector convention: X is (n, d_model), Q = X·W_Q.

`forward(ids, start, past)` is the one graph the browser runs: it takes the new token ids, the
absolute position of the first of them (`start`) and every layer's cached keys and values, and
returns the logits of every new position, the keys and values with the new rows appended, and
every layer's attention probabilities (new queries × all keys). With an empty cache it is a
full recompute (prefill); with one new id it is one cached decode step.
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

VOCAB_SIZE = 4096
CONTEXT = 256
D_MODEL = 256
N_HEADS = 4
D_K = D_MODEL // N_HEADS
N_LAYERS = 4
D_FF = 4 * D_MODEL
ROPE_BASE = 10000.0
LN_EPS = 1e-5


def rope_inv_freq():
    """(D_K/2,) angular speed of each rotated pair: base^(-2i/d_k)."""
    return 1.0 / (ROPE_BASE ** (torch.arange(0, D_K, 2, dtype=torch.float32) / D_K))


def rope(x, cos, sin):
    """Rotate-half RoPE: pairs (x_i, x_{i+d/2}) turned by the angle pos·θ_i.

    x (B, H, n, d_k); cos, sin (n, d_k/2)."""
    half = D_K // 2
    x1, x2 = x[..., :half], x[..., half:]
    return torch.cat([x1 * cos - x2 * sin, x1 * sin + x2 * cos], dim=-1)


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1 = nn.LayerNorm(D_MODEL, eps=LN_EPS)
        self.w_q = nn.Linear(D_MODEL, D_MODEL, bias=False)
        self.w_k = nn.Linear(D_MODEL, D_MODEL, bias=False)
        self.w_v = nn.Linear(D_MODEL, D_MODEL, bias=False)
        self.w_o = nn.Linear(D_MODEL, D_MODEL, bias=False)
        self.ln2 = nn.LayerNorm(D_MODEL, eps=LN_EPS)
        self.w_ff1 = nn.Linear(D_MODEL, D_FF, bias=False)
        self.w_ff2 = nn.Linear(D_FF, D_MODEL, bias=False)

    def forward(self, x, cos, sin, past_k, past_v, mask):
        """x (1|B, n, d); past_k/v (B, H, past, d_k); mask (n, past+n) bool, True = hidden."""
        B = x.shape[0]
        h = self.ln1(x)
        q = self.w_q(h).reshape(B, -1, N_HEADS, D_K).transpose(1, 2)
        k = self.w_k(h).reshape(B, -1, N_HEADS, D_K).transpose(1, 2)
        v = self.w_v(h).reshape(B, -1, N_HEADS, D_K).transpose(1, 2)
        q = rope(q, cos, sin)
        k = rope(k, cos, sin)
        k_all = torch.cat([past_k, k], dim=2)
        v_all = torch.cat([past_v, v], dim=2)
        scores = (q @ k_all.transpose(-1, -2)) / math.sqrt(D_K)
        scores = scores.masked_fill(mask, float("-inf"))
        weights = torch.softmax(scores, dim=-1)
        ctx = weights @ v_all
        ctx = ctx.transpose(1, 2).reshape(B, -1, D_MODEL)
        x = x + self.w_o(ctx)
        x = x + self.w_ff2(F.gelu(self.w_ff1(self.ln2(x))))
        return x, k_all, v_all, weights


class Generator(nn.Module):
    def __init__(self, vocab=VOCAB_SIZE):
        super().__init__()
        self.emb = nn.Embedding(vocab, D_MODEL)
        self.blocks = nn.ModuleList([Block() for _ in range(N_LAYERS)])
        self.ln_f = nn.LayerNorm(D_MODEL, eps=LN_EPS)
        self.register_buffer("inv_freq", rope_inv_freq(), persistent=False)
        self.apply(self._init)
        for b in self.blocks:   # GPT-2: residual projections scaled by 1/sqrt(2·layers)
            nn.init.normal_(b.w_o.weight, std=0.02 / math.sqrt(2 * N_LAYERS))
            nn.init.normal_(b.w_ff2.weight, std=0.02 / math.sqrt(2 * N_LAYERS))

    @staticmethod
    def _init(m):
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, std=0.02)

    def forward(self, ids, start, past):
        """ids (B, n) int64; start () int64; past: [(k, v)] per layer, each (B, H, past, d_k).

        Returns logits (B, n, vocab), [(k, v)] with past+n rows, [weights (B, H, n, past+n)]."""
        n = ids.shape[1]
        p = past[0][0].shape[2]
        offs = torch.arange(n, dtype=torch.int64)
        pos = (offs + start).to(torch.float32)
        ang = pos[:, None] * self.inv_freq[None, :]
        cos, sin = torch.cos(ang), torch.sin(ang)
        # query i (absolute row p + i of the cache) sees keys j <= p + i
        q_row = offs[:, None] + p
        k_row = torch.arange(p + n, dtype=torch.int64)[None, :]
        mask = k_row > q_row
        x = self.emb(ids)
        new, attn = [], []
        for b, (pk, pv) in zip(self.blocks, past):
            x, k, v, w = b(x, cos, sin, pk, pv, mask)
            new.append((k, v))
            attn.append(w)
        h = self.ln_f(x)
        return h @ self.emb.weight.t(), new, attn

    def empty_past(self, batch=1):
        z = torch.zeros(batch, N_HEADS, 0, D_K)
        return [(z, z) for _ in range(N_LAYERS)]

    def train_logits(self, ids):
        logits, _, _ = self.forward(ids, torch.tensor(0), self.empty_past(ids.shape[0]))
        return logits
