from __future__ import annotations

import datetime as dt
import io
import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minesweep.audit.services import audit_record
from minesweep.core.errors import DomainError
from minesweep.core.exports import SafeDictWriter
from minesweep.credit.selectors import PUBLIC_FIELDS, public_listings, public_row
from minesweep.credit.services import listing_expire_due


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{value} / date must be YYYY-MM-DD: {value}") from None


class Command(BaseCommand):
    help = (
        "Credit blacklist: `credit export --format csv|json [--out FILE]` writes the public list; "
        "`credit expire` drops records past their maximum period (run daily). 失信名单导出与到期移出"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="the current public list, for the national credit platform")
        export.add_argument("--format", choices=("csv", "json"), default="csv")
        export.add_argument("--out", help="file to write (default: standard output)")
        export.add_argument("--date", type=_date, help="list as published on this date (default today)")
        expire = sub.add_parser("expire", help="remove records whose maximum publication period has ended")
        expire.add_argument("--today", type=_date, help="run as of this date (default today, Beijing)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "expire":
                expired = listing_expire_due(actor="system", today=options.get("today"))
                self.stdout.write(f"expired {len(expired)} records / 到期移出 {len(expired)} 条")
                for listing in expired:
                    self.stdout.write(f"  {listing.number} {listing.name} max_end={listing.max_end}")
                return
            self._export(options)
        except DomainError as exc:
            raise CommandError(exc.message) from None

    def _export(self, options: dict[str, Any]) -> None:
        rows = [public_row(r) for r in public_listings(today=options.get("date"))]
        if options["format"] == "json":
            text = json.dumps({"count": len(rows), "records": rows}, ensure_ascii=False, indent=2) + "\n"
        else:
            buffer = io.StringIO()
            writer = SafeDictWriter(buffer, fieldnames=PUBLIC_FIELDS)
            writer.writeheader()
            writer.writerows(rows)
            text = buffer.getvalue()
        out = options.get("out")
        if out:
            path = Path(out)
            if not path.parent.is_dir():
                raise CommandError(f"目录不存在：{path.parent} / no such directory: {path.parent}")
            path.write_text(("\ufeff" if options["format"] == "csv" else "") + text, encoding="utf-8")
            self.stderr.write(f"wrote {len(rows)} records to {path} / 已导出 {len(rows)} 条")
        else:
            sys.stdout.write(text)
        audit_record(
            actor="cli",
            action="credit.listing.export",
            target=("credit.listing", "*"),
            detail={"rows": len(rows), "format": options["format"]},
        )
