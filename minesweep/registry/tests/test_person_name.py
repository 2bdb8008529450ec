import pytest

from minesweep.registry.person_name import mask_person_name


@pytest.mark.parametrize(
    ("name", "published"),
    [
        ("吴娜", "吴某"),
        ("张三丰", "张某"),
        (" 李挖矿 ", "李某"),
        ("欧阳娜娜", "欧阳某"),
        ("欧阳", "欧某"),  # two characters: surname 欧, given name 阳
        ("巴特尔", "巴某"),
        ("阿依古丽·买买提", "阿某"),
        ("王五（街道干部）", "王某（街道干部）"),
        ("王某（街道干部）", "王某（街道干部）"),
        ("", ""),
    ],
)
def test_it_keeps_the_surname_and_masks_the_rest(name, published):
    assert mask_person_name(name) == published


@pytest.mark.parametrize("name", ["张某", "欧阳某", "吴娜", "阿依古丽·买买提", "王五（街道干部）"])
def test_it_leaves_a_masked_name_as_it_is(name):
    assert mask_person_name(mask_person_name(name)) == mask_person_name(name)
    assert mask_person_name("张某") == "张某"
