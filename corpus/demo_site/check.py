#!/usr/bin/env python3
"""Validate the generated demo site against manifest.json (standard library only).

python3 corpus/demo_site/check.py      # exit status 1 on any problem
"""

from __future__ import annotations

import difflib
import json
import sys
import urllib.parse
import urllib.robotparser
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

HERE = Path(__file__).resolve().parent
problems: list[str] = []


def check(ok: bool, msg: str) -> None:
    if not ok:
        problems.append(msg)


def url_to_file(url: str) -> str:
    u = urllib.parse.urlsplit(url)
    path = urllib.parse.unquote(u.path, encoding="utf-8")
    if path.endswith("/"):
        path += "index.html"
    elif "." not in path.rsplit("/", 1)[-1]:
        path += "/index.html"
    return f"{u.hostname}{path}"


# main container per layout: (tag, attribute, value, required ancestor (tag, attr, value) or None)
MAIN = {
    "A": ("div", "class", "item-text", ("div", "class", "item-body")),
    "A-mobile": ("div", "class", "item-text", ("div", "class", "item-body")),
    "B": ("div", "class", "body", ("div", "id", "echo-detail")),
    "C": ("div", "class", "news-text", ("article", "class", "news")),
    "D": ("div", "class", "story", ("article", "class", "single-news")),
}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class MainText(HTMLParser):
    """Collects the <p> texts inside the layout's main container; also records <html> attributes and charset."""

    def __init__(self, layout: str) -> None:
        super().__init__(convert_charrefs=True)
        self.target = MAIN[layout]
        self.stack: list[tuple[str, dict]] = []
        self.in_main_depth: int | None = None
        self.paras: list[str] = []
        self.cur: list[str] | None = None
        self.html_attrs: dict = {}
        self.charset: str | None = None
        self.mains = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.html_attrs = a
        if tag == "meta" and "charset" in a and self.charset is None:
            self.charset = a["charset"]
        if tag in VOID:
            return
        self.stack.append((tag, a))
        t, k, v, anc = self.target
        in_anc = anc is None or any(
            st == anc[0] and anc[2] in (sa.get(anc[1]) or "").split() for st, sa in self.stack[:-1]
        )
        if self.in_main_depth is None and tag == t and v in (a.get(k) or "").split() and in_anc:
            self.in_main_depth = len(self.stack)
            self.mains += 1
        if self.in_main_depth is not None and tag == "p":
            self.cur = []

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if self.in_main_depth is not None and tag == "p" and self.cur is not None:
            self.paras.append("".join(self.cur).strip())
            self.cur = None
        if self.stack and self.stack[-1][0] == tag:
            if self.in_main_depth == len(self.stack):
                self.in_main_depth = None
            self.stack.pop()

    def handle_data(self, data):
        if self.cur is not None:
            self.cur.append(data)


def main() -> int:
    m = json.loads((HERE / "manifest.json").read_text(encoding="utf-8"))
    arts = {a["key"]: a for a in m["articles"]}

    # ---- counts
    outlets = [h for h in m["hosts"] if h.get("mobile_of") is None]
    fmts = {}
    for f in m["feeds"]:
        fmts[f["format"]] = fmts.get(f["format"], 0) + 1
    pages_200 = [a for a in m["articles"] if a["status"] == 200]
    check(len(outlets) >= 5, f"outlets: {len(outlets)} < 5")
    check(len(m["feeds"]) >= 12, f"feeds: {len(m['feeds'])} < 12")
    check(fmts.get("atom1.0", 0) >= 2, "fewer than 2 Atom feeds")
    check(fmts.get("rss1.0-rdf", 0) >= 1, "no RSS 1.0 feed")
    check(fmts.get("rss2.0", 0) > fmts.get("atom1.0", 0) + fmts.get("rss1.0-rdf", 0), "RSS 2.0 is not the majority")
    check(len(pages_200) >= 60, f"article pages with status 200: {len(pages_200)} < 60")
    check(len(m["story_groups"]) >= 6, "fewer than 6 syndicated stories")

    # ---- feeds
    for f in m["feeds"]:
        raw = (HERE / f["file"]).read_bytes()
        check(url_to_file(f["url"]) == f["file"], f"feed mapping {f['url']} -> {f['file']}")
        check(5 <= f["item_count"] <= 15, f"{f['url']}: {f['item_count']} items")
        try:
            root = ET.fromstring(raw)
            parsed = True
        except ET.ParseError:
            parsed = False
        check(parsed == f["well_formed"], f"{f['url']}: well_formed={f['well_formed']} but parsed={parsed}")
        if not parsed:
            continue
        if f["format"] == "rss2.0":
            check(root.tag == "rss" and root.get("version") == "2.0", f"{f['url']}: not RSS 2.0")
            items = root.findall("./channel/item")
            links = [i.findtext("link") for i in items]
            for i in items:
                check(bool(i.findall("category")), f"{f['url']}: item without category")
                desc = i.findtext("description") or ""
                check("<p>" in desc and "<img" in desc, f"{f['url']}: description without <p>/<img>")
        elif f["format"] == "atom1.0":
            ns = "{http://www.w3.org/2005/Atom}"
            check(root.tag == ns + "feed", f"{f['url']}: not Atom")
            items = root.findall(ns + "entry")
            links = [i.find(ns + "link").get("href") for i in items]
        else:
            rdf = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
            rss1 = "{http://purl.org/rss/1.0/}"
            check(root.tag == rdf + "RDF", f"{f['url']}: not RDF")
            items = root.findall(rss1 + "item")
            links = [i.findtext(rss1 + "link") for i in items]
            seq = [li.get(rdf + "resource") for li in root.iter(rdf + "li")]
            check(seq == links, f"{f['url']}: rdf:Seq does not match items")
        check(len(items) == f["item_count"], f"{f['url']}: {len(items)} items, manifest says {f['item_count']}")
        check(links == [it["link"] for it in f["items"]], f"{f['url']}: links differ from manifest")
    broken = [f for f in m["feeds"] if not f["well_formed"]]
    check(len(broken) == 1, f"{len(broken)} broken feeds")

    # ---- feed items resolve to manifest articles; special feeds
    for f in m["feeds"]:
        for it in f["items"]:
            a = arts.get(it["article"])
            check(a is not None, f"{f['url']}: unknown article {it['article']}")
            if a:
                check(url_to_file(it["link"]) == url_to_file(a["url"]), f"{f['url']}: {it['link']} != {a['url']}")
    ec = m["edge_cases"]
    dup = next(f for f in m["feeds"] if f["url"] == ec["duplicate_item_feed"])
    dl = [it["link"] for it in dup["items"]]
    check(len(dl) != len(set(dl)), "duplicate-item feed has no duplicate")
    trk = next(f for f in m["feeds"] if f["url"] == ec["tracking_params_feed"])
    check(all(ec["tracking_query"] in it["link"] for it in trk["items"]), "tracking feed links lack utm params")
    check(
        any(it["link"] == ec["mobile_variant"]["mobile_url"] for f in m["feeds"] for it in f["items"]),
        "mobile URL is in no feed",
    )
    listed = {it["article"] for f in m["feeds"] for it in f["items"]}
    for a in m["articles"]:
        check(a["key"] in listed, f"{a['key']} is in no feed")

    # ---- articles on disk
    for a in m["articles"]:
        p = HERE / (a["file"] or url_to_file(a["url"]))
        check(url_to_file(a["url"]) == (a["file"] or url_to_file(a["url"])), f"{a['key']}: url->file mapping")
        if a["status"] == 404:
            check(not p.exists(), f"{a['key']}: 404 page exists")
            continue
        check(p.exists(), f"{a['key']}: missing file {a['file']}")
        if not p.exists():
            continue
        raw = p.read_bytes()
        text = raw.decode("cp1256" if a["encoding"] == "windows-1256" else "utf-8")
        parser = MainText(a["layout"])
        parser.feed(text)
        check(parser.html_attrs.get("lang") == "fa" and parser.html_attrs.get("dir") == "rtl", f"{a['key']}: lang/dir")
        check((parser.charset or "").lower() == a["encoding"], f"{a['key']}: meta charset {parser.charset}")
        check(parser.mains == 1, f"{a['key']}: {parser.mains} main containers")
        check("\n".join(parser.paras) == a["text"], f"{a['key']}: main text differs from manifest text")
        check(f'rel="canonical" href="{a["canonical_url"]}"' in text, f"{a['key']}: canonical link")

    # ---- cp1256
    cp = arts[ec["cp1256_page"]]
    raw = (HERE / cp["file"]).read_bytes()
    try:
        raw.decode("utf-8")
        check(False, "cp1256 page decodes as UTF-8")
    except UnicodeDecodeError:
        pass
    dec = raw.decode("cp1256")
    check('<meta charset="windows-1256">' in dec, "cp1256 page lacks <meta charset=windows-1256>")
    check(cp["text"].splitlines()[0] in dec, "cp1256 page text not found after decoding")

    # ---- robots
    rb = ec["robots"]
    rp = urllib.robotparser.RobotFileParser()
    rp.parse((HERE / rb["host"] / "robots.txt").read_text(encoding="utf-8").splitlines())
    for a in m["articles"]:
        if a["host"] != rb["host"]:
            continue
        allowed = rp.can_fetch("mahalle-news-crawler", a["url"])
        check(allowed == (a["status"] != "robots-disallowed"), f"{a['key']}: robots allowed={allowed}")
    check(arts[rb["article"]]["status"] == "robots-disallowed", "robots article status")

    # ---- story groups: members similar to each other, hosts differ, 2-3 outlets
    for g in m["story_groups"]:
        members = [arts[k] for k in g["members"]]
        check(2 <= len({a["host"] for a in members}) <= 3, f"{g['id']}: {len(members)} members")
        base = arts[g["base"]]["text"]
        for a in members:
            r = difflib.SequenceMatcher(None, base, a["text"], autojunk=False).ratio()
            check(r > 0.75, f"{g['id']}: {a['key']} similarity {r:.2f}")
            check(a["text"] != base or a["key"] == g["base"], f"{g['id']}: {a['key']} is an exact copy")

    # ---- size
    total = sum(p.stat().st_size for p in HERE.rglob("*") if p.is_file())
    check(total < 8 * 1024 * 1024, f"total size {total} bytes >= 8 MB")

    hosts_n = len(m["hosts"])
    groups_n = len(m["story_groups"])
    print(
        f"hosts={hosts_n} (outlets={len(outlets)}) feeds={len(m['feeds'])} by format={fmts} "
        f"articles={len(m['articles'])} status200={len(pages_200)} groups={groups_n} size={total}"
    )
    for p in problems:
        print("PROBLEM:", p)
    print("OK" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
