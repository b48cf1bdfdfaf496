from hypothesis import given
from hypothesis import strategies as st
from overstap_taxonomy.domain.text import normalize, tokenize


def test_case_accents_and_punctuation_fold_away() -> None:
    assert normalize("Inspiciënt") == "inspicient"
    assert normalize("  Café-Medewerker (m/v) ") == "cafe medewerker m v"
    assert tokenize("Software-Developer") == ["software", "developer"]


@given(st.text())
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@given(st.text())
def test_normalized_text_is_plain_lowercase_ascii_words(text: str) -> None:
    out = normalize(text)
    assert out == out.strip()
    assert "  " not in out
    assert all(ch == " " or ("a" <= ch <= "z") or ("0" <= ch <= "9") for ch in out)


# Latin letters (with accents), digits, punctuation and spaces; the Turkish dotless i has no
# case-insensitive twin in Latin and is left out.
latin = st.characters(max_codepoint=0x24F, categories=("L", "N", "P", "Zs"), exclude_characters="\u0131")


@given(st.text(alphabet=latin))
def test_case_does_not_matter_for_latin_text(text: str) -> None:
    assert normalize(text.upper()) == normalize(text.lower())
