"""The checker finds each defect a legal reviewer would stop a document for."""

from __future__ import annotations

from minesweep.documents.checker import check, unverified_citations

NUMBER = "包发改纪〔2026〕1号"
CLEAN = (
    "包头市发展和改革委员会\n问题线索移送函\n包发改纪〔2026〕1号\n中共九原区纪律检查委员会、九原区监察委员会：\n"
    "本机关发现公职人员王某存在下列问题线索：参与虚拟货币“挖矿”。根据《中华人民共和国监察法》第三十四条，"
    "现将有关问题线索移送你委。窃电量1000kWh，折合0.1229tce，证照号码91150200MA0N1234X5。\n"
)


def _rules(text: str, kind: str = "discipline_referral", number: str = NUMBER) -> set[str]:
    return {p.rule for p in check(kind, text, number=number)}


def test_it_passes_a_clean_letter():
    assert check("discipline_referral", CLEAN, number=NUMBER) == []


def test_it_finds_a_missing_required_element():
    problems = check("discipline_referral", CLEAN.replace("问题线索", "情况"), number=NUMBER)
    assert [p.detail for p in problems if p.rule == "required"] == ["问题线索"]


def test_it_finds_a_second_number_of_the_same_act_kind_and_a_missing_own_number():
    assert "number" in _rules(CLEAN + "（原文号包发改纪〔2026〕7号）")
    assert "number" in _rules(CLEAN, number="包发改纪〔2026〕3号")
    assert "number" not in _rules(CLEAN + "据包发改罚〔2026〕7号决定书")  # another act may be cited


def test_it_finds_a_law_cited_twice_in_one_sentence():
    assert "repeated_basis" in _rules(CLEAN + "依据《中华人民共和国电力法》、《中华人民共和国电力法》。")


def test_it_finds_a_draft_cited_without_its_draft_mark():
    assert "draft" in _rules(CLEAN + "依据《关于坚决打击惩戒虚拟货币“挖矿”行为八项措施》第八条。")
    assert "draft" not in _rules(CLEAN + "参照《关于坚决打击惩戒虚拟货币“挖矿”行为八项措施（征求意见稿）》。")


def test_it_finds_a_draft_in_an_act_served_on_a_party_even_marked_as_context():
    draft = "政策背景（参照，不作为处罚依据）：《关于坚决打击惩戒虚拟货币“挖矿”行为八项措施（征求意见稿）》第五条。"
    for kind in ("decision", "credit_listing", "measure_letter"):
        assert "draft" in _rules(CLEAN + draft, kind=kind)
        assert "draft" not in _rules(CLEAN + "政策背景（参照）：发改运行〔2021〕1283号。", kind=kind)
    assert "draft" not in _rules(CLEAN + draft, kind="proposal")  # a letter between authorities may


def test_it_finds_english_and_debug_text_but_allows_units_and_identifiers():
    assert _rules(CLEAN + "duration unknown") == {"latin"}
    assert _rules(CLEAN + "（计算记录 #9）") == {"internal"}
    assert _rules(CLEAN + "类别：data_center") == {"latin"}
    assert _rules(CLEAN + "蚂蚁矿机S19共80台，0.1229 kgce/kWh，GB/T 2589-2020，5 MW") == set()


def test_it_requires_the_intended_fine_in_figures_and_capitals_in_a_notice_of_a_fine():
    head = "依据《中华人民共和国电力法》第七十一条，本机关拟对你单位作出如下行政处罚："
    missing = {p.detail for p in check("notice", head + "责令停止违法行为并处罚款。", number="")}
    assert "拟罚款金额（数字及大写）" in missing
    figures_only = head + "责令停止违法行为，拟罚款100,000.00元。"
    assert "拟罚款金额（数字及大写）" in {p.detail for p in check("notice", figures_only, number="")}
    stated = head + "责令停止违法行为，拟罚款100,000.00元（大写：人民币壹拾万元整），在法定幅度内。"
    assert "拟罚款金额（数字及大写）" not in {p.detail for p in check("notice", stated, number="")}
    warning = head + "警告。"  # not a fine: no amount required
    assert "拟罚款金额（数字及大写）" not in {p.detail for p in check("notice", warning, number="")}


VIOLATED = "你单位的上述行为违反了《中华人民共和国电力法》第四条第二款的规定。"
PENALTY = "依据《中华人民共和国电力法》第七十一条，本机关拟对你单位作出如下行政处罚：警告。"


def test_it_requires_a_penalty_notice_to_name_the_provision_violated_apart_from_its_basis():
    """行政处罚法第四十四条: the provision violated (违法依据) and the one grounding the penalty (处罚依据)."""
    assert "violated_basis" not in _rules(VIOLATED + PENALTY, "notice", "")
    assert "violated_basis" in _rules(PENALTY, "notice", "")  # no 违反 clause at all
    same = "你单位的上述行为违反了《中华人民共和国电力法》第七十一条的规定。" + PENALTY
    details = {p.detail for p in check("notice", same, number="") if p.rule == "violated_basis"}
    assert "the provisions violated are only the penalty basis" in details
    assert any("第七十一条 is cited as violated" in d for d in details)


def test_it_refuses_a_penalty_provision_cited_as_violated_in_any_document():
    """A listing notice may say what was violated; 电力法第七十一条 only grounds a fine in the packs."""
    wrong = "你单位的上述行为违反了《中华人民共和国电力法》第七十一条的规定，已由包能源罚〔2026〕1号认定。"
    assert "violated_basis" in _rules(wrong, "credit_notice", "")
    assert "violated_basis" not in _rules(VIOLATED, "credit_notice", "")
    assert "violated_basis" not in _rules(CLEAN)  # a document without a 违反 clause is not a penalty


ENERGY_CUT = (
    "包头市发展和改革委员会\n关于核减九原区能耗预算指标的函\n包发改能〔2026〕1号\n{addressee}\n根据《某省用能预算管理办法》"
    "第五条，上述“挖矿”活动的用电量折算为能耗，计入九原区能耗双控考核。核算过程如下：核减能耗预算指标1吨标准煤。"
    "{closing}\n"
)
LETTER_CLOSING = "请贵政府研究落实上述能耗预算指标核减事宜，并将落实情况函复本机关。"


def test_it_finds_an_energy_cut_letter_addressed_to_the_party_beside_its_government():
    number = "包发改能〔2026〕1号"
    body = ENERGY_CUT.format(addressee="九原区人民政府：", closing=LETTER_CLOSING)
    assert check("energy_cut", body, number=number) == []
    beside = body.replace("九原区人民政府：", "九原区青城网咖、九原区人民政府：")
    assert [p.detail for p in check("energy_cut", beside, number=number)] == ["主送（县级人民政府，唯一）"]


def test_it_finds_an_energy_cut_written_as_a_directive_to_the_lower_government():
    """A 发改委 and a 旗县 people's government are not in a leading relationship: the cut is asked by 函
    (党政机关公文处理工作条例第八条（十四）), never ordered by a 通知 with a deadline, and a letter between organs
    offers no 行政复议 or 行政诉讼 (it decides nothing against a party)."""
    number = "包发改能〔2026〕1号"
    directive = ENERGY_CUT.format(
        addressee="九原区人民政府：",
        closing="请于收到本通知之日起十五日内落实核减，并将落实情况书面报送本机关。",
    ).replace("关于核减九原区能耗预算指标的函", "能耗预算指标核减通知")
    problems = {p.detail.split(":")[0] for p in check("energy_cut", directive, number=number)}
    assert {"文种：函（不相隶属机关之间）", "商请研究落实并函复", "指令性用语（本通知）"} <= problems
    remedies = ENERGY_CUT.format(
        addressee="九原区人民政府：",
        closing=LETTER_CLOSING + "如不服本决定，可以依法申请行政复议或者提起行政诉讼。",
    )
    assert [p.rule for p in check("energy_cut", remedies, number=number)] == ["wrong_act"]


def test_it_lists_the_articles_the_packs_mark_unconfirmed_each_once():
    """verified: false in the packs (电力供应与使用条例's numbers, 监察法 as renumbered in 2025): the signer is
    told which numbers to hold against the official text; confirmed ones (电力法第七十一条, 监察法第三十四条
    of the 2018 text) are not listed."""
    text = (
        "违反了《中华人民共和国电力法》第四条第二款、《电力供应与使用条例》第三十一条的规定。"
        "依据《中华人民共和国电力法》第七十一条、《电力供应与使用条例》第四十一条、第三十一条。"
        "根据《中华人民共和国监察法》第三十七条、《中华人民共和国监察法》第三十四条。"
    )
    assert unverified_citations(text) == [
        "《电力供应与使用条例》第三十一条",
        "《电力供应与使用条例》第四十一条",
        "《中华人民共和国监察法》第三十七条",
    ]
    assert unverified_citations(CLEAN) == []


def test_a_credit_notice_names_the_listing_decisions_review_organ_court_and_periods():
    """国办发〔2020〕49号 puts the 救济措施 in the listing decision; the notice before it says review and suit lie
    against that decision, with organ and period (行政复议法第二十条, 行政诉讼法第四十六条)."""
    remedy = "列入决定的救济途径（机关和期限）"
    bare = "对本机关作出的列入决定不服的，可以依法申请行政复议或者提起行政诉讼。"
    named = (
        "你（单位）对列入决定不服的，可以自收到列入决定书之日起六十日内向内蒙古自治区人民政府申请行政复议，"
        "或者自收到列入决定书之日起六个月内向呼和浩特市新城区人民法院提起行政诉讼。"
    )
    assert remedy in [p.detail for p in check("credit_notice", bare, number="")]
    assert remedy not in [p.detail for p in check("credit_notice", named, number="")]


FILING = (
    "包头市发展和改革委员会\n{title}\n包发改立〔2026〕4号\n案件编号：AJ-2026-000004\n一、当事人基本情况\n"
    "四、{act}依据\n依据{basis}，建议{act}。\n承办人：张明、李华\n{when}：2026年9月1日。办理期限：2026年11月30日前（含当日）作出处理决定。\n"
    "五、审批意见\n同意{act}。\n"
)


def test_a_filing_form_cites_the_filing_organs_own_penalty_power_or_files_no_penalty_case():
    """行政处罚法第十七条、第二十二条: a 立案审批表 cites the organ's penalty power beside 第五十四条 (procedure only);
    a 案件受理（核查）审批表 — an organ without one — neither cites 第五十四条 nor files (立案)."""
    only_procedure = FILING.format(
        title="立案审批表", act="立案", basis="《中华人民共和国行政处罚法》第五十四条", when="立案日期"
    )
    with_power = FILING.format(
        title="立案审批表",
        act="立案",
        basis="《中华人民共和国行政处罚法》第五十四条、《中华人民共和国电力法》第七十一条",
        when="立案日期",
    )
    accepted = FILING.format(
        title="案件受理（核查）审批表",
        act="受理核查",
        basis="《国家发展改革委等部门关于整治虚拟货币“挖矿”活动的通知》（发改运行〔2021〕1283号）",
        when="受理核查日期",
    )
    number = "包发改立〔2026〕4号"
    assert "行政处罚法第五十四条及本机关的处罚权依据" in [
        p.detail for p in check("filing", only_procedure, number=number)
    ]
    assert check("filing", with_power, number=number) == []
    assert check("filing", accepted, number=number) == []
    wrong = accepted.replace(
        "（发改运行〔2021〕1283号）", "（发改运行〔2021〕1283号）、《中华人民共和国行政处罚法》第五十四条"
    )
    assert "wrong_act" in {p.rule for p in check("filing", wrong, number=number)}
