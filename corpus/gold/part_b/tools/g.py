"""Helpers for the part_b gold source files (build-time only).

Article sources use '|' for a zero-width non-joiner; build.py renders it per article
as a real ZWNJ, as nothing (glued) or as a space.
"""

MR = 10**9  # میلیارد ریال
MT = 10**10  # میلیارد تومان
MILT = 10**7  # میلیون تومان
HEMAT = 10**13  # همت = هزار میلیارد تومان

P2020 = "طرح ملی ۲۰۲۰ محله"
KARAMAT = "طرح کرامت"
EGHDAM = "طرح اقدام مدیریت محله|محور"
TASHIL = "دفاتر تسهیلگری"
BAZ = "طرح بازآفرینی شهری"
NEHZAT = "طرح نهضت ملی مسکن"


def nc(value, province, approx=None, program=None):
    d = {"type": "neighbourhood_count", "value": value, "province": province, "approx": approx}
    if program:
        d["program"] = program
    return d


def bud(rials, province, program=None, period=None):
    d = {"type": "budget", "rials": rials, "province": province}
    if program:
        d["program"] = program
    if period:
        d["period"] = period
    return d


def prog(name, province):
    return {"type": "program", "name": name, "province": province}


def off(name, role):
    return {"type": "official", "name": name, "role": role}


def pop(value, province, approx=None):
    return {"type": "population", "value": value, "province": province, "approx": approx}


def pct(value, province, approx=None):
    return {"type": "percentage", "value": value, "province": province, "approx": approx}


def qty(value, unit, province):
    return {"type": "quantity", "value": value, "unit": unit, "province": province}
