from minesweep.registry.resident_id import mask_resident_id, resident_id_check_character, resident_id_problem


def test_it_accepts_a_number_with_the_right_check_digit():
    first17 = "15020319800101123"
    assert resident_id_problem(first17 + resident_id_check_character(first17)) is None


def test_it_rejects_a_wrong_check_digit():
    first17 = "15020319800101123"
    wrong = "0" if resident_id_check_character(first17) != "0" else "1"
    assert "check digit" in (resident_id_problem(first17 + wrong) or "")


def test_it_masks_all_but_division_and_last_four():
    assert mask_resident_id("15020319800101123X") == "150203********123X"
