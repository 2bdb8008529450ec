"""居民身份证号码 (GB 11643-1999) check and masking. Pure, no Django.

The number is sensitive personal information (个人信息保护法): every list and export shows only the mask.
"""

from __future__ import annotations

import re

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$")


def resident_id_check_character(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character."""
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def resident_id_problem(raw: str) -> str | None:
    """``None`` when valid, else a bilingual reason."""
    number = raw.strip().upper()
    if not _SHAPE.match(number):
        return "身份证号应为17位数字加1位数字或X / must be 17 digits plus a digit or X"
    if resident_id_check_character(number[:17]) != number[17]:
        return "身份证号校验位错误 / check digit is wrong"
    return None


def mask_resident_id(number: str) -> str:
    """Keep the first 6 (division) and last 4 characters: ``150203********123X``."""
    if not number:
        return ""
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]
