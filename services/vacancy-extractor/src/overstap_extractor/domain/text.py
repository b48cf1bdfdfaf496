"""Ad text in: decoding, the checks every input passes, and HTML to plain text with an offset map.

The plain text is what the service stores and returns; every span the extractor gives points into it. For HTML,
each character of the plain text also knows the range of the input it came from (``AdText.source_span``), so a
mention can be highlighted in the HTML the job board sent. Offsets count Unicode code points.

HTML is read with the standard library's tolerant ``html.parser``; tags are never interpreted beyond "this ends
a block" and "skip this element's content" (script, style, ...). Should the parser give up on some malformed
markup, a plain regex tag stripper takes over: broken HTML always yields a text, never an error.
"""

from __future__ import annotations

import html
import re
from array import array
from dataclasses import dataclass
from enum import StrEnum
from html.parser import HTMLParser

from overstap_extractor.domain.errors import InvalidInput

MAX_TEXT_BYTES = 1024 * 1024  # 1 MiB of UTF-8
MAX_PHRASE_CHARS = 10_000
_UTF8_BOM = b"\xef\xbb\xbf"
# C0 controls other than tab, newline, vertical tab, form feed and carriage return, plus DEL.
_CONTROL = re.compile(r"[\x01-\x08\x0e-\x1f\x7f]")
_HTML_HINT = re.compile(
    r"<\s*/?\s*(?:html|head|body|p|div|br|ul|ol|li|h[1-6]|span|strong|b|i|em|u|table|tbody|thead|tr|td|th|a|"
    r"section|article|header|footer|main|img|hr|font|blockquote|pre|dl|dt|dd|small|sup|sub|nav|aside)\b[^<>]*>"
    r"|<!doctype\s+html|<!--",
    re.IGNORECASE,
)


class TextFormat(StrEnum):
    PLAIN = "plain"
    HTML = "html"


@dataclass(frozen=True, slots=True)
class AdText:
    """The plain text of an ad and where each of its characters came from in the input."""

    text: str
    source: str
    format: TextFormat
    # For HTML: per character of ``text``, the [start, end) of the input that produced it. None: identity.
    starts: array | None = None
    ends: array | None = None

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """The range of the input that ``text[start:end]`` came from."""
        if self.starts is None or self.ends is None:
            return start, end
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(f"span [{start}, {end}) outside the text (length {len(self.text)})")
        if start == end:
            at = self.starts[start] if start < len(self.text) else len(self.source)
            return at, at
        return self.starts[start], self.ends[end - 1]


# --- decoding and checks -----------------------------------------------------------------------------------


def decode_content(content: bytes) -> str:
    """Raw bytes as text: UTF-8 (a leading byte order mark is dropped), strictly."""
    if len(content) > MAX_TEXT_BYTES:
        raise InvalidInput(f"the ad is {len(content):,} bytes; at most {MAX_TEXT_BYTES:,} (1 MiB) are accepted", "text")
    if content.startswith(_UTF8_BOM):
        content = content[len(_UTF8_BOM) :]
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"content is not valid UTF-8 (bad byte at offset {exc.start}); send UTF-8 text", "content"
        ) from None


def check_text(text: str, field: str = "text", max_bytes: int = MAX_TEXT_BYTES) -> str:
    """The checks every ad text passes: not empty, not too large, text rather than binary data."""
    if len(text) * 4 > max_bytes:  # only then can the UTF-8 form be too large
        try:
            size = len(text.encode("utf-8"))
        except UnicodeEncodeError:
            raise InvalidInput("contains characters that cannot be encoded (lone surrogates)", field) from None
        if size > max_bytes:
            raise InvalidInput(f"the ad is {size:,} bytes of UTF-8; at most {max_bytes:,} (1 MiB) are accepted", field)
    if "\x00" in text:
        raise InvalidInput("contains NUL characters: this looks like binary data, not an ad text", field)
    controls = len(_CONTROL.findall(text))
    if controls > max(16, len(text) // 100):
        raise InvalidInput(f"contains {controls} control characters: this looks like binary data, not text", field)
    if not text.strip():
        raise InvalidInput("is empty", field)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput("contains characters that cannot be encoded (lone surrogates)", field) from None
    return text


def check_phrase(text: str) -> str:
    if len(text) > MAX_PHRASE_CHARS:
        raise InvalidInput(f"is {len(text):,} characters; at most {MAX_PHRASE_CHARS:,} for ranking", "text")
    return check_text(text)


def looks_like_html(text: str) -> bool:
    return _HTML_HINT.search(text) is not None


def read_ad(text: str, fmt: TextFormat | None = None) -> AdText:
    """The checked plain text of an ad given as plain text or HTML (``fmt`` None: detected)."""
    check_text(text)
    if fmt is None:
        fmt = TextFormat.HTML if looks_like_html(text) else TextFormat.PLAIN
    if fmt is TextFormat.PLAIN:
        return AdText(text, text, TextFormat.PLAIN)
    result = html_to_text(text)
    if not result.text.strip():
        raise InvalidInput("the HTML contains no text", "text")
    return result


# --- HTML to text ------------------------------------------------------------------------------------------

# Elements whose start and end break a paragraph, or a line.
_PARAGRAPH = frozenset(
    "address article aside blockquote details dialog div dl fieldset figcaption figure footer form h1 h2 h3 h4 "
    "h5 h6 header hgroup hr main nav ol p pre section summary table ul".split()
)
_LINE = frozenset("br dd dt li tr caption".split())
_CELL = frozenset("td th".split())
# Elements whose content is not ad text.
_SKIP = frozenset("script style head title noscript template svg math iframe object select".split())
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
_CHARREF = re.compile(r"&#(?:[0-9]+|[xX][0-9a-fA-F]+);?")
_ENTITYREF = re.compile(r"&[a-zA-Z][-.a-zA-Z0-9]*;?")
_MAX_BLANK = 2  # newlines in a row


class _Builder:
    """Plain text plus, per character, the source range it came from. Whitespace runs collapse to one space
    (outside <pre>), block boundaries become line breaks, leading and trailing whitespace is dropped."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.chars: list[str] = []
        self.starts = array("q")
        self.ends = array("q")
        self.pre = 0

    def _put(self, char: str, start: int, end: int) -> None:
        self.chars.append(char)
        self.starts.append(start)
        self.ends.append(end)

    def _pop(self) -> None:
        self.chars.pop()
        self.starts.pop()
        self.ends.pop()

    def _last(self) -> str:
        return self.chars[-1] if self.chars else "\n"

    def _char(self, char: str, start: int, end: int) -> None:
        if not char.isspace():
            self._put(char, start, end)
        elif not self.pre:  # a whitespace run is one space
            if self._last() not in " \n":
                self._put(" ", start, end)
        elif self.chars and not (char == "\n" and self.chars[-2:] == ["\n", "\n"]):
            self._put(char, start, end)  # <pre>: kept, but not leading and no more than one blank line

    def data(self, text: str, pos: int) -> None:
        """``text`` is ``source[pos:pos + len(text)]``."""
        for i, char in enumerate(text):
            self._char(char, pos + i, pos + i + 1)

    def expanded(self, text: str, start: int, end: int) -> None:
        """``text`` stands for ``source[start:end]`` as a whole (a character or entity reference)."""
        for char in text:
            self._char(char, start, end)

    def reference(self, raw: str, start: int) -> None:
        """A character or entity reference ``raw`` at ``source[start:]``. HTML5 decodes some references by
        prefix ("&amp0" is "&0"): the literal tail keeps a one-to-one map, the decoded head maps to the rest."""
        text = html.unescape(raw)
        tail = 0
        while tail < min(len(raw), len(text)) and raw[-1 - tail] == text[-1 - tail]:
            tail += 1
        head_end = start + len(raw) - tail
        self.expanded(text[: len(text) - tail], start, head_end)
        self.data(raw[len(raw) - tail :], head_end)

    def space(self, pos: int) -> None:
        if self._last() not in " \n":
            self._put(" ", pos, pos)

    def newline(self, pos: int, lines: int = 1) -> None:
        while self.chars and self.chars[-1] == " ":
            self._pop()
        if not self.chars:
            return
        have = 0
        while have < len(self.chars) and self.chars[-1 - have] == "\n":
            have += 1
        for _ in range(min(lines, _MAX_BLANK) - have):
            self._put("\n", pos, pos)

    def bullet(self, pos: int) -> None:
        self.newline(pos)
        self._put("-", pos, pos)
        self._put(" ", pos, pos)

    def result(self) -> AdText:
        while self.chars and self.chars[-1].isspace():
            self._pop()
        return AdText("".join(self.chars), self.source, TextFormat.HTML, self.starts, self.ends)


class _Parser(HTMLParser):
    def __init__(self, source: str, builder: _Builder) -> None:
        super().__init__(convert_charrefs=False)
        self.source = source
        self.builder = builder
        self.skip: list[str] = []
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", source)]

    def _pos(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def _block(self, tag: str, pos: int, closing: bool) -> None:
        if tag in _PARAGRAPH:
            self.builder.newline(pos, 2)
        elif tag == "li" and not closing:
            self.builder.bullet(pos)
        elif tag in _LINE:
            self.builder.newline(pos)
        elif tag in _CELL:
            self.builder.space(pos)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pos = self._pos()
        if tag == "body":
            self.skip.clear()
        if tag in _SKIP:
            if tag not in _VOID:
                self.skip.append(tag)
            return
        if self.skip:
            return
        if tag == "pre":
            self.builder.pre += 1
        self._block(tag, pos, closing=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP or self.skip:
            return
        self._block(tag, self._pos(), closing=False)

    def handle_endtag(self, tag: str) -> None:
        pos = self._pos()
        if tag in _SKIP:
            if tag in self.skip:
                while self.skip and self.skip.pop() != tag:
                    pass
            return
        if self.skip:
            return
        if tag == "pre" and self.builder.pre:
            self.builder.pre -= 1
        self._block(tag, pos, closing=True)

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.builder.data(data, self._pos())

    def _reference(self, pattern: re.Pattern[str]) -> None:
        if self.skip:
            return
        pos = self._pos()
        match = pattern.match(self.source, pos)
        if match is None:  # cannot happen: the parser matched the same construct here
            return
        self.builder.reference(match.group(), pos)

    def handle_charref(self, name: str) -> None:
        self._reference(_CHARREF)

    def handle_entityref(self, name: str) -> None:
        self._reference(_ENTITYREF)


_TOKEN = re.compile(
    r"(?P<comment><!--.*?(?:-->|$))|(?P<tag></?(?P<name>[a-zA-Z][a-zA-Z0-9]*)[^>]*>?)|(?P<decl><[!?][^<>]*>?)"
    r"|(?P<ref>&#(?:[0-9]+|[xX][0-9a-fA-F]+);?|&[a-zA-Z][-.a-zA-Z0-9]*;?)|(?P<text>[^<&]+|[<&])",
    re.DOTALL,
)


def _strip_tags(source: str) -> AdText:
    """The fallback: a regex tokenizer with the same rules, for markup the parser gives up on."""
    builder = _Builder(source)
    skip: str | None = None
    for m in _TOKEN.finditer(source):
        if m.group("tag"):
            name = m.group("name").lower()
            closing = m.group("tag").startswith("</")
            if skip:
                if closing and name == skip:
                    skip = None
                continue
            if name in _SKIP and not closing and name not in _VOID:
                skip = name
            elif name in _PARAGRAPH:
                builder.newline(m.start(), 2)
            elif name == "li" and not closing:
                builder.bullet(m.start())
            elif name in _LINE:
                builder.newline(m.start())
            elif name in _CELL:
                builder.space(m.start())
        elif skip:
            continue
        elif m.group("ref"):
            builder.reference(m.group(), m.start())
        elif m.group("text"):
            builder.data(m.group(), m.start())
    return builder.result()


def html_to_text(source: str) -> AdText:
    """Plain text of an HTML document or fragment, with the source range of every character."""
    builder = _Builder(source)
    parser = _Parser(source, builder)
    try:
        parser.feed(source)
        parser.close()
    except Exception:  # noqa: BLE001 - html.parser (via _markupbase) can raise on odd declarations
        return _strip_tags(source)
    return builder.result()
