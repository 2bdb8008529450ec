"""Input rules for reports, written once and used by the web pages and the JSON API alike."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from minesweep.core.i18n import bi
from minesweep.registry.models import Division
from minesweep.registry.uscc import validate_uscc
from minesweep.reports.models import OFFICER_CHANNELS, Category, Channel

# Markup, script URLs and control characters are refused outright: text from the public is shown to officers,
# exported and put into documents, so it must stay plain text (templates escape it too, as a second line).
_MARKUP = re.compile(r"<\s*[A-Za-z/!?]|javascript\s*:|&#|\bon[a-z]+\s*=", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
POWER_ACCOUNT = re.compile(r"^[0-9A-Za-z\-]{4,40}$")

TEXT_FIELDS = (
    "subject_name",
    "address",
    "power_account",
    "power_line",
    "observed_use",
    "observed_scale",
    "description",
    "contact",
)


def plain_text(value: str, label: str) -> str:
    value = (value or "").strip()
    if _MARKUP.search(value):
        raise ValidationError(
            bi(
                f"“{label}”中不能包含网页代码或脚本（如 < 标签），请只填写文字",
                f"“{label}” must not contain markup or script (such as < tags); plain text only",
            ),
            code="markup",
        )
    if _CONTROL.search(value):
        raise ValidationError(
            bi(f"“{label}”中含有不可见的控制字符", f"“{label}” contains invisible control characters"),
            code="control",
        )
    return value


def division_choices() -> list[tuple[str, Any]]:
    """Leagues as groups, each with a "whole league" entry and its counties (GB/T 2260)."""
    divisions = list(Division.objects.exclude(level=Division.Level.REGION).order_by("code"))
    counties: dict[str, list[Division]] = {}
    for d in divisions:
        if d.level == Division.Level.COUNTY and d.parent_id:
            counties.setdefault(d.parent_id, []).append(d)
    choices: list[tuple[str, Any]] = [
        ("", bi("— 请选择盟市 / 旗县区 —", "— choose league/city and county —"))
    ]
    for league in (d for d in divisions if d.level == Division.Level.LEAGUE):
        # The place name is Chinese only (a proper name); the words and brackets around it follow the language.
        options = [(league.code, bi(f"{league.name}（旗县区不详）", f"{league.name} (county unknown)"))]
        options += [(c.code, f"{league.name} · {c.name}") for c in counties.get(league.code, [])]
        choices.append((league.name, options))
    return choices


class ReportForm(forms.Form):
    category = forms.ChoiceField(
        label=bi("举报类别", "Category"),
        choices=Category.choices,
        error_messages={"invalid_choice": bi("请从列表中选择举报类别", "Choose a category from the list")},
    )
    subject_name = forms.CharField(
        label=bi("被举报单位或个人名称", "Name of the company or person reported"),
        max_length=200,
        required=False,
    )
    uscc = forms.CharField(
        label=bi("统一社会信用代码（如知道）", "Unified social credit code (if known)"),
        max_length=40,
        required=False,
        help_text=bi("18 位，可在营业执照上找到", "18 characters, printed on the business licence"),
    )
    address = forms.CharField(
        label=bi("地址或位置描述", "Address or description of the place"), max_length=300, required=False
    )
    division_code = forms.ChoiceField(
        label=bi("所在盟市 / 旗县区", "League/city and county"),
        choices=(),
        error_messages={
            "invalid_choice": bi(
                "所选盟市 / 旗县区不存在，请从列表中选择", "No such league/county; choose one from the list"
            )
        },
    )
    latitude = forms.DecimalField(
        label=bi("纬度（可选）", "Latitude (optional)"),
        required=False,
        min_value=-90,
        max_value=90,
        decimal_places=6,
        max_digits=9,
    )
    longitude = forms.DecimalField(
        label=bi("经度（可选）", "Longitude (optional)"),
        required=False,
        min_value=-180,
        max_value=180,
        decimal_places=6,
        max_digits=9,
    )
    power_account = forms.CharField(
        label=bi("电力户号（如知道）", "Electricity account number (if known)"), max_length=40, required=False
    )
    power_line = forms.CharField(
        label=bi("供电线路 / 变压器", "Power line or transformer"), max_length=200, required=False
    )
    observed_use = forms.CharField(
        label=bi("观察到的用电情况", "Electricity use observed"),
        max_length=300,
        required=False,
        help_text=bi("如：昼夜不停满负荷、私拉电线", "e.g. full load day and night, unauthorised cables"),
    )
    observed_rigs = forms.IntegerField(
        label=bi("大约矿机台数", "Approximate number of rigs"),
        required=False,
        min_value=0,
        max_value=1_000_000,
    )
    observed_noise = forms.BooleanField(label=bi("持续的风扇噪音", "Constant fan noise"), required=False)
    observed_heat = forms.BooleanField(
        label=bi("大量排热 / 冬季无积雪", "Much heat (e.g. no snow on the roof)"), required=False
    )
    observed_scale = forms.CharField(
        label=bi("规模的其他描述", "Other signs of scale"), max_length=500, required=False
    )
    description = forms.CharField(
        label=bi("举报内容", "What you saw"),
        min_length=10,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=bi(
            "请写明时间、地点、经过，至少 10 个字", "When, where and what happened; at least 10 characters"
        ),
    )
    contact = forms.CharField(
        label=bi("联系方式（可选，默认匿名）", "Contact details (optional; anonymous by default)"),
        max_length=300,
        required=False,
        help_text=bi(
            "加密保存，仅经授权并说明理由的工作人员可查看",
            "Stored encrypted; only authorised officers who state a reason can read it",
        ),
    )
    gps_consent = forms.BooleanField(
        label=bi("同意使用照片中的 GPS 位置作为举报地点", "Use the GPS position in my photo as the location"),
        required=False,
        help_text=bi(
            "不勾选则位置信息会被删除", "Unticked, the position is deleted with the other photo metadata"
        ),
    )

    def __init__(self, *args: Any, require_notice: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["division_code"].choices = division_choices()  # type: ignore[attr-defined]
        if require_notice:
            self.fields["acknowledge"] = forms.BooleanField(
                label=bi(
                    "我已阅读并知悉：举报应实事求是，捏造事实诬告陷害他人的，将依法承担法律责任",
                    "I have read the notice: reports must be truthful; fabricating facts to accuse others is punishable by law",
                ),
                required=True,
                error_messages={
                    "required": bi(
                        "提交前请确认已阅读诬告责任提示",
                        "Please confirm you read the notice on false accusation",
                    )
                },
            )

    SECTIONS: tuple[tuple[tuple[str, str], tuple[str, ...]], ...] = (
        (("1. 举报什么", "1. What you are reporting"), ("category", "subject_name", "uscc")),
        (("2. 在哪里", "2. Where"), ("division_code", "address", "latitude", "longitude")),
        (
            ("3. 用电与规模", "3. Electricity and scale"),
            (
                "power_account",
                "power_line",
                "observed_use",
                "observed_rigs",
                "observed_noise",
                "observed_heat",
                "observed_scale",
            ),
        ),
        (("4. 详细情况", "4. Details"), ("description",)),
        (("5. 证据照片与文件", "5. Photos and files"), ("gps_consent",)),
        (("6. 联系方式（可选）", "6. Contact (optional)"), ("contact",)),
        (("7. 提交前确认", "7. Before you submit"), ("channel", "acknowledge")),
    )

    def sections(self) -> list[dict[str, Any]]:
        """Field groups for the page, each with a bilingual legend."""
        out = []
        for (zh, en), names in self.SECTIONS:
            fields = [self[name] for name in names if name in self.fields]
            if fields:
                out.append({"legend": bi(zh, en), "fields": fields, "files": "gps_consent" in names})
        return out

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        for name in TEXT_FIELDS:
            if name in data and isinstance(data[name], str):
                try:
                    data[name] = plain_text(data[name], str(self.fields[name].label))
                except ValidationError as exc:
                    self.add_error(name, exc)
        uscc = (data.get("uscc") or "").strip().upper()
        if uscc:
            result = validate_uscc(uscc)
            if not result.valid:
                self.add_error(
                    "uscc",
                    bi(
                        f"统一社会信用代码无效：{result.reason_zh}",
                        f"Invalid unified social credit code: {result.reason_en}",
                    ),
                )
            data["uscc"] = uscc
        account = data.get("power_account") or ""
        if account and not POWER_ACCOUNT.match(account):
            self.add_error(
                "power_account",
                bi(
                    "电力户号只能包含数字、字母和连字符（4–40 位）",
                    "Account numbers have 4–40 digits, letters or hyphens",
                ),
            )
        lat, lon = data.get("latitude"), data.get("longitude")
        if (lat is None) != (lon is None):
            self.add_error(
                "longitude", bi("经度和纬度需同时填写", "Give both latitude and longitude, or neither")
            )
        return data

    def division(self) -> Division:
        return Division.objects.get(code=self.cleaned_data["division_code"])

    def content(self) -> dict[str, Any]:
        """What gets encrypted: the reporter's own words and observations."""
        d = self.cleaned_data
        return {
            "description": d["description"],
            "observed_scale": d.get("observed_scale", ""),
            "observed_rigs": d.get("observed_rigs"),
            "observed_noise": bool(d.get("observed_noise")),
            "observed_heat": bool(d.get("observed_heat")),
            "observed_use": d.get("observed_use", ""),
            "power_line": d.get("power_line", ""),
        }

    def coordinates(self) -> tuple[Decimal, Decimal] | None:
        lat, lon = self.cleaned_data.get("latitude"), self.cleaned_data.get("longitude")
        return (lat, lon) if lat is not None and lon is not None else None


class OfficerReportForm(ReportForm):
    channel = forms.ChoiceField(
        label=bi("来源渠道", "Channel received"), choices=[(c.value, c.label) for c in OFFICER_CHANNELS]
    )

    def clean_channel(self) -> str:
        value = self.cleaned_data["channel"]
        if value not in {c.value for c in OFFICER_CHANNELS} or value == Channel.WEB:
            raise ValidationError(bi("请选择来源渠道", "Choose the channel"))
        return str(value)


class MessageForm(forms.Form):
    body = forms.CharField(
        label=bi("留言内容", "Message"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean_body(self) -> str:
        return plain_text(self.cleaned_data.get("body", ""), str(self.fields["body"].label))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=bi("理由", "Reason"), min_length=2, max_length=500)

    def clean_reason(self) -> str:
        return plain_text(self.cleaned_data["reason"], str(self.fields["reason"].label))


def form_error(form: forms.Form) -> Any:
    """A DomainError naming every invalid field, for the API (and for service-level refusals)."""
    from minesweep.core.errors import DomainError

    fields = {name: [str(e) for e in errors] for name, errors in form.errors.items()}
    names = ", ".join(fields)
    detail_zh = "；".join(f"{k}: {' '.join(v)}" for k, v in fields.items())
    return DomainError(
        "reports.invalid",
        f"举报内容有误（{names}）：{detail_zh}",
        f"The report has errors in: {names}",
        fields=fields,
    )
