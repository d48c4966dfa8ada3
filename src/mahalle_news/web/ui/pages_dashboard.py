"""The province dashboard (``/dashboard``, ``/dashboard/{province}``): the latest figures per province and
program, neighbourhood counts by province (or, for one province, by program) as a bar chart, and a timeline per
program by Jalali month; charts are SVG drawn on the server, each with the same numbers in a table."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from mahalle_news.errors import InputError, Location, NotFound
from mahalle_news.filters import resolve_province
from mahalle_news.store import Store
from mahalle_news.web.ui import options, queries, session
from mahalle_news.web.ui.charts import Bar, bar_chart, column_chart
from mahalle_news.web.ui.format import fa_number, month_label
from mahalle_news.web.ui.render import UIRoute, render

router = APIRouter(route_class=UIRoute)
TIMELINES = 8


def _timelines(timelines: queries.Timelines, province: str | None) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    place = f" در {province}" if province else ""
    for i, (name, months) in enumerate(list(timelines.items())[:TIMELINES], 1):
        columns = [Bar(month_label(m), n) for m, n in months]
        total = sum(n for _, n in months)
        chart = column_chart(
            columns,
            chart_id=f"chart-timeline-{i}",
            title=f"{name}{place}: شمار ماجراهای خبری در هر ماه",
            desc=f"{fa_number(total)} ماجرا در {fa_number(len(months))} ماه؛ زمان از راست به چپ پیش می‌رود.",
        )
        out.append({"name": name, "chart": chart, "columns": columns, "total": total})
    return out


def _page(request: Request, province: str | None) -> HTMLResponse:
    session.require(request, "reader")
    store: Store = request.app.state.store
    figures, timelines = queries.dashboard(store, province)
    chart: Markup | None = None
    bars: list[Bar] = []
    if province is None:
        totals = queries.neighbourhoods_by_province(figures)
        bars = [Bar(name, value, href=f"/dashboard/{quote(name)}") for name, value in totals]
        chart = bar_chart(
            bars,
            chart_id="chart-neighbourhoods",
            title="شمار محله‌های هدف در هر استان",
            desc="جمع آخرین رقم گزارش‌شده برای هر طرح در هر استان (رقم‌های ملی جدا).",
        )
    else:
        per_program = [
            (str(e["program"] or "بدون نام طرح"), float(e["count"]["value"]))
            for e in figures
            if e.get("count") is not None and e["count"]["value"] is not None
        ]
        bars = [Bar(name, value) for name, value in sorted(per_program, key=lambda kv: -kv[1])]
        chart = bar_chart(
            bars,
            chart_id="chart-neighbourhoods",
            title=f"شمار محله‌های هدف در {province}، به تفکیک طرح",
            desc="آخرین رقم گزارش‌شده برای هر طرح.",
        )
    return render(
        request,
        "dashboard.html",
        title=f"داشبورد {province}" if province else "داشبورد استان‌ها",
        province=province,
        provinces=options.provinces(),
        figures=figures,
        chart=chart,
        bars=bars,
        timelines=_timelines(timelines, province),
    )


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request) -> HTMLResponse:
    return _page(request, None)


@router.get("/dashboard/{province}", response_class=HTMLResponse)
def province_dashboard(request: Request, province: str) -> HTMLResponse:
    try:
        name = resolve_province(province)
    except InputError:
        raise NotFound(f"no province {province!r}", location=Location(field="province")) from None
    return _page(request, name)
