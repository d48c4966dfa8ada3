"""Validate part_b gold.jsonl and articles. Exit code 1 on errors; warnings are printed."""
import collections
import datetime
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

PROVINCES = {
    "آذربایجان شرقی", "آذربایجان غربی", "اردبیل", "اصفهان", "البرز", "ایلام", "بوشهر", "تهران",
    "چهارمحال و بختیاری", "خراسان جنوبی", "خراسان رضوی", "خراسان شمالی", "خوزستان", "زنجان", "سمنان",
    "سیستان و بلوچستان", "فارس", "قزوین", "قم", "کردستان", "کرمان", "کرمانشاه", "کهگیلویه و بویراحمد",
    "گلستان", "گیلان", "لرستان", "مازندران", "مرکزی", "هرمزگان", "همدان", "یزد",
}
assert len(PROVINCES) == 31
COVER = ["فارس", "قزوین", "قم", "کردستان", "کرمان", "کرمانشاه", "کهگیلویه و بویراحمد", "گلستان", "گیلان",
         "لرستان", "مازندران", "مرکزی", "هرمزگان", "همدان", "یزد"]
SOURCES = {"ایرنا", "مهر", "ایسنا", "تسنیم", "ایکنا", "صداوسیما", "فارس", "باشگاه خبرنگاران جوان", "همشهری"}
APPROX = {None, "about", "more_than", "less_than"}
KEYS = {"id", "file", "published", "source", "relevant", "province", "facts", "acceptable", "notes"}
HONORIFICS = ("سردار", "دکتر", "مهندس", "حجت‌الاسلام", "حجت الاسلام", "آیت‌الله", "سید ")
INT = int

FIELDS = {  # field -> allowed types ; None in tuple means nullable
    "neighbourhood_count": {"value": (int,), "province": (str,), "approx": (str, type(None))},
    "budget": {"rials": (int,), "province": (str,)},
    "program": {"name": (str,), "province": (str,)},
    "official": {"name": (str,), "role": (str,)},
    "population": {"value": (int,), "province": (str,), "approx": (str, type(None))},
    "percentage": {"value": (int, float), "province": (str,), "approx": (str, type(None))},
    "quantity": {"value": (int,), "unit": (str,), "province": (str,)},
}
OPTIONAL = {"neighbourhood_count": {"program"}, "budget": {"program", "period"}, "program": set(),
            "official": set(), "population": set(), "percentage": set(), "quantity": set()}

errors, warnings = [], []


def err(m):
    errors.append(m)


def warn(m):
    warnings.append(m)


def check_fact(aid, f, where):
    if not isinstance(f, dict) or "type" not in f:
        return err(f"{aid} {where}: fact without type: {f}")
    t = f["type"]
    if t not in FIELDS:
        return err(f"{aid} {where}: unknown type {t}")
    req = FIELDS[t]
    allowed = set(req) | OPTIONAL[t] | {"type"}
    for k, types in req.items():
        if k not in f:
            err(f"{aid} {where}: {t} missing {k}")
            continue
        v = f[k]
        if isinstance(v, bool) or not isinstance(v, types):
            err(f"{aid} {where}: {t}.{k} has type {type(v).__name__}")
    for k in f:
        if k not in allowed:
            err(f"{aid} {where}: {t} unexpected key {k}")
    for k in OPTIONAL[t]:
        if k in f and not (isinstance(f[k], str) and f[k]):
            err(f"{aid} {where}: {t}.{k} must be a non-empty string")
    if "province" in f and f["province"] not in PROVINCES | {"کشور"}:
        err(f"{aid} {where}: bad fact province {f['province']!r}")
    if "approx" in f and f["approx"] not in APPROX:
        err(f"{aid} {where}: bad approx {f['approx']!r}")
    for k in ("value", "rials"):
        if k in f and not isinstance(f[k], bool) and isinstance(f[k], (int, float)) and f[k] <= 0:
            err(f"{aid} {where}: non-positive {k}")
    if t == "official" and f.get("name", "").startswith(HONORIFICS):
        err(f"{aid} {where}: honorific left in official name {f['name']!r}")
    for k in ("name", "role", "unit"):
        if k in f and (not f[k].strip() or "|" in f[k]):
            err(f"{aid} {where}: bad string in {k}: {f[k]!r}")


def fold_digits(s):
    return s.translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789"))


def sentences(text):
    parts = re.split(r"(?<=[.!?؟])\s+|\n+", text.strip())
    return [p for p in parts if len(p.split()) >= 3]


def main():
    path = os.path.join(ROOT, "gold.jsonl")
    recs, ids = [], set()
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                err(f"line {n}: blank line")
                continue
            try:
                r = json.loads(line)
            except json.JSONDecodeError as e:
                err(f"line {n}: JSON error {e}")
                continue
            recs.append(r)
    for r in recs:
        aid = r.get("id")
        if set(r) != KEYS:
            err(f"{aid}: keys {sorted(set(r) ^ KEYS)} differ")
        if not re.fullmatch(r"b0[0-4]\d", str(aid)):
            err(f"{aid}: bad id")
        if aid in ids:
            err(f"{aid}: duplicate id")
        ids.add(aid)
        if r.get("file") != f"articles/{aid}.txt":
            err(f"{aid}: file {r.get('file')!r} does not match id")
        fp = os.path.join(ROOT, r.get("file", ""))
        if not os.path.isfile(fp):
            err(f"{aid}: file missing {fp}")
            continue
        try:
            d = datetime.date.fromisoformat(r["published"])
            if not (datetime.date(2024, 3, 20) <= d <= datetime.date(2026, 10, 31)):
                err(f"{aid}: published out of range {d}")
        except (ValueError, KeyError, TypeError):
            err(f"{aid}: bad published {r.get('published')!r}")
        if r.get("source") not in SOURCES:
            err(f"{aid}: bad source {r.get('source')!r}")
        if not isinstance(r.get("relevant"), bool):
            err(f"{aid}: relevant not bool")
        prov = r.get("province")
        if prov is None:
            if r.get("relevant"):
                err(f"{aid}: relevant article needs a province")
        elif prov not in PROVINCES:
            err(f"{aid}: article province {prov!r} not one of the 31")
        if not isinstance(r.get("facts"), list) or not isinstance(r.get("acceptable"), list):
            err(f"{aid}: facts/acceptable must be lists")
            continue
        if not isinstance(r.get("notes"), str) or not r["notes"].strip():
            err(f"{aid}: notes missing")
        if r.get("relevant") is False and (r["facts"] or r["acceptable"]):
            err(f"{aid}: irrelevant article with facts")
        if r.get("relevant") and not 3 <= len(r["facts"]) <= 10:
            err(f"{aid}: {len(r['facts'])} facts (want 3-10)")
        for i, f in enumerate(r["facts"]):
            check_fact(aid, f, f"facts[{i}]")
        for i, f in enumerate(r["acceptable"]):
            check_fact(aid, f, f"acceptable[{i}]")
        # duplicates within an article
        def key(f):
            t = f.get("type")
            if t == "budget":
                return (t, f.get("rials"), f.get("province"))
            if t in ("program",):
                return (t, f.get("name"))
            if t == "official":
                return (t, f.get("name"))
            return (t, f.get("value"), f.get("province"), (f.get("unit") or "").split(" ")[0])
        seen = collections.Counter(key(f) for f in r["facts"] + r["acceptable"])
        for k, c in seen.items():
            if c > 1:
                err(f"{aid}: duplicate fact {k}")
        # article text checks
        text = open(fp, encoding="utf-8").read()
        if "|" in text:
            err(f"{aid}: leftover ZWNJ placeholder")
        if not 600 <= len(text) <= 2500:
            err(f"{aid}: length {len(text)} chars")
        ns = len(sentences(text))
        if not 6 <= ns <= 20:
            err(f"{aid}: {ns} sentences")
        # heuristics: numeric values should be visible in the text
        flat = re.sub(r"(?<=\d)[,٬](?=\d{3})", "", fold_digits(text))
        nums = set(re.findall(r"\d+(?:[.٫/]\d+)?", flat))
        for f in r["facts"]:
            v = f.get("value")
            if v is None or f["type"] == "budget":
                continue
            sv = str(v)
            cands = {sv}
            if isinstance(v, int) and v >= 1000 and v % 1000 == 0:
                cands.add(str(v // 1000))
            if isinstance(v, float):
                cands |= {sv.replace(".", s) for s in "٫/"}
            if not cands & nums:
                warn(f"{aid}: value {v} ({f['type']}) not found as digits (word number?)")
        for f in r["facts"]:
            if f["type"] == "official":
                last = f["name"].split()[-1]
                tt = text.translate(str.maketrans("يك", "یک")).replace("\u200c", "").replace(" ", "")
                if last.replace("\u200c", "") not in tt:
                    err(f"{aid}: official surname {last} not in text")
    # coverage
    rel = [r for r in recs if r.get("relevant")]
    irr = [r for r in recs if r.get("relevant") is False]
    cnt = collections.Counter(r["province"] for r in rel)
    for p in COVER:
        if cnt[p] < 2:
            err(f"coverage: {p} is main province of {cnt[p]} relevant articles")
    if len(recs) != 42:
        err(f"{len(recs)} articles, want 42")
    if not 5 <= len(irr) <= 7:
        err(f"{len(irr)} irrelevant articles, want about 6")
    arts = sorted(os.listdir(os.path.join(ROOT, "articles")))
    if arts != [f"b{i:03d}.txt" for i in range(1, 43)]:
        err(f"articles dir has unexpected files: {arts}")

    print(f"articles: {len(recs)}  relevant: {len(rel)}  irrelevant: {len(irr)}")
    tc = collections.Counter(f["type"] for r in recs for f in r["facts"])
    ac = collections.Counter(f["type"] for r in recs for f in r["acceptable"])
    print("facts per type:", dict(sorted(tc.items())), " total", sum(tc.values()))
    print("acceptable per type:", dict(sorted(ac.items())), " total", sum(ac.values()))
    print("main provinces (relevant):", dict(sorted(cnt.items())))
    for w in warnings:
        print("WARN", w)
    for e in errors:
        print("ERROR", e)
    print(f"{len(errors)} errors, {len(warnings)} warnings")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
