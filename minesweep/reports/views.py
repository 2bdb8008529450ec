"""Pages: the public reporting platform (/report/…) and the staff intake queue (/intake/…). Thin: parse,
authorise, call one service or selector, render."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.core import signing
from django.core.paginator import Paginator
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from minesweep.accounts.access import staff_view
from minesweep.accounts.jurisdiction import Scope
from minesweep.accounts.roles import Role
from minesweep.core.busy import DatabaseBusyError, busy_error
from minesweep.core.errors import DomainError, NotFoundError, with_error_headers
from minesweep.core.i18n import bi
from minesweep.policy.workdays import lead_check_deadline
from minesweep.registry.models import Division
from minesweep.reports import antiabuse, services
from minesweep.reports.attachments import MAX_FILES_PER_SUBMISSION, AttachmentError, CleanFile, clean_file
from minesweep.reports.forms import MessageForm, OfficerReportForm, ReasonForm, ReportForm
from minesweep.reports.models import Channel, PublicStatus, Report, TriageState
from minesweep.reports.selectors import (
    CONTENT_READERS,
    QueueGroup,
    attachment_get,
    intake_queue,
    merge_candidates,
    notifications_for,
    receipt_indexed,
    report_by_receipt,
    report_get,
    unread_notifications,
)
from minesweep.security.receipts import ReceiptFormatError, receipt_normalize

FOLLOW_SALT = "minesweep.reports.follow"
FOLLOW_MAX_AGE = 30 * 60
FOLLOW_SESSION_KEY = "follow_report"
QUEUE_PAGE = 50
ORDINALS_EN = ("first", "second", "third", "fourth", "fifth")
TRIAGE_ROLES = (Role.INTAKE_OFFICER,)
READ_ROLES = CONTENT_READERS

TRIAGE_DONE = {
    "merge": bi("已作为重复举报并入", "Merged as a duplicate"),
    "route": bi("已转办", "Routed"),
    "ask": bi("问题已发给举报人", "Question sent to the reporter"),
    "reply": bi("回复已发给举报人", "Reply sent to the reporter"),
    "dismiss": bi("已作不予处理，理由已告知举报人", "Dismissed; the reporter can read the reason"),
    "convert": bi("已转为线索", "Converted into a lead"),
}

STATUS_EXPLAINED = {
    PublicStatus.RECEIVED: bi("举报已收到，正在分拣。", "Your report has arrived and is being sorted."),
    PublicStatus.VERIFYING: bi("有关部门正在核查。", "The authorities are verifying it."),
    PublicStatus.CASE_OPENED: bi("已立案调查。", "A case has been opened."),
    PublicStatus.CONCLUDED: bi("已办结，见下方办理结果。", "Concluded; see the outcome below."),
    PublicStatus.NOT_PURSUED: bi("不予处理，理由见下方。", "Not pursued; the reason is below."),
}


def _fingerprint(request: HttpRequest) -> str:
    return str(getattr(request, "client_fingerprint", ""))


def read_files(request: HttpRequest, *, keep_gps: bool) -> list[CleanFile]:
    """Type-check and sanitise uploaded files (field ``files``); refuses the whole set on any bad file."""
    uploads = request.FILES.getlist("files")
    if len(uploads) > MAX_FILES_PER_SUBMISSION:
        raise AttachmentError(
            "reports.too_many_files",
            f"一次最多上传 {MAX_FILES_PER_SUBMISSION} 个文件",
            f"At most {MAX_FILES_PER_SUBMISSION} files at a time",
        )
    cleaned = []
    for upload in uploads:
        if upload.size and upload.size > settings.UPLOAD_MAX_BYTES:
            _too_large(upload.name)
        cleaned.append(clean_file(upload.name or "file", upload.read(), keep_gps=keep_gps))
    return cleaned


def _too_large(name: str | None) -> None:
    mb = settings.UPLOAD_MAX_BYTES / 1024 / 1024
    raise AttachmentError(
        "reports.file_too_large",
        f"文件“{name}”超过 {mb:.0f} MB 上限",
        f"File “{name}” is larger than the {mb:.0f} MB limit",
    )


def _submit_page(
    request: HttpRequest, form: ReportForm, error: DomainError | None = None, status: int = 200
) -> HttpResponse:
    challenge = antiabuse.challenge_issue()
    return render(
        request,
        "reports/submit.html",
        {
            "form": form,
            "challenge": challenge,
            "error": error,
            "max_files": MAX_FILES_PER_SUBMISSION,
            "files_dropped": request.method == "POST" and bool(request.FILES),
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    """Public: file a report. Anonymous by default; the receipt is shown once on the next page."""
    if request.method == "GET":
        return _submit_page(request, ReportForm(require_notice=True))
    form = ReportForm(request.POST, require_notice=True)
    try:
        antiabuse.quota_check(_fingerprint(request))
        if not form.is_valid():
            return _submit_page(request, form, status=400)
        files = read_files(request, keep_gps=bool(form.cleaned_data.get("gps_consent")))
        antiabuse.challenge_verify(
            request.POST.get("challenge", ""), request.POST.get("challenge_answer", "")
        )
        filed = _file(form, files, channel=Channel.WEB)
    except DomainError as error:
        return _submit_page(request, form, error, status=error.status)
    except OperationalError as exc:  # a busy database: the report was not filed (one transaction)
        busy_error(exc)  # logged for the operator
        refusal = _not_filed()
        return with_error_headers(_submit_page(request, form, refusal, status=refusal.status), refusal)
    antiabuse.quota_count(_fingerprint(request))
    return _receipt_page(request, filed)


def _not_filed() -> DatabaseBusyError:
    """The busy refusal in the reporter's words: what they typed is still on the form, nothing was filed."""
    return DatabaseBusyError(
        "系统繁忙，举报尚未提交。您填写的内容仍在表单中（附件需重新选择），请约半分钟后再次点击提交",
        "The system is busy and the report was not filed. What you wrote is still in the form (choose the "
        "attachments again); please submit again in about half a minute",
    )


def _file(
    form: ReportForm, files: list[CleanFile], *, channel: str, actor: User | None = None
) -> services.Filed:
    d = form.cleaned_data
    return services.report_submit(
        channel=channel,
        category=d["category"],
        division=form.division(),
        content=form.content(),
        subject_name=d.get("subject_name", ""),
        uscc=d.get("uscc", ""),
        address=d.get("address", ""),
        power_account=d.get("power_account", ""),
        coordinates=form.coordinates(),
        contact=d.get("contact", ""),
        files=files,
        use_photo_location=bool(d.get("gps_consent")),
        actor=actor,
    )


def _receipt_page(request: HttpRequest, filed: services.Filed, *, officer: bool = False) -> HttpResponse:
    response = render(
        request,
        "reports/receipt.html",
        {
            "filed": filed,
            "groups": filed.receipt.split("-"),
            "proof_text": filed.proof_text(),
            "officer": officer,
        },
        status=201,
    )
    response["Cache-Control"] = "no-store"
    return response


def _status_context(report: Report) -> dict[str, Any]:
    return {
        "report": report,
        "status_label": PublicStatus(report.status).label,
        "status_explained": STATUS_EXPLAINED[PublicStatus(report.status)],
        "messages_": services.report_messages(report),
        "attachments": report.attachments.all(),
        "token": signing.dumps({"r": report.pk}, salt=FOLLOW_SALT),
        "message_form": MessageForm(),
        "question_open": report.state == TriageState.ASKED,
        "statuses": PublicStatus.choices,
    }


@never_cache
@require_http_methods(["GET", "POST"])
def follow_up(request: HttpRequest) -> HttpResponse:
    """Public: enter the receipt to see the status, read replies, answer and add material. A good receipt
    opens the status page by redirect (post/redirect/get), so a refresh never re-sends the code."""
    if request.method == "GET":
        return render(request, "reports/follow_up.html", {})
    typed = request.POST.get("receipt", "")[:60]
    try:
        report = _report_from_receipt(request, typed)
    except DomainError as error:
        page = render(
            request, "reports/follow_up.html", {"error": error, "typed": typed}, status=error.status
        )
        return with_error_headers(page, error)
    request.session[FOLLOW_SESSION_KEY] = signing.dumps({"r": report.pk}, salt=FOLLOW_SALT)
    return redirect("reports:follow_up_message")


def _report_from_receipt(request: HttpRequest, typed: str) -> Report:
    """Shared by the page and the API: constant-work, one answer for every wrong receipt, throttled.

    A client past its budget of wrong receipts gets 429 with Retry-After at once (no Argon2id, no sleep),
    except for a code whose keyed lookup id exists: that one is still verified, so a reporter sharing an
    address with a guesser (a proxy, a campus network) is never locked out of their own report (ADR 0003).
    """
    fingerprint = _fingerprint(request)
    try:
        code = receipt_normalize(typed)
    except ReceiptFormatError as exc:
        if exc.wrong_length:
            raise DomainError(
                "reports.receipt_format",
                "回执码应为 30 位数字（5 组，每组 6 位）",
                "A receipt code has 30 digits (5 groups of 6)",
            ) from None
        raise DomainError(
            "reports.receipt_typo",
            "、".join(f"第 {g} 组（第 {g * 6 - 5}–{g * 6} 位数字）" for g in exc.bad_groups)
            + "似乎抄错了，请对照回执核对这一组；其余各组无误",
            "The "
            + " and the ".join(
                f"{ORDINALS_EN[g - 1]} group (digits {g * 6 - 5} to {g * 6})" for g in exc.bad_groups
            )
            + " looks mistyped; check it against your receipt. The other groups are right.",
            groups=exc.bad_groups,
        ) from None
    wait = antiabuse.receipt_throttled(fingerprint)
    if wait and not receipt_indexed(code):
        antiabuse.receipt_failed(fingerprint)
        raise antiabuse.receipt_refused(wait)
    report = report_by_receipt(code)
    if report is None:
        antiabuse.receipt_failed(fingerprint)
        raise NotFoundError(
            "reports.receipt_unknown",
            "回执码无效。请核对后重试；多次错误将被暂时限制",
            "That receipt code does not open a report. Check it and try again; repeated errors are limited",
        )
    return report


def _followed_report(request: HttpRequest, token: str) -> Report:
    payload = signing.loads(token, salt=FOLLOW_SALT, max_age=FOLLOW_MAX_AGE)
    return Report.objects.get(pk=int(payload["r"]))


def _follow_expired(request: HttpRequest) -> HttpResponse:
    error = DomainError(
        "reports.follow_expired",
        "页面已过期，请重新输入回执码",
        "This page expired; enter your receipt again",
    )
    return render(request, "reports/follow_up.html", {"error": error}, status=400)


@never_cache
@require_http_methods(["GET", "POST"])
def follow_up_message(request: HttpRequest) -> HttpResponse:
    """Public: the status page (GET, for 30 minutes after the receipt was entered) and adding a message
    and/or files to it (POST, then redirect back: a refresh does not send the message again)."""
    token = (
        request.POST.get("token", "")
        if request.method == "POST"
        else request.session.get(FOLLOW_SESSION_KEY, "")
    )
    try:
        report = _followed_report(request, token)
    except (signing.BadSignature, KeyError, TypeError, ValueError, Report.DoesNotExist):
        if request.method == "GET":
            return redirect("reports:follow_up")
        return _follow_expired(request)
    context = _status_context(report)
    if request.method == "GET":
        return render(request, "reports/status.html", context)
    form = MessageForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(
                "reports.invalid", "留言内容有误", "The message is not valid", fields=form.errors
            )
        files = read_files(request, keep_gps=False)
        services.report_add_from_reporter(report=report, body=form.cleaned_data["body"], files=files)
    except DomainError as error:
        context.update(message_form=form, error=error, files_dropped=bool(request.FILES))
        return with_error_headers(render(request, "reports/status.html", context, status=error.status), error)
    request.session[FOLLOW_SESSION_KEY] = token
    messages.success(request, str(bi("已发送，谢谢您。", "Sent. Thank you.")))
    return redirect("reports:follow_up_message")


# --- staff --------------------------------------------------------------------------------------------


def _queue_rows(groups: list[QueueGroup], q: str) -> list[dict[str, Any]]:
    """One row per report for the single queue table: duplicate groups stay together and carry a group
    letter and the reasons; each row has its age in days and the 15-working-day check deadline."""
    today = timezone.localdate()
    rows: list[dict[str, Any]] = []
    letters = iter("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    needle = q.casefold()
    for group in groups:
        letter = next(letters, "*") if group.is_duplicate_group else ""
        for report in group.reports:
            text = (
                f"{report.number} {report.subject_name} {report.uscc} {report.address} {report.division.name}"
            )
            if needle and needle not in text.casefold():
                continue
            received = timezone.localtime(report.created_at).date()
            due = lead_check_deadline(received)
            rows.append(
                {
                    "report": report,
                    "group": letter,
                    "reasons": sorted(group.reasons) if letter else [],
                    "age": (today - received).days,
                    "due": due,
                    "overdue": due < today,
                }
            )
    return rows


@staff_view(*READ_ROLES)
def queue(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    state = request.GET.get("state", "")
    if state not in TriageState.values:
        state = ""
    q = request.GET.get("q", "").strip()[:60]
    rows = _queue_rows(intake_queue(scope=scope, state=state), q)
    page = Paginator(rows, QUEUE_PAGE).get_page(request.GET.get("page"))
    unread = unread_notifications(user=request.user, scope=scope)  # type: ignore[arg-type]
    return render(
        request,
        "reports/queue.html",
        {
            "page": page,
            "state": state,
            "q": q,
            "pager_query": urlencode({"state": state, "q": q}),
            "states": TriageState.choices,
            "unread": unread.count(),
            "unread_numbers": set(unread.values_list("report__number", flat=True)),
            "total": len(rows),
            "can_triage": scope.role in TRIAGE_ROLES or scope.role == Role.ADMINISTRATOR,
        },
    )


@staff_view(*TRIAGE_ROLES)
@require_http_methods(["GET", "POST"])
def officer_entry(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    """Staff: enter a report received by phone, email, letter or in person (channel recorded)."""
    form = OfficerReportForm(request.POST or None)
    error = None
    if request.method == "POST":
        try:
            if form.is_valid():
                if not scope.contains(form.cleaned_data["division_code"]):
                    raise DomainError(
                        "reports.outside_scope",
                        "所选地区不在您的辖区内，请转交有管辖权的受理员",
                        "That division is outside your jurisdiction",
                    )
                files = read_files(request, keep_gps=bool(form.cleaned_data.get("gps_consent")))
                filed = _file(form, files, channel=form.cleaned_data["channel"], actor=request.user)  # type: ignore[arg-type]
                return _receipt_page(request, filed, officer=True)
        except DomainError as exc:
            error = exc
    return render(
        request,
        "reports/officer_entry.html",
        {"form": form, "error": error, "files_dropped": request.method == "POST" and bool(request.FILES)},
        status=400 if request.method == "POST" else 200,
    )


def _detail(request: HttpRequest, scope: Scope, report: Report, **extra: Any) -> HttpResponse:
    services.notifications_mark_read(user=request.user, report=report)  # type: ignore[arg-type]
    leagues = Division.objects.filter(level=Division.Level.LEAGUE).order_by("code")
    context = {
        "report": report,
        "content": services.report_content_read(actor=request.user, report=report),  # type: ignore[arg-type]
        "messages_": services.report_messages(report),
        "attachments": report.attachments.all(),
        "duplicates": report.duplicates.all(),
        "candidates": merge_candidates(scope=scope, report=report),
        "leagues": leagues,
        "can_triage": scope.role in TRIAGE_ROLES or scope.role == Role.ADMINISTRATOR,
        "revealed": None,
        "error": None,
    }
    context.update(extra)
    return render(request, "reports/detail.html", context, status=extra.get("status", 200))


@staff_view(*READ_ROLES)
def detail(request: HttpRequest, number: str, *, scope: Scope) -> HttpResponse:
    return _detail(request, scope, report_get(scope=scope, number=number))


@require_POST
@staff_view(*READ_ROLES)
def reveal_contact(request: HttpRequest, number: str, *, scope: Scope) -> HttpResponse:
    report = report_get(scope=scope, number=number)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        error = DomainError(
            "reports.reason_required",
            "查看举报人联系方式必须填写理由",
            "State a reason to read the reporter's contact details",
        )
        return _detail(request, scope, report, error=error, status=400)
    revealed = services.report_reveal_contact(
        actor=request.user,  # type: ignore[arg-type]
        report=report,
        reason=form.cleaned_data["reason"],
    )
    return _detail(
        request, scope, report, revealed=revealed or str(bi("（未留联系方式）", "(no contact details given)"))
    )


@require_POST
@staff_view(*TRIAGE_ROLES)
def triage(request: HttpRequest, number: str, action: str, *, scope: Scope) -> HttpResponse:
    """One triage action: merge, route, ask, reply, dismiss, convert."""
    report = report_get(scope=scope, number=number)
    post = request.POST
    actor = request.user
    try:
        text = ""
        if action in ("ask", "reply", "dismiss", "convert"):
            form = MessageForm({"body": post.get("text", "")})
            if not form.is_valid():
                raise DomainError(
                    "reports.invalid",
                    "内容有误：" + " ".join(str(e) for e in form.errors.get("body", [])),
                    "Invalid text",
                )
            text = form.cleaned_data["body"]
        if action == "merge":
            into = report_get(scope=scope, number=post.get("into", "").strip())
            services.report_merge(actor=actor, report=report, into=into)  # type: ignore[arg-type]
        elif action == "route":
            league = Division.objects.filter(code=post.get("league", ""), level=Division.Level.LEAGUE).first()
            if league is None:
                raise DomainError("reports.route_target", "请选择要转办的盟市", "Choose the league/city")
            services.report_route(actor=actor, report=report, league=league)  # type: ignore[arg-type]
        elif action == "ask":
            services.report_ask(actor=actor, report=report, question=text)  # type: ignore[arg-type]
        elif action == "reply":
            services.report_reply(actor=actor, report=report, body=text)  # type: ignore[arg-type]
        elif action == "dismiss":
            services.report_dismiss(actor=actor, report=report, reason=text)  # type: ignore[arg-type]
        elif action == "convert":
            services.report_convert(actor=actor, report=report, title=text)  # type: ignore[arg-type]
        else:
            raise NotFoundError()
    except NotFoundError:
        raise
    except DomainError as error:
        report.refresh_from_db()
        typed = {"typed_action": action, "typed_text": post.get("text", "")[:5000]}
        return _detail(request, scope, report, error=error, status=error.status, **typed)
    messages.success(request, str(TRIAGE_DONE[action]))
    # A report routed out of the officer's jurisdiction is no longer theirs to open.
    if not scope.contains(Report.objects.get(pk=report.pk).division_id):
        return redirect("reports:queue")
    return redirect("reports:detail", number=report.number)


@staff_view(*READ_ROLES)
def attachment_download(request: HttpRequest, number: str, pk: int, *, scope: Scope) -> HttpResponse:
    report = report_get(scope=scope, number=number)
    attachment = attachment_get(scope=scope, report=report, pk=pk)
    name, content = services.attachment_open(attachment)
    from minesweep.audit.services import audit_record

    audit_record(
        actor=request.user,
        action="reports.attachment.download",
        target=attachment,
        division_code=report.division_id,
        detail={"report": report.number},
    )
    response = HttpResponse(content, content_type=attachment.content_type)
    ascii_name = f"{report.number}-{attachment.pk}.{name.rsplit('.', 1)[-1]}"
    response["Content-Disposition"] = f'attachment; filename="{ascii_name}"'
    response["Cache-Control"] = "no-store"
    return response


@staff_view(*READ_ROLES)
def notifications(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    items = list(notifications_for(user=request.user, scope=scope))  # type: ignore[arg-type]
    if request.method == "POST":
        services.notifications_mark_read(user=request.user)  # type: ignore[arg-type]
        return redirect("reports:notifications")
    return render(request, "reports/notifications.html", {"items": items})
