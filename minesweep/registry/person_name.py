"""A natural person's name as it is published: the surname and 某 (张某, 欧阳某). Pure, no Django.

Public lists (the credit blacklist page, its API and its export) name an organisation in full and a person
by surname only: the full name of a private person is personal information the publication does not need
(个人信息保护法第六条, minimum necessary); staff pages keep the full name. A name already published this
way (张某) is returned unchanged, so masking twice is harmless.
"""

from __future__ import annotations

MASK = "某"

#: Two-character surnames, kept whole (欧阳某, not 欧某).
# fmt: off
COMPOUND_SURNAMES = frozenset({
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
    "司空", "夏侯", "轩辕", "令狐", "钟离", "澹台", "公冶", "太史", "端木", "申屠", "呼延", "赫连",
    "百里", "南宫", "西门", "独孤", "万俟", "闻人", "拓跋", "完颜", "单于", "东郭", "第五",
})
# fmt: on


def mask_person_name(name: str) -> str:
    """``张三丰`` → ``张某``, ``欧阳娜娜`` → ``欧阳某``, ``张某`` → ``张某``, ``""`` → ``""``.

    A name without a surname in the Han sense (a Mongolian name such as 巴特尔, a transliterated one such as
    阿依古丽·买买提) keeps its first character, as court judgments published online do. A note in brackets
    after the name (``王五（街道干部）``) is kept: ``王某（街道干部）``."""
    person, note = split_note(name)
    if not person:
        return note
    surname = person[:2] if len(person) > 2 and person[:2] in COMPOUND_SURNAMES else person[:1]
    return surname + MASK + note


def split_note(name: str) -> tuple[str, str]:
    """``王五（街道干部）`` → (``王五``, ``（街道干部）``); a name without a bracketed note → (name, "")."""
    name = name.strip()
    cut = min((i for i in (name.find("（"), name.find("(")) if i >= 0), default=len(name))
    return name[:cut].strip(), name[cut:]
