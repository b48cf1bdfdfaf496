"""Reading tables by column name: CSV/TSV text (BOM-tolerant, multi-line cells), .xlsx and .xls sheets."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

from overstap_taxonomy.importer.errors import ImportInputError, missing_columns, missing_file

Row = dict[str, str]
Quoting = Literal[0, 1, 2, 3]  # csv.QUOTE_MINIMAL, _ALL, _NONNUMERIC, _NONE
HEADER_SEARCH_ROWS = 25
_BOM = "\ufeff"

csv.field_size_limit(max(csv.field_size_limit(), 1 << 28))


@dataclass(slots=True)
class Table:
    """Rows of one table as ``{column: text}``; ``source`` and ``what`` name it in error messages."""

    source: str
    what: str
    columns: list[str]
    rows: list[Row]

    def require(self, *columns: str) -> Table:
        missing = [c for c in columns if c not in self.columns]
        if missing:
            raise missing_columns(self.source, self.what, missing, self.columns)
        return self


def clean_header(name: Any) -> str:
    return cell_text(name).lstrip(_BOM).strip()


def cell_text(value: Any) -> str:
    """A cell as text: None is empty, integral floats lose their ".0", everything else is ``str``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _rows_from_lists(lines: Iterator[Sequence[Any]], header: list[str]) -> list[Row]:
    rows: list[Row] = []
    for values in lines:
        texts = [cell_text(v) for v in values]
        if not any(t.strip() for t in texts):
            continue
        rows.append({name: (texts[i] if i < len(texts) else "") for i, name in enumerate(header) if name})
    return rows


def read_csv_stream(
    stream: IO[str],
    source: str,
    what: str,
    delimiter: str = ",",
    quoting: Quoting = csv.QUOTE_MINIMAL,
    required: Sequence[str] = (),
) -> Table:
    """A delimited text table. The header is the first line, or with ``required`` the first of the
    first rows that holds all those column names (for files that start with metadata lines)."""
    reader = csv.reader(stream, delimiter=delimiter, quoting=quoting)
    try:
        head = [row for _, row in zip(range(HEADER_SEARCH_ROWS if required else 1), reader, strict=False)]
        if not head:
            raise ImportInputError(f"{source} ({what}) is empty")
        index = _find_header(head, required) if required else 0
        if index is None:
            raise ImportInputError(
                f"{source} ({what}): no header row with {', '.join(repr(c) for c in required)} "
                f"in its first {HEADER_SEARCH_ROWS} lines"
            )
        header = [clean_header(h) for h in head[index]]
        body = iter([*head[index + 1 :], *reader])
        return Table(source, what, header, _rows_from_lists(body, header))
    except csv.Error as exc:
        raise ImportInputError(f"{source} ({what}) is not a readable CSV file: {exc}") from exc


def read_csv_text(text: str, source: str, what: str, delimiter: str = ",") -> Table:
    return read_csv_stream(io.StringIO(text.lstrip(_BOM), newline=""), source, what, delimiter)


def sniff_delimiter(first_line: str, candidates: str = ",;\t") -> str:
    """The candidate delimiter occurring most often in the header line (comma on a tie)."""
    return max(candidates, key=lambda d: (first_line.count(d), d == ","))


def read_delimited_file(
    path: Path,
    what: str,
    delimiter: str | None = None,
    quoting: Quoting = csv.QUOTE_MINIMAL,
    required: Sequence[str] = (),
) -> Table:
    """A CSV/TSV file (UTF-8, with or without BOM); the delimiter is sniffed from the first line unless given."""
    if not path.is_file():
        raise missing_file(path, what)
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            if delimiter is None:
                delimiter = sniff_delimiter(fh.readline())
                fh.seek(0)
            table = read_csv_stream(fh, str(path), what, delimiter, quoting, required)
            return table.require(*required)
    except UnicodeDecodeError as exc:
        raise ImportInputError(f"{path} ({what}) is not UTF-8 text: {exc}") from exc


def _find_header(rows: list[list[Any]], required: Sequence[str]) -> int | None:
    for index, values in enumerate(rows[:HEADER_SEARCH_ROWS]):
        names = {clean_header(v) for v in values}
        if all(r in names for r in required):
            return index
    return None


def _sheet_table(
    sheets: Iterator[tuple[str, Callable[[], Iterator[Sequence[Any]]]]], path: Path, what: str, required: Sequence[str]
) -> Table:
    seen: list[str] = []
    for name, open_rows in sheets:
        rows = open_rows()
        head = [list(r) for _, r in zip(range(HEADER_SEARCH_ROWS), rows, strict=False)]
        index = _find_header(head, required)
        if index is None:
            seen.append(name)
            continue
        header = [clean_header(h) for h in head[index]]
        body = iter([*head[index + 1 :], *rows])
        return Table(f"{path} [{name}]", what, header, _rows_from_lists(body, header))
    raise ImportInputError(
        f"{path} ({what}): no sheet has a header row with {', '.join(repr(c) for c in required)} "
        f"in its first {HEADER_SEARCH_ROWS} rows (sheets: {', '.join(seen)})"
    )


def read_xlsx(path: Path, what: str, required: Sequence[str]) -> Table:
    """The first sheet of an .xlsx workbook with a header row holding all ``required`` columns."""
    import openpyxl

    if not path.is_file():
        raise missing_file(path, what)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for non-xlsx input
        raise ImportInputError(f"{path} ({what}) is not a readable .xlsx workbook: {exc}") from exc
    try:
        sheets = ((ws.title, lambda ws=ws: ws.iter_rows(values_only=True)) for ws in workbook.worksheets)
        return _sheet_table(sheets, path, what, required)
    finally:
        workbook.close()


def read_xls(path: Path, what: str, required: Sequence[str]) -> Table:
    """The first sheet of a legacy .xls workbook with a header row holding all ``required`` columns."""
    import xlrd

    if not path.is_file():
        raise missing_file(path, what)
    try:
        book = xlrd.open_workbook(path)
    except Exception as exc:  # xlrd.XLRDError and struct errors for non-xls input
        raise ImportInputError(f"{path} ({what}) is not a readable .xls workbook: {exc}") from exc
    sheets = ((sh.name, lambda sh=sh: (sh.row_values(i) for i in range(sh.nrows))) for sh in book.sheets())
    return _sheet_table(sheets, path, what, required)
