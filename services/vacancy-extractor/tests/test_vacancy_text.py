"""Ad text in: HTML to text with its offset map (Hypothesis properties), the input checks, language."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from overstap_extractor.domain.errors import InvalidInput
from overstap_extractor.domain.language import LanguageSource, detect_language, requested_language, resolve_language
from overstap_extractor.domain.text import (
    MAX_TEXT_BYTES,
    AdText,
    TextFormat,
    _strip_tags,
    check_text,
    decode_content,
    html_to_text,
    looks_like_html,
    read_ad,
)

PROPS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- HTML -> text: properties of the offset map ------------------------------------------------------------

WORDS = st.text(alphabet="abcdeXYZéü019+#", min_size=1, max_size=8)
ENTITIES = ["&amp;", "&lt;", "&gt;", "&eacute;", "&#233;", "&#xE9;", "&nbsp;", "&quot;", "&euro;", "&amp"]
BLOCK = ["<p>", "</p>", "<div class='x'>", "</div>", "<br>", "<br/>", "<li>", "</li>", "<ul>", "</ul>", "<h2>",
         "</h2>", "<tr><td>", "</td><td>", "</td></tr>", "<hr/>"]  # fmt: skip
INLINE = ["<b>", "</b>", '<span style="a>b">', "</span>", "<a href='/x?a=1&b=2'>", "</a>", "<i>", "</i>"]
SKIPPED = ["<script>var a = '<p>x</p>';</script>", "<style>p { color: red }</style>", "<!-- a comment <p> -->",
           "<title>ignored</title>", "<!DOCTYPE html>", "<?xml version='1.0'?>"]  # fmt: skip
WHITESPACE = [" ", "  ", "\n", "\t", " \n "]
PIECES = st.one_of(
    WORDS,
    st.sampled_from(ENTITIES),
    st.sampled_from(BLOCK),
    st.sampled_from(INLINE),
    st.sampled_from(SKIPPED),
    st.sampled_from(WHITESPACE),
)
DOCUMENTS = st.lists(PIECES, max_size=60).map("".join)
# Anything at all, and HTML-ish noise: unclosed tags, stray brackets, broken declarations and references.
NOISE = st.lists(
    st.one_of(
        PIECES,
        st.sampled_from(
            [
                "<",
                ">",
                "&",
                "&#",
                "&#x;",
                "<![",
                "<![ x",
                "<!",
                "</",
                "<p",
                "<a href='",
                "<script>",
                "</script",
                "<pre>",
                "</pre>",
                "<![CDATA[x]]>",
                "&#99999999;",
                "&#0;",
                "\r\n",
                "\x0c",
            ]
        ),
    ),  # fmt: skip
    max_size=60,
).map("".join) | st.text(max_size=200)


def _synthetic(ad: AdText, i: int) -> bool:
    assert ad.starts is not None and ad.ends is not None
    return ad.starts[i] == ad.ends[i]


def _check_map(ad: AdText) -> None:
    """The invariants of every conversion: one range per character, in order, inside the source, and each
    character really comes from its range."""
    text, source = ad.text, ad.source
    assert ad.starts is not None and ad.ends is not None
    assert len(ad.starts) == len(ad.ends) == len(text)
    previous_start = previous_end = 0
    for i, char in enumerate(text):
        start, end = ad.starts[i], ad.ends[i]
        assert 0 <= start <= end <= len(source)
        assert start >= previous_start and end >= previous_end, (i, char)
        previous_start, previous_end = start, end
        if start == end:  # a line break or bullet standing for a tag
            assert char in "\n- "
        elif end - start == 1 and source[start] == char:
            pass
        elif char == " ":  # a whitespace run, or a whitespace entity
            assert source[start:end].isspace() or html.unescape(source[start:end]).isspace()
        else:  # a character or entity reference
            assert source[start] == "&" and char in html.unescape(source[start:end]), (char, source[start:end])
    assert text == text.strip()
    assert "\n\n\n" not in text


@PROPS
@given(DOCUMENTS)
def test_every_character_maps_back_to_where_it_came_from(document: str) -> None:
    _check_map(html_to_text(document))


@PROPS
@given(NOISE)
def test_broken_html_never_raises_and_keeps_the_map(document: str) -> None:
    _check_map(html_to_text(document))
    _check_map(_strip_tags(document))


@PROPS
@given(st.lists(st.tuples(st.sampled_from(BLOCK + INLINE + WHITESPACE), WORDS), max_size=40))
def test_no_text_is_lost_and_none_is_invented(pairs: list[tuple[str, str]]) -> None:
    """The characters of the text nodes come out in order; everything else the converter adds is a line break,
    a space or a bullet standing for a tag."""
    document = "".join(tag + word for tag, word in pairs)
    ad = html_to_text(document)
    kept = "".join(c for i, c in enumerate(ad.text) if not _synthetic(ad, i) and not c.isspace())
    assert kept == "".join(word for _, word in pairs)


@PROPS
@given(DOCUMENTS)
def test_a_word_in_the_text_is_framed_by_the_same_word_in_the_source(document: str) -> None:
    """The source range of a word starts and ends on its first and last letter and holds its letters in order
    (with any inline tags between them: <b>0</b>0 is the word 00)."""
    ad = html_to_text(document)
    for match in re.finditer(r"[A-Za-z0-9]+", ad.text):
        word = match.group()
        start, end = ad.source_span(match.start(), match.end())
        piece = document[start:end]
        assert piece[0] == word[0] and piece[-1] == word[-1], (word, piece)
        rest = iter(piece)
        assert all(char in rest for char in word), (word, piece)
        if "<" not in piece and "&" not in piece:
            assert piece == word


@PROPS
@given(st.text(alphabet=st.characters(blacklist_characters="<&", blacklist_categories=["Cs"]), max_size=200))
def test_text_without_markup_only_has_its_whitespace_collapsed(text: str) -> None:
    assert html_to_text(text).text == " ".join(text.split())


@PROPS
@given(DOCUMENTS, st.data())
def test_source_span_of_any_range_is_ordered_and_inside(document: str, data: st.DataObject) -> None:
    ad = html_to_text(document)
    start = data.draw(st.integers(0, len(ad.text)))
    end = data.draw(st.integers(start, len(ad.text)))
    a, b = ad.source_span(start, end)
    assert 0 <= a <= b <= len(document)


def test_blocks_become_lines_and_bullets() -> None:
    document = (
        "<html><head><title>X</title><style>p{}</style></head><body><h1>Backend developer</h1>"
        "<p>Wat vragen we?</p><ul><li>Ervaring met <b>Python</b> &amp; SQL&nbsp;en&#x20;Docker</li>"
        "<li>Heftruck&eacute; rijden</li></ul><script>alert(1)</script><p>Tot&nbsp;ziens</p></body></html>"
    )
    ad = html_to_text(document)
    assert ad.text == (
        "Backend developer\n\nWat vragen we?\n\n- Ervaring met Python & SQL en Docker\n- Heftrucké rijden\n\nTot ziens"
    )
    i = ad.text.index("Python")
    start, end = ad.source_span(i, i + len("Python"))
    assert document[start:end] == "Python"
    amp = ad.text.index("&")
    assert document[slice(*ad.source_span(amp, amp + 1))] == "&amp;"


def test_pre_keeps_its_whitespace() -> None:
    assert html_to_text("<p>a   b</p><pre>x   y\n  z</pre>").text == "a b\n\nx   y\n  z"


def test_unclosed_skipped_element_in_head_ends_at_body() -> None:
    assert html_to_text("<head><title>never closed<body><p>Python</p>").text == "Python"


def test_plain_text_maps_to_itself() -> None:
    ad = read_ad("Python\n\nSQL", TextFormat.PLAIN)
    assert ad.source_span(0, 6) == (0, 6)
    assert ad.text == ad.source


# --- the checks every ad passes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "is empty"),
        ("   \n\t ", "is empty"),
        ("abc\x00def", "NUL"),
        ("".join(chr(c) for c in range(1, 9)) * 10 + "ad text", "control characters"),
        ("x" * (MAX_TEXT_BYTES + 1), "1 MiB"),
        ("é" * (MAX_TEXT_BYTES // 2 + 1), "1 MiB"),  # 2 bytes each in UTF-8
        ("abc\ud800def", "lone surrogates"),
    ],
)
def test_bad_text_is_refused_clearly(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        check_text(text)


def test_text_of_exactly_one_mebibyte_is_accepted() -> None:
    assert check_text("x" * MAX_TEXT_BYTES)


def test_content_bytes_are_strict_utf8() -> None:
    assert decode_content("Python én SQL".encode()) == "Python én SQL"
    assert decode_content(b"\xef\xbb\xbfPython") == "Python"
    with pytest.raises(InvalidInput, match="not valid UTF-8"):
        decode_content(b"Python \xff\xfe SQL")
    with pytest.raises(InvalidInput, match="1 MiB"):
        decode_content(b"x" * (MAX_TEXT_BYTES + 1))


def test_html_without_text_is_refused() -> None:
    with pytest.raises(InvalidInput, match="no text"):
        read_ad("<html><script>var x = 1;</script><p> </p></html>")


def test_format_is_detected() -> None:
    assert looks_like_html("<p>Python</p>")
    assert looks_like_html("Python<br>SQL")
    assert not looks_like_html("Experience with C++ & <Java> is a plus; salary < 3000")
    assert read_ad("<p>Python</p>").format is TextFormat.HTML
    assert read_ad("C++ & <Java>").format is TextFormat.PLAIN
    assert read_ad("<p>Python</p>", TextFormat.PLAIN).text == "<p>Python</p>"


# --- language ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "code"), [("nl", "nl"), ("EN", "en"), ("nl-NL", "nl"), ("en_GB", "en"), (" ", None)])
def test_requested_language(value: str, code: str | None) -> None:
    assert requested_language(value) == code


@pytest.mark.parametrize("value", ["de", "fr", "xx", "nederlands", "nl-", "e", "en-GB-x-" + "a" * 40, "n\x00"])
def test_unsupported_language_is_refused(value: str) -> None:
    with pytest.raises(InvalidInput, match="unsupported language"):
        requested_language(value)


def test_language_is_detected_or_defaulted() -> None:
    nl = detect_language("Je hebt ervaring met Python en SQL. Wij bieden een goed salaris.")
    en = detect_language("You have experience with Python and SQL. We offer a good salary.")
    assert (nl.code, nl.source) == ("nl", LanguageSource.DETECTED)
    assert (en.code, en.source) == ("en", LanguageSource.DETECTED)
    assert detect_language("Python, SQL, Docker").source is LanguageSource.DEFAULT
    assert detect_language("Python, SQL, Docker", default="en").code == "en"
    assert resolve_language("en", "Je hebt ervaring met Python en SQL.").source is LanguageSource.REQUESTED


def test_german_or_french_ad_is_refused_unless_the_language_is_given() -> None:
    german = "Sie haben Erfahrung mit Python und SQL. Wir bieten ein gutes Gehalt und ein tolles Team für Sie."
    with pytest.raises(InvalidInput, match="German"):
        detect_language(german)
    assert resolve_language("en", german).code == "en"
    with pytest.raises(InvalidInput, match="French"):
        detect_language("Vous avez une expérience avec Python et SQL. Nous offrons un bon salaire pour vous.")
