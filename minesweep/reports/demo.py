"""Demo reports: a dozen across the categories and leagues, some duplicates, one conversation."""

from __future__ import annotations

import random
from decimal import Decimal

from django.contrib.auth.models import User

from minesweep.registry.models import Division
from minesweep.registry.uscc import make_uscc
from minesweep.reports.models import Channel, Report
from minesweep.reports.services import report_add_from_reporter, report_ask, report_submit

# (category, division, subject, address, power account, coordinates, rigs, description, channel)
_ROWS: list[tuple[str, str, str, str, str, tuple[str, str] | None, int | None, str, str]] = [
    (
        "mining_enterprise",
        "150602",
        "东胜区某云算力科技有限公司",
        "东胜区铜川镇工业园区 8 号厂房",
        "150602000188",
        ("39.781200", "109.962300"),
        400,
        "厂房昼夜风扇轰鸣，冬天屋顶不积雪，夜间有大量货车运进机箱。",
        "web",
    ),
    (
        "mining_enterprise",
        "150602",
        "东胜区某云算力科技有限公司",
        "东胜区铜川镇工业园区8号厂房",
        "",
        ("39.781900", "109.961800"),
        None,
        "同一厂房，晚上灯火通明，听说在挖比特币。",
        "api",
    ),
    (
        "disguised_data_center",
        "150203",
        "包头某大数据产业有限公司",
        "昆都仑区稀土高新区数据中心 B 栋",
        "150203000077",
        ("40.652300", "109.816000"),
        1200,
        "以大数据中心名义享受优惠电价，实际机柜全是矿机。",
        "web",
    ),
    (
        "disguised_data_center",
        "150203",
        "包头某大数据产业有限公司",
        "稀土高新区数据中心B栋",
        "150203000077",
        None,
        None,
        "内部员工举报：所谓的云计算业务没有客户，全部算力用于挖矿。",
        "phone",
    ),
    (
        "illegal_power",
        "150425",
        "",
        "克什克腾旗某村废弃养殖场",
        "",
        ("43.264000", "117.546000"),
        60,
        "养殖场私拉高压线，变压器嗡嗡响，怀疑窃电挖矿。",
        "web",
    ),
    (
        "site_or_service_provider",
        "150105",
        "呼和浩特某物流园区管理公司",
        "赛罕区金桥开发区物流园 3 号库",
        "",
        None,
        None,
        "园区把仓库出租给外地人放矿机，还帮忙办理增容。",
        "letter",
    ),
    (
        "mining_enterprise",
        "150302",
        "",
        "乌海市海勃湾区某洗煤厂旧址",
        "150302000901",
        ("39.673400", "106.825900"),
        300,
        "洗煤厂停产多年，近期用电量很大，白天关门夜里有人进出。",
        "web",
    ),
    (
        "illegal_power",
        "150802",
        "",
        "临河区某农场机井房",
        "150802003311",
        None,
        20,
        "农业用电的机井房里放着几十台机器，风扇声很大。",
        "email",
    ),
    (
        "other",
        "152502",
        "锡林浩特某网吧",
        "锡林浩特市某街网吧",
        "",
        None,
        None,
        "网吧晚上关门后电脑仍全部运行，疑似用显卡挖矿。",
        "in_person",
    ),
    (
        "mining_enterprise",
        "150782",
        "",
        "牙克石市某林场旧锯木厂",
        "",
        ("49.285000", "120.712000"),
        150,
        "锯木厂院内新装集装箱，整天排出热风。",
        "web",
    ),
    (
        "site_or_service_provider",
        "150602",
        "鄂尔多斯某自备电厂",
        "东胜区某自备电厂",
        "",
        None,
        None,
        "自备电厂向园区内几家挖矿企业直接供电，未报批。",
        "web",
    ),
    (
        "mining_enterprise",
        "150902",
        "",
        "集宁区某废弃厂房",
        "",
        ("41.012300", "113.105500"),
        None,
        "厂房窗户全部用泡沫板封住，外面装了很多排风扇。",
        "web",
    ),
]


def load(*, seed: int) -> str:
    if Report.objects.exists():
        return "reports already present"
    rng = random.Random(seed)
    officer = User.objects.filter(username="intake").first()
    receipts = []
    for category, code, subject, address, account, coords, rigs, text, channel in _ROWS:
        division = Division.objects.filter(code=code).first() or Division.objects.get(code=code[:4] + "00")
        uscc = (
            make_uscc("9", "1", division.code, f"{rng.randrange(10**7, 10**8)}")
            if subject and rng.random() < 0.5
            else ""
        )
        filed = report_submit(
            channel=channel,
            category=category,
            division=division,
            content={
                "description": text,
                "observed_scale": "",
                "observed_rigs": rigs,
                "observed_noise": "风扇" in text or "嗡" in text,
                "observed_heat": "热" in text or "积雪" in text,
                "observed_use": "",
                "power_line": "",
            },
            subject_name=subject,
            uscc=uscc,
            address=address,
            power_account=account,
            coordinates=(Decimal(coords[0]), Decimal(coords[1])) if coords else None,
            contact="手机 139****0000（演示）" if channel in (Channel.PHONE, Channel.IN_PERSON) else "",
            actor=officer if channel not in (Channel.WEB, Channel.API) else None,
        )
        receipts.append(filed)
    first = receipts[0].report
    if officer is not None:
        report_ask(actor=officer, report=first, question="请问厂房大约有多少台矿机？是否有照片？")
        report_add_from_reporter(report=first, body="大约四百台，门口停着两辆装矿机的货车。", files=[])
    return f"{len(receipts)} reports; try follow-up receipt {receipts[0].receipt}"
