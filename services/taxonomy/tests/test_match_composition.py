from hypothesis import given
from hypothesis import strategies as st
from overstap_bundle import MatchType
from overstap_taxonomy.domain.mapping import compose

match_types = st.sampled_from(list(MatchType))


@given(match_types)
def test_exact_is_neutral(m: MatchType) -> None:
    assert compose(MatchType.EXACT, m) is m
    assert compose(m, MatchType.EXACT) is m


@given(match_types)
def test_related_absorbs(m: MatchType) -> None:
    assert compose(MatchType.RELATED, m) is MatchType.RELATED
    assert compose(m, MatchType.RELATED) is MatchType.RELATED


def test_opposite_directions_give_related() -> None:
    assert compose(MatchType.BROAD, MatchType.NARROW) is MatchType.RELATED
    assert compose(MatchType.NARROW, MatchType.BROAD) is MatchType.RELATED
    assert compose(MatchType.BROAD, MatchType.BROAD) is MatchType.BROAD
    assert compose(MatchType.CLOSE, MatchType.BROAD) is MatchType.BROAD


@given(match_types)
def test_inverse_is_an_involution(m: MatchType) -> None:
    assert m.inverse().inverse() is m
