#!/usr/bin/env python3
"""Build the offline demo "news web" under corpus/demo_site/.

A handful of fictional outlets (irna.demo, mehr.demo, isna.demo, ...) with RSS 2.0, Atom 1.0 and RSS 1.0 feeds
and HTML article pages in four CMS-like layouts, made from the project's own articles:

* corpus/gold/part_a, corpus/gold/part_b  (articles/*.txt + gold.jsonl: published, source, province)
* corpus/classifier/articles.jsonl         (short articles: text, province)

Nothing here comes from the web. Headlines were written for this site. The output is deterministic: no clock,
no randomness; every "random-looking" choice is derived from a SHA-1 of a fixed key. Standard library only.

    python3 corpus/demo_site/build.py          # regenerate the site and manifest.json

URL -> file mapping (recorded in manifest.json too): drop the query string and fragment, percent-decode the
path as UTF-8; a path ending in "/" gets "index.html"; a path whose last segment has no "." gets
"/index.html"; the file is corpus/demo_site/<host><path>.  So https://mehr.demo/news/6200101 is
mehr.demo/news/6200101/index.html and https://irna.demo/rss/latest.xml is irna.demo/rss/latest.xml.
"""

# ruff: noqa: E501  (HTML templates are kept one element per line)
from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import html
import json
import re
import shutil
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent  # the repository
TEHRAN = dt.timezone(dt.timedelta(hours=3, minutes=30))  # Iran has no DST since 2022
SCHEMA_VERSION = 1

# --------------------------------------------------------------------------------------------------------------
# Reference data
# --------------------------------------------------------------------------------------------------------------

PROVINCES = [  # (name, ASCII code used in URLs, region of the IRNA-style regional feeds)
    ("آذربایجان شرقی", "east-azarbaijan", "nw"),
    ("آذربایجان غربی", "west-azarbaijan", "nw"),
    ("اردبیل", "ardabil", "nw"),
    ("اصفهان", "isfahan", "c"),
    ("البرز", "alborz", "c"),
    ("ایلام", "ilam", "nw"),
    ("بوشهر", "bushehr", "se"),
    ("تهران", "tehran", "c"),
    ("چهارمحال و بختیاری", "chaharmahal", "se"),
    ("خراسان جنوبی", "south-khorasan", "se"),
    ("خراسان رضوی", "razavi-khorasan", "se"),
    ("خراسان شمالی", "north-khorasan", "se"),
    ("خوزستان", "khuzestan", "se"),
    ("زنجان", "zanjan", "nw"),
    ("سمنان", "semnan", "c"),
    ("سیستان و بلوچستان", "sistan-baluchestan", "se"),
    ("فارس", "fars", "se"),
    ("قزوین", "qazvin", "nw"),
    ("قم", "qom", "c"),
    ("کردستان", "kurdistan", "nw"),
    ("کرمان", "kerman", "se"),
    ("کرمانشاه", "kermanshah", "nw"),
    ("کهگیلویه و بویراحمد", "kohgiluyeh", "se"),
    ("گلستان", "golestan", "c"),
    ("گیلان", "gilan", "c"),
    ("لرستان", "lorestan", "nw"),
    ("مازندران", "mazandaran", "c"),
    ("مرکزی", "markazi", "c"),
    ("هرمزگان", "hormozgan", "se"),
    ("همدان", "hamedan", "nw"),
    ("یزد", "yazd", "c"),
]
PROVINCE_CODE = {name: code for name, code, _ in PROVINCES}
PROVINCE_REGION = {name: region for name, _, region in PROVINCES}
REGIONS = {
    "nw": ("northwest", "استان‌های شمال‌غرب و غرب"),
    "c": ("central", "استان‌های مرکزی و شمالی"),
    "se": ("southeast", "استان‌های شرق و جنوب"),
}

MONTHS_FA = ["فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند"]
WEEKDAYS_FA = ["دوشنبه", "سه‌شنبه", "چهارشنبه", "پنجشنبه", "جمعه", "شنبه", "یکشنبه"]  # date.weekday() order
FA_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")

# The layouts. main_selector is the container whose text is the article text (paragraphs = <p> children).
LAYOUTS = {
    "A": {
        "name": "item-text (NewsStudio-like: IRNA / Mehr / YJC)",
        "main_selector": "div.item-body > div.item-text",
        "title_selector": "h1.title",
        "lead_selector": "p.summary",
        "date_selector": "div.item-date",
        "date_example": "۲۰ خرداد ۱۴۰۴، ۰۹:۱۴",
        "machine_date": "meta[property='article:published_time'], JSON-LD datePublished",
    },
    "A-mobile": {
        "name": "item-text, mobile template (m.mehr.demo)",
        "main_selector": "div.item-body > div.item-text",
        "title_selector": "h1.title",
        "lead_selector": "p.summary",
        "date_selector": "div.item-date",
        "date_example": "۲۰ خرداد ۱۴۰۴ - ۰۹:۱۴",
        "machine_date": "time[datetime]",
    },
    "B": {
        "name": "echo-detail (older portal CMS: ISNA / Fars)",
        "main_selector": "div#echo-detail > div.body",
        "title_selector": "h1.first-title",
        "lead_selector": "div.lead",
        "date_selector": "div.news-info span.date",
        "date_example": "سه‌شنبه / ۲۰ خرداد ۱۴۰۴ / ۰۹:۱۴",
        "machine_date": None,  # Jalali text only
    },
    "C": {
        "name": "article .news-text (portal: IQNA / IRIB News)",
        "main_selector": "article.news div.news-text",
        "title_selector": "h1.news-title",
        "lead_selector": "p.news-lead",
        "date_selector": "time[itemprop=datePublished]",
        "date_example": "تاریخ انتشار: ۰۹:۱۴ - ۱۴۰۴/۰۳/۲۰",
        "machine_date": "time[datetime]",
    },
    "D": {
        "name": "div.story (Tasnim / Hamshahri-like)",
        "main_selector": "article.single-news div.story",
        "title_selector": "h1.title",
        "lead_selector": "h3.lead",
        "date_selector": "ul.news-info li.time",
        "date_example": "۲۰ خرداد ۱۴۰۴ - ۰۹:۱۴",
        "machine_date": "meta[property='article:published_time']",
    },
}


@dataclass(frozen=True)
class Outlet:
    host: str
    source: str  # the `source` value in gold.jsonl
    name: str  # full name
    short: str
    layout: str
    generator: str
    about: str
    url_kind: str  # id / URL scheme, see article_path()
    id_base: int
    province_path: str  # listing page for a province: format with {code}
    image_pattern: str  # format with {host} {id} {y} {m} {d}


OUTLETS = [
    Outlet(
        "irna.demo",
        "ایرنا",
        "خبرگزاری جمهوری اسلامی (نسخهٔ نمایشی)",
        "ایرنا",
        "A",
        "NewsStudio 5.2 (demo)",
        "ایرنا؛ نسخهٔ نمایشی خبرگزاری با پوشش اخبار ۳۱ استان کشور.",
        "irna",
        85000100,
        "/service/provinces/{code}",
        "https://{host}/d/{y}/{m}/{d}/4/{id}.jpg",
    ),
    Outlet(
        "mehr.demo",
        "مهر",
        "خبرگزاری مهر (نسخهٔ نمایشی)",
        "مهر",
        "A",
        "NewsStudio 5.1 (demo)",
        "خبرگزاری مهر؛ نسخهٔ نمایشی برای آزمون خزنده.",
        "plain",
        6200100,
        "/service/provinces/{code}",
        "https://{host}/d/{y}/{m}/{d}/2/{id}.jpg",
    ),
    Outlet(
        "isna.demo",
        "ایسنا",
        "خبرگزاری دانشجویان ایران - ایسنا (نسخهٔ نمایشی)",
        "ایسنا",
        "B",
        "EchoCMS 2.1",
        "ایسنا؛ نسخهٔ نمایشی خبرگزاری دانشجویان برای آزمون خزنده.",
        "isna",
        10100,
        "/fa/provinces/{code}",
        "https://{host}/photos/{y}{m}{d}/{id}.jpg",
    ),
    Outlet(
        "tasnim.demo",
        "تسنیم",
        "خبرگزاری تسنیم (نسخهٔ نمایشی)",
        "تسنیم",
        "D",
        "StoryPress 1.8",
        "خبرگزاری تسنیم؛ نسخهٔ نمایشی برای آزمون خزنده.",
        "tasnim",
        3300100,
        "/fa/provinces/{code}",
        "https://newsmedia.{host}/Tasnim/Uploaded/Image/{y}/{m}/{d}/{id}.jpg",
    ),
    Outlet(
        "iqna.demo",
        "ایکنا",
        "ایکنا - خبرگزاری بین‌المللی قرآن (نسخهٔ نمایشی)",
        "ایکنا",
        "C",
        "Portal-fa 3.0",
        "ایکنا؛ نسخهٔ نمایشی خبرگزاری قرآنی برای آزمون خزنده.",
        "plain-fa",
        4300100,
        "/fa/service/provinces/{code}",
        "https://{host}/files/fa/news/{y}/{m}/{d}/{id}_thumb.jpg",
    ),
    Outlet(
        "farsnews.demo",
        "فارس",
        "خبرگزاری فارس (نسخهٔ نمایشی)",
        "فارس",
        "B",
        "EchoCMS 1.9",
        "خبرگزاری فارس؛ نسخهٔ نمایشی برای آزمون خزنده.",
        "fars",
        100,
        "/fa/provinces/{code}",
        "https://media.{host}/Uploaded/Files/Images/{y}/{m}/{d}/{id}.jpg",
    ),
    Outlet(
        "iribnews.demo",
        "صداوسیما",
        "خبرگزاری صداوسیما (نسخهٔ نمایشی)",
        "صداوسیما",
        "C",
        "Portal-fa 3.0",
        "خبرگزاری صداوسیما؛ نسخهٔ نمایشی برای آزمون خزنده.",
        "plain-fa",
        5100100,
        "/fa/service/provinces/{code}",
        "https://{host}/files/fa/news/{y}/{m}/{d}/{id}_main.jpg",
    ),
    Outlet(
        "yjc.demo",
        "باشگاه خبرنگاران جوان",
        "باشگاه خبرنگاران جوان (نسخهٔ نمایشی)",
        "باشگاه خبرنگاران جوان",
        "A",
        "NewsStudio 4.8 (demo)",
        "باشگاه خبرنگاران جوان؛ نسخهٔ نمایشی برای آزمون خزنده.",
        "plain-fa",
        9200100,
        "/fa/service/provinces/{code}",
        "https://cdn.{host}/files/fa/news/{y}/{m}/{d}/{id}_thumb.jpg",
    ),
    Outlet(
        "hamshahri.demo",
        "همشهری",
        "همشهری آنلاین (نسخهٔ نمایشی)",
        "همشهری آنلاین",
        "D",
        "StoryPress 1.6",
        "همشهری آنلاین؛ نسخهٔ نمایشی برای آزمون خزنده.",
        "plain",
        910100,
        "/provinces/{code}",
        "https://media.{host}/d/{y}/{m}/{d}/{id}.jpg",
    ),
]
OUTLET = {o.host: o for o in OUTLETS}
SOURCE_HOST = {o.source: o.host for o in OUTLETS}
MOBILE_HOST = "m.mehr.demo"

# Short articles taken from corpus/classifier/articles.jsonl, by host (the attribution in the text matches).
CLASSIFIER_PICKS = {
    "irna.demo": ["c0002", "c0003", "c0005"],
    "isna.demo": ["c0001", "c0009", "c0010", "c0020", "c0049"],
    "tasnim.demo": ["c0006", "c0015", "c0023", "c0045", "c0065", "c0077"],
    "mehr.demo": ["c0007", "c0021", "c0039", "c0048", "c0053"],
    "hamshahri.demo": ["c0004", "c0017", "c0029", "c0043", "c0057", "c0070"],
    "yjc.demo": ["c0008", "c0018", "c0033", "c0044", "c0059"],
    "iribnews.demo": ["c0011", "c0022", "c0034"],
    "iqna.demo": ["c0014", "c0027", "c0040"],
}

# Headlines written for this site (from each article's first sentence).
TITLES = {
    "a001": "شناسایی ۱۱۰ محله کم‌برخوردار در آذربایجان شرقی برای طرح ملی ۲۰۲۰ محله",
    "a002": "محله‌های هدف طرح توانمندسازی آذربایجان غربی به ۵۸ رسید",
    "a003": "۳۵ محله کم‌برخوردار اردبیل در طرح مدیریت محله‌محور شناسایی شدند",
    "a004": "بازآفرینی ۲۳ محله فرسوده اصفهان آغاز شد",
    "a005": "طرح کرامت در ۴۸ محله کم‌برخوردار البرز در حال اجراست",
    "a006": "آغاز نوسازی صندلی‌های ورزشگاه یادگار امام تبریز",
    "a007": "سهم اصفهان از طرح ملی ۲۰۲۰ محله؛ ۱۲۰ محله",
    "a008": "۷۴ محله حاشیه‌ای البرز نیازمند هماهنگی با استان تهران",
    "a009": "تصویب بسته ۳٫۵ همتی بازآفرینی محله‌های جنوب تهران",
    "a010": "شناسایی ۸۴ محله کم‌برخوردار در ایلام",
    "a011": "ساماندهی ۲۷ محله کم‌برخوردار در استان بوشهر",
    "a012": "هشدار نارنجی هواشناسی برای سامانه بارشی تازه",
    "a013": "آغاز طرح مدیریت محله‌محور در ۱۶ محله شهرکرد",
    "a014": "۲۴ محله بیرجند و قائن در اولویت طرح ملی ۲۰۲۰ محله",
    "a015": "افزایش محله‌های هدف خراسان رضوی از ۱۵۰ به ۲۳۰",
    "a016": "بازآفرینی ۱۱ محله ناکارآمد در خراسان شمالی",
    "a017": "۹۳ محله خوزستان در فهرست طرح ملی ۲۰۲۰ محله",
    "a018": "سهم آذربایجان شرقی از طرح کرامت ۱۴۵ محله است",
    "a019": "۳۶ محله دیگر آذربایجان غربی به طرح ملی ۲۰۲۰ محله افزوده شد",
    "a020": "چهارخطه شدن ۴۵ کیلومتر از محور بیرجند - قائن تا پایان سال",
    "a021": "فعال شدن دفاتر تسهیلگری در ۶ محله آبادان",
    "a022": "۳۸ محله زنجان در طرح ملی ۲۰۲۰ محله",
    "a023": "شناسایی ۲۹ محله کم‌برخوردار در استان سمنان",
    "a024": "۲.۵ همت برای ساماندهی ۴۸ محله زاهدان",
    "a025": "اجرای طرح کرامت در ۳۲ محله اردبیل",
    "a026": "۱۳۴ محله جنوب استان تهران در طرح ملی ۲۰۲۰ محله",
    "a027": "بیمارستان ۵۳۲ تختخوابی زنجان تا پایان سال افتتاح می‌شود",
    "a028": "دفاتر تسهیلگری ایلام به ۴۰ محله می‌رسد",
    "a029": "اجرای طرح «مسجد، کانون محله» در ۱۸ محله بوشهر",
    "a030": "گسترش طرح محله‌محور در منطقه ۲۰ تهران به ۳۴ محله",
    "a031": "آغاز رزمایش «محله به محله» در ۲۶ محله چهارمحال و بختیاری",
    "a032": "راه‌اندازی ۱۴ دفتر تسهیلگری در خراسان جنوبی",
    "a033": "صادرات ۳۲ میلیون شاخه گل از شهرستان محلات",
    "a034": "محلات تحت پوشش طرح ملی ۲۰۲۰ محله در سبزوار دو برابر شد",
    "a035": "اجرای طرح مدیریت محله‌محور در ۴۵ محله خراسان شمالی",
    "a036": "نشست مشترک خوزستان و ایلام درباره محلات حاشیه‌ای شهرهای مرزی",
    "a037": "۱۹ محله زنجان در دستور بازآفرینی شهری",
    "a038": "۱۲۵۰ میلیارد ریال برای ۱۴ محله کم‌برخوردار شاهرود",
    "a039": "۱۶ محله کم‌برخوردار زابل در طرح مدیریت محله‌محور",
    "a040": "بازدید ۸۵۰ هزار نفر از جاذبه‌های تاریخی کاشان در نوروز",
    "a041": "ساماندهی ۲۱ محله حاشیه‌ای چابهار",
    "a042": "۶۲ محله مشهد زیر پوشش دفاتر تسهیلگری",
    "b001": "محله‌های هدف طرح ملی ۲۰۲۰ محله در فارس به ۱۲۰ رسید",
    "b002": "شناسایی ۳۸ محله کم‌برخوردار در استان قزوین",
    "b003": "سهم قم از محلات کم‌برخوردار کشور ۵۲ محله است",
    "b004": "۸۵۰ میلیارد ریال برای بازآفرینی محله‌های کردستان",
    "b005": "۳۰ میلیون تومان برای طرح‌های کوچک هر محله رفسنجان",
    "b006": "محله‌های تحت پوشش طرح محله‌محور کرمانشاه به ۹۶ رسید",
    "b007": "سالن ۶ هزار نفری سنندج تا پایان سال افتتاح می‌شود",
    "b008": "هفت محله یاسوج در اولویت طرح ملی ۲۰۲۰ محله",
    "b009": "اعتبار بازآفرینی محلات گلستان به ۲۱۰۰ میلیارد ریال رسید",
    "b010": "نخستین همایش تسهیلگران محله‌های گیلان برگزار شد",
    "b011": "۱۸۰۰ میلیارد ریال برای بازآفرینی ۳۳ محله لرستان",
    "b012": "۱۲۰۰ میلیارد ریال برای طرح محله‌محور در مازندران",
    "b013": "آغاز به کار دفاتر تسهیلگری در ۱۰ محله اراک",
    "b014": "بارش کشور ۳۷ درصد کمتر از میانگین بلندمدت",
    "b015": "۲.۵ همت برای ساماندهی محله‌های حاشیه‌نشین بندرعباس",
    "b016": "آغاز بازآفرینی ۳۶۰ میلیارد ریالی محله دیزج همدان",
    "b017": "اجرای طرح کرامت در ۲۸ محله یزد",
    "b018": "راه‌اندازی دفاتر تسهیلگری در ۱۲ محله فارس",
    "b019": "طرح کرامت در ۲۲ محله قزوین اجرا می‌شود",
    "b020": "۲۵۰ هزار نفر در ۱۷ محله کم‌برخوردار قم زندگی می‌کنند",
    "b021": "آغاز تعریض ۴۲ کیلومتر از محور کرمان - بم",
    "b022": "شش پروژه در ۱۳ محله کم‌برخوردار سقز در دست اجراست",
    "b023": "سهم کرمان از طرح ملی ۲۰۲۰ محله ۹۸ محله است",
    "b024": "۱.۸ همت برای بازآفرینی محله‌های حاشیه کرمانشاه",
    "b025": "۵۰۰ میلیون تومان اعتبار برای هر محله کم‌برخوردار دوگنبدان",
    "b026": "سهم گلستان از طرح محله‌محور ۵۸ محله است",
    "b027": "۱۲۰ محله گیلان در طرح بهسازی مسکن شهری",
    "b028": "بیمارستان ۱۶۰ تختخوابی الیگودرز سال آینده افتتاح می‌شود",
    "b029": "محله‌های هدف طرح محله‌محور بروجرد به ۲۷ رسید",
    "b030": "سهم بابل و آمل از ۶۲۰ میلیارد ریال اعتبار بازآفرینی",
    "b031": "۲۵۰۰ میلیارد ریال برای ساماندهی ۱۶ محله ساوه",
    "b032": "ساماندهی ۶ محله کم‌برخوردار میناب در طرح ملی ۲۰۲۰ محله",
    "b033": "ساماندهی ۸ محله ملایر ۲۰۰ تا ۳۰۰ میلیارد ریال اعتبار می‌خواهد",
    "b034": "ساماندهی پنج محله میبد با محوریت مساجد",
    "b035": "پیش‌بینی برداشت ۱.۲ میلیون تن سیب‌زمینی در همدان",
    "b036": "نشست مشترک گیلان و مازندران درباره محله‌های کم‌برخوردار",
    "b037": "سفر هیئت کردستان برای آشنایی با دفاتر تسهیلگری کرمانشاه",
    "b038": "سومین همایش ملی مدیریت محله‌محور در قم برگزار شد",
    "b039": "۳.۵ همت برای ۴۸ محله لرستان در طرح ملی ۲۰۲۰ محله",
    "b040": "نشست منطقه‌ای پیشرفت طرح ملی ۲۰۲۰ محله در اراک",
    "b041": "سالانه ۴۰ میلیارد تومان برای محله‌های کم‌برخوردار بندرلنگه",
    "b042": "بازدید ۱.۱ میلیون نفر از جاذبه‌های یزد در نوروز",
    "c0001": "«خانه سلامت» محله حصیرآباد اهواز راه‌اندازی شد",
    "c0002": "پیش‌بینی برداشت ۸۰ هزار تن پسته در رفسنجان",
    "c0003": "تصادف در ورودی محلات دو کشته برجا گذاشت",
    "c0004": "ذخیره سدهای مشهد به کمتر از ۵ درصد رسید",
    "c0005": "نقاشی دیواری جوانان در محله اسلام‌آباد کرمان",
    "c0006": "جشنواره موسیقی آیینی «نی‌انبان و دمام» در بوشهر",
    "c0007": "بازسازی دو مدرسه فرسوده در حاشیه شهر فارسان",
    "c0008": "بیش از ۴۰۰ رتبه زیر هزار کنکور برای یزد",
    "c0009": "راه‌اندازی فرهنگسرا و کلاس سوادآموزی در محله شاه‌ابراهیم قم",
    "c0010": "ساخت دبستان و زمین ورزشی در شهرک سعدی شیراز",
    "c0011": "آبشار بیشه پرآب‌ترین وضعیت سال‌های اخیر را تجربه می‌کند",
    "c0014": "حجم مخزن سد چغاخور به ۱۲ میلیون متر مکعب رسید",
    "c0015": "غربالگری سوءتغذیه کودکان در حاشیه تربت حیدریه",
    "c0017": "آغاز ساماندهی مسیل محله شیخ‌تپه ارومیه",
    "c0018": "ضرورت انتقال کارخانه‌های سرب و روی از حاشیه زنجان",
    "c0020": "مه غلیظ و یخبندان در آزادراه زنجان- تبریز",
    "c0021": "پایان آسفالت و روشنایی محله حسن‌آباد اردکان",
    "c0022": "آبگرفتگی و سیلاب در مانه و سملقان",
    "c0023": "تعاونی تولید لباس زنان محلات کم‌برخوردار ابهر",
    "c0027": "نوسازی ۷۲۰ واحد مسکونی فرسوده در محلات تبریز",
    "c0029": "راه‌اندازی بخش آنژیوگرافی بیمارستان زابل",
    "c0033": "اشتغال ۲۵ هزار نفر در صنعت نساجی یزد",
    "c0034": "ممنوعیت روشن کردن آتش در پارک جنگلی ناهارخوران",
    "c0039": "مهار آتش‌سوزی جنگل‌های خاییز پس از ۳۰ ساعت",
    "c0040": "استقبال گردشگران از آبشار یاسوج و تنگ تامرادی",
    "c0043": "روایت تسهیلگران محله کانی‌کوزله سنندج",
    "c0044": "آغاز نمایشگاه بین‌المللی کتاب تهران",
    "c0045": "کشف بیش از یک تن مواد مخدر در محور خاش- زاهدان",
    "c0048": "آغاز برداشت مرکبات در مازندران",
    "c0049": "بهره‌برداری از سالن ورزشی محله امامزاده خوی",
    "c0053": "کارگاه‌های بادله‌دوزی زنان محلات قشم راه افتاد",
    "c0057": "۹۰۰ میلیارد ریال برای بازسازی آزادراه اهواز- بندر امام",
    "c0059": "جاده هراز امشب مسدود است",
    "c0065": "درخواست سالن ورزشی و کتابخانه در شورای محله شهرک بهاران بانه",
    "c0070": "مانور زلزله با حضور ۲۱۰ هزار دانش‌آموز قزوینی",
    "c0077": "اجرای طرح «باغچه محله» در محله بانکول ایلام",
}

# Syndicated stories: the base article plus copies on other outlets with small edits.
#   replace: (old, new) on the text (old must occur); drop: 0-based paragraph indexes to remove;
#   append: a paragraph added at the end; delay: minutes after the base article.
SYNDICATION = [
    {
        "group": "g1",
        "base": "a001",
        "copies": [
            {
                "host": "isna.demo",
                "title": "۱۱۰ محله آذربایجان شرقی در طرح ملی ۲۰۲۰ محله",
                "delay": 95,
                "replace": [("تبریز- ایرنا- ", "به گزارش ایسنا از تبریز، ")],
                "append": "انتهای پیام",
            },
            {
                "host": "tasnim.demo",
                "title": "۴۲ محله تبریز در فهرست محلات کم‌برخوردار",
                "delay": 170,
                "replace": [("تبریز- ایرنا- ", "به گزارش خبرنگار تسنیم از تبریز، ")],
                "drop": [3],
                "append": "انتهای پیام/",
            },
        ],
    },
    {
        "group": "g2",
        "base": "a022",
        "copies": [
            {
                "host": "irna.demo",
                "title": "۳۸ محله زنجان هدف طرح ملی ۲۰۲۰ محله شدند",
                "delay": 60,
                "replace": [("به گزارش ایسنا، ", "زنجان- ایرنا- ")],
                "drop": [6],
            },
            {
                "host": "mehr.demo",
                "title": "سهم زنجان از طرح ملی ۲۰۲۰ محله؛ ۳۸ محله",
                "delay": 240,
                "replace": [("به گزارش ایسنا، ", "به گزارش خبرگزاری مهر از زنجان، "), ("مهم ترین", "مهم‌ترین")],
            },
        ],
    },
    {
        "group": "g3",
        "base": "b001",
        "copies": [
            {
                "host": "mehr.demo",
                "title": "شمار محلات هدف فارس به ۱۲۰ محله رسید",
                "delay": 130,
                "replace": [("شیراز- ایرنا- ", "به گزارش خبرگزاری مهر از شیراز، ")],
                "drop": [5],
            },
        ],
    },
    {
        "group": "g4",
        "base": "a014",
        "copies": [
            {
                "host": "irna.demo",
                "title": "۲۴ محله خراسان جنوبی در اولویت طرح ملی ۲۰۲۰ محله",
                "delay": 45,
                "replace": [("به گزارش خبرگزاری تسنیم از بیرجند، ", "بیرجند- ایرنا- ")],
            },
            {
                "host": "farsnews.demo",
                "title": "۱۵۰۰ میلیارد ریال برای ۲۴ محله بیرجند و قائن",
                "delay": 300,
                "replace": [("به گزارش خبرگزاری تسنیم از بیرجند، ", "به گزارش خبرگزاری فارس از بیرجند، ")],
                "drop": [6],
            },
        ],
    },
    {
        "group": "g5",
        "base": "a011",
        "copies": [
            {
                "host": "iribnews.demo",
                "title": "انتخاب ۲۷ محله هدف در استان بوشهر",
                "delay": 75,
                "replace": [("به گزارش خبرگزاري مهر از بوشهر، ", "به گزارش خبرگزاری صداوسیما از بوشهر، ")],
                "drop": [4],
            },
        ],
    },
    {
        "group": "g6",
        "base": "b017",
        "copies": [
            {
                "host": "tasnim.demo",
                "title": "طرح کرامت در ۲۸ محله استان یزد اجرا می‌شود",
                "delay": 50,
                "replace": [("یزد- ایسنا- ", "یزد- تسنیم- ")],
                "append": "انتهای پیام/",
            },
            {
                "host": "yjc.demo",
                "title": "خدمت‌رسانی ۴۰ گروه جهادی در محلات یزد",
                "delay": 410,
                "replace": [("یزد- ایسنا- ", "به گزارش باشگاه خبرنگاران جوان از یزد، ")],
                "drop": [4],
            },
        ],
    },
    {
        "group": "g7",
        "base": "c0001",
        "copies": [
            {
                "host": "hamshahri.demo",
                "title": "خانه سلامت در حصیرآباد اهواز",
                "delay": 200,
                "replace": [("به گزارش ایسنا، ", "به گزارش همشهری آنلاین، ")],
            },
        ],
    },
]

# Edge cases
MOBILE_VARIANT = "a002"  # mehr.demo article also served at m.mehr.demo (linked from the Atom feed)
CP1256_ARTICLE = "b027"  # farsnews.demo page written in windows-1256
ROBOTS_ARTICLE = "c0045"  # tasnim.demo article under a path disallowed by tasnim.demo/robots.txt
MISSING_ARTICLE = "c0059"  # yjc.demo feed item whose page does not exist (404)
DUPLICATE_IN_FEED = ("tasnim.demo", "/rss/provinces.xml")
TRACKING_FEED = ("mehr.demo", "/rss/latest.xml")
TRACKING_QUERY = "utm_source=rss&utm_medium=feed"
BROKEN_FEED = ("iribnews.demo", "/rss/provinces.xml")
BROKEN_AFTER_ITEMS = 5  # complete <item>s before the cut
JALALI_FEED = ("farsnews.demo", "/rss/provinces.xml")

ROBOTS_TXT = {
    "tasnim.demo": (
        "# robots.txt for tasnim.demo (demo site)\n"
        "User-agent: *\n"
        "Disallow: /fa/search\n"
        "Disallow: /fa/print/\n"
        "Disallow: /fa/media/special/\n"
        "Allow: /fa/news/\n"
        "\n"
        "User-agent: BadBot\n"
        "Disallow: /\n"
    ),
}
ROBOTS_PREFIX = "/fa/media/special/"

# Feeds: (host, path, format, kind, title, filter). kind "latest" = newest items; "cover" = prefer items not
# in an earlier feed of the host (so every listed article is in at least one feed).
FEEDS = [
    ("irna.demo", "/rss/latest.xml", "rss2.0", "latest", "ایرنا - آخرین اخبار", None),
    ("irna.demo", "/rss/provinces/northwest.xml", "rss2.0", "cover", "ایرنا - " + REGIONS["nw"][1], "nw"),
    ("irna.demo", "/rss/provinces/central.xml", "rss2.0", "cover", "ایرنا - " + REGIONS["c"][1], "c"),
    ("irna.demo", "/rss/provinces/southeast.xml", "rss2.0", "cover", "ایرنا - " + REGIONS["se"][1], "se"),
    ("mehr.demo", "/rss/latest.xml", "rss2.0", "latest", "خبرگزاری مهر - آخرین اخبار", None),
    ("mehr.demo", "/atom/provinces.xml", "atom1.0", "cover", "خبرگزاری مهر - استان‌ها", None),
    ("isna.demo", "/rss/latest.xml", "rss2.0", "latest", "ایسنا - آخرین اخبار", None),
    ("isna.demo", "/rdf/provinces.rdf", "rss1.0-rdf", "cover", "ایسنا - اخبار استان‌ها", None),
    ("tasnim.demo", "/rss/latest.xml", "rss2.0", "latest", "تسنیم - آخرین اخبار", None),
    ("tasnim.demo", "/rss/provinces.xml", "rss2.0", "cover", "تسنیم - استان‌ها", None),
    ("iqna.demo", "/atom/latest.xml", "atom1.0", "latest", "ایکنا - آخرین اخبار", None),
    ("farsnews.demo", "/rss/provinces.xml", "rss2.0", "latest", "خبرگزاری فارس - استان‌ها", None),
    ("iribnews.demo", "/rss/latest.xml", "rss2.0", "latest", "خبرگزاری صداوسیما - آخرین اخبار", None),
    ("iribnews.demo", "/rss/provinces.xml", "rss2.0", "provinces8", "خبرگزاری صداوسیما - استان‌ها", None),
    ("yjc.demo", "/rss/latest.xml", "rss2.0", "latest", "باشگاه خبرنگاران جوان - آخرین اخبار", None),
    ("hamshahri.demo", "/rss/latest.xml", "rss2.0", "latest", "همشهری آنلاین - آخرین اخبار", None),
]
FEED_CAP = 15

COMMENTS = [  # boilerplate comments (written for this site)
    ("ناشناس", "امیدوارم این بار طرح‌ها فقط روی کاغذ نماند."),
    ("رضا", "در محله ما هنوز کوچه‌ها خاکی است؛ لطفاً پیگیری کنید."),
    ("مریم", "خبر خوبی است، ولی زمان‌بندی اجرا را هم اعلام کنید."),
    ("یک شهروند", "ممنون از خبرنگار محترم که به این موضوع پرداخت."),
    ("علی", "مسئولان یک بار هم بدون تشریفات به محله‌های حاشیه سر بزنند."),
    ("ناشناس", "کاش نظر خود اهالی را هم می‌پرسیدید."),
]

SERVICES = [
    ("politics", "سیاسی"),
    ("economy", "اقتصادی"),
    ("society", "اجتماعی"),
    ("culture", "فرهنگی"),
    ("sport", "ورزشی"),
    ("world", "بین‌الملل"),
    ("multimedia", "چندرسانه‌ای"),
]

TAG_RULES = [
    (r"(?:۲۰۲۰|2020|٢٠٢٠) محله", "طرح ملی ۲۰۲۰ محله"),
    (r"[کك]رامت", "طرح کرامت"),
    (r"بازآفرین", "بازآفرینی شهری"),
    (r"محله[‌ ]?محور", "مدیریت محله‌محور"),
    (r"تسه[یي]لگر", "دفاتر تسهیلگری"),
    (r"[کك]م[‌ ]?برخوردار", "محلات کم‌برخوردار"),
    (r"س[کك]ونتگاه", "سکونتگاه غیررسمی"),
]

# --------------------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------------------


def fa(s: object) -> str:
    return str(s).translate(FA_DIGITS)


def h(key: str) -> int:
    return int(hashlib.sha1(key.encode("utf-8")).hexdigest()[:8], 16)


def g2j(gy: int, gm: int, gd: int) -> tuple[int, int, int]:
    """Gregorian -> Jalali (arithmetic algorithm, valid for 1900-2100)."""
    g_d_m = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334]
    gy2 = gy + 1 if gm > 2 else gy
    days = 355666 + 365 * gy + (gy2 + 3) // 4 - (gy2 + 99) // 100 + (gy2 + 399) // 400 + gd + g_d_m[gm - 1]
    jy = -1595 + 33 * (days // 12053)
    days %= 12053
    jy += 4 * (days // 1461)
    days %= 1461
    if days > 365:
        jy += (days - 1) // 365
        days = (days - 1) % 365
    if days < 186:
        jm, jd = 1 + days // 31, 1 + days % 31
    else:
        jm, jd = 7 + (days - 186) // 30, 1 + (days - 186) % 30
    return jy, jm, jd


def jalali(d: dt.datetime) -> tuple[int, int, int]:
    return g2j(d.year, d.month, d.day)


def jalali_long(d: dt.datetime) -> str:  # «۲۰ خرداد ۱۴۰۴»
    jy, jm, jd = jalali(d)
    return f"{fa(jd)} {MONTHS_FA[jm - 1]} {fa(jy)}"


def jalali_numeric(d: dt.datetime) -> str:  # «۱۴۰۴/۰۳/۲۰»
    jy, jm, jd = jalali(d)
    return fa(f"{jy}/{jm:02d}/{jd:02d}")


def hhmm(d: dt.datetime) -> str:
    return fa(f"{d.hour:02d}:{d.minute:02d}")


def weekday_fa(d: dt.datetime) -> str:
    return WEEKDAYS_FA[d.weekday()]


def rfc822(d: dt.datetime) -> str:
    return email.utils.format_datetime(d)


def iso(d: dt.datetime) -> str:
    return d.isoformat()


def esc(s: str) -> str:
    return html.escape(s, quote=False)


def attr(s: str) -> str:
    return html.escape(s, quote=True)


def paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


_DATELINE_AGENCY = re.compile(
    r"^[^\s\-،]+(?: [^\s\-،]+)?- (?:ایرنا|ايرنا|ایسنا|ايسنا|تسنیم|تسنيم|ایکنا|ايكنا|خبرنگار [^\s-]+)- "
)
_ATTRIBUTION = re.compile(r"^به گزارش [^،]{1,60}، ")
_DATELINE_CITY = re.compile(r"^[^\s\-،]+(?: [^\s\-،]+)?- ")
_SENTENCE = re.compile(r"^(.+?[.!؟])(?:\s|$)")


def lead_of(text: str) -> str:
    """The summary shown above the body and in feeds: the first sentence without dateline/attribution."""
    first = paragraphs(text)[0]
    m = _SENTENCE.match(first)
    s = m.group(1) if m else first
    for rx in (_DATELINE_AGENCY, _ATTRIBUTION, _DATELINE_CITY):
        s2 = rx.sub("", s, count=1)
        if s2 != s:
            s = s2
            break
    return s.strip()


def slugify(title: str) -> str:
    s = re.sub(r"[^\w‌]+", " ", title)  # keeps letters, digits, underscore and ZWNJ
    return "-".join(s.split())


def cp1256_safe(s: str) -> str:
    """What an old windows-1256 CMS would have stored: Arabic yeh, ASCII digits."""
    s = s.replace("ی", "ي").replace("٫", ".").replace("٬", ",").replace("\u0654", "")  # no hamza-above
    return s.translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789"))


# --------------------------------------------------------------------------------------------------------------
# Articles
# --------------------------------------------------------------------------------------------------------------


@dataclass
class Article:
    key: str  # "<host>:<numeric id>" once assigned; before that the story id
    story: str  # source story id (a001, c0001, ...)
    host: str
    title: str
    text: str
    province: str | None
    published: dt.datetime
    source: dict
    status: int | str = 200
    group: str | None = None
    derived: dict | None = None
    variant_of: str | None = None
    encoding: str = "utf-8"
    num_id: int = 0
    path: str = ""  # decoded URL path
    url: str = ""  # canonical URL (percent-encoded)
    file: str = ""  # relative to demo_site
    layout: str = ""
    in_feeds: list = field(default_factory=list)
    text_transform: str | None = None

    @property
    def lead(self) -> str:
        return lead_of(self.text)

    @property
    def paras(self) -> list[str]:
        return paragraphs(self.text)

    @property
    def on_disk(self) -> bool:
        return self.status != 404


def publish_time(day: dt.date, key: str) -> dt.datetime:
    minutes = 7 * 60 + h("time:" + key) % (14 * 60)  # 07:00 .. 20:59 Tehran time
    return dt.datetime(day.year, day.month, day.day, minutes // 60, minutes % 60, tzinfo=TEHRAN)


def load_stories() -> dict[str, dict]:
    stories: dict[str, dict] = {}
    for part in ("part_a", "part_b"):
        base = ROOT / "corpus" / "gold" / part
        with open(base / "gold.jsonl", encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                text = (base / rec["file"]).read_text(encoding="utf-8")
                stories[rec["id"]] = {
                    "id": rec["id"],
                    "text": text,
                    "province": rec.get("province"),
                    "published": dt.date.fromisoformat(rec["published"]),
                    "host": SOURCE_HOST[rec["source"]],
                    "source": {"corpus": f"gold/{part}", "file": f"corpus/gold/{part}/{rec['file']}", "id": rec["id"]},
                }
    wanted = {cid: host for host, ids in CLASSIFIER_PICKS.items() for cid in ids}
    with open(ROOT / "corpus" / "classifier" / "articles.jsonl", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            if rec["id"] not in wanted:
                continue
            n = int(rec["id"][1:])
            day = dt.date(2024, 4, 1) + dt.timedelta(days=(n * 97) % 900)
            stories[rec["id"]] = {
                "id": rec["id"],
                "text": rec["text"],
                "province": rec.get("province"),
                "published": day,
                "host": wanted[rec["id"]],
                "source": {"corpus": "classifier", "file": "corpus/classifier/articles.jsonl", "id": rec["id"]},
            }
    missing = set(wanted) - set(stories)
    assert not missing, missing
    return stories


def make_articles(stories: dict[str, dict]) -> list[Article]:
    arts: list[Article] = []
    by_story: dict[str, Article] = {}
    for sid in sorted(stories):
        st = stories[sid]
        a = Article(
            key=sid,
            story=sid,
            host=st["host"],
            title=TITLES[sid],
            text=st["text"],
            province=st["province"],
            published=publish_time(st["published"], sid),
            source=st["source"],
        )
        if sid == MISSING_ARTICLE:
            a.status = 404
        if sid == ROBOTS_ARTICLE:
            a.status = "robots-disallowed"
        if sid == CP1256_ARTICLE:
            a.encoding = "windows-1256"
        arts.append(a)
        by_story[sid] = a
    for grp in SYNDICATION:
        base = by_story[grp["base"]]
        base.group = grp["group"]
        for cp in grp["copies"]:
            text = base.text
            edits = []
            for old, new in cp.get("replace", []):
                assert old in text, (grp["group"], old)
                text = text.replace(old, new, 1)
                edits.append({"replace": [old, new]})
            pars = paragraphs(text)
            for i in sorted(cp.get("drop", []), reverse=True):
                edits.append({"drop_paragraph": i, "text": pars[i]})
                del pars[i]
            if cp.get("append"):
                pars.append(cp["append"])
                edits.append({"append_paragraph": cp["append"]})
            arts.append(
                Article(
                    key=f"{base.story}@{cp['host']}",
                    story=base.story,
                    host=cp["host"],
                    title=cp["title"],
                    text="\n".join(pars),
                    province=base.province,
                    published=base.published + dt.timedelta(minutes=cp["delay"]),
                    source=base.source,
                    group=grp["group"],
                    derived={"from_story": base.story, "edits": edits},
                )
            )
    return arts


def article_path(a: Article, seq: int) -> str:
    o = OUTLET[a.host]
    jy, jm, jd = jalali(a.published)
    num = o.id_base + seq
    a.num_id = num
    if a.status == "robots-disallowed":
        return f"{ROBOTS_PREFIX}{jy}/{jm:02d}/{jd:02d}/{num}"
    if o.url_kind == "irna":
        return f"/news/{num}/{slugify(a.title)}"
    if o.url_kind == "plain":
        return f"/news/{num}"
    if o.url_kind == "plain-fa":
        return f"/fa/news/{num}"
    if o.url_kind == "isna":
        a.num_id = int(f"{jy}{jm:02d}{jd:02d}{num:05d}")
        return f"/news/{a.num_id}"
    if o.url_kind == "tasnim":
        return f"/fa/news/{jy}/{jm:02d}/{jd:02d}/{num}"
    if o.url_kind == "fars":
        a.num_id = int(f"{jy}{jm:02d}{jd:02d}{num:06d}")
        return f"/news/{a.num_id}"
    raise ValueError(o.url_kind)


def url_of(host: str, path: str) -> str:
    return f"https://{host}{urllib.parse.quote(path, safe='/-_.~')}"


def file_of(host: str, path: str) -> str:
    if path.endswith("/"):
        return f"{host}{path}index.html"
    if "." not in path.rsplit("/", 1)[-1]:
        return f"{host}{path}/index.html"
    return f"{host}{path}"


def assign_urls(arts: list[Article]) -> None:
    for host in OUTLET:
        mine = sorted((a for a in arts if a.host == host), key=lambda a: (a.published, a.key))
        for seq, a in enumerate(mine, start=1):
            a.layout = OUTLET[host].layout
            a.path = article_path(a, seq)
            a.url = url_of(host, a.path)
            a.file = file_of(host, a.path)
            a.key = f"{host}:{a.num_id}"


def newest_first(arts: list[Article]) -> list[Article]:
    return sorted(arts, key=lambda a: (a.published, a.key), reverse=True)


def tags_of(a: Article) -> list[str]:
    tags = [a.province] if a.province else []
    for rx, tag in TAG_RULES:
        if re.search(rx, a.text) and tag not in tags:
            tags.append(tag)
    if len(tags) < 2:
        tags.append("اخبار استان‌ها")
    return tags[:6]


def related_of(a: Article, pool: list[Article], n: int = 5) -> list[Article]:
    others = [b for b in pool if b.host == a.host and b.key != a.key and b.on_disk]

    def rank(b: Article) -> tuple:
        return (0 if b.province == a.province else 1, abs((b.published - a.published).total_seconds()), b.key)

    return sorted(others, key=rank)[:n]


def popular_of(host: str, pool: list[Article], n: int = 5) -> list[Article]:
    mine = [b for b in pool if b.host == host and b.on_disk]
    return sorted(mine, key=lambda b: (h("pop:" + b.key), b.key))[:n]


def image_of(a: Article) -> str:
    o = OUTLET[a.host]
    y, m, d = a.published.year, f"{a.published.month:02d}", f"{a.published.day:02d}"
    return o.image_pattern.format(host=a.host, id=a.num_id, y=y, m=m, d=d)


# --------------------------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------------------------


def feed_links(host: str) -> str:
    out = []
    for fhost, path, fmt, _, title, _ in FEEDS:
        if fhost == host:
            typ = {
                "rss2.0": "application/rss+xml",
                "atom1.0": "application/atom+xml",
                "rss1.0-rdf": "application/rdf+xml",
            }[fmt]
            out.append(f'<link rel="alternate" type="{typ}" title="{attr(title)}" href="{path}">')
    return "\n".join(out)


def province_href(host: str, province: str | None) -> str:
    if province is None:
        return "/service/society" if OUTLET[host].layout == "A" else "/fa/service/society"
    return OUTLET[host].province_path.format(code=PROVINCE_CODE[province])


def province_menu(host: str) -> str:
    return "\n".join(f'<li><a href="{province_href(host, name)}">{esc(name)}</a></li>' for name, _, _ in PROVINCES)


def service_menu(prefix: str) -> str:
    return "\n".join(f'<li><a href="{prefix}/{code}">{esc(name)}</a></li>' for code, name in SERVICES)


def share_links(a: Article) -> list[tuple[str, str, str]]:
    u = urllib.parse.quote(a.url, safe="")
    t = urllib.parse.quote(a.title, safe="")
    return [
        ("telegram", "تلگرام", f"https://t.me/share/url?url={u}&text={t}"),
        ("whatsapp", "واتس‌اپ", f"https://wa.me/?text={u}"),
        ("x", "ایکس", f"https://x.com/intent/tweet?url={u}&text={t}"),
        ("eitaa", "ایتا", f"https://eitaa.com/share/url?url={u}"),
        ("bale", "بله", f"https://ble.ir/share/url?url={u}"),
    ]


def comments_of(a: Article) -> list[tuple[str, str, str]]:
    k = h("comments:" + a.key)
    n = k % 3  # 0..2 published comments
    out = []
    for i in range(n):
        who, body = COMMENTS[(k >> (4 + i * 3)) % len(COMMENTS)]
        when = a.published + dt.timedelta(hours=2 + i * 5, minutes=(k >> 10) % 50)
        out.append((who, body, f"{jalali_long(when)} - {hhmm(when)}"))
    return out


def json_ld(a: Article) -> str:
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": a.title,
        "description": a.lead,
        "datePublished": iso(a.published),
        "dateModified": iso(a.published),
        "mainEntityOfPage": a.url,
        "image": [image_of(a)],
        "inLanguage": "fa-IR",
        "publisher": {
            "@type": "Organization",
            "name": OUTLET[a.host].name,
            "logo": {"@type": "ImageObject", "url": f"https://{a.host}/resources/theme/images/logo.png"},
        },
    }
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


def body_html(a: Article, p_attrs: str = "") -> str:
    return "\n".join(f"<p{p_attrs}>{esc(p)}</p>" for p in a.paras)


def common_head(
    title: str, host: str, *, description: str, canonical: str, charset: str = "utf-8", extra: str = ""
) -> str:
    meta_charset = f'<meta charset="{charset}">'
    if charset != "utf-8":
        meta_charset += f'\n<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
    return f"""<!DOCTYPE html>
<html lang="fa" dir="rtl">
<head>
{meta_charset}
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>
<meta name="description" content="{attr(description)}">
<link rel="canonical" href="{attr(canonical)}">
{feed_links(host)}
<link rel="icon" href="/favicon.ico">
{extra}
</head>"""


def article_meta(a: Article, published_meta: bool = True) -> str:
    o = OUTLET[a.host]
    parts = [
        f'<meta name="keywords" content="{attr("، ".join(tags_of(a)))}">',
        f'<meta property="og:site_name" content="{attr(o.name)}">',
        '<meta property="og:type" content="article">',
        f'<meta property="og:title" content="{attr(a.title)}">',
        f'<meta property="og:description" content="{attr(a.lead)}">',
        f'<meta property="og:url" content="{attr(a.url)}">',
        f'<meta property="og:image" content="{attr(image_of(a))}">',
        '<meta name="twitter:card" content="summary_large_image">',
    ]
    if published_meta:
        parts.append(f'<meta property="article:published_time" content="{iso(a.published)}">')
        parts.append(f'<script type="application/ld+json">{json_ld(a)}</script>')
    return "\n".join(parts)


def disclaimer() -> str:
    return (
        "این تارنما نسخهٔ نمایشی و ساختگی برای آزمون خزندهٔ اخبار است؛ نشانی‌ها، نام‌ها و مطالب آن به هیچ "
        "رسانهٔ واقعی تعلق ندارد."
    )


# ---- Layout A: div.item-body > div.item-text -------------------------------------------------------------------


def chrome_a(host: str, head: str, main: str, side: str, day: dt.datetime, ticker: Article | None) -> str:
    o = OUTLET[host]
    ticker_html = (
        (
            f'<div class="ticker"><div class="container"><span class="ticker-label">تیتر یک:</span> '
            f'<a href="{attr(ticker.url)}">{esc(ticker.title)}</a></div></div>'
        )
        if ticker
        else ""
    )
    return f"""{head}
<body class="rtl news-page">
<div id="top-bar" class="top-bar"><div class="container">
<span class="today">{weekday_fa(day)} {jalali_long(day)}</span>
<ul class="top-links"><li><a href="/page/about">درباره ما</a></li><li><a href="/page/contact">تماس با ما</a></li><li><a href="/page/rss">آر‌اس‌اس</a></li><li><a href="/page/archive">آرشیو</a></li></ul>
</div></div>
<header id="header" class="header"><div class="container">
<a class="logo" href="/"><img src="/resources/theme/images/logo.png" alt="{attr(o.name)}"><span class="logo-text">{esc(o.short)}</span></a>
<form class="search-form" action="/search" method="get"><input type="search" name="query" placeholder="جستجو..."><button type="submit">جستجو</button></form>
</div></header>
<nav id="main-menu" class="main-menu"><div class="container"><ul class="menu">
<li><a href="/">صفحه نخست</a></li>
{service_menu("/service")}
<li class="has-sub"><a href="/service/provinces">استان‌ها</a><ul class="sub-menu">
{province_menu(host)}
</ul></li>
</ul></div></nav>
{ticker_html}
<main id="content" class="container"><div class="row">
<div class="col-md-8 col-main">
{main}
</div>
<aside class="col-md-4 col-side">
{side}
</aside>
</div></main>
<footer id="footer" class="footer"><div class="container">
<ul class="footer-links"><li><a href="/page/about">درباره ما</a></li><li><a href="/page/contact">تماس با ما</a></li><li><a href="/page/ads">تبلیغات</a></li><li><a href="/page/rss">خبرخوان</a></li></ul>
<p class="about">{esc(o.about)}</p>
<p class="disclaimer">{esc(disclaimer())}</p>
<p class="copyright">© {fa(1405)} - تمامی حقوق این تارنما برای {esc(o.short)} محفوظ است. استفاده از مطالب با ذکر منبع بلامانع است.</p>
</div></footer>
<script src="/resources/theme/js/jquery.min.js"></script>
<script src="/resources/theme/js/main.js?v=5.2.3"></script>
<script>window.dataLayer = window.dataLayer || []; dataLayer.push({{"page": "news"}});</script>
</body>
</html>
"""


def side_list(title: str, items: list[Article], cls: str, ordered: bool = False) -> str:
    tag = "ol" if ordered else "ul"
    lis = "\n".join(
        f'<li><a href="{attr(b.url)}">{esc(b.title)}</a> <span class="date">{jalali_long(b.published)}</span></li>'
        for b in items
    )
    return f'<section class="box {cls}"><div class="box-header"><h2>{esc(title)}</h2></div><{tag}>\n{lis}\n</{tag}></section>'


def render_a(a: Article, pool: list[Article]) -> str:
    o = OUTLET[a.host]
    crumbs_prov = (
        f'<li itemprop="itemListElement"><a href="{province_href(a.host, a.province)}">{esc(a.province)}</a></li>'
        if a.province
        else '<li itemprop="itemListElement"><a href="/service/society">اجتماعی</a></li>'
    )
    tags = "\n".join(f'<li><a href="/tag/{urllib.parse.quote(t)}">{esc(t)}</a></li>' for t in tags_of(a))
    shares = "\n".join(
        f'<li class="{c}"><a href="{attr(u)}" target="_blank" rel="nofollow" title="{attr(n)}">{esc(n)}</a></li>'
        for c, n, u in share_links(a)
    )
    coms = comments_of(a)
    coms_html = (
        "\n".join(
            f'<li class="comment"><div class="comment-header"><span class="name">{esc(w)}</span> '
            f'<span class="date">{esc(d)}</span></div><p class="comment-body">{esc(b)}</p></li>'
            for w, b, d in coms
        )
        if coms
        else '<li class="empty">هنوز نظری ثبت نشده است.</li>'
    )
    main = f"""<ol class="breadcrumb" itemscope itemtype="https://schema.org/BreadcrumbList">
<li itemprop="itemListElement"><a href="/">صفحه نخست</a></li>
<li itemprop="itemListElement"><a href="/service/provinces">استان‌ها</a></li>
{crumbs_prov}
</ol>
<article id="item" class="item-news full-news" itemscope itemtype="https://schema.org/NewsArticle">
<div class="item-header">
<div class="item-nav row"><div class="item-date"><span class="icon-calendar"></span> {jalali_long(a.published)}، {hhmm(a.published)}</div>
<div class="item-code"><span>کد خبر:</span> <span>{a.num_id}</span></div></div>
<h1 class="title" itemprop="headline"><a href="{attr(a.url)}">{esc(a.title)}</a></h1>
<p class="summary introtext" itemprop="description">{esc(a.lead)}</p>
</div>
<figure class="item-img"><img src="{attr(image_of(a))}" alt="{attr(a.title)}" itemprop="image"><figcaption>عکس: {esc(o.short)} - آرشیو</figcaption></figure>
<div class="item-body">
<div class="item-text" itemprop="articleBody">
{body_html(a)}
</div>
</div>
<section class="box tags"><div class="box-header"><h2>برچسب‌ها</h2></div><ul>
{tags}
</ul></section>
<div class="item-footer row">
<div class="short-link"><label for="short-url">لینک کوتاه</label><input id="short-url" type="text" readonly value="https://{a.host}/x{h("short:" + a.key) % 46656:04x}"></div>
<div class="share"><ul>
{shares}
<li class="print"><a href="/print/{a.num_id}" rel="nofollow">چاپ</a></li>
</ul></div>
</div>
</article>
<section class="box comments" id="comments">
<div class="box-header"><h2>نظرات</h2></div>
<ul class="comments-list">
{coms_html}
</ul>
<form class="comment-form" method="post" action="/comment/{a.num_id}">
<p class="comment-note">نظرات حاوی توهین، افترا یا به زبانی غیر از فارسی منتشر نمی‌شود.</p>
<input name="name" placeholder="نام"><input name="email" type="email" placeholder="ایمیل (منتشر نمی‌شود)">
<textarea name="body" rows="5" placeholder="نظر شما"></textarea>
<button type="submit">ارسال نظر</button>
</form>
</section>"""
    side = "\n".join(
        [
            side_list("اخبار مرتبط", related_of(a, pool), "related"),
            f'<div class="ad-box"><a href="https://ads.demo/c?z={h("ad:" + a.key) % 97}" rel="nofollow sponsored"><img src="/resources/ads/banner-300x250.jpg" alt="تبلیغات"></a></div>',
            side_list("پربازدیدترین", popular_of(a.host, pool), "most-visited", ordered=True),
        ]
    )
    head = common_head(
        f"{a.title} - {o.short}",
        a.host,
        description=a.lead,
        canonical=a.url,
        extra=article_meta(a) + '\n<link rel="stylesheet" href="/resources/theme/css/style.css?v=5.2.3">',
    )
    pop = popular_of(a.host, pool, 1)
    return chrome_a(a.host, head, main, side, a.published, pop[0] if pop else None)


def render_a_mobile(a: Article, pool: list[Article], mobile_url: str) -> str:
    o = OUTLET[a.host]
    rel = "\n".join(
        f'<li><a href="{attr(b.url.replace("https://mehr.demo/", "https://m.mehr.demo/"))}">{esc(b.title)}</a></li>'
        for b in related_of(a, pool, 4)
    )
    shares = "\n".join(
        f'<a class="share-{c}" href="{attr(u)}" rel="nofollow">{esc(n)}</a>' for c, n, u in share_links(a)
    )
    head = common_head(
        f"{a.title} - {o.short}",
        MOBILE_HOST,
        description=a.lead,
        canonical=a.url,
        extra='<link rel="stylesheet" href="/resources/m/css/mobile.css?v=2">',
    )
    return f"""{head}
<body class="mobile">
<header class="m-header"><button class="menu-toggle" type="button" aria-label="منو">☰</button>
<a class="logo" href="/">{esc(o.short)}</a><a class="search" href="/search">جستجو</a></header>
<nav class="m-drawer" hidden><ul>
<li><a href="/">صفحه نخست</a></li>
{province_menu(a.host)}
</ul></nav>
<main class="m-main">
<article class="item-news">
<div class="item-date"><time datetime="{iso(a.published)}">{jalali_long(a.published)} - {hhmm(a.published)}</time></div>
<h1 class="title">{esc(a.title)}</h1>
<p class="summary">{esc(a.lead)}</p>
<img class="item-img" src="{attr(image_of(a))}" alt="">
<div class="item-body"><div class="item-text">
{body_html(a)}
</div></div>
<div class="share">{shares}</div>
</article>
<section class="related"><h2>اخبار مرتبط</h2><ul>
{rel}
</ul></section>
<p class="desktop-version"><a href="{attr(a.url)}">مشاهده نسخه کامل سایت</a></p>
</main>
<footer class="m-footer"><p>{esc(disclaimer())}</p><p>© {fa(1405)} {esc(o.short)}</p></footer>
<script src="/resources/m/js/mobile.js"></script>
</body>
</html>
"""


# ---- Layout B: div#echo-detail > div.body ---------------------------------------------------------------------


def chrome_b(host: str, head: str, main: str, side: str, day: dt.datetime) -> str:
    o = OUTLET[host]
    return f"""{head}
<body>
<div id="wrapper">
<div id="header">
<div class="logo"><a href="/"><img src="/images/logo.gif" alt="{attr(o.name)}" width="260" height="70"></a></div>
<div class="header-date">{weekday_fa(day)} {jalali_long(day)}</div>
<div class="header-search"><form action="/fa/search" method="get"><input type="text" name="q" value="" title="جستجو"><input type="submit" value="جستجو"></form></div>
</div>
<div id="menu"><ul id="nav">
<li><a href="/">صفحه اصلی</a></li>
{service_menu("/fa/service")}
<li class="sub"><a href="/fa/provinces">استان‌ها</a><ul>
{province_menu(host)}
</ul></li>
<li><a href="/fa/archive">آرشیو</a></li>
</ul></div>
<div id="content" class="clearfix">
<div id="right-col">
{main}
</div>
<div id="left-col">
{side}
</div>
</div>
<div id="footer">
<div class="footer-menu"><a href="/fa/about">درباره ما</a> | <a href="/fa/contact">تماس با ما</a> | <a href="/fa/rss">آر‌اس‌اس</a> | <a href="/fa/archive">آرشیو</a></div>
<div class="about">{esc(o.about)}</div>
<div class="disclaimer">{esc(disclaimer())}</div>
<div class="copyright">کلیه حقوق این سایت متعلق به {esc(o.short)} است. © {fa(1405)}</div>
</div>
</div>
<script type="text/javascript" src="/js/common.js"></script>
<script type="text/javascript">var pageTracker = {{"id": "UA-000000-1"}};</script>
</body>
</html>
"""


def side_box_b(title: str, items: list[Article]) -> str:
    lis = "\n".join(f'<li><a href="{attr(b.url)}">{esc(b.title)}</a></li>' for b in items)
    return f'<div class="side-box"><div class="side-title">{esc(title)}</div><ul>\n{lis}\n</ul></div>'


def render_b(a: Article, pool: list[Article]) -> str:
    o = OUTLET[a.host]
    prov = (
        f'<a href="{province_href(a.host, a.province)}">{esc(a.province)}</a>'
        if a.province
        else '<a href="/fa/service/society">اجتماعی</a>'
    )
    tags = "، ".join(f'<a href="/fa/tag/{urllib.parse.quote(t)}">{esc(t)}</a>' for t in tags_of(a))
    shares = " ".join(
        f'<a class="{c}" href="{attr(u)}" rel="nofollow" target="_blank">{esc(n)}</a>' for c, n, u in share_links(a)
    )
    coms = comments_of(a)
    coms_html = "\n".join(
        f'<div class="cm"><div class="cm-head"><b>{esc(w)}</b> - {esc(d)}</div><div class="cm-text">{esc(b)}</div></div>'
        for w, b, d in coms
    )
    main = f"""<div id="echo-detail">
<div class="path"><a href="/">صفحه اصلی</a> » <a href="/fa/provinces">استان‌ها</a> » {prov}</div>
<div class="news-info"><span class="date">{weekday_fa(a.published)} / {jalali_long(a.published)} / {hhmm(a.published)}</span>
<span class="news-id">کد خبر: {a.num_id}</span> <span class="service">سرویس: استان‌ها</span></div>
<div class="rutitr">{esc(a.province or "اجتماعی")}</div>
<h1 class="first-title">{esc(a.title)}</h1>
<div class="lead">{esc(a.lead)}</div>
<div class="image"><img src="{attr(image_of(a))}" alt="{attr(a.title)}" width="460"></div>
<div class="body">
{body_html(a, ' style="text-align: justify;"')}
</div>
<div class="news-tags"><b>کلیدواژه‌ها:</b> {tags}</div>
<div class="share-box">اشتراک‌گذاری: {shares}</div>
<div class="print-send"><a href="/fa/print/{a.num_id}" rel="nofollow">نسخه چاپی</a> | <a href="/fa/send/{a.num_id}" rel="nofollow">ارسال به دوستان</a></div>
</div>
<div id="comment-box">
<div class="cm-title">نظرات خوانندگان ({fa(len(coms))})</div>
{coms_html}
<form method="post" action="/fa/comment/{a.num_id}" class="cm-form">
<div>نام: <input type="text" name="name"></div><div>پست الکترونیک: <input type="text" name="mail"></div>
<div><textarea name="text" cols="50" rows="6"></textarea></div>
<div class="cm-rules">نظرات پس از تأیید منتشر می‌شود.</div><input type="submit" value="ارسال">
</form>
</div>"""
    side = "\n".join(
        [
            side_box_b("اخبار مرتبط", related_of(a, pool)),
            '<div class="adv"><a href="https://ads.demo/c?z=b" rel="nofollow"><img src="/images/adv/120x240.gif" alt="آگهی"></a></div>',
            side_box_b("پربیننده‌ترین‌ها", popular_of(a.host, pool)),
        ]
    )
    charset = "windows-1256" if a.encoding == "windows-1256" else "utf-8"
    head = common_head(
        f"{o.short} - {a.title}",
        a.host,
        description=a.lead,
        canonical=a.url,
        charset=charset,
        extra=article_meta(a, published_meta=False) + '\n<link rel="stylesheet" type="text/css" href="/css/style.css">',
    )
    return chrome_b(a.host, head, main, side, a.published)


# ---- Layout C: article .news-text ------------------------------------------------------------------------------


def chrome_c(host: str, head: str, main: str, side: str, day: dt.datetime) -> str:
    o = OUTLET[host]
    return f"""{head}
<body class="page-news">
<a class="skip-link" href="#main">رفتن به محتوای اصلی</a>
<header class="site-header">
<div class="header-top container"><div class="brand"><a href="/"><img src="/static/img/logo.svg" alt="{attr(o.name)}"></a></div>
<div class="header-date"><span>{weekday_fa(day)}</span> <span>{jalali_numeric(day)}</span></div>
<form class="search" role="search" action="/fa/search"><input type="search" name="q" aria-label="جستجو"><button>جستجو</button></form></div>
<nav class="navbar" aria-label="منوی اصلی"><ul class="nav container">
<li><a href="/">خانه</a></li>
{service_menu("/fa/service")}
<li class="dropdown"><a href="/fa/service/provinces">استان‌ها</a><ul class="dropdown-menu">
{province_menu(host)}
</ul></li>
</ul></nav>
</header>
<main id="main" class="site-main"><div class="container grid">
<div class="content-col">
{main}
</div>
<aside class="sidebar">
{side}
</aside>
</div></main>
<footer class="site-footer"><div class="container">
<nav class="footer-nav"><a href="/fa/about">درباره ما</a><a href="/fa/contact">ارتباط با ما</a><a href="/fa/rss">خوراک‌ها</a></nav>
<p>{esc(o.about)}</p>
<p class="disclaimer">{esc(disclaimer())}</p>
<p class="copy">© {fa(1405)} {esc(o.short)}</p>
</div></footer>
<script src="/static/js/app.js" defer></script>
</body>
</html>
"""


def widget_c(title: str, items: list[Article], cls: str) -> str:
    lis = "\n".join(
        f'<li><a href="{attr(b.url)}"><span class="w-title">{esc(b.title)}</span></a>'
        f'<time datetime="{iso(b.published)}">{jalali_numeric(b.published)}</time></li>'
        for b in items
    )
    return f'<section class="widget {cls}"><h3 class="widget-title">{esc(title)}</h3><ul>\n{lis}\n</ul></section>'


def render_c(a: Article, pool: list[Article]) -> str:
    o = OUTLET[a.host]
    crumbs = (
        f'<li><a href="{province_href(a.host, a.province)}">{esc(a.province)}</a></li>'
        if a.province
        else '<li><a href="/fa/service/society">اجتماعی</a></li>'
    )
    tags = " ".join(
        f'<a class="tag" rel="tag" href="/fa/tags/{urllib.parse.quote(t)}">{esc(t)}</a>' for t in tags_of(a)
    )
    shares = "".join(
        f'<li><a class="btn-{c}" href="{attr(u)}" rel="nofollow noopener" target="_blank">{esc(n)}</a></li>'
        for c, n, u in share_links(a)
    )
    coms = comments_of(a)
    coms_html = "\n".join(
        f"<li><strong>{esc(w)}</strong> <small>{esc(d)}</small><p>{esc(b)}</p></li>" for w, b, d in coms
    )
    main = f"""<nav aria-label="breadcrumb"><ol class="breadcrumb">
<li><a href="/">خانه</a></li><li><a href="/fa/service/provinces">استان‌ها</a></li>{crumbs}
</ol></nav>
<article class="news" itemscope itemtype="https://schema.org/NewsArticle">
<header class="news-header">
<div class="news-meta"><time datetime="{iso(a.published)}" itemprop="datePublished">تاریخ انتشار: {hhmm(a.published)} - {jalali_numeric(a.published)}</time>
<span class="news-code">کد مطلب: {a.num_id}</span></div>
<h4 class="pretitle">{esc(a.province or "اجتماعی")}</h4>
<h1 class="news-title" itemprop="headline">{esc(a.title)}</h1>
<p class="news-lead" itemprop="description">{esc(a.lead)}</p>
</header>
<figure class="news-image"><img src="{attr(image_of(a))}" alt="{attr(a.title)}" loading="lazy"></figure>
<div class="news-text" itemprop="articleBody">
{body_html(a)}
</div>
<footer class="news-footer">
<div class="news-tags">{tags}</div>
<ul class="news-share">{shares}</ul>
</footer>
</article>
<section class="comments" id="comments"><h2>دیدگاه‌ها</h2>
<ul class="comment-list">
{coms_html}
</ul>
<form class="comment-form" action="/fa/comment/{a.num_id}" method="post"><label>نام <input name="name"></label>
<label>دیدگاه <textarea name="comment"></textarea></label><button type="submit">ثبت دیدگاه</button></form>
</section>"""
    side = "\n".join(
        [
            widget_c("اخبار مرتبط", related_of(a, pool), "related-news"),
            widget_c("پربازدیدها", popular_of(a.host, pool), "popular"),
        ]
    )
    head = common_head(
        f"{a.title} | {o.short}",
        a.host,
        description=a.lead,
        canonical=a.url,
        extra=article_meta(a) + '\n<link rel="stylesheet" href="/static/css/app.css">',
    )
    return chrome_c(a.host, head, main, side, a.published)


# ---- Layout D: div.story ----------------------------------------------------------------------------------------


def chrome_d(host: str, head: str, main: str, side: str, day: dt.datetime) -> str:
    o = OUTLET[host]
    return f"""{head}
<body>
<header id="header">
<div class="container">
<div class="top-header"><a class="logo" href="/"><img src="/Content/images/logo.png" alt="{attr(o.name)}"></a>
<span class="date-today">{weekday_fa(day)}، {jalali_long(day)}</span>
<a class="btn-live" href="/fa/live">پخش زنده</a></div>
<nav class="navbar-main"><ul class="nav-list">
<li><a href="/">صفحه اول</a></li>
{service_menu("/fa/service")}
<li class="mega"><a href="/fa/provinces">استان‌ها</a><div class="mega-menu"><ul>
{province_menu(host)}
</ul></div></li>
</ul></nav>
</div>
</header>
<div class="container"><div class="row">
<div class="col-main">
{main}
</div>
<aside class="col-side">
{side}
</aside>
</div></div>
<footer class="main-footer"><div class="container">
<ul class="footer-nav"><li><a href="/fa/about">درباره ما</a></li><li><a href="/fa/contact">تماس با ما</a></li><li><a href="/fa/rss">آر‌اس‌اس</a></li></ul>
<p>{esc(o.about)}</p>
<p class="disclaimer">{esc(disclaimer())}</p>
<p class="copyright">© {fa(1405)} {esc(o.short)} - کلیه حقوق محفوظ است.</p>
</div></footer>
<script src="/Scripts/bundle.js"></script>
</body>
</html>
"""


def render_d(a: Article, pool: list[Article]) -> str:
    o = OUTLET[a.host]
    crumbs = (
        f'<li><a href="{province_href(a.host, a.province)}">{esc(a.province)}</a></li>'
        if a.province
        else '<li><a href="/fa/service/society">اجتماعی</a></li>'
    )
    tags = "".join(f'<li><a href="/fa/tag/{urllib.parse.quote(t)}">{esc(t)}</a></li>' for t in tags_of(a))
    shares = "".join(
        f'<a class="share-{c}" href="{attr(u)}" rel="nofollow" target="_blank" title="{attr(n)}">{esc(n)}</a>'
        for c, n, u in share_links(a)
    )
    rel = related_of(a, pool, 7)
    inline = "\n".join(f'<li><a href="{attr(b.url)}">{esc(b.title)}</a></li>' for b in rel[:3])
    side_rel = "\n".join(f'<li><a href="{attr(b.url)}">{esc(b.title)}</a></li>' for b in rel[3:])
    pop = "\n".join(f'<li><a href="{attr(b.url)}">{esc(b.title)}</a></li>' for b in popular_of(a.host, pool))
    coms = comments_of(a)
    coms_html = "\n".join(
        f'<div class="comment-item"><span class="author">{esc(w)}</span><span class="time">{esc(d)}</span>'
        f"<p>{esc(b)}</p></div>"
        for w, b, d in coms
    )
    main = f"""<article class="single-news">
<div class="news-head">
<ul class="breadcrumb"><li><a href="/">صفحه اول</a></li><li><a href="/fa/provinces">استان‌ها</a></li>{crumbs}</ul>
<h3 class="pre-title">{esc(a.province or "اجتماعی")}</h3>
<h1 class="title">{esc(a.title)}</h1>
<h3 class="lead">{esc(a.lead)}</h3>
<ul class="news-info list-inline"><li class="time">{jalali_long(a.published)} - {hhmm(a.published)}</li>
<li class="code">کد خبر: {a.num_id}</li><li class="service">استان‌ها</li></ul>
</div>
<div class="image"><img src="{attr(image_of(a))}" alt="{attr(a.title)}"></div>
<div class="story">
{body_html(a, ' dir="rtl" style="text-align: justify;"')}
</div>
<ul class="news-tags">{tags}</ul>
<div class="share-links">{shares}</div>
<section class="related-inline"><h4>بیشتر بخوانید</h4><ul>
{inline}
</ul></section>
</article>
<section class="comments-box"><h4>نظرات</h4>
{coms_html}
<form class="comment-form" method="post" action="/fa/comment/{a.num_id}"><input name="name" placeholder="نام">
<textarea name="text" placeholder="نظر خود را بنویسید"></textarea><button type="submit">ارسال</button></form>
</section>"""
    side = f"""<section class="box related-news"><h4 class="box-title">اخبار مرتبط</h4><ul>
{side_rel}
</ul></section>
<div class="banner"><a href="https://ads.demo/c?z=d" rel="nofollow"><img src="/Content/ads/side.jpg" alt="تبلیغ"></a></div>
<section class="box most-viewed"><h4 class="box-title">پربازدیدترین</h4><ul>
{pop}
</ul></section>"""
    head = common_head(
        f"{o.short} - {a.title}",
        a.host,
        description=a.lead,
        canonical=a.url,
        extra=article_meta(a) + '\n<link rel="stylesheet" href="/Content/css/site.min.css">',
    )
    return chrome_d(a.host, head, main, side, a.published)


RENDER = {"A": render_a, "B": render_b, "C": render_c, "D": render_d}


def render_listing(host: str, title: str, items: list[Article], canonical_path: str, day: dt.datetime) -> str:
    o = OUTLET[host]
    if items:
        lis = "\n".join(
            f'<li class="news-item"><h3><a href="{attr(b.url)}">{esc(b.title)}</a></h3>'
            f'<p class="lead">{esc(b.lead)}</p><span class="date">{jalali_long(b.published)} - {hhmm(b.published)}</span></li>'
            for b in items
        )
    else:
        lis = '<li class="empty">خبری در این بخش یافت نشد.</li>'
    main = f'<section class="news-list"><h1 class="list-title">{esc(title)}</h1><ul>\n{lis}\n</ul></section>'
    head = common_head(
        f"{title} - {o.short}", host, description=f"{title} - {o.name}", canonical=url_of(host, canonical_path)
    )
    if o.layout == "A":
        return chrome_a(host, head, main, "", day, None)
    if o.layout == "B":
        return chrome_b(host, head, main, "", day)
    if o.layout == "C":
        return chrome_c(host, head, main, "", day)
    return chrome_d(host, head, main, "", day)


# --------------------------------------------------------------------------------------------------------------
# Feeds
# --------------------------------------------------------------------------------------------------------------


def x(s: str) -> str:
    return xml_escape(s)


def cdata(s: str) -> str:
    assert "]]>" not in s
    return f"<![CDATA[{s}]]>"


def desc_html(a: Article, jalali_line: bool = False) -> str:
    img = f'<p><img src="{attr(image_of(a))}" alt="{attr(a.title)}" align="right" width="120" /></p>'
    date = (
        f'<p class="date">{weekday_fa(a.published)} {jalali_long(a.published)} - {hhmm(a.published)}</p>'
        if jalali_line
        else ""
    )
    return f"{date}{img}<p>{esc(a.lead)}</p>"


def feed_url(host: str, path: str) -> str:
    return f"https://{host}{path}"


def rss2(
    host: str,
    path: str,
    title: str,
    items: list[tuple[str, Article]],
    *,
    jalali_dates: bool,
    guid_mode: str,
    enclosure: bool,
) -> str:
    o = OUTLET[host]
    newest = max(a.published for _, a in items)
    ns = ' xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/"'
    if jalali_dates:
        ns += f' xmlns:fn="https://{host}/rss/ns/1.0"'
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<rss version="2.0"{ns}>',
        "<channel>",
        f"<title>{x(title)}</title>",
        f"<link>https://{host}/</link>",
        f"<description>{x(title)} - {x(o.name)}</description>",
        "<language>fa-IR</language>",
        f"<copyright>{x('© ' + o.short + ' - استفاده از مطالب با ذکر منبع آزاد است')}</copyright>",
        f"<lastBuildDate>{rfc822(newest)}</lastBuildDate>",
        f"<generator>{x(o.generator)}</generator>",
        "<ttl>15</ttl>",
        f'<atom:link href="{feed_url(host, path)}" rel="self" type="application/rss+xml" />',
        f"<image><url>https://{host}/resources/theme/images/logo.png</url><title>{x(title)}</title>"
        f"<link>https://{host}/</link></image>",
    ]
    if not jalali_dates:
        out.insert(9, f"<pubDate>{rfc822(newest)}</pubDate>")
    for link, a in items:
        out.append("<item>")
        out.append(f"<title>{x(a.title)}</title>")
        out.append(f"<link>{x(link)}</link>")
        out.append(f"<description>{cdata(desc_html(a, jalali_line=jalali_dates))}</description>")
        if a.province:
            out.append(f"<category>{x(a.province)}</category>")
        out.append("<category>استان‌ها</category>")
        if jalali_dates:
            jy, jm, jd = jalali(a.published)
            out.append(
                f"<fn:jdate>{fa(f'{jy}/{jm:02d}/{jd:02d} {a.published.hour:02d}:{a.published.minute:02d}')}</fn:jdate>"
            )
        else:
            out.append(f"<pubDate>{rfc822(a.published)}</pubDate>")
        if guid_mode == "id":
            out.append(f'<guid isPermaLink="false">{a.num_id}</guid>')
        else:
            out.append(f'<guid isPermaLink="true">{x(link)}</guid>')
        out.append(f"<dc:creator>{x(o.short)}</dc:creator>")
        if enclosure:
            out.append(f'<enclosure url="{x(image_of(a))}" length="0" type="image/jpeg" />')
        out.append("</item>")
    out += ["</channel>", "</rss>", ""]
    return "\n".join(out)


def atom(host: str, path: str, title: str, items: list[tuple[str, Article]], *, full_content: bool) -> str:
    o = OUTLET[host]
    newest = max(a.published for _, a in items)
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fa">',
        f"<title>{x(title)}</title>",
        f"<subtitle>{x(o.name)}</subtitle>",
        f"<id>tag:{host},2024:{path}</id>",
        f'<link rel="self" type="application/atom+xml" href="{feed_url(host, path)}" />',
        f'<link rel="alternate" type="text/html" href="https://{host}/" />',
        f"<updated>{iso(newest)}</updated>",
        f"<author><name>{x(o.short)}</name><uri>https://{host}/</uri></author>",
        f'<generator version="3.0">{x(o.generator)}</generator>',
        f"<rights>{x('© ' + o.short)}</rights>",
        f"<icon>https://{host}/favicon.ico</icon>",
    ]
    for link, a in items:
        updated = a.published + dt.timedelta(minutes=20 if h("upd:" + a.key) % 4 == 0 else 0)
        out.append("<entry>")
        out.append(f'<title type="text">{x(a.title)}</title>')
        out.append(f'<link rel="alternate" type="text/html" href="{x(link)}" />')
        out.append(f"<id>tag:{host},{a.published.date().isoformat()}:{a.num_id}</id>")
        out.append(f"<published>{iso(a.published)}</published>")
        out.append(f"<updated>{iso(updated)}</updated>")
        out.append(f"<author><name>{x(o.short)}</name></author>")
        if a.province:
            out.append(
                f'<category term="{x(a.province)}" label="{x(a.province)}" '
                f'scheme="https://{host}{o.province_path.format(code="")}" />'
            )
        out.append(f'<summary type="html">{x(desc_html(a))}</summary>')
        if full_content:
            out.append(f'<content type="html">{cdata(body_html(a))}</content>')
        out.append("</entry>")
    out += ["</feed>", ""]
    return "\n".join(out)


def rdf(host: str, path: str, title: str, items: list[tuple[str, Article]]) -> str:
    o = OUTLET[host]
    newest = max(a.published for _, a in items)
    about = feed_url(host, path)
    logo = f"https://{host}/images/logo.gif"
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/"'
        ' xmlns:syn="http://purl.org/rss/1.0/modules/syndication/">',
        f'<channel rdf:about="{about}">',
        f"<title>{x(title)}</title>",
        f"<link>https://{host}/</link>",
        f"<description>{x(title)} - {x(o.name)}</description>",
        "<dc:language>fa</dc:language>",
        f"<dc:publisher>{x(o.name)}</dc:publisher>",
        f"<dc:rights>{x('© ' + o.short)}</dc:rights>",
        f"<dc:date>{iso(newest)}</dc:date>",
        "<syn:updatePeriod>hourly</syn:updatePeriod>",
        "<syn:updateFrequency>2</syn:updateFrequency>",
        f'<image rdf:resource="{logo}" />',
        "<items>",
        "<rdf:Seq>",
    ]
    out += [f'<rdf:li rdf:resource="{x(link)}" />' for link, _ in items]
    out += [
        "</rdf:Seq>",
        "</items>",
        "</channel>",
        f'<image rdf:about="{logo}"><title>{x(o.short)}</title><url>{logo}</url><link>https://{host}/</link></image>',
    ]
    for link, a in items:
        out.append(f'<item rdf:about="{x(link)}">')
        out.append(f"<title>{x(a.title)}</title>")
        out.append(f"<link>{x(link)}</link>")
        out.append(f"<description>{x(a.lead)}</description>")
        out.append(f"<dc:date>{iso(a.published)}</dc:date>")
        if a.province:
            out.append(f"<dc:subject>{x(a.province)}</dc:subject>")
        out.append(f"<dc:creator>{x(o.short)}</dc:creator>")
        out.append(f"<content:encoded>{cdata(desc_html(a))}</content:encoded>")
        out.append("</item>")
    out += ["</rdf:RDF>", ""]
    return "\n".join(out)


def choose_feed_items(arts: list[Article]) -> dict[tuple[str, str], list[Article]]:
    chosen: dict[tuple[str, str], list[Article]] = {}
    for host in OUTLET:
        pool = newest_first([a for a in arts if a.host == host])
        covered: set[str] = set()
        for fhost, path, _fmt, kind, _, region in FEEDS:
            if fhost != host:
                continue
            cands = [a for a in pool if region is None or PROVINCE_REGION.get(a.province or "تهران") == region]
            cap = FEED_CAP - (1 if (host, path) == DUPLICATE_IN_FEED else 0)
            forced = [a for a in cands if a.story == MOBILE_VARIANT and host == "mehr.demo"]
            if kind == "latest":
                pick = forced + [a for a in cands if a not in forced][: cap - len(forced)]
            elif kind == "provinces8":
                pick = [a for a in cands if a.province][:8]
            else:
                unc = [a for a in cands if a.key not in covered and a not in forced]
                cov = [a for a in cands if a.key in covered and a not in forced]
                pick = (forced + unc + cov)[:cap]
            pick = newest_first(pick)
            assert 5 <= len(pick) <= FEED_CAP, (host, path, len(pick))
            covered |= {a.key for a in pick}
            chosen[(host, path)] = pick
        missing = [a.key for a in pool if a.key not in covered]
        assert not missing, (host, missing)
    return chosen


# --------------------------------------------------------------------------------------------------------------
# Build
# --------------------------------------------------------------------------------------------------------------


def write(rel: str, data: str, encoding: str = "utf-8") -> int:
    p = HERE / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode(encoding)  # strict: fails loudly on an unencodable character
    p.write_bytes(raw)
    return len(raw)


def main() -> None:
    for host in [*OUTLET, MOBILE_HOST]:
        if (HERE / host).exists():
            shutil.rmtree(HERE / host)

    stories = load_stories()
    arts = make_articles(stories)
    for a in arts:
        if a.encoding == "windows-1256":  # an old CMS stored it this way: Arabic yeh, ASCII digits
            a.text, a.title = cp1256_safe(a.text), cp1256_safe(a.title)
            a.text_transform = (
                "windows-1256 repertoire: Persian digits -> ASCII digits, U+06CC -> U+064A, "
                "U+0654 dropped (title and text)"
            )
    assign_urls(arts)
    keys = [a.key for a in arts]
    assert len(set(keys)) == len(keys)
    arts.sort(key=lambda a: (list(OUTLET).index(a.host), a.published, a.key))
    by_story_host = {(a.story, a.host): a for a in arts}

    # ---- article pages
    for a in arts:
        if not a.on_disk:
            continue
        page = RENDER[a.layout](a, arts)
        if a.encoding == "windows-1256":
            page = cp1256_safe(page)
        write(a.file, page, "cp1256" if a.encoding == "windows-1256" else "utf-8")

    # ---- mobile variant
    base = by_story_host[(MOBILE_VARIANT, "mehr.demo")]
    mob = Article(
        key=f"{MOBILE_HOST}:{base.num_id}",
        story=base.story,
        host=MOBILE_HOST,
        title=base.title,
        text=base.text,
        province=base.province,
        published=base.published,
        source=base.source,
        variant_of=base.key,
        num_id=base.num_id,
        path=base.path,
        layout="A-mobile",
    )
    mob.url = url_of(MOBILE_HOST, mob.path)
    mob.file = file_of(MOBILE_HOST, mob.path)
    write(mob.file, render_a_mobile(base, arts, mob.url))

    # ---- feeds
    chosen = choose_feed_items(arts)
    feeds_manifest = []
    for host, path, fmt, _kind, title, _region in FEEDS:
        picked = chosen[(host, path)]
        items: list[tuple[str, Article]] = []
        for a in picked:
            link = a.url
            if (host, path) == TRACKING_FEED:
                link = f"{a.url}?{TRACKING_QUERY}"
            if host == "mehr.demo" and fmt == "atom1.0" and a.story == MOBILE_VARIANT:
                link = mob.url
            items.append((link, a))
        notes = []
        if (host, path) == DUPLICATE_IN_FEED:
            items.insert(9 if len(items) > 9 else len(items), items[2])
            notes.append("duplicate item: the third item appears again (same link and guid)")
        if (host, path) == TRACKING_FEED:
            notes.append(f"every link carries ?{TRACKING_QUERY}; guid is the bare numeric id (isPermaLink=false)")
        if host == "mehr.demo" and fmt == "atom1.0":
            notes.append(f"one entry links the mobile host ({mob.url}); the page's canonical is {base.url}")
        if fmt == "rss2.0":
            jal = (host, path) == JALALI_FEED
            text = rss2(
                host,
                path,
                title,
                items,
                jalali_dates=jal,
                guid_mode="id" if (host, path) == TRACKING_FEED else "link",
                enclosure=OUTLET[host].layout == "D",
            )
            if jal:
                notes.append(
                    "no <pubDate> on items: Jalali date-time in <fn:jdate> (Persian digits, Tehran time, "
                    "'YYYY/MM/DD HH:MM') and as a <p class=\"date\"> line inside the description"
                )
        elif fmt == "atom1.0":
            text = atom(host, path, title, items, full_content=(host == "iqna.demo"))
            if host == "iqna.demo":
                notes.append('entries carry the full article text in <content type="html">')
        else:
            text = rdf(host, path, title, items)
        well_formed = True
        listed = items
        if (host, path) == BROKEN_FEED:
            marker = "<description>"
            pos = -1
            for _ in range(BROKEN_AFTER_ITEMS + 2):  # the channel's <description>, then one per item
                pos = text.index(marker, pos + 1)
            cut = pos + len(marker) + len('<![CDATA[<p><img src="')
            text = text[:cut]
            well_formed = False
            listed = items[: BROKEN_AFTER_ITEMS + 1]
            notes.append(
                f"truncated inside the description of item {BROKEN_AFTER_ITEMS + 1} (after "
                f"{BROKEN_AFTER_ITEMS} complete items): not well-formed XML"
            )
        write(file_of(host, path), text)
        for link, a in listed:
            target = mob if link == mob.url else a
            if [host, path] not in target.in_feeds:
                target.in_feeds.append([host, path])
        feeds_manifest.append(
            {
                "host": host,
                "path": path,
                "url": feed_url(host, path),
                "file": file_of(host, path),
                "format": fmt,
                "well_formed": well_formed,
                "item_count": len(items),
                **(
                    {
                        "complete_items": BROKEN_AFTER_ITEMS,
                        "items_note": "item_count = items generated before the cut; 'items' = those whose <link> "
                        "survives the cut",
                    }
                    if not well_formed
                    else {}
                ),
                "items": [{"link": link, "article": (mob.key if link == mob.url else a.key)} for link, a in listed],
                "notes": notes,
            }
        )

    # ---- home pages and province listings
    pages = []
    for host, o in OUTLET.items():
        mine = newest_first([a for a in arts if a.host == host and a.on_disk])
        day = mine[0].published
        write(file_of(host, "/"), render_listing(host, f"{o.short} - آخرین اخبار", mine[:25], "/", day))
        pages.append({"host": host, "path": "/", "file": file_of(host, "/"), "kind": "home"})
        for name, code, _ in PROVINCES:
            p = o.province_path.format(code=code)
            items = [a for a in mine if a.province == name]
            write(file_of(host, p), render_listing(host, f"اخبار استان {name}", items, p, day))
            pages.append(
                {
                    "host": host,
                    "path": p,
                    "file": file_of(host, p),
                    "kind": "province-listing",
                    "province": name,
                    "articles": len(items),
                }
            )

    # ---- robots.txt
    for host, body in ROBOTS_TXT.items():
        write(f"{host}/robots.txt", body)

    # ---- manifest
    all_articles = [*arts, mob]
    groups = []
    for grp in SYNDICATION:
        members = [a.key for a in arts if a.group == grp["group"]]
        base_a = next(a for a in arts if a.group == grp["group"] and a.derived is None)
        groups.append(
            {
                "id": grp["group"],
                "base": base_a.key,
                "story": grp["base"],
                "members": members,
                "hosts": sorted({a.host for a in arts if a.group == grp["group"]}),
            }
        )
    hosts = []
    for host, o in OUTLET.items():
        hosts.append(
            {
                "host": host,
                "outlet": o.name,
                "short_name": o.short,
                "layout": o.layout,
                "home": "/",
                "feeds": [f["path"] for f in feeds_manifest if f["host"] == host],
                "robots_txt": "/robots.txt" if host in ROBOTS_TXT else None,
                "province_listing": o.province_path,
                "articles": sum(1 for a in arts if a.host == host),
            }
        )
    hosts.append(
        {
            "host": MOBILE_HOST,
            "outlet": OUTLET["mehr.demo"].name + " - نسخه موبایل",
            "short_name": "مهر",
            "layout": "A-mobile",
            "home": None,
            "feeds": [],
            "robots_txt": None,
            "province_listing": None,
            "articles": 1,
            "mobile_of": "mehr.demo",
        }
    )

    def art_entry(a: Article) -> dict:
        return {
            "key": a.key,
            "host": a.host,
            "path": a.path,
            "url": a.url,
            "file": a.file if a.on_disk else None,
            "status": a.status,
            "encoding": a.encoding,
            "layout": a.layout,
            "main_selector": LAYOUTS[a.layout]["main_selector"],
            "title": a.title,
            "published": iso(a.published),
            "province": a.province,
            "source": a.source,
            "story": a.story,
            "story_group": a.group,
            "derived": a.derived,
            "variant_of": a.variant_of,
            "text_transform": a.text_transform,
            "canonical_url": next(b.url for b in arts if b.key == a.variant_of) if a.variant_of else a.url,
            "in_feeds": a.in_feeds,
            "lead": a.lead,
            "text": "\n".join(a.paras) if a.on_disk else None,
        }

    manifest = {
        "schema_version": SCHEMA_VERSION,
        "description": "Offline demo news web for crawler tests; generated by corpus/demo_site/build.py. "
        "All texts come from corpus/gold and corpus/classifier; headlines were written for this site.",
        "root": "corpus/demo_site",
        "path_mapping": {
            "rule": "URL https://<host><path>[?query][#frag] -> file <root>/<host>/<decoded path>; query and fragment "
            "are ignored; the path is percent-decoded as UTF-8; a path ending in '/' gets 'index.html'; a "
            "path whose last segment has no '.' gets '/index.html'. Serve such index.html files directly "
            "(no redirect to a trailing slash). Anything else is 404.",
            "examples": {
                url_of("mehr.demo", "/news/6200101"): "mehr.demo/news/6200101/index.html",
                "https://irna.demo/rss/latest.xml": "irna.demo/rss/latest.xml",
                "https://isna.demo/": "isna.demo/index.html",
            },
            "content_types": {
                ".xml": "application/xml (rss2.0 feeds: application/rss+xml; atom: application/atom+xml)",
                ".rdf": "application/rdf+xml",
                ".txt": "text/plain; charset=utf-8",
                ".html": "text/html; charset=<article encoding> (utf-8 unless the manifest says otherwise)",
            },
            "note": "irna.demo article paths contain a Persian slug: URLs carry it percent-encoded, the directory "
            "on disk has the UTF-8 name. Images, CSS, JS, tag/service/print/comment links are not "
            "generated (404).",
        },
        "layouts": LAYOUTS,
        "hosts": hosts,
        "feeds": feeds_manifest,
        "story_groups": groups,
        "edge_cases": {
            "broken_feed": feed_url(*BROKEN_FEED),
            "cp1256_page": next(a.key for a in arts if a.encoding == "windows-1256"),
            "duplicate_item_feed": feed_url(*DUPLICATE_IN_FEED),
            "tracking_params_feed": feed_url(*TRACKING_FEED),
            "tracking_query": TRACKING_QUERY,
            "mobile_variant": {
                "mobile": mob.key,
                "mobile_url": mob.url,
                "canonical": base.key,
                "canonical_url": base.url,
            },
            "missing_page_404": next(a.key for a in arts if a.status == 404),
            "robots": {
                "host": "tasnim.demo",
                "robots_txt": "/robots.txt",
                "disallowed_prefix": ROBOTS_PREFIX,
                "article": next(a.key for a in arts if a.status == "robots-disallowed"),
            },
            "jalali_feed": feed_url(*JALALI_FEED),
        },
        "counts": {
            "hosts": len(hosts),
            "outlets": len(OUTLET),
            "feeds": len(feeds_manifest),
            "feeds_by_format": {
                fmt: sum(1 for f in feeds_manifest if f["format"] == fmt) for fmt in ("rss2.0", "atom1.0", "rss1.0-rdf")
            },
            "articles": len(all_articles),
            "article_pages_on_disk": sum(1 for a in all_articles if a.on_disk),
            "articles_status_200": sum(1 for a in all_articles if a.status == 200),
            "story_groups": len(groups),
            "listing_pages": len(pages),
        },
        "articles": [art_entry(a) for a in all_articles],
        "pages": pages,
    }
    write("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")
    c = manifest["counts"]
    print(
        f"hosts={c['hosts']} feeds={c['feeds']} {c['feeds_by_format']} articles={c['articles']} "
        f"on_disk={c['article_pages_on_disk']} groups={c['story_groups']} listings={c['listing_pages']}"
    )


if __name__ == "__main__":
    main()
