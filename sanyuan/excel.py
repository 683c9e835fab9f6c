"""Every Excel export of every app: XlsxWriter in constant-memory mode (rows stream to disk or
memory, a province's export never holds a sheet in RAM) with the formula guard.

A cell a spreadsheet would run as a formula (CSV/formula injection: text starting with `=`,
`+`, `-`, `@`, a tab or a carriage return) is written as text with a leading apostrophe, and
XlsxWriter never turns strings into formulas, numbers or links.
"""

import io

import xlsxwriter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MAX_SHEET_TITLE = 31  # Excel's limit
_FORBIDDEN_IN_TITLE = str.maketrans({c: "_" for c in "[]:*?/\\"})


def neutralise(value):
    """A cell value that a spreadsheet will never run as a formula (None becomes empty)."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class Sheet:
    def __init__(self, workbook: "Workbook", worksheet):
        self._workbook = workbook
        self._worksheet = worksheet
        self._row = 0

    def append(self, values, *, bold: bool = False) -> None:
        """Write the next row; every value goes through `neutralise`."""
        cell_format = self._workbook.bold if bold else None
        for column, value in enumerate(values):
            self._worksheet.write(self._row, column, neutralise(value), cell_format)
        self._row += 1

    def widths(self, widths: list[int]) -> None:
        """Column widths in characters (call before the first row in constant-memory mode)."""
        for column, width in enumerate(widths):
            self._worksheet.set_column(column, column, width)

    @property
    def rows_written(self) -> int:
        return self._row


class Workbook:
    """An .xlsx written row by row to `path`, or to memory when `path` is None (small
    exports answered in the request); `close()` returns the bytes of an in-memory book."""

    def __init__(self, path: str | None = None):
        self._buffer = io.BytesIO() if path is None else None
        options = {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        }
        if path is None:
            options["in_memory"] = True
        self._book = xlsxwriter.Workbook(self._buffer if path is None else path, options)
        self.bold = self._book.add_format({"bold": True})

    def add_sheet(self, title: str) -> Sheet:
        clean = (title or "Sheet").translate(_FORBIDDEN_IN_TITLE)[:MAX_SHEET_TITLE]
        return Sheet(self, self._book.add_worksheet(clean))

    def close(self) -> bytes | None:
        self._book.close()
        return self._buffer.getvalue() if self._buffer is not None else None


def workbook_bytes(title: str, header: list[str], rows) -> bytes:
    """A one-sheet workbook in memory: a bold header, then `rows` (an iterable of lists)."""
    book = Workbook()
    sheet = book.add_sheet(title)
    sheet.append(header, bold=True)
    for row in rows:
        sheet.append(row)
    return book.close()
