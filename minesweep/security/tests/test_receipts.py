import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from minesweep.security import receipts
from minesweep.security.receipts import ReceiptFormatError, receipt_generate, receipt_normalize


def test_it_has_at_least_80_bits_of_entropy_in_digit_groups():
    code = receipt_generate()
    groups = code.split("-")
    assert receipts.ENTROPY_BITS >= 80
    assert len(groups) == 5 and all(len(g) == 6 and g.isdigit() for g in groups)
    assert receipt_normalize(code) == code


def test_it_accepts_spaces_and_full_width_digits():
    code = receipt_generate()
    typed = " ".join(code.split("-")).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert receipt_normalize(typed) == code


@hsettings(max_examples=60, deadline=None)
@given(st.integers(0, 29), st.integers(1, 9))
def test_it_names_the_group_with_a_mistyped_digit(position, delta):
    code = receipt_generate()
    digits = list(code.replace("-", ""))
    digits[position] = str((int(digits[position]) + delta) % 10)
    with pytest.raises(ReceiptFormatError) as caught:
        receipt_normalize("".join(digits))
    assert caught.value.bad_groups == [position // 6 + 1]


@hsettings(max_examples=60, deadline=None)
@given(st.integers(0, 4), st.integers(0, 4))
def test_it_catches_swapped_neighbouring_digits(group, offset):
    code = receipt_generate().split("-")
    g = list(code[group])
    if g[offset] == g[offset + 1]:
        return
    g[offset], g[offset + 1] = g[offset + 1], g[offset]
    code[group] = "".join(g)
    with pytest.raises(ReceiptFormatError):
        receipt_normalize("-".join(code))


def test_it_catches_groups_written_in_the_wrong_order():
    caught = 0
    for _ in range(50):
        groups = receipt_generate().split("-")
        if groups[0] == groups[1]:
            continue
        groups[0], groups[1] = groups[1], groups[0]
        try:
            receipt_normalize("-".join(groups))
        except ReceiptFormatError:
            caught += 1
    assert caught >= 40  # the position is checked too: nearly every swap is caught


def test_it_refuses_the_wrong_length():
    with pytest.raises(ReceiptFormatError) as caught:
        receipt_normalize("123456-123456")
    assert caught.value.wrong_length


@pytest.mark.django_db
def test_it_verifies_with_argon2id_keyed_by_the_pepper(settings):
    code = receipt_generate()
    stored = receipts.receipt_hash(code)
    assert stored.startswith("$argon2id$") and code not in stored
    assert receipts.receipt_verify(code, stored)
    assert not receipts.receipt_verify(receipt_generate(), stored)
    assert not receipts.receipt_verify(code, None)
    lookup = receipts.receipt_lookup_id(code)
    settings.RECEIPT_PEPPER = b"\x01" * 32
    assert receipts.receipt_lookup_id(code) != lookup
    assert not receipts.receipt_verify(code, stored)  # without the right pepper the hash is useless
