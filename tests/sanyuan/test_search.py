from sanyuan.search import query_words, segment


def test_chinese_text_is_segmented_into_words():
    words = segment("流动党员在深圳参加主题党日活动，学习党内法规").split()
    for word in ("流动党员", "深圳", "主题党日", "学习", "党内法规"):
        assert word in words
    assert "，" not in words


def test_queries_are_segmented_the_same_way_and_deduplicated():
    assert query_words("主题党日 主题党日") == [w for w in query_words("主题党日")]
    assert set(query_words("三会一课")) <= set(segment("认真落实三会一课制度").split())


def test_full_width_and_case_are_normalised():
    assert query_words("ＡＢＣ党建") == query_words("abc党建")
