"""Receipt codes (回执码) for anonymous reporters.

A code is five groups of six digits, ``483920-118274-...``. In each group the first five digits are
random and the sixth is a Verhoeff check digit computed over the group's position and its five digits,
so a mistyped digit, two swapped neighbours or two groups written in the wrong order are caught and the
reporter is told which group to re-check. Entropy: 25 random decimal digits = 83.0 bits.

Storage (see docs/adr/0003-receipt-codes.md):

* ``lookup_id`` = HMAC-SHA256(pepper, "lookup:" + code), hex, unique index: finds the row in O(1)
  without scanning hashes, and is useless without the pepper (which is not in the database).
* ``verifier`` = Argon2id(HMAC-SHA256(pepper, "verify:" + code)) with ``settings.ARGON2_TIME_COST`` and
  ``settings.ARGON2_MEMORY_KIB``: the slow hash the code is finally checked against. The pepper is keyed
  in before Argon2id (argon2-cffi does not expose Argon2's own secret input), so a stolen database alone
  cannot be brute-forced even over the 83-bit space.

A wrong code costs the same Argon2id verification whether or not a row matched (a dummy hash is checked
when nothing matched), so timing does not tell an attacker whether a receipt exists.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from functools import lru_cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from django.conf import settings

GROUPS = 5
GROUP_PAYLOAD = 5
ENTROPY_BITS = GROUPS * GROUP_PAYLOAD * 3.321928094887362  # log2(10) per digit

# Verhoeff tables (dihedral group D5).
_D = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
]
# Position permutations: powers of Verhoeff's generating permutation (1 5 8 9 4 2 7 0)(3 6).
_P1 = [1, 5, 7, 6, 2, 8, 3, 0, 9, 4]
_P = [list(range(10))]
for _ in range(7):
    _P.append([_P1[x] for x in _P[-1]])
_INV = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9]


def verhoeff_check_digit(digits: str) -> str:
    c = 0
    for i, ch in enumerate(reversed(digits)):
        c = _D[c][_P[(i + 1) % 8][int(ch)]]
    return str(_INV[c])


def verhoeff_valid(digits: str) -> bool:
    c = 0
    for i, ch in enumerate(reversed(digits)):
        c = _D[c][_P[i % 8][int(ch)]]
    return c == 0


def _group_check(index: int, payload: str) -> str:
    # The group's position is part of the checked number, so swapped groups fail their checks.
    return verhoeff_check_digit(str(index + 1) + payload)


def receipt_generate() -> str:
    """A new random receipt code in canonical form (groups joined by ``-``)."""
    groups = []
    for index in range(GROUPS):
        payload = "".join(str(secrets.randbelow(10)) for _ in range(GROUP_PAYLOAD))
        groups.append(payload + _group_check(index, payload))
    return "-".join(groups)


class ReceiptFormatError(ValueError):
    """The code is not well formed; ``bad_groups`` are 1-based group numbers to re-check."""

    def __init__(self, bad_groups: list[int], wrong_length: bool = False) -> None:
        self.bad_groups = bad_groups
        self.wrong_length = wrong_length
        super().__init__(f"bad groups {bad_groups}" if bad_groups else "wrong length")


def receipt_normalize(text: str) -> str:
    """Canonical form of what a person typed (spaces, dashes, full-width digits all accepted).

    Raises :class:`ReceiptFormatError` naming the groups whose check digit fails.
    """
    digits = re.sub(r"\D", "", (text or "")[:200].translate(_FULLWIDTH))
    size = GROUP_PAYLOAD + 1
    if len(digits) != GROUPS * size:
        raise ReceiptFormatError([], wrong_length=True)
    groups = [digits[i : i + size] for i in range(0, len(digits), size)]
    bad = [i + 1 for i, group in enumerate(groups) if not verhoeff_valid(str(i + 1) + group)]
    if bad:
        raise ReceiptFormatError(bad)
    return "-".join(groups)


_FULLWIDTH = str.maketrans("０１２３４５６７８９－　", "0123456789- ")


def _keyed(purpose: str, code: str) -> bytes:
    return hmac.new(bytes(settings.RECEIPT_PEPPER), f"{purpose}:{code}".encode(), hashlib.sha256).digest()


def receipt_lookup_id(code: str) -> str:
    """The indexed lookup value for a canonical code (HMAC-SHA256 with the pepper, hex)."""
    return _keyed("lookup", code).hex()


@lru_cache(maxsize=4)
def _hasher(time_cost: int, memory_kib: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1, type=Type.ID)


def _current_hasher() -> PasswordHasher:
    return _hasher(int(settings.ARGON2_TIME_COST), int(settings.ARGON2_MEMORY_KIB))


def receipt_hash(code: str) -> str:
    """Argon2id hash (PHC string) of the pepper-keyed code."""
    return _current_hasher().hash(_keyed("verify", code))


@lru_cache(maxsize=4)
def _dummy_hash(time_cost: int, memory_kib: int) -> str:
    return _hasher(time_cost, memory_kib).hash(secrets.token_bytes(32))


def receipt_verify(code: str, stored: str | None) -> bool:
    """Constant-work check: with no stored hash a dummy one is verified so timing reveals nothing."""
    hasher = _current_hasher()
    target = stored or _dummy_hash(int(settings.ARGON2_TIME_COST), int(settings.ARGON2_MEMORY_KIB))
    ok: bool
    try:
        ok = bool(hasher.verify(target, _keyed("verify", code)))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    return ok and stored is not None
