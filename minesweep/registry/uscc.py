"""统一社会信用代码 (Unified Social Credit Code) validation, GB 32100-2015. Pure, no Django.

Layout (18 characters from a 31-symbol alphabet without I, O, Z, S, V):
position 1 registering department (1–9, A, N, Y), 2 entity type, 3–8 GB/T 2260 code of the registering
authority, 9–17 organisation code (GB 11714, whose own check character is position 17), 18 check character.
"""

from __future__ import annotations

from dataclasses import dataclass

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 1,3,9,27,19,26,16,17,20,29,25,13,8,24,10,30,28
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
DEPARTMENTS = set("123456789ANY")
# Entity types allowed per department (GB 32100-2015 Table 1); '9' (other) is accepted everywhere.
ENTITY_TYPES = {
    "1": "1239",
    "2": "19",
    "3": "12345",
    "4": "19",
    "5": "1239",
    "6": "1239",
    "7": "129",
    "8": "19",
    "9": "123",
    "A": "19",
    "N": "1239",
    "Y": "1",
}
DEPARTMENT_NAMES = {
    "1": "机构编制",
    "2": "外交",
    "3": "司法行政",
    "4": "文化",
    "5": "民政",
    "6": "旅游",
    "7": "宗教",
    "8": "工会",
    "9": "工商/市场监管",
    "A": "中央军委改革和编制办公室",
    "N": "农业",
    "Y": "其他",
}


@dataclass(frozen=True)
class UsccResult:
    code: str
    valid: bool
    reason_zh: str = ""
    reason_en: str = ""

    @property
    def reason(self) -> str:
        """Both languages (command line); pages pick one with ``reason_zh``/``reason_en``."""
        return f"{self.reason_zh} / {self.reason_en}" if self.reason_zh else ""

    @property
    def division_code(self) -> str:
        return self.code[2:8] if self.valid else ""


def uscc_check_character(first17: str) -> str:
    total = sum(_VALUE[ch] * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def organisation_check_character(first8: str) -> str:
    """GB 11714 check for the organisation code: letters count A=10 … Z=35."""
    total = sum(int(ch, 36) * w for ch, w in zip(first8, ORG_WEIGHTS, strict=True))
    remainder = 11 - total % 11
    return {10: "X", 11: "0"}.get(remainder, str(remainder))


def validate_uscc(raw: str) -> UsccResult:
    """Check every rule; the reason is bilingual and names the first rule broken."""
    code = raw.strip().upper()
    if len(code) != 18:
        return UsccResult(
            code, False, f"长度应为 18 位，实为 {len(code)} 位", f"must be 18 characters, got {len(code)}"
        )
    bad = [ch for ch in code if ch not in _VALUE]
    if bad:
        return UsccResult(
            code,
            False,
            f"含非法字符 {''.join(sorted(set(bad)))}（不使用 I、O、Z、S、V）",
            f"illegal characters {''.join(sorted(set(bad)))} (I, O, Z, S, V are never used)",
        )
    if code[0] not in DEPARTMENTS:
        return UsccResult(
            code, False, f"登记管理部门代码 {code[0]} 无效", f"unknown registering department {code[0]}"
        )
    if code[1] not in ENTITY_TYPES[code[0]]:
        return UsccResult(
            code,
            False,
            f"机构类别代码 {code[1]} 无效",
            f"entity type {code[1]} invalid for department {code[0]}",
        )
    if not code[2:8].isdigit():
        return UsccResult(
            code,
            False,
            "登记管理机关行政区划码（第 3–8 位）应为 6 位数字",
            "positions 3-8 must be a 6-digit division code",
        )
    if organisation_check_character(code[8:16]) != code[16]:
        return UsccResult(
            code,
            False,
            "组织机构代码校验位（第 17 位）错误",
            "organisation-code check character (position 17) is wrong",
        )
    expected = uscc_check_character(code[:17])
    if expected != code[17]:
        return UsccResult(
            code,
            False,
            f"校验码错误（第 18 位应为 {expected}）",
            f"check character (position 18) should be {expected}",
        )
    return UsccResult(code, True)


def make_uscc(department: str, entity_type: str, division: str, org_body: str) -> str:
    """Build a valid code from its parts (``org_body`` = 8 characters); used by demo data and tests."""
    org = org_body + organisation_check_character(org_body)
    first17 = department + entity_type + division + org
    return first17 + uscc_check_character(first17)


def is_administrative_organ(raw: str) -> bool:
    """Whether a valid code is an administrative organ's (机关): registering department 1 (机构编制) and entity
    type 1 (机关), GB 32100-2015 Table 1 — a park's 管委会, a government bureau; not a 事业单位 (type 2), which
    is a legal person of its own."""
    result = validate_uscc(raw)
    return result.valid and result.code[:2] == "11"
