"""Render part_b articles and gold.jsonl from arts*.py (run from anywhere)."""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True

import arts1  # noqa: E402
import arts2  # noqa: E402
import arts3  # noqa: E402

ZWNJ = "\u200c"
P2I = str.maketrans("۰۱۲۳۴۵۶۷۸۹", "٠١٢٣٤٥٦٧٨٩")
P2L = str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")
ARABIC = str.maketrans({"ی": "ي", "ک": "ك"})


def render(a):
    t = a["text"].strip() + "\n"
    t = t.replace("|", {"C": ZWNJ, "S": "", "P": " "}[a["zw"]])
    if a["ar"]:
        t = t.translate(ARABIC)
    if a["dg"] == "I":
        t = t.translate(P2I)
    elif a["dg"] == "L":
        t = t.translate(P2L)
    return t


def fix(obj):
    if isinstance(obj, str):
        return obj.replace("|", ZWNJ)
    if isinstance(obj, list):
        return [fix(x) for x in obj]
    if isinstance(obj, dict):
        return {k: fix(v) for k, v in obj.items()}
    return obj


def main():
    arts = arts1.ARTS + arts2.ARTS + arts3.ARTS
    os.makedirs(os.path.join(OUT, "articles"), exist_ok=True)
    lines, phen = [], {}
    for a in arts:
        fn = f"articles/{a['id']}.txt"
        with open(os.path.join(OUT, fn), "w", encoding="utf-8") as f:
            f.write(render(a))
        rec = {
            "id": a["id"], "file": fn, "published": a["published"], "source": a["source"],
            "relevant": a["relevant"], "province": a["province"],
            "facts": fix(a["facts"]), "acceptable": fix(a["acceptable"]), "notes": a["notes"],
        }
        lines.append(json.dumps(rec, ensure_ascii=False))
        phen[a["id"]] = {"zwnj": a["zw"], "arabic_letters": a["ar"], "digits": a["dg"], "tags": a["phen"]}
    with open(os.path.join(OUT, "gold.jsonl"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(OUT, "phenomena.json"), "w", encoding="utf-8") as f:
        json.dump(phen, f, ensure_ascii=False, indent=1)
    print(f"wrote {len(arts)} articles")


if __name__ == "__main__":
    main()
