"""One ranked list of targets (待核查目标排名): every evidence stream about a subject or site, fused.

A row is a registered subject (with all its power accounts and IP allocations) or, when the registry
does not know the holder, a single power account. Streams, each in log-odds with a sentence saying why:

* **meter** — the latest meter finding of each of its accounts (the fused meter score: load shape,
  traffic per kW, declared use); the row's starting point. Without one, the start is
  ``NO_METER_PRIOR`` (about 5 %), and the gap is listed as missing;
* **network** — mining and crypto-node findings of flow and capture scans attributed to it through
  IP allocations;
* **reports** — public reports naming it (by USCC or power account): counts and categories only, the
  sealed report text is never opened here;
* **registry** — the 1283 register of mining projects (a project recorded as shut down while evidence
  continues is worth a visit), earlier cases against it, the credit blacklist, declared use and
  contracted capacity (context, no weight of its own).

``fused = sigmoid(sum of the streams)``. What is unknown is listed under ``missing``; it never counts
as evidence of innocence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from minesweep.accounts.jurisdiction import Scope
from minesweep.core.i18n import in_both
from minesweep.detection.meter.balance import DESK_CLEARED
from minesweep.detection.models import DeskCheck, HostTraffic, MeterSuspect, NetHost
from minesweep.registry.models import IPAllocation, MiningProject, PowerAccount, Subject

NO_METER_PRIOR = -3.0
METER_LOGIT_BOUND = 6.0
NETWORK_MINING_WEIGHT = 4.0
NETWORK_P2P_WEIGHT = 0.5
REPORT_FIRST, REPORT_MORE, REPORT_CAP = 1.0, 0.5, 3
EARLIER_CASE = 1.0
BLACKLISTED = 1.0
PROJECT_SHUT_DOWN = 1.5
PROJECT_KNOWN = 0.5
METER_MIN_SCORE = 0.3  # meter findings below this are not worth a row of their own
OPEN_REPORT_STATES = ("new", "routed", "asked", "converted")
LISTED_STATES = ("listed", "notified", "objection", "repair_applied")


@dataclass
class Stream:
    stream: str
    logit: float
    zh: str
    en: str


@dataclass
class TargetRow:
    key: str
    name: str
    division_code: str
    subject_id: int | None
    accounts: list[str]
    streams: list[Stream] = field(default_factory=list)
    missing: list[tuple[str, str]] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    meter_suspect_ids: list[int] = field(default_factory=list)
    net_host_ids: list[int] = field(default_factory=list)

    @property
    def logit(self) -> float:
        return sum(s.logit for s in self.streams)

    @property
    def score(self) -> float:
        return 1.0 / (1.0 + math.exp(-self.logit))

    @property
    def next_step(self) -> tuple[str, str, str]:
        """(code, zh, en): ``desk_check`` when its meter finding asks for the site's flow data or
        production records first (a data centre or a plant would explain the flat load) and no network
        finding has since shown mining traffic; once a production energy balance is recorded, what it
        says (``desk_cleared``, ``field_visit`` or ``desk_check`` again); otherwise ``field_visit``.
        Mining traffic seen on the network overrides a balance: rigs were seen, whatever the records."""
        mining_seen = any(h.get("kind") == NetHost.Kind.MINING for h in self.facts.get("network", []))
        desk = self.facts.get("meter", {}).get("desk_check")
        if isinstance(desk, dict) and not mining_seen:
            step = desk["next_step"]
            return str(step["code"]), str(step["zh"]), str(step["en"])
        fusion = self.facts.get("meter", {}).get("fusion", {})
        step = fusion.get("next_step") if isinstance(fusion, dict) else None
        if isinstance(step, dict) and step.get("code") == "desk_check" and not mining_seen:
            return "desk_check", str(step.get("zh", "")), str(step.get("en", ""))
        return "field_visit", "建议现场核查", "Worth a field visit"

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "division": self.division_code,
            "subject_id": self.subject_id,
            "accounts": self.accounts,
            "score": round(self.score, 4),
            "streams": [s.__dict__ | {"logit": round(s.logit, 2)} for s in self.streams],
            "missing": [{"zh": zh, "en": en} for zh, en in self.missing],
            "next_step": dict(zip(("code", "zh", "en"), self.next_step, strict=True)),
            "facts": self.facts,
        }


def rank_targets(
    *, scope: Scope, limit: int = 500, by_expected_kw: bool = False, hide_cleared: bool = False
) -> list[TargetRow]:
    """Target rows inside ``scope``, highest fused score first (ties by key), or as
    :func:`arrange_targets` puts them, then the first ``limit``."""
    suspects = _latest_meter_findings(scope)
    hosts = list(NetHost.objects.filter(scope.q("division"), subject__isnull=False).select_related("scan"))
    subject_ids = {h.subject_id for h in hosts if h.subject_id}
    subject_ids |= {
        s.power_account.subject_id for s in suspects if s.power_account and s.power_account.subject_id
    }
    subject_ids |= set(MiningProject.objects.filter(scope.q("division")).values_list("owner_id", flat=True))
    subject_ids |= _reported_subject_ids(scope)
    subjects = {
        s.pk: s
        for s in Subject.objects.filter(pk__in=subject_ids)
        .filter(scope.q("division"))
        .prefetch_related("categories", "power_accounts")
    }
    rows = [_subject_row(subject, suspects, hosts) for subject in subjects.values()]
    rows += [_account_row(s) for s in suspects if not (s.power_account and s.power_account.subject_id)]
    rows.sort(key=lambda r: (-r.score, r.key))
    return arrange_targets(rows, by_expected_kw=by_expected_kw, hide_cleared=hide_cleared)[:limit]


def expected_kw(row: TargetRow) -> float:
    """Fused score × estimated mining kW: the load a visit can expect to find (−1 without a meter
    estimate). kW alone would send a team first to a large load the evidence hardly suspects."""
    kw = row.facts.get("meter", {}).get("est_mining_kw")
    return row.score * float(kw) if isinstance(kw, int | float) else -1.0


def arrange_targets(rows: list[TargetRow], *, by_expected_kw: bool, hide_cleared: bool) -> list[TargetRow]:
    """Ranked rows as a field team wants them: largest expected load first (:func:`expected_kw`; a team
    plans its drives by what there is to find) and without the targets a desk check cleared."""
    kept = [row for row in rows if not (hide_cleared and row.next_step[0] == DESK_CLEARED)]
    if by_expected_kw:
        kept.sort(key=lambda row: (-expected_kw(row), -row.score, row.key))
    return kept


def target_row(*, scope: Scope, key: str) -> TargetRow | None:
    """One row by its key (``subject:<id>`` or ``account:<number>``), or None outside the scope."""
    return next((row for row in rank_targets(scope=scope, limit=100_000) if row.key == key), None)


def _latest_meter_findings(scope: Scope) -> list[MeterSuspect]:
    """Per account, its finding from the most recent run (worth a row: score ≥ METER_MIN_SCORE)."""
    latest: dict[str, MeterSuspect] = {}
    rows = (
        MeterSuspect.objects.filter(scope.q("division"), score__gte=METER_MIN_SCORE)
        .select_related("run", "power_account", "power_account__subject")
        .order_by("-run__created_at", "-run_id")
    )
    for suspect in rows:
        latest.setdefault(suspect.account_id, suspect)
    checks: dict[int, DeskCheck] = {}
    by_recency = DeskCheck.objects.filter(suspect_id__in=[s.pk for s in latest.values()]).order_by(
        "-recorded_at", "-id"
    )
    for check in by_recency.select_related("suspect__run"):
        checks.setdefault(check.suspect_id, check)
    for suspect in latest.values():
        suspect.latest_desk_check = checks.get(suspect.pk)  # type: ignore[attr-defined]
    return list(latest.values())


def _reported_subject_ids(scope: Scope) -> set[int]:
    from minesweep.reports.models import Report

    usccs = set(
        Report.objects.filter(scope.q("division"), state__in=OPEN_REPORT_STATES)
        .exclude(uscc="")
        .values_list("uscc", flat=True)
    )
    accounts = set(
        Report.objects.filter(scope.q("division"), state__in=OPEN_REPORT_STATES)
        .exclude(power_account="")
        .values_list("power_account", flat=True)
    )
    ids = set(Subject.objects.filter(uscc__in=usccs).values_list("pk", flat=True))
    ids |= set(
        PowerAccount.objects.filter(number__in=accounts, subject__isnull=False).values_list(
            "subject_id", flat=True
        )
    )
    return {int(i) for i in ids if i}


def _meter_stream(row: TargetRow, findings: list[MeterSuspect]) -> None:
    if not findings:
        row.streams.append(
            Stream(
                "meter",
                NO_METER_PRIOR,
                "无用电分析结果：按一般户起评",
                "No meter finding: starts from a typical account",
            )
        )
        row.missing.append(("无用电数据分析结果", "No meter analysis of its accounts"))
        return
    best = max(findings, key=lambda s: s.score)
    score = min(max(best.score, 1e-6), 1 - 1e-6)
    logit = METER_LOGIT_BOUND * math.tanh(math.log(score / (1 - score)) / METER_LOGIT_BOUND)
    kw_zh, kw_en = best.kw_words()
    row.streams.append(
        Stream(
            "meter",
            logit,
            f"户号 {best.account_id} 用电评分 {best.score:.2f}，估算挖矿负荷 {kw_zh}（{best.run.name}）",
            f"Account {best.account_id} meter score {best.score:.2f}, estimated mining load {kw_en} ({best.run.name})",
        )
    )
    row.meter_suspect_ids = [s.pk for s in findings]
    row.facts["meter"] = {
        "suspect_id": best.pk,
        "account_id": best.account_id,
        "score": best.score,
        "est_mining_kw": best.est_mining_kw,
        "est_mining_kwh": best.est_mining_kwh,
        "est_rigs": best.est_rigs,
        "first_seen": best.first_seen.isoformat() if best.first_seen else None,
        "route": best.route,
        "fusion": best.reasons.get("fusion", {}),
        "features": best.features,
    }
    check: DeskCheck | None = getattr(best, "latest_desk_check", None)
    if check is not None:
        row.facts["meter"]["desk_check"] = check.as_facts()
    for item in best.reasons.get("fusion", {}).get("missing", []):
        if isinstance(item, dict):
            row.missing.append((str(item.get("zh", "")), str(item.get("en", ""))))


def _network_stream(row: TargetRow, hosts: list[NetHost], has_allocations: bool, seen_by_flows: bool) -> None:
    mining = [h for h in hosts if h.kind == NetHost.Kind.MINING]
    p2p = [h for h in hosts if h.kind == NetHost.Kind.CRYPTO_P2P]
    if mining:
        best = max(h.score for h in mining)
        row.streams.append(
            Stream(
                "network",
                NETWORK_MINING_WEIGHT * best,
                f"{len(mining)} 个地址有挖矿流量（最高评分 {best:.2f}）",
                f"{len(mining)} address(es) with mining traffic (best score {best:.2f})",
            )
        )
    if p2p:
        row.streams.append(
            Stream(
                "network",
                NETWORK_P2P_WEIGHT,
                f"{len(p2p)} 个地址运行加密货币节点",
                f"{len(p2p)} address(es) running a crypto node",
            )
        )
    row.net_host_ids = [h.pk for h in hosts]
    row.facts["network"] = [
        {
            "host": h.host,
            "kind": h.kind,
            "score": h.score,
            "scan": h.scan_id,
            "last_seen": h.last_seen.isoformat(),
        }
        for h in hosts
    ]
    if not has_allocations:
        row.missing.append(
            (
                "登记库无其 IP 地址分配：网络证据无法归属",
                "No IP allocation on record: network evidence cannot be attributed",
            )
        )
    elif not hosts and not seen_by_flows:
        row.missing.append(("尚无流量扫描覆盖其地址", "No network scan has covered its addresses yet"))


def _report_stream(row: TargetRow, usccs: list[str], accounts: list[str]) -> None:
    from minesweep.reports.models import Report

    match = Q(pk__in=[])
    if usccs:
        match |= Q(uscc__in=usccs)
    if accounts:
        match |= Q(power_account__in=accounts)
    reports = list(
        Report.objects.filter(match, state__in=OPEN_REPORT_STATES).values_list("category", flat=True)
    )
    if not reports:
        return
    count = len(reports)
    logit = REPORT_FIRST + REPORT_MORE * (min(count, REPORT_CAP) - 1)
    categories = sorted(set(reports))
    row.streams.append(
        Stream(
            "reports",
            logit,
            f"{count} 件群众举报（类别：{'、'.join(categories)}）",
            f"{count} public report(s) (categories: {', '.join(categories)})",
        )
    )
    row.facts["reports"] = {"count": count, "categories": categories}


def _registry_streams(row: TargetRow, subject: Subject) -> None:
    from minesweep.cases.models import Case
    from minesweep.credit.models import ListingRecord

    projects = list(MiningProject.objects.filter(owner=subject))
    for project in projects:
        shut = project.status == MiningProject.Status.SHUT_DOWN
        status_zh, status_en = in_both(MiningProject.Status(project.status).label)
        row.streams.append(
            Stream(
                "registry",
                PROJECT_SHUT_DOWN if shut else PROJECT_KNOWN,
                f"1283 台账项目“{project.name}”（{status_zh}，{project.power_kw} kW）"
                + ("：已登记关停" if shut else ""),
                f"Register project '{project.name}' ({status_en.lower()}, {project.power_kw} kW)"
                + (": recorded as shut down" if shut else ""),
            )
        )
    cases = Case.objects.filter(lead__subject=subject).count()
    if cases:
        row.streams.append(
            Stream("registry", EARLIER_CASE, f"既往案件 {cases} 件", f"{cases} earlier case(s)")
        )
    listed = ListingRecord.objects.filter(subject=subject, status__in=LISTED_STATES).count()
    if listed:
        row.streams.append(Stream("registry", BLACKLISTED, "列入失信主体名单", "On the credit blacklist"))
    contract = sum(float(a.contract_kva or 0) for a in subject.power_accounts.all())
    row.facts["registry"] = {
        "categories": sorted(c.code for c in subject.categories.all()),
        "declared_business": subject.declared_business,
        "contract_kva": contract,
        "projects": [{"name": p.name, "status": p.status, "power_kw": float(p.power_kw)} for p in projects],
        "earlier_cases": cases,
        "blacklisted": bool(listed),
    }


def _subject_row(subject: Subject, suspects: list[MeterSuspect], hosts: list[NetHost]) -> TargetRow:
    accounts = [a.number for a in subject.power_accounts.all()]
    row = TargetRow(
        key=f"subject:{subject.pk}",
        name=subject.name,
        division_code=subject.division_id,
        subject_id=subject.pk,
        accounts=accounts,
    )
    _meter_stream(row, [s for s in suspects if s.power_account and s.power_account.subject_id == subject.pk])
    has_allocations = IPAllocation.objects.filter(subject=subject).exists()
    seen = HostTraffic.objects.filter(subject=subject).exists()
    _network_stream(row, [h for h in hosts if h.subject_id == subject.pk], has_allocations, seen)
    _report_stream(row, [subject.uscc] if subject.uscc else [], accounts)
    _registry_streams(row, subject)
    if not accounts:
        row.missing.append(("登记库无其电力户号", "No power account on record"))
    return row


def _account_row(suspect: MeterSuspect) -> TargetRow:
    row = TargetRow(
        key=f"account:{suspect.account_id}",
        name=suspect.account_id,
        division_code=suspect.division_id,
        subject_id=None,
        accounts=[suspect.account_id],
    )
    _meter_stream(row, [suspect])
    _report_stream(row, [], [suspect.account_id])
    row.missing.append(
        (
            "户号主体未登记：网络与登记库证据无法关联",
            "Holder not in the registry: network and registry evidence cannot be linked",
        )
    )
    return row
