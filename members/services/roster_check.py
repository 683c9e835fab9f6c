"""Roster import (花名册导入), the dry run: reading an Excel or CSV file and checking every
row with a Chinese message per problem; nothing is written here."""

import csv
import io
import logging
import re
from dataclasses import dataclass, field

from django.core.cache import cache

from members import permissions
from members.archive_fields import PARSERS, check_archive_rules
from members.identity import mask_id_number, normalize_id_number
from members.models import Member, Organization, Region, Skill
from members.services import duplicates
from sanyuan.crypto import keyed_hash
from sanyuan.errors import RateLimited, ServiceError

logger = logging.getLogger(__name__)


MAX_BYTES = 30 * 1024 * 1024
MAX_ROWS = 200_000
CHUNK = 1000

# Column titles staff write (with common variants) → archive field.
HEADERS = {
    "姓名": "name",
    "身份证号码": "id_number",
    "身份证号": "id_number",
    "公民身份号码": "id_number",
    "手机号码": "phone",
    "手机号": "phone",
    "联系电话": "phone",
    "党组织代码": "organization_code",
    "组织代码": "organization_code",
    "所属党组织": "organization_name",
    "流出地党组织": "organization_name",
    "民族": "ethnicity",
    "学历": "education",
    "党员类别": "party_standing",
    "入党时间": "joined_party_on",
    "流出时间": "left_home_on",
    "流入省份": "destination_province",
    "流入城市": "destination_city",
    "流入区县": "destination_district",
    "详细地址": "destination_address",
    "职业": "occupation",
    "工作单位": "employer",
    "月收入": "monthly_income",
    "月收入（元）": "monthly_income",
    "技能": "skills",
    "流动状态": "status",
    "家中生产生活情况": "family_situation",
}
REQUIRED = ("name", "id_number", "phone")
SIMPLE_FIELDS = (
    "ethnicity",
    "education",
    "party_standing",
    "joined_party_on",
    "left_home_on",
    "destination_address",
    "occupation",
    "employer",
    "monthly_income",
    "status",
    "family_situation",
)
UPDATABLE = (
    "name",
    "phone",
    "organization",
    "ethnicity",
    "education",
    "party_standing",
    "joined_party_on",
    "left_home_on",
    "destination_province",
    "destination_city",
    "destination_district",
    "destination_address",
    "occupation",
    "employer",
    "monthly_income",
    "status",
    "family_situation",
)


# Reading the file ---------------------------------------------------------------------------


def _read_rows(data: bytes) -> list[list]:
    if data.startswith(b"PK\x03\x04"):
        # python-calamine (Rust) reads 100,000 rows in seconds where openpyxl took half a
        # minute; values come as str, int, float, bool, date or datetime, never formulas.
        from python_calamine import CalamineWorkbook

        try:
            workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
            sheet = workbook.get_sheet_by_index(0)
            rows = []
            for row in sheet.iter_rows():
                rows.append(list(row))
                if len(rows) > MAX_ROWS + 2:
                    break
        except Exception as exc:
            raise ServiceError("Excel文件无法读取，请另存为 .xlsx 后重试。", field="file") from exc
        return rows
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ServiceError(
            "无法识别文件编码，请使用UTF-8或GB18030编码的CSV，或Excel文件。", field="file"
        )
    if "\x00" in text:
        raise ServiceError("文件不是CSV或Excel花名册。", field="file")
    return [row for row in csv.reader(io.StringIO(text))]


def parse_roster(data: bytes) -> list[dict]:
    """Rows as {field: raw value}, each with its spreadsheet row number under "_row"."""
    rows = _read_rows(data)
    while rows and not any(str(cell or "").strip() for cell in rows[0]):
        rows.pop(0)
    if not rows:
        raise ServiceError("文件是空的。", field="file")
    header = [HEADERS.get(str(cell or "").strip().replace(" ", "")) for cell in rows[0]]
    missing = [
        title
        for title, key in (("姓名", "name"), ("身份证号码", "id_number"), ("手机号码", "phone"))
        if key not in header
    ]
    if "organization_code" not in header and "organization_name" not in header:
        missing.append("党组织代码（或所属党组织）")
    if missing:
        raise ServiceError(f"表头缺少：{'、'.join(missing)}。请使用导入模板的表头。", field="file")
    if len(rows) - 1 > MAX_ROWS:
        raise ServiceError(f"一次最多导入{MAX_ROWS}行。", field="file")
    parsed = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(str(cell or "").strip() for cell in row):
            continue
        values = {"_row": number}
        for key, cell in zip(header, row, strict=False):
            if key is not None and cell not in (None, ""):
                values[key] = cell if not isinstance(cell, str) else cell.strip()
        parsed.append(values)
    return parsed


# Checking rows ------------------------------------------------------------------------------


@dataclass
class Plan:
    row: int
    id_number: str
    id_hash: str
    values: dict
    organization: Organization
    skills: list = field(default_factory=list)
    member_id: int | None = None
    action: str = "create"  # create / update / unchanged


class Lookups:
    """Everything a row needs, loaded once per file: no query per row."""

    def __init__(self, actor):
        self.orgs = list(
            permissions.filter_organizations_visible_to(actor).only("id", "code", "name", "path")
        )
        self.by_code = {org.code: org for org in self.orgs}
        names: dict[str, list] = {}
        for org in self.orgs:
            names.setdefault(org.name, []).append(org)
        self.by_name = names
        self.skills = {skill.name: skill for skill in Skill.objects.all()}
        regions = list(Region.objects.values_list("code", "name", "level", "parent_id"))
        self.region_codes = {code: (name, level, parent) for code, name, level, parent in regions}
        self.region_by_name: dict[tuple, str] = {}
        for code, name, level, parent in regions:
            self.region_by_name[(level, parent, name)] = code
            short = (
                name.removesuffix("省")
                .removesuffix("市")
                .removesuffix("自治区")
                .removesuffix("特别行政区")
            )
            self.region_by_name.setdefault((level, parent, short), code)

    def region(self, value, level: str, parent: str | None, label: str) -> str:
        text = str(value).strip()
        if text in self.region_codes and self.region_codes[text][1] == level:
            return text
        code = self.region_by_name.get((level, parent, text))
        if code is None and level == "district" and parent:
            # Districts directly under a province (e.g. 东莞市's towns) hang on the province.
            code = self.region_by_name.get((level, parent[:2] + "0000", text))
        if code is None:
            raise ServiceError(f"{label}“{text[:12]}”不是有效的行政区划。")
        return code


def _mask_raw(raw) -> str:
    text = str(raw or "").strip()
    if len(text) >= 10:
        return (
            mask_id_number(text[:6] + "x" * 8 + text[-4:])
            if len(text) == 18
            else text[:4] + "****" + text[-2:]
        )
    return "****"


def _check_row(row: dict, lookups: Lookups) -> tuple[Plan | None, list[dict]]:
    errors = []
    number = row["_row"]

    def fail(field_name, message):
        errors.append({"row": number, "field": field_name, "message": message})

    raw_id = row.get("id_number", "")
    try:
        id_number = normalize_id_number(str(raw_id) if raw_id is not None else "")
    except ServiceError as exc:
        fail("id_number", f"{exc.message}（{_mask_raw(raw_id)}）")
        id_number = None
    values = {}
    for key in ("name", "phone", *SIMPLE_FIELDS):
        if key in row:
            try:
                values[key] = PARSERS[key](row[key])
            except ServiceError as exc:
                fail(key, exc.message)
    for key in REQUIRED:
        if key != "id_number" and key not in row:
            fail(key, {"name": "缺少姓名。", "phone": "缺少手机号码。"}[key])
    organization = None
    if row.get("organization_code"):
        organization = lookups.by_code.get(str(row["organization_code"]).strip())
        if organization is None:
            fail(
                "organization",
                f"党组织代码“{str(row['organization_code'])[:20]}”不存在或不在您的管理范围内。",
            )
    elif row.get("organization_name"):
        found = lookups.by_name.get(str(row["organization_name"]).strip(), [])
        if len(found) == 1:
            organization = found[0]
        else:
            fail(
                "organization",
                f"党组织“{str(row['organization_name'])[:20]}”{'有重名，请改用党组织代码' if found else '不存在或不在您的管理范围内'}。",
            )
    else:
        fail("organization", "缺少党组织代码。")
    try:
        province = (
            lookups.region(row["destination_province"], "province", None, "流入省份")
            if row.get("destination_province")
            else ""
        )
        city = (
            lookups.region(row["destination_city"], "city", province or None, "流入城市")
            if row.get("destination_city")
            else ""
        )
        district = (
            lookups.region(
                row["destination_district"], "district", city or province or None, "流入区县"
            )
            if row.get("destination_district")
            else ""
        )
        values.update(
            destination_province=province, destination_city=city, destination_district=district
        )
    except ServiceError as exc:
        fail("destination", exc.message)
    skills = []
    if row.get("skills"):
        for name in [part for part in re.split(r"[、,，;；\s]+", str(row["skills"])) if part]:
            if name in lookups.skills:
                skills.append(lookups.skills[name])
            else:
                fail("skills", f"技能“{name[:10]}”不在技能列表中。")
    if id_number:
        from members.identity import id_number_birth_date

        for key, message in check_archive_rules(values, birth_date=id_number_birth_date(id_number)):
            fail(key, message)
    if errors or id_number is None or organization is None:
        return None, errors
    if not values.get("destination_province"):
        for key in ("destination_province", "destination_city", "destination_district"):
            values.pop(key, None)
    return Plan(
        row=number,
        id_number=id_number,
        id_hash=keyed_hash(id_number, purpose="id_number"),
        values=values,
        organization=organization,
        skills=skills,
    ), []


def check_roster(
    actor, rows: list[dict], progress_key: str | None = None, *, dry_run: bool = True
) -> tuple[list[Plan], list[dict]]:
    """Every row checked; duplicates in the file and archives out of scope are errors.
    Returns the plans of the valid rows (create / update / unchanged) and the errors.

    The dry run audits and counts each row refused for an archive out of scope
    (members.services.duplicates) and raises RateLimited past the day's allowance; the
    import's re-check (`dry_run=False`) has been counted already."""
    allowance = duplicates.duplicate_allowance(actor) if dry_run else None
    lookups = Lookups(actor)
    plans, errors, seen = [], [], {}
    for number, row in enumerate(rows, start=1):
        if progress_key and number % 2000 == 0:
            cache.set(progress_key, number, timeout=3600)
        plan, row_errors = _check_row(row, lookups)
        if plan is not None and plan.id_hash in seen:
            row_errors = [
                {
                    "row": plan.row,
                    "field": "id_number",
                    "message": f"与第{seen[plan.id_hash]}行身份证号码重复（{mask_id_number(plan.id_number)}）。",
                }
            ]
            plan = None
        if plan is not None:
            seen[plan.id_hash] = plan.row
            plans.append(plan)
        errors.extend(row_errors)
    _match_existing(actor, plans, errors, allowance)
    plans = [plan for plan in plans if plan.action != "error"]
    errors.sort(key=lambda error: error["row"])
    return plans, errors


def _match_existing(actor, plans: list[Plan], errors: list[dict], allowance: int | None) -> None:
    for start in range(0, len(plans), 5000):
        chunk = plans[start : start + 5000]
        existing = {
            member.id_number_hash: member
            for member in Member.objects.filter(id_number_hash__in=[p.id_hash for p in chunk])
            .select_related("organization")
            .prefetch_related("skills")
        }
        for plan in chunk:
            member = existing.get(plan.id_hash)
            if member is None:
                continue
            if not permissions.can_manage_member(actor, member):
                plan.action = "error"
                if allowance is not None:
                    if allowance <= 0:  # the file probes more numbers than a day allows
                        raise RateLimited(duplicates.TOO_MANY, retry_after=24 * 60 * 60)
                    allowance -= 1
                    duplicates.duplicate_message(actor=actor, member=member, source="roster")
                errors.append(
                    {"row": plan.row, "field": "id_number", "message": duplicates.OUT_OF_SCOPE}
                )
                continue
            plan.member_id = member.pk
            changed = [key for key, value in plan.values.items() if getattr(member, key) != value]
            if member.organization_id != plan.organization.pk:
                changed.append("organization")
            if plan.skills and {s.pk for s in plan.skills} != {s.pk for s in member.skills.all()}:
                changed.append("skills")
            plan.action = "update" if changed else "unchanged"
