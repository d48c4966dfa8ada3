#!/usr/bin/env python3
"""Validate corpus/gold/part_a: gold.jsonl schema, files, provinces, coverage, article shape.

Run: python3 corpus/gold/part_a/validate.py   (exit status 1 on any problem)
"""
import collections
import datetime
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

PROVINCES = {
    "آذربایجان شرقی", "آذربایجان غربی", "اردبیل", "اصفهان", "البرز", "ایلام", "بوشهر", "تهران",
    "چهارمحال و بختیاری", "خراسان جنوبی", "خراسان رضوی", "خراسان شمالی", "خوزستان", "زنجان", "سمنان",
    "سیستان و بلوچستان", "فارس", "قزوین", "قم", "کردستان", "کرمان", "کرمانشاه", "کهگیلویه و بویراحمد",
    "گلستان", "گیلان", "لرستان", "مازندران", "مرکزی", "هرمزگان", "همدان", "یزد",
}
COVERAGE = [
    "آذربایجان شرقی", "آذربایجان غربی", "اردبیل", "اصفهان", "البرز", "ایلام", "بوشهر", "تهران",
    "چهارمحال و بختیاری", "خراسان جنوبی", "خراسان رضوی", "خراسان شمالی", "خوزستان", "زنجان", "سمنان",
    "سیستان و بلوچستان",
]
SOURCES = {"ایرنا", "مهر", "ایسنا", "تسنیم", "ایکنا", "صداوسیما", "فارس", "باشگاه خبرنگاران جوان", "همشهری"}
APPROX = {None, "about", "more_than", "less_than"}
KEYS = {"id", "file", "published", "source", "relevant", "province", "facts", "acceptable", "notes"}
CANONICAL = {"طرح ملی ۲۰۲۰ محله", "طرح کرامت", "طرح اقدام مدیریت محله\u200cمحور", "دفاتر تسهیلگری",
             "طرح بازآفرینی شهری", "طرح نهضت ملی مسکن"}


def is_int(x):
    return isinstance(x, int) and not isinstance(x, bool)


def is_num(x):
    return (isinstance(x, (int, float))) and not isinstance(x, bool)


def fold(s):
    s = s.replace("\u200c", "").replace(" ", "")
    s = s.replace("ي", "ی").replace("ك", "ک").replace("ة", "ه").replace("ۀ", "ه")
    s = s.translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789"))
    return re.sub(r"[«»\"'()\[\]،,.:؛!؟\-–]", "", s)


def check_fact(f, where, errs, acceptable=False):
    t = f.get("type")
    req = {
        "neighbourhood_count": {"value": is_int, "province": str, "approx": "approx"},
        "budget": {"rials": is_int, "province": str},
        "program": {"name": str, "province": str},
        "official": {"name": str, "role": str},
        "population": {"value": is_int, "province": str, "approx": "approx"},
        "percentage": {"value": is_num, "province": str, "approx": "approx"},
        "quantity": {"value": is_int, "unit": str, "province": str},
    }
    optional = {"neighbourhood_count": {"program"}, "budget": {"program", "period"}}
    if t not in req:
        errs.append(f"{where}: unknown fact type {t!r}")
        return
    for k, chk in req[t].items():
        if k not in f:
            errs.append(f"{where}: {t} missing {k}")
            continue
        v = f[k]
        if chk == "approx":
            if v not in APPROX:
                errs.append(f"{where}: bad approx {v!r}")
        elif chk is str:
            if not isinstance(v, str) or not v.strip():
                errs.append(f"{where}: {k} must be a non-empty string")
        elif not chk(v):
            errs.append(f"{where}: {k} has wrong type {type(v).__name__}")
    extra = set(f) - set(req[t]) - {"type"} - optional.get(t, set())
    if extra:
        errs.append(f"{where}: unexpected keys {sorted(extra)}")
    if "province" in f and f["province"] not in PROVINCES | {"کشور"}:
        errs.append(f"{where}: bad province {f['province']!r}")
    if t == "official":
        for h in ("سردار", "دکتر", "مهندس", "حجت", "حجة"):
            if f["name"].startswith(h):
                errs.append(f"{where}: honorific left in name {f['name']!r}")
    if t in ("neighbourhood_count", "population", "quantity", "budget", "percentage"):
        v = f.get("rials", f.get("value"))
        if is_num(v) and v <= 0:
            errs.append(f"{where}: non-positive value")


def sentences(text):
    return [s for s in re.split(r"[.!؟?]\s|\n+", text) if len(s.strip()) > 10]


def main():
    errs, warns = [], []
    path = os.path.join(HERE, "gold.jsonl")
    ids, recs = set(), []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                r = json.loads(line)
            except json.JSONDecodeError as e:
                errs.append(f"line {n}: JSON error {e}")
                continue
            recs.append(r)
    lo, hi = datetime.date(2024, 3, 20), datetime.date(2026, 10, 31)
    for r in recs:
        rid = r.get("id", "?")
        if set(r) != KEYS:
            errs.append(f"{rid}: keys {sorted(set(r) ^ KEYS)} differ")
        if rid in ids:
            errs.append(f"{rid}: duplicate id")
        ids.add(rid)
        if not re.fullmatch(r"a\d{3}", rid):
            errs.append(f"{rid}: bad id")
        if r.get("file") != f"articles/{rid}.txt":
            errs.append(f"{rid}: file field {r.get('file')!r}")
        fp = os.path.join(HERE, r.get("file", ""))
        if not os.path.isfile(fp):
            errs.append(f"{rid}: missing file {fp}")
            continue
        text = open(fp, encoding="utf-8").read()
        try:
            d = datetime.date.fromisoformat(r["published"])
            if not lo <= d <= hi:
                errs.append(f"{rid}: published out of range")
        except Exception:
            errs.append(f"{rid}: bad published")
        if r.get("source") not in SOURCES:
            errs.append(f"{rid}: bad source {r.get('source')!r}")
        if not isinstance(r.get("relevant"), bool):
            errs.append(f"{rid}: relevant not bool")
        prov = r.get("province")
        if prov is None:
            if r.get("relevant"):
                errs.append(f"{rid}: relevant article needs a province")
        elif prov not in PROVINCES:
            errs.append(f"{rid}: bad article province {prov!r}")
        if not isinstance(r.get("notes"), str) or not r["notes"]:
            errs.append(f"{rid}: notes missing")
        if not isinstance(r.get("facts"), list) or not isinstance(r.get("acceptable"), list):
            errs.append(f"{rid}: facts/acceptable must be lists")
            continue
        for i, f in enumerate(r["facts"]):
            check_fact(f, f"{rid} fact {i}", errs)
        for i, f in enumerate(r["acceptable"]):
            check_fact(f, f"{rid} acceptable {i}", errs, True)
        if r.get("relevant"):
            if not 3 <= len(r["facts"]) <= 10:
                errs.append(f"{rid}: {len(r['facts'])} facts (want 3-10)")
        elif r["facts"]:
            errs.append(f"{rid}: irrelevant article must have no facts")
        # article shape
        if not 600 <= len(text) <= 2500:
            errs.append(f"{rid}: length {len(text)} chars")
        ns = len(sentences(text))
        if not 6 <= ns <= 20:
            errs.append(f"{rid}: {ns} sentences")
        if "_" in text:
            errs.append(f"{rid}: placeholder '_' left in text")
        ft = fold(text)
        for f in r["facts"]:
            if f["type"] == "official" and fold(f["name"]) not in ft:
                errs.append(f"{rid}: official {f['name']} not in text")
            if f["type"] == "program":
                nm = fold(f["name"])
                core = nm[3:] if nm.startswith("طرح") else nm
                for kw in ("پویش", "رزمایش", "برنامه"):
                    if core.startswith(kw):
                        core = core[len(kw):]
                if core not in ft:
                    warns.append(f"{rid}: program {f['name']} not literally in text")
        # duplicate facts
        seen = set()
        for f in r["facts"]:
            k = json.dumps({x: y for x, y in f.items() if x not in ("program", "period")}, sort_keys=True, ensure_ascii=False)
            if k in seen:
                errs.append(f"{rid}: duplicate fact {k}")
            seen.add(k)
    cov = collections.Counter(r["province"] for r in recs if r.get("relevant"))
    for p in COVERAGE:
        if cov[p] < 2:
            errs.append(f"coverage: {p} is main province of only {cov[p]} relevant article(s)")
    nirr = sum(1 for r in recs if r.get("relevant") is False)
    if not 5 <= nirr <= 7:
        errs.append(f"irrelevant articles: {nirr} (want about 6)")
    for w in warns:
        print("WARN", w)
    for e in errs:
        print("ERROR", e)
    types = collections.Counter(f["type"] for r in recs for f in r["facts"])
    print(f"{len(recs)} articles, {sum(1 for r in recs if r.get('relevant'))} relevant, {nirr} irrelevant")
    print("facts per type:", dict(types), "total", sum(types.values()))
    print("acceptable:", sum(len(r["acceptable"]) for r in recs))
    print("coverage:", {p: cov[p] for p in COVERAGE})
    print("OK" if not errs else f"{len(errs)} problem(s)")
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
