"""The one Excel module: every export streams through it with the formula guard."""

import io

import pytest
from openpyxl import load_workbook

from sanyuan.excel import Workbook, neutralise, workbook_bytes


@pytest.mark.parametrize("value", ["=1+1", "+86", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_text_a_spreadsheet_would_run_is_kept_as_text(value):
    assert neutralise(value) == "'" + value


def test_other_values_pass_unchanged():
    assert neutralise("张三") == "张三"
    assert neutralise(3) == 3
    assert neutralise(None) == ""


def test_a_workbook_holds_every_row_as_written_and_no_formula():
    content = workbook_bytes("名单", ["姓名", "备注"], [["张三", '=HYPERLINK("x")'], ["李四", 7]])
    sheet = load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows == [("姓名", "备注"), ("张三", '\'=HYPERLINK("x")'), ("李四", 7)]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_a_workbook_written_to_a_file_streams_its_rows(tmp_path):
    path = tmp_path / "big.xlsx"
    book = Workbook(str(path))
    sheet = book.add_sheet("很长的工作表名称，超过了三十一个字符的限制：[测试]/*?")
    for number in range(5000):
        sheet.append([f"党员{number}", number])
    assert book.close() is None
    loaded = load_workbook(path, read_only=True)
    assert loaded.sheetnames[0] == "很长的工作表名称，超过了三十一个字符的限制：_测试____"[:31]
    assert sum(1 for _ in loaded.active.iter_rows()) == 5000
