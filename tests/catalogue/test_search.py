"""The in-memory search index agrees with the plain definition of a match."""

from hypothesis import given, settings
from hypothesis import strategies as st

from tongban.catalogue.search import SearchIndex, pinyin_forms, query_terms, search_text

WORDS = ["food", "licence", "食品", "经营", "许可", "spjy", "card", "社保卡", "café", "x"]
texts = st.lists(st.sampled_from(WORDS), min_size=0, max_size=5).map(" ".join)
rows = st.lists(st.tuples(texts, texts), min_size=0, max_size=30)


@settings(max_examples=300)
@given(rows, st.lists(st.sampled_from(WORDS + ["caf", "é", "品经"]), min_size=1, max_size=3))
def test_the_index_finds_exactly_the_matters_with_every_term(matters, terms):
    data = [(i, f"{name} | {extra}", name, "") for i, (name, extra) in enumerate(matters)]
    found = SearchIndex(data).search(terms)
    expected = {i for i, text, _, _ in data if all(t in text for t in terms)}
    assert sorted(found) == sorted(expected) and len(found) == len(set(found))
    phrase = " ".join(terms)
    in_name = [phrase in data[i][2].lower() for i in found]
    assert in_name == sorted(in_name, reverse=True)  # name matches come first


def test_pinyin_forms_and_query_terms():
    assert pinyin_forms("食品经营许可") == ("shipinjingyingxuke", "spjyxk")
    assert "spjy" in search_text("Food licence", chinese=("食品经营许可",))
    assert query_terms("  Food   LICENCE ") == ["food", "licence"]
