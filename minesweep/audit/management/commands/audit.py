from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from minesweep.audit.checkpoints import checkpoint_check, checkpoint_load, public_key_pem
from minesweep.audit.services import ChainReport, audit_checkpoint, audit_verify, audit_verify_checkpoint


class Command(BaseCommand):
    help = (
        "Audit trail: `audit verify [--checkpoint FILE]` walks the keyed chain (exit 1 naming the first bad "
        "event), `audit checkpoint --out FILE` exports a signed checkpoint, `audit public-key`. 审计链校验"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="check that no audit event was changed, deleted or reordered")
        verify.add_argument(
            "--checkpoint", help="a signed checkpoint file: history up to it must be unchanged"
        )
        verify.add_argument(
            "--public-key",
            help="PEM file of the escrowed checkpoint key (default: derived from the audit key)",
        )
        verify.add_argument(
            "--offline", action="store_true", help="check only the checkpoint's signature (no database)"
        )
        checkpoint = sub.add_parser("checkpoint", help="sign the chain's head; keep the file off this server")
        checkpoint.add_argument("--out", help="file to write (default: standard output)")
        sub.add_parser("public-key", help="print the checkpoint signing key's public half (escrow it)")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "public-key":
            self.stdout.write(public_key_pem(settings.AUDIT_KEY))
        elif action == "checkpoint":
            text = json.dumps(audit_checkpoint(actor="cli"), indent=2, ensure_ascii=False)
            if options["out"]:
                Path(options["out"]).write_text(text + "\n")
                self.stdout.write(f"checkpoint written to {options['out']} / 检查点已导出")
            else:
                self.stdout.write(text)
        else:
            self._verify(options)

    def _verify(self, options: dict[str, Any]) -> None:
        trusted = (
            Path(options["public_key"]).read_text()
            if options["public_key"]
            else public_key_pem(settings.AUDIT_KEY)
        )
        if options["checkpoint"]:
            try:
                document = checkpoint_load(Path(options["checkpoint"]).read_text())
            except (OSError, ValueError) as exc:
                self._fail(ChainReport(False, 0, None, f"cannot read checkpoint: {exc}"))
                return
            if options["offline"]:
                check = checkpoint_check(document, trusted_public_key_pem=trusted)
                if not check.valid:
                    self._fail(ChainReport(False, 0, None, f"checkpoint refused: {check.reason}"))
                self.stdout.write(
                    f"checkpoint genuine: event #{check.seq} hash {check.head_hash} / 检查点签名有效"
                )
                return
            report = audit_verify_checkpoint(document, trusted_public_key_pem=trusted)
        else:
            report = audit_verify()
        if not report.intact:
            self._fail(report)
        self.stdout.write(f"audit chain intact: {report.checked} events / 审计链完整：{report.checked} 条")

    def _fail(self, report: ChainReport) -> None:
        where = f"at event #{report.first_bad_seq}: " if report.first_bad_seq else ": "
        self.stderr.write(f"audit chain BROKEN {where}{report.reason} / 审计链校验失败")
        raise SystemExit(1)
