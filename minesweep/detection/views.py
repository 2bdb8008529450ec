"""Analyst pages: meter and network detection runs, findings, evidence, promotion to leads. Thin views."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import numpy as np
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from minesweep.accounts.access import staff_view
from minesweep.accounts.jurisdiction import Scope
from minesweep.accounts.roles import Role
from minesweep.audit.services import audit_record
from minesweep.core.errors import DomainError, NotFoundError
from minesweep.core.exports import SafeCsvWriter
from minesweep.core.i18n import pick
from minesweep.detection import selectors
from minesweep.detection.analytics import parse_utc
from minesweep.detection.forms import DeskCheckForm
from minesweep.detection.inputs import UPLOAD_MAX_BYTES, data_choices
from minesweep.detection.meter.balance import MIN_COVERAGE, TOLERANCE
from minesweep.detection.meter.kernels.shape import working_hours_at_night
from minesweep.detection.meter.rigs import DEFAULT_RIG, RIG_POWER_KW
from minesweep.detection.models import DeskCheck, MeterRun, MeterSuspect, NetHost, NetScan
from minesweep.detection.network.evidence import render_host_png
from minesweep.detection.services import (
    DESK_CHECK_COLUMNS,
    ProductionRecord,
    desk_check_record,
    desk_checks_import,
    meter_evidence,
    meter_run_start,
    meter_suspect_promote,
    net_host_promote,
    net_scan_start,
)
from minesweep.registry.models import Division

analyst_view = staff_view(Role.ANALYST)
DESK_CHECK_TABLE_MAX_BYTES = 2 * 1024 * 1024
FEATURE_NAMES: dict[str, tuple[str, str]] = {
    "load_factor": ("负荷率（平均/峰值）", "Load factor (mean/peak)"),
    "profile_amplitude": ("日内负荷起伏", "Daily profile amplitude"),
    "daily_periodicity": ("日周期性", "Daily periodicity"),
    "every_day_periodicity": (
        "每天都有的日周期性（不含仅工作日出现的部分）",
        "Daily periodicity of the rhythm that runs every day (its working-day part left out)",
    ),
    "night_day_ratio": ("夜间/白天比", "Night/day ratio"),
    "weekend_weekday_ratio": ("周末/工作日比", "Weekend/weekday ratio"),
    "day_to_day_change": ("日间变化", "Day-to-day change"),
    "base_load_ratio": ("基荷占比", "Base-load ratio"),
    "contract_utilisation": ("合同容量利用率", "Contracted capacity used"),
    "temperature_response": ("温度响应", "Temperature response"),
    "onset_share": ("突增后用电占比", "Share after sudden jump"),
    "net_up_steps": ("净上升阶跃数", "Net upward steps"),
    "night_excess_share": ("夜间超额占比", "Night excess share"),
    "daily_variation": ("日用电量波动", "Daily energy variation"),
    "protected_tariff_flat": ("优惠电价下的平稳负荷", "Flat load on a protected tariff"),
    "recent_base_kw": ("近期基荷 kW", "Recent base load, kW"),
    "mean_kw": ("平均负荷 kW", "Mean load, kW"),
    "robust_peak_kw": ("峰值负荷 kW", "Peak load, kW"),
    "missing_share": ("缺失读数占比", "Missing readings share"),
    "implausible_share": (
        "剔除的异常读数占比（停采后补计电量、突变值）",
        "Readings set aside as implausible (energy caught up after an outage, spikes)",
    ),
    "pre_onset_base_kw": ("突增前基荷 kW", "Base load before the jump, kW"),
    "onset_day": (
        "突增日（分析时段内第几天，从 0 起；-1 为未见突增）",
        "Day of the jump (day of the window from 0; -1: none)",
    ),
    "kw_before_onset": ("突增前四周平均负荷 kW", "Mean load in the four weeks before the jump, kW"),
    "wave_before_onset_kw": (
        "突增前四周日内起伏（日均负荷高出基荷，中位数）kW",
        "Daily wave in the four weeks before the jump (day's mean above its base, median), kW",
    ),
    "kw_after_onset": ("突增后四周平均负荷 kW", "Mean load in the four weeks from the jump, kW"),
    "night_excess_kw": ("夜间超额 kW", "Night excess, kW"),
    "is_protected_tariff": ("优惠电价户", "Protected tariff"),
    "peak_cut_share": ("峰时段削减比例", "Cut in peak-tariff hours"),
    "offpeak_base_ratio": ("非峰时段平稳度", "Flatness outside peak hours"),
    "running_kw": ("运行时新增负荷 kW", "New load while running, kW"),
    "running_hours": ("新增负荷运行小时", "Hours the new load ran"),
    "running_base_kw": ("运行日基荷增量 kW", "Base load added on the days it ran, kW"),
    "running_base_hours": ("基荷增量运行小时", "Hours of the days the added base ran"),
    "own_profile_kw": (
        "运行时高出场所自身同时段用电的负荷 kW（按突增前四周同类日逐时中位数）",
        "New load while running above the site's own load at that hour (median of the same kind of day, "
        "four weeks before the jump), kW",
    ),
    "own_profile_off_peak_kw": (
        "同上，仅非峰时段 kW",
        "The same over the off-peak hours only, kW",
    ),
    "own_profile_hours": ("按场所自身逐时用电计的运行小时", "Hours it ran, above the site's own hourly load"),
    "added_flat_share": (
        "突增负荷中各时段相同的部分占比（矿机），相对于随场所自身工作日曲线增长的部分（扩产）",
        "Share of the added load that is the same at every hour (rigs) rather than along the site's own "
        "working-day shape (a site that grows)",
    ),
    "night_running_kw": ("夜间负荷运行时功率 kW", "Night load while it ran, kW"),
    "night_running_hours": ("夜间负荷运行小时", "Hours the night load ran"),
    "night_first_day": (
        "夜间负荷首次运行日（分析时段内第几天，从 0 起；-1 为无）",
        "First night the night load ran (day of the window from 0; -1: none)",
    ),
    "traffic_per_kw_log10": ("每千瓦流量（log10 Mbit/s/kW）", "Traffic per kW (log10 Mbit/s per kW)"),
    "step_up_count": ("上升阶跃次数", "Upward steps"),
    "step_down_count": ("下降阶跃次数", "Downward steps"),
    "largest_step_up_kw": ("最大上升阶跃 kW", "Largest upward step, kW"),
    "near_peak_share": ("接近峰值时间占比", "Time near own peak"),
    "base_day_to_day_change": ("基荷逐日变化", "Day-to-day change of the base load"),
    "work_day_to_day_change": (
        "场所自身用电（基荷以上部分）的逐日变化",
        "Day-to-day change of the site's own work (demand above the base)",
    ),
    "night_excess_variation": ("夜间超额波动", "Night excess variation"),
    "night_excess_persistence": ("夜间超额持续性", "Night excess persistence"),
    "weekly_periodicity": ("周周期性", "Weekly periodicity"),
    "fixed_floor_share": (
        "不随生产起伏的固定基荷占比",
        "Share of a floor that does not move with the site's work",
    ),
    "fixed_part_of_base": (
        "基荷中不随场所自身用电在分析时段内起落的部分占比（矿机，及场所恒定的待机负荷）",
        "Share of the daily base that does not rise and fall with the site's own demand over the window "
        "(rigs, and any constant standby of the site's)",
    ),
    "working_day_rhythm_share": (
        "仅在工作日出现的日内起伏占比",
        "Share of the daily rhythm seen only on working days",
    ),
    "rest_day_amplitude": ("休息日日内起伏幅度", "Daily swing on rest days"),
    "working_hours_centre": (
        "工作日用电起伏的中心时刻（20:00—次日7:00 说明时钟有误）",
        "Centre of the working-day rhythm, local hour (20:00-07:00: the clock is off)",
    ),
    "night_excess_weather": ("夜间超额随气温变化（%/°C）", "Night excess following the temperature, %/°C"),
    "evening_peak_share": ("晚高峰时段的超额 / 夜间超额", "Excess in the evening peak hours / night excess"),
    "night_to_night_change": (
        "夜间负荷逐夜用电变化（21:00—次日9:00，相邻运行夜间变化的中位数 / 每夜用电中位数）",
        "Change of what the night load drew from one night it ran to the next (21:00-09:00; median, over its median)",
    ),
}
BASIS_NAMES = {
    "running": (
        "新增负荷运行时的平均功率（停机、峰时段削减不计入）",
        "Mean power of the new load while it ran (outages and peak-hour cuts left out)",
    ),
    "whole_load": (
        "全部负荷在其运行小时内的平均功率（分析时段内未见突增；若同一电表还有其他用电，此为上限）",
        "Mean power of the whole load while it ran (no jump in the window; an upper bound where other "
        "loads share the meter)",
    ),
    "added_load": (
        "突增后四周日均功率减去突增前四周（流量表明原有负荷为服务器；其日内起伏与制冷前后相抵）",
        "Mean daily kW over the four weeks after the jump minus the four weeks before (the traffic shows "
        "the earlier load was servers; their daily wave and cooling cancel out)",
    ),
    "onset": (
        "突增后各运行日基荷高出突增前基荷部分的平均值（停机日不计；场所自身的日内起伏不计入），"
        "乘以运行小时内实际用到的比例（峰时段部分削减按实计）",
        "Mean over the days it ran of the base load above the level before the jump (days switched off left "
        "out; the site's own daily wave is not counted), times the share of it drawn over the hours it ran "
        "(part cuts in peak-tariff hours counted as drawn)",
    ),
    "base_load": (
        "各运行日全部基荷的平均值（上限估计）",
        "Mean of the whole base load over the days it ran (an upper bound)",
    ),
    "fixed_floor": (
        "分析时段内未见突增：各运行日基荷中不随场所自身用电在分析时段内起落的部分的平均值"
        "（场所恒定的待机负荷也计入，仍为上限估计）",
        "No jump in the window: the mean, over the days it ran, of the part of the daily base that does not "
        "rise and fall with the site's own demand (a constant standby of the site's counts too: still an "
        "upper bound)",
    ),
    "night_excess": (
        "夜间高出当日基荷部分在其运行时段的平均功率（按实际运行的夜间小时计）",
        "Night load above the day's base while it ran (the night hours it actually ran)",
    ),
}
STREAM_NAMES = {
    "meter": ("用电", "Meter"),
    "network": ("网络", "Network"),
    "reports": ("举报", "Reports"),
    "registry": ("登记库", "Registry"),
}
ROUTE_NAMES = {
    "flat_load": ("全天候平稳负荷", "Flat 24×7 load"),
    "new_base_load": ("基荷突增", "New base load"),
    "cheap_hours": ("低谷时段用电", "Cheap-hours load"),
    "protected_tariff": ("优惠电价下平稳负荷", "Flat load on a protected tariff"),
    "steady_base": ("生产负荷下的恒定基荷", "Steady base under a working load"),
    "peak_cut": ("峰时段削减、其余时段平稳", "Flat except cuts in peak-tariff hours"),
    "model": ("训练模型", "Trained model"),
}
REASON_NAMES = {
    "mining_protocol": ("挖矿协议报文", "Mining protocol messages"),
    "share_submissions": ("提交算力份额", "Share submissions"),
    "pool_name_confirmed": ("连接已知矿池域名（已确认）", "Connected to a known pool name (confirmed)"),
    "pool_name_weak": ("连接疑似矿池域名", "Connected to a possible pool name"),
    "pool_lookup": ("查询矿池域名", "Looked up a pool name"),
    "pool_endpoint": ("连接矿池地址端口", "Connected to a pool endpoint"),
    "long_lived_low_volume": ("长时低流量连接", "Long-lived low-volume flows"),
    "periodic_flows": ("周期性连接", "Periodic flows"),
    "mining_port": ("常见挖矿端口", "Common mining port"),
    "bitcoin_p2p": ("比特币节点通信", "Bitcoin P2P traffic"),
    "ethereum_p2p": ("以太坊节点通信", "Ethereum P2P traffic"),
    "p2p_ports": ("节点端口通信", "P2P port traffic"),
}


def _shown(value: float | None) -> str:
    """A feature value for people: four significant digits, a dash when missing."""
    return "—" if value is None else f"{value:.4g}"


def _utc(text: object) -> datetime | None:
    try:
        return parse_utc(str(text)) if text else None
    except ValueError:
        return None


def _leagues() -> list[Division]:
    return list(Division.objects.filter(level=Division.Level.LEAGUE).order_by("code"))


def _division_of(request: HttpRequest, scope: Scope) -> Division:
    return Division.objects.get(code=scope.division_code)


def _pick(names: dict[str, tuple[str, str]], key: str) -> str:
    zh_en = names.get(key)
    return pick(*zh_en) if zh_en else key


# ---- meter runs -----------------------------------------------------------------------------------------


def _meter_index(request: HttpRequest, scope: Scope, error: DomainError | None = None) -> HttpResponse:
    page = Paginator(selectors.meter_runs(scope=scope), 20).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "error": error,
        "form": request.POST if error else {},
        "choices": data_choices(("csv", "parquet")),
        "rigs": list(RIG_POWER_KW),
        "default_rig": DEFAULT_RIG,
        "max_mb": UPLOAD_MAX_BYTES // (1024 * 1024),
    }
    return render(request, "detection/meter_runs.html", context, status=error.status if error else 200)


@analyst_view
def meter_runs(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    return _meter_index(request, scope)


@require_POST
@analyst_view
def meter_run_new(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    try:
        run = meter_run_start(
            actor=request.user,  # type: ignore[arg-type]
            division=_division_of(request, scope),
            name=request.POST.get("name", "")[:200],
            uploads=request.FILES.getlist("files"),  # type: ignore[arg-type]
            server_path=request.POST.get("server_path", "")[:500],
            accounts_meta=request.FILES.get("accounts_meta"),  # type: ignore[arg-type]
            traffic=request.FILES.get("traffic"),  # type: ignore[arg-type]
            temperature=request.FILES.get("temperature"),  # type: ignore[arg-type]
            since=request.POST.get("since", "")[:20],
            until=request.POST.get("until", "")[:20],
            rig=request.POST.get("rig", DEFAULT_RIG)[:20],
            skip_bad=request.POST.get("skip_bad") == "on",
            unmarked_times_utc=request.POST.get("unmarked_times_utc") == "on",
        )
    except DomainError as error:
        return _meter_index(request, scope, error)
    messages.success(
        request, pick("检测任务已提交，正在后台运行", "The run was queued and is running in the background")
    )
    return redirect("detection:meter_run", pk=run.pk)


def _float(text: str | None) -> float | None:
    try:
        value = float(text) if text not in (None, "") else None
    except ValueError:
        return None
    return None if value is None or value != value else min(1.0, max(0.0, value))


def _suspect_filters(request: HttpRequest) -> dict[str, Any]:
    return {
        "min_score": _float(request.GET.get("min_score")),
        "suspects_only": request.GET.get("suspects") == "1",
        "league": request.GET.get("league", "")[:6],
        "q": request.GET.get("q", "")[:60].strip(),
    }


@analyst_view
def meter_run(request: HttpRequest, pk: int, *, scope: Scope) -> HttpResponse:
    return _run_page(request, selectors.meter_run_get(scope=scope, pk=pk), scope)


@require_POST
@analyst_view
def meter_run_desk_checks(request: HttpRequest, pk: int, *, scope: Scope) -> HttpResponse:
    """Production energy balances for many findings at once from an uploaded table: all or nothing."""
    run = selectors.meter_run_get(scope=scope, pk=pk)
    upload = request.FILES.get("records")
    try:
        if upload is None or not upload.size:
            raise DomainError(
                "detection.desk_checks_file", "请选择生产记录表格", "Choose a production-records table"
            )
        if upload.size > DESK_CHECK_TABLE_MAX_BYTES:
            raise DomainError(
                "detection.desk_checks_file_size",
                f"表格过大（上限 {DESK_CHECK_TABLE_MAX_BYTES // 1024 // 1024} MB）",
                f"The table is too large (limit {DESK_CHECK_TABLE_MAX_BYTES // 1024 // 1024} MB)",
            )
        checks = desk_checks_import(actor=request.user, scope=scope, run=run, content=upload.read())  # type: ignore[arg-type]
    except DomainError as error:
        return _run_page(request, run, scope, desk_error=error, status=400)
    messages.success(request, pick(f"已记录 {len(checks)} 条案头核查", f"{len(checks)} desk checks recorded"))
    return redirect(reverse("detection:meter_run", args=[pk]) + "#desk-checks-import")


def _run_page(
    request: HttpRequest,
    run: MeterRun,
    scope: Scope,
    desk_error: DomainError | None = None,
    status: int = 200,
) -> HttpResponse:
    filters = _suspect_filters(request)
    found = selectors.meter_suspects(scope=scope, run=run, **filters)
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    for suspect in page:
        suspect.route_display = _pick(ROUTE_NAMES, suspect.route)  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "detection/meter_run.html",
        {
            "run": run,
            "job": run.job,
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "counts": selectors.meter_counts(scope=scope, run=run),
            "leagues": _leagues(),
            "routes": ROUTE_NAMES,
            "desk_error": desk_error.shown if desk_error else "",
            "desk_problems": [
                {"row": p["row"], "text": pick(str(p["zh"]), str(p["en"]))}
                for p in (desk_error.extra.get("problems", []) if desk_error else [])
            ],
            "desk_columns": DESK_CHECK_COLUMNS,
        },
        status=status,
    )


@analyst_view
def meter_run_export(request: HttpRequest, pk: int, *, scope: Scope) -> HttpResponse:
    run = selectors.meter_run_get(scope=scope, pk=pk)
    rows = selectors.meter_suspects(scope=scope, run=run, **_suspect_filters(request))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meter-run-{run.pk}.csv"'
    response.write("\ufeff")
    writer = SafeCsvWriter(response)
    writer.writerow(
        [
            "rank",
            "account_id",
            "division_code",
            "subject",
            "score",
            "suspect",
            "est_mining_kw",
            "est_rigs",
            "est_mining_kwh",
            "first_seen",
            "route",
            "lead",
            "next_step",
            "desk_check_verdict",
        ]
    )
    count = 0
    for s in rows.iterator(chunk_size=2000):
        subject = s.power_account.subject.name if s.power_account and s.power_account.subject else ""
        writer.writerow(
            [
                s.rank,
                s.account_id,
                s.division_id,
                subject,
                f"{s.score:.4f}",
                int(s.suspect),
                s.est_mining_kw,
                s.est_rigs,
                s.est_mining_kwh,
                s.first_seen or "",
                s.route,
                s.lead.number if s.lead else "",
                s.proposed_step,
                getattr(s, "desk_verdict", None) or "",
            ]
        )
        count += 1
    audit_record(
        actor=request.user,
        action="detection.meter_run.export",
        target=run,
        detail={"rows": count, "scope": scope.prefix},
        division_code=scope.division_code,
    )
    return response


@analyst_view
def meter_suspect(request: HttpRequest, pk: int, *, scope: Scope) -> HttpResponse:
    suspect = selectors.meter_suspect_get(scope=scope, pk=pk)
    return _evidence_page(request, suspect, DeskCheckForm(initial=_desk_check_period(suspect)))


@require_POST
@analyst_view
def meter_suspect_desk_check(request: HttpRequest, pk: int, *, scope: Scope) -> HttpResponse:
    """Record a production energy balance for the finding; bad input re-shows the page, nothing stored."""
    suspect = selectors.meter_suspect_get(scope=scope, pk=pk)
    form = DeskCheckForm(request.POST)
    if not form.is_valid():
        return _evidence_page(request, suspect, form, status=400)
    data = form.cleaned_data
    record = ProductionRecord(
        first=data["period_start"],
        last=data["period_end"],
        product=data["product"],
        output=data["output"],
        unit=data["unit"],
        kwh_per_unit=data["kwh_per_unit"] or 0.0,
        other_kwh=data["other_kwh"] or 0.0,
        source=data["source"],
        notes=data["notes"],
    )
    try:
        desk_check_record(actor=request.user, suspect=suspect, record=record)  # type: ignore[arg-type]
    except DomainError as error:
        return _evidence_page(request, suspect, form, error=error.shown, status=400)
    messages.success(request, pick("案头核查已记录", "Desk check recorded"))
    return redirect(reverse("detection:meter_suspect", args=[pk]) + "#desk-check")


def _desk_check_row(check: DeskCheck) -> dict[str, Any]:
    return {
        "check": check,
        "metered_kwh": f"{check.metered_kwh:,.0f}",
        "explained_kwh": f"{check.explained_kwh:,.0f}",
        "coverage": f"{check.coverage:.1%}",
        "difference": check.difference_percent,
        "unexplained_kw": f"{check.unexplained_kw:,.0f}" if check.unexplained_kw else "",
    }


def _desk_check_period(suspect: MeterSuspect) -> dict[str, str]:
    """The run's window as the form's default period (Beijing days), tonnes as the default unit."""
    window = suspect.run.summary.get("window") or []
    period = {"period_start": window[0], "period_end": window[1]} if len(window) == 2 else {}
    return period | {"unit": pick("吨", "t")}


def _evidence_page(
    request: HttpRequest, suspect: MeterSuspect, form: DeskCheckForm, error: str = "", status: int = 200
) -> HttpResponse:
    features = [
        {"name": _pick(FEATURE_NAMES, key), "key": key, "value": _shown(value)}
        for key, value in suspect.features.items()
    ]
    top, against = (
        [
            {**item, "name": _pick(FEATURE_NAMES, str(item.get("feature")))}
            for item in suspect.reasons.get(key, [])
        ]
        for key in ("top", "against")
    )
    subject = suspect.power_account.subject if suspect.power_account else None
    checks = list(selectors.desk_checks(suspect=suspect))
    fusion = _fusion_in_words(suspect.reasons.get("fusion") or {})
    if checks:
        code, zh, en = checks[0].next_step()
        fusion.update(next_step=code, next_step_text=pick(zh, en))
    return render(
        request,
        "detection/meter_suspect.html",
        {
            "s": suspect,
            "run": suspect.run,
            "features": features,
            "top": top,
            "against": against,
            "steps": suspect.reasons.get("steps", []),
            "route": _pick(ROUTE_NAMES, suspect.route),
            "basis": _pick(BASIS_NAMES, suspect.est_basis),
            "subject": subject,
            "categories": list(subject.categories.all()) if subject else [],
            "fusion": fusion,
            "meter_score": suspect.reasons.get("meter_score"),
            "working_hours_centre": _clock_in_doubt(suspect.features.get("working_hours_centre")),
            "desk_checks": [_desk_check_row(c) for c in checks],
            "desk_form": form,
            "desk_error": error,
            "desk_tolerance": TOLERANCE,
            "desk_min_coverage": MIN_COVERAGE,
        },
        status=status,
    )


def _clock_in_doubt(centre: float | None) -> str:
    """The centre of the account's working-day rhythm as HH:MM when it falls at night (its clock is
    doubtful, :func:`shape.working_hours_at_night`), else ''."""
    if centre is None or not working_hours_at_night(np.array([float(centre)]))[0]:
        return ""
    minutes = int(round(float(centre) * 60)) % (24 * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _fusion_in_words(fusion: dict[str, Any]) -> dict[str, Any]:
    """The fusion record with its texts in the active language (stored in both)."""

    def words(item: Any) -> str:
        return pick(str(item.get("zh", "")), str(item.get("en", ""))) if isinstance(item, dict) else str(item)

    return {
        "parts": [
            {
                "stream": _pick(STREAM_NAMES, str(p.get("stream", ""))),
                "logit": p.get("logit"),
                "text": words(p.get("text")),
            }
            for p in fusion.get("parts", [])
        ],
        "missing": [words(m) for m in fusion.get("missing", [])],
        "next_step": (fusion.get("next_step") or {}).get("code", ""),
        "next_step_text": words(fusion["next_step"]) if isinstance(fusion.get("next_step"), dict) else "",
    }


@analyst_view
def meter_suspect_png(request: HttpRequest, pk: int, name: str, *, scope: Scope) -> HttpResponse:
    suspect = selectors.meter_suspect_get(scope=scope, pk=pk)
    if name not in ("carpet", "daily"):
        raise NotFoundError()
    pictures = meter_evidence(suspect)
    response = HttpResponse(pictures[f"{name}.png"], content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    response["Vary"] = "Cookie, Accept-Language"  # drawn in the viewer's language
    return response


@require_POST
@analyst_view
def meter_suspect_promote_view(request: HttpRequest, pk: int, *, scope: Scope) -> HttpResponse:
    suspect = selectors.meter_suspect_get(scope=scope, pk=pk)
    try:
        lead = meter_suspect_promote(actor=request.user, suspect=suspect)  # type: ignore[arg-type]
    except DomainError as error:
        messages.error(request, error.message_en if pick("zh", "en") == "en" else error.message_zh)
        return redirect("detection:meter_suspect", pk=pk)
    messages.success(request, pick(f"已转为线索 {lead.number}", f"Promoted to lead {lead.number}"))
    return redirect("detection:meter_suspect", pk=pk)


# ---- network scans ---------------------------------------------------------------------------------------


def _net_index(request: HttpRequest, scope: Scope, error: DomainError | None = None) -> HttpResponse:
    page = Paginator(selectors.net_scans(scope=scope), 20).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "error": error,
        "form": request.POST if error else {},
        "choices": data_choices(("pcap", "pcapng", "csv", "parquet"), capture_folders=True, datasets=False),
        "max_mb": UPLOAD_MAX_BYTES // (1024 * 1024),
    }
    return render(request, "detection/net_scans.html", context, status=error.status if error else 200)


@analyst_view
def net_scans(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    return _net_index(request, scope)


@require_POST
@analyst_view
def net_scan_new(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    try:
        scan = net_scan_start(
            actor=request.user,  # type: ignore[arg-type]
            division=_division_of(request, scope),
            name=request.POST.get("name", "")[:200],
            input_kind=request.POST.get("input_kind", NetScan.Input.CAPTURE)[:10],
            uploads=request.FILES.getlist("files"),  # type: ignore[arg-type]
            server_path=request.POST.get("server_path", "")[:500],
        )
    except DomainError as error:
        return _net_index(request, scope, error)
    messages.success(
        request, pick("扫描任务已提交，正在后台运行", "The scan was queued and is running in the background")
    )
    return redirect("detection:net_scan", pk=scan.pk)


@analyst_view
def net_scan(request: HttpRequest, pk: int, *, scope: Scope) -> HttpResponse:
    scan = selectors.net_scan_get(scope=scope, pk=pk)
    kind = request.GET.get("kind", "")
    kind = kind if kind in NetHost.Kind.values else ""
    q = request.GET.get("q", "")[:60].strip()
    hosts = selectors.net_hosts(scope=scope, scan=scan, kind=kind, q=q)
    page = Paginator(hosts, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "detection/net_scan.html",
        {
            "scan": scan,
            "job": scan.job,
            "page": page,
            "kind": kind,
            "q": q,
            "kinds": NetHost.Kind.choices,
            "wallets": selectors.wallets(selectors.net_hosts(scope=scope, scan=scan)),
        },
    )


@analyst_view
def net_host(request: HttpRequest, pk: int, *, scope: Scope) -> HttpResponse:
    host = selectors.net_host_get(scope=scope, pk=pk)
    evidence = host.evidence
    pools = [
        {**pool, "first": _utc(pool.get("first_seen")), "last": _utc(pool.get("last_seen"))}
        for pool in evidence.get("pools", [])
    ]
    reasons = [{**r, "name": _pick(REASON_NAMES, str(r.get("code")))} for r in evidence.get("reasons", [])]
    return render(
        request,
        "detection/net_host.html",
        {
            "h": host,
            "scan": host.scan,
            "ev": evidence,
            "pools": pools,
            "reasons": reasons,
            "methods": sorted(evidence.get("methods", {}).items(), key=lambda item: -item[1]),
            "flows": evidence.get("flows", {}),
            "subscriber": host.attribution.get("subscriber"),
            "subscriber_last": host.attribution.get("subscriber_at_last_seen"),
            "categories": list(host.subject.categories.all()) if host.subject else [],
            "evidence_json": json.dumps(evidence, ensure_ascii=False, indent=2),
        },
    )


@analyst_view
def net_host_png(request: HttpRequest, pk: int, *, scope: Scope) -> HttpResponse:
    """The host's pool timeline and flow counts (the picture a promoted lead carries)."""
    host = selectors.net_host_get(scope=scope, pk=pk)
    response = HttpResponse(render_host_png(host.evidence, host.host), content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    response["Vary"] = "Cookie, Accept-Language"  # drawn in the viewer's language
    return response


@require_POST
@analyst_view
def net_host_promote_view(request: HttpRequest, pk: int, *, scope: Scope) -> HttpResponse:
    host = selectors.net_host_get(scope=scope, pk=pk)
    try:
        lead = net_host_promote(actor=request.user, host=host)  # type: ignore[arg-type]
    except DomainError as error:
        messages.error(request, error.message_en if pick("zh", "en") == "en" else error.message_zh)
        return redirect("detection:net_host", pk=pk)
    messages.success(request, pick(f"已转为线索 {lead.number}", f"Promoted to lead {lead.number}"))
    return redirect(reverse("detection:net_host", args=[pk]))
