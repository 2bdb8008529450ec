from hypothesis import given
from hypothesis import strategies as st

from minesweep.registry.uscc import (
    ALPHABET,
    is_administrative_organ,
    make_uscc,
    organisation_check_character,
    validate_uscc,
)

VALID = [
    "914403001922038216",
    "9144030071526726XG",
    "91440300708461136T",
    "91110108551385082Q",
    "91110000600037341L",
    "911522010783710635",
]


def test_it_accepts_the_published_valid_codes():
    for code in VALID:
        assert validate_uscc(code).valid, code


def test_it_names_the_wrong_check_character():
    result = validate_uscc("914403001922038217")
    assert not result.valid and "position 18" in result.reason and "6" in result.reason


def test_it_rejects_letters_outside_the_alphabet():
    result = validate_uscc("9111000060003IOZSV")
    assert not result.valid and "illegal characters" in result.reason


def test_it_checks_the_organisation_code_in_position_17():
    code = "911522010783710635"
    broken = code[:16] + ("1" if code[16] != "1" else "2")
    broken = broken + "0"
    assert "position 17" in validate_uscc(broken).reason


def test_it_accepts_departments_a_n_and_y():
    for department, entity in (("A", "1"), ("N", "2"), ("Y", "1")):
        code = make_uscc(department, entity, "150203", "MA0XYZ12"[:8].replace("Z", "0"))
        assert validate_uscc(code).valid, code


def test_it_reports_the_registering_division():
    assert validate_uscc("911522010783710635").division_code == "152201"


def test_it_computes_gb11714_check_with_x_and_zero():
    assert organisation_check_character("07837106") == "3"


@given(
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.text(alphabet=ALPHABET[:10], min_size=8, max_size=8),
)
def test_it_builds_codes_that_validate(division, body):
    assert validate_uscc(make_uscc("9", "1", division, body)).valid


@given(st.integers(0, 17), st.sampled_from(ALPHABET))
def test_it_catches_any_single_character_change(position, replacement):
    code = VALID[5]
    changed = code[:position] + replacement + code[position + 1 :]
    if changed != code:
        assert not validate_uscc(changed).valid


def test_only_a_valid_code_of_department_1_type_1_is_an_administrative_organ():
    organ = make_uscc("1", "1", "150223", "MB1234XY")
    assert is_administrative_organ(organ)
    assert not is_administrative_organ(make_uscc("1", "2", "150223", "MB1234XY"))  # 事业单位: a legal person
    assert not is_administrative_organ(make_uscc("9", "1", "150223", "MA0N1234"))  # a company
    wrong = organ[:17] + ("0" if organ[17] != "0" else "1")
    assert not is_administrative_organ(wrong)  # a mistyped code proves nothing
