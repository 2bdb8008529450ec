from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minesweep.cases.models import Case
from minesweep.core.errors import DomainError
from minesweep.documents.checker import unverified_citations
from minesweep.documents.kinds import KINDS
from minesweep.documents.services import document_issue
from minesweep.documents.template_build import build_all


class Command(BaseCommand):
    help = (
        "Case documents: `case document CASE_NO --kind KIND --out FILE.docx|pdf` issues (or re-opens) a "
        "numbered document; `case templates --out DIR` writes the editable DOCX templates. 案件文书"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        doc = sub.add_parser("document", help="issue a document and write it as DOCX or PDF")
        doc.add_argument("case_number", help="case number, e.g. AJ-2026-000004")
        doc.add_argument(
            "--kind",
            required=True,
            choices=sorted(KINDS),
            help="; ".join(f"{k.code}={k.zh}" for k in KINDS.values()),
        )
        doc.add_argument("--out", required=True, help="FILE.docx or FILE.pdf")
        doc.add_argument("--party", type=int, help="case party id, for documents issued per party")
        doc.add_argument(
            "--addressee",
            default="",
            help="authority type of a measure letter or 建议函 (e.g. culture_market_regulator)",
        )
        doc.add_argument("--reissue", action="store_true", help="render a new version (old one is kept)")
        doc.add_argument(
            "--reason", default="", help="why a new version is rendered (required with --reissue)"
        )
        templates = sub.add_parser("templates", help="write the default DOCX templates to edit")
        templates.add_argument("--out", required=True, help="directory to write them to")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "templates":
            written = build_all(Path(options["out"]))
            self.stdout.write(
                f"wrote {len(written)} templates to {options['out']}; set DOCUMENT_TEMPLATE_DIR to use them / "
                f"已写出 {len(written)} 个模板"
            )
            return
        out = Path(options["out"])
        suffix = out.suffix.lower()
        if suffix not in (".docx", ".pdf"):
            raise CommandError("输出文件须以 .docx 或 .pdf 结尾 / the output must end in .docx or .pdf")
        if not out.parent.is_dir():
            raise CommandError(f"目录不存在：{out.parent} / no such directory: {out.parent}")
        case = Case.objects.select_related("division").filter(number=options["case_number"].strip()).first()
        if case is None:
            raise CommandError(f"找不到案件 {options['case_number']} / no case {options['case_number']}")
        party = None
        if options.get("party"):
            party = case.parties.filter(pk=options["party"]).first()
            if party is None:
                ids = ", ".join(f"{p.pk}={p.name}" for p in case.parties.all())
                raise CommandError(
                    f"该案没有当事人 {options['party']}（可选：{ids}）/ no such party (choose: {ids})"
                )
        try:
            document = document_issue(
                actor="cli",
                case=case,
                kind=options["kind"],
                party=party,
                reissue=options["reissue"],
                reason=options["reason"],
                addressee=options["addressee"],
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        out.write_bytes(bytes(document.docx if suffix == ".docx" else document.pdf))
        digest = document.docx_sha256 if suffix == ".docx" else document.pdf_sha256
        self.stdout.write(
            f"{document.number or case.number} {document.kind_zh} v{document.version} → {out} (sha256 {digest})"
        )
        doubted = unverified_citations(json.dumps(document.data, ensure_ascii=False))
        if doubted:
            self.stderr.write(
                "条号待核实，签发前请对照法规原文核对 / article numbers to check against the official text "
                f"before signing: {'、'.join(doubted)}"
            )
