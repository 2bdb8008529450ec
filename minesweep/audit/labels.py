"""Readable names for audit actions and objects (``cases.case.file`` → 案件 · 立案 / Case · filed)."""

from __future__ import annotations

from minesweep.core.i18n import pick

OBJECTS: dict[str, tuple[str, str]] = {
    "accounts": ("账号", "Account"),
    "accounts.staff": ("工作人员", "Staff member"),
    "accounts.totp": ("动态口令", "One-time password"),
    "auth.user": ("账号", "Account"),
    "cases.calculation": ("测算", "Calculation"),
    "cases.case": ("案件", "Case"),
    "cases.decision": ("处罚决定", "Decision"),
    "cases.determination": ("措施判定", "Measures determination"),
    "cases.evidence": ("证据", "Evidence"),
    "cases.evidenceitem": ("证据", "Evidence"),
    "cases.follow_up": ("回头看", "Follow-up check"),
    "cases.followupcheck": ("回头看", "Follow-up check"),
    "cases.hearing": ("听证", "Hearing"),
    "cases.inspection": ("现场检查", "Inspection"),
    "cases.lead": ("线索", "Lead"),
    "cases.measure": ("处理措施", "Measure"),
    "cases.notice": ("告知书", "Notice"),
    "cases.party": ("当事人", "Party"),
    "cases.caseparty": ("当事人", "Party"),
    "cases.referral": ("移送", "Referral"),
    "cases.rigs": ("扣押矿机", "Seized rigs"),
    "cases.task": ("部门任务", "Department task"),
    "credit.listing": ("失信名单", "Blacklist entry"),
    "credit.listingrecord": ("失信名单", "Blacklist entry"),
    "detection.meter_run": ("用电数据检测", "Meter detection run"),
    "detection.meterrun": ("用电数据检测", "Meter detection run"),
    "detection.meter_suspect": ("用电疑点", "Meter suspect"),
    "detection.net_host": ("网络疑点主机", "Network host"),
    "detection.net_scan": ("网络数据检测", "Network scan"),
    "detection.netscan": ("网络数据检测", "Network scan"),
    "documents.document": ("执法文书", "Document"),
    "documents.issueddocument": ("执法文书", "Document"),
    "jobs.job": ("后台任务", "Background job"),
    "oversight.register": ("挖矿项目台账", "Mining project register"),
    "registry.ip_allocation": ("IP 地址分配记录", "IP allocation"),
    "registry.ipallocation": ("IP 地址分配记录", "IP allocation"),
    "registry.power_account": ("用电户号", "Power account"),
    "registry.project_register": ("挖矿项目台账", "Mining project register"),
    "registry.site": ("场所", "Site"),
    "registry.subject": ("主体", "Subject"),
    "registry.week": ("周台账", "Weekly register"),
    "reports.attachment": ("举报附件", "Report attachment"),
    "reports.report": ("举报", "Report"),
    "security.keys": ("加密主密钥", "Master keys"),
}

VERBS: dict[str, tuple[str, str]] = {
    "add": ("添加", "added"),
    "answer": ("答复", "answered"),
    "ask": ("向举报人提问", "question to the reporter"),
    "cancel": ("取消", "cancelled"),
    "close": ("办结", "closed"),
    "conclude": ("结束", "concluded"),
    "create": ("创建", "created"),
    "decide": ("作出决定", "decided"),
    "decided": ("作出决定", "decided"),
    "download": ("下载", "downloaded"),
    "enqueue": ("排队", "queued"),
    "enrol": ("绑定", "enrolled"),
    "evaluate": ("运行判定", "evaluated"),
    "expire": ("到期移出", "expired"),
    "export": ("导出", "exported"),
    "extend": ("延长期限", "extended"),
    "facts": ("认定事实", "facts recorded"),
    "file": ("立案", "filed"),
    "hearing_request": ("申请听证", "hearing requested"),
    "issue": ("制发", "issued"),
    "login": ("登录", "signed in"),
    "logout": ("退出", "signed out"),
    "not_file": ("不予立案", "not filed"),
    "notify": ("告知", "notified"),
    "object": ("提出异议", "objection filed"),
    "objection_decide": ("异议决定", "objection decided"),
    "promote": ("转为线索", "promoted to a lead"),
    "propose": ("提出", "proposed"),
    "publish": ("公示", "published"),
    "read_contact": ("查看举报人联系方式", "reporter contact read"),
    "read_resident_id": ("查看身份证号", "resident ID read"),
    "receipt": ("回执", "receipt recorded"),
    "record": ("记录", "recorded"),
    "reissue": ("重新制发", "reissued"),
    "remove": ("删除", "removed"),
    "reopen": ("重新开启", "reopened"),
    "repair_apply": ("申请信用修复", "repair applied for"),
    "repair_decide": ("信用修复决定", "repair decided"),
    "reply": ("答复举报人", "reply to the reporter"),
    "reporter_message": ("举报人留言", "message from the reporter"),
    "restore": ("恢复", "restored"),
    "review": ("法制审核", "legal review"),
    "rotate": ("轮换", "rotated"),
    "run": ("运行", "run"),
    "schedule": ("安排", "scheduled"),
    "seize": ("扣押", "seized"),
    "serve": ("送达", "served"),
    "snapshot": ("周快照", "weekly snapshot"),
    "start": ("开始", "started"),
    "statement": ("陈述申辩", "statement recorded"),
    "status_sync": ("状态同步", "status synchronised"),
    "store": ("保存结果", "results stored"),
    "strike": ("删除", "struck out"),
    "submit": ("提交", "submitted"),
    "submit_review": ("提交法制审核", "sent to legal review"),
    "succeed": ("完成", "finished"),
    "transfer": ("移送", "transferred"),
    "verify": ("开始核查", "verification started"),
    "waive": ("放弃权利", "rights waived"),
}


def object_label(object_type: str) -> str:
    names = OBJECTS.get(object_type)
    return pick(*names) if names else object_type


def action_label(action: str) -> str:
    """``cases.case.file`` → ``案件 · 立案``; an unknown code is shown as it is."""
    head, _, verb = action.rpartition(".")
    names, verbs = OBJECTS.get(head), VERBS.get(verb)
    if not names or not verbs:
        return action
    return f"{pick(*names)} · {pick(*verbs)}"
