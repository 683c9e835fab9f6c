"""Province-scale data for the registry: ~10,000 organisations, 1,000,000 members, 1,000
staff, accounts for most members. COPY, not one save per row; one precomputed password hash.
"""

from datetime import timedelta

from django.db import connection

from sanyuan.crypto import encrypt, keyed_hash
from sanyuan.scale import ScaleContext, copy_rows, next_id, reset_sequence

from .choices import income_band
from .demo import DESTINATIONS, GIVEN, SURNAMES
from .identity import id_number_check_digit, mask_id_number

SCALE_PASSWORD = "Scale@2026"
CITY_NAMES = [
    "西安市",
    "铜川市",
    "宝鸡市",
    "咸阳市",
    "渭南市",
    "延安市",
    "汉中市",
    "榆林市",
    "安康市",
    "商洛市",
]


def _organizations(ctx: ScaleContext) -> list[tuple]:
    """A province → 10 cities → ~10 counties each → committees → (general branches →) branches.
    Deep and shallow subtrees: committee sizes follow a long tail."""
    rng = ctx.rng
    target = ctx.sizes["organizations"]
    rows, branches = [], []
    next_pk = next_id("members_organization")

    def add(code, name, kind, parent):
        nonlocal next_pk
        pk = next_pk
        next_pk += 1
        path = (parent[5] if parent else "/") + f"{pk}/"
        row = (
            pk,
            code,
            name,
            kind,
            parent[0] if parent else None,
            path,
            path.count("/") - 2,
            ctx.now,
            "",
        )
        rows.append(row)
        return row

    province = add("S61", "陕西省（规模测试）", "province", None)
    counties = []
    for c, city_name in enumerate(CITY_NAMES):
        city = add(f"S61{c:02d}", city_name, "city", province)
        for k in range(10):
            counties.append(
                add(f"S61{c:02d}{k:02d}", f"{city_name[:2]}第{k + 1}县", "county", city)
            )
    per_county = max(1, (target - len(rows)) // len(counties))
    for county in counties:
        committees = max(2, int(per_county / 10 * rng.uniform(0.5, 1.5)))
        budget = per_county - committees
        for m in range(committees):
            committee = add(f"{county[1]}-{m:02d}", f"第{m + 1}镇党委", "committee", county)
            size = max(1, int(budget / committees * rng.paretovariate(2.5) / 1.6))
            parent = committee
            if size > 6 and rng.random() < 0.5:
                parent = add(f"{committee[1]}-G", "机关党总支", "general_branch", committee)
            for b in range(size):
                branches.append(
                    add(f"{committee[1]}-{b:03d}", f"第{b + 1}村党支部", "branch", parent)
                )
    ctx.data["province_id"] = province[0]
    ctx.data["county_ids"] = [row[0] for row in counties]
    ctx.data["branch_ids"] = [row[0] for row in branches]
    ctx.data["committee_rows"] = [row for row in rows if row[3] == "committee"]
    return rows


def seed(ctx: ScaleContext) -> list[str]:
    if connection.vendor != "postgresql":
        raise RuntimeError("seed_scale needs PostgreSQL")
    with ctx.timed("organisations"):
        orgs = _organizations(ctx)
        copy_rows(
            "members_organization",
            [
                "id",
                "code",
                "name",
                "kind",
                "parent_id",
                "path",
                "depth",
                "created_at",
                "region_code",
            ],
            orgs,
        )
        reset_sequence("members_organization")
    with ctx.timed("staff"):
        _staff(ctx)
    with ctx.timed("members"):
        _members(ctx)
    with ctx.timed("archive history"):
        # Each archive's first history record, so that its first change lists what changed.
        from .services.history import member_history_baseline

        member_history_baseline()
    with ctx.timed("change requests"):
        seed_change_requests(ctx)
    return [
        f"organisations {len(orgs):,}, members {ctx.sizes['members']:,}, staff {ctx.sizes['staff']:,}",
    ]


def _staff(ctx: ScaleContext) -> None:
    """1,000 staff: a few at the province, the rest on committees. Grants through guardian's
    direct table, as the product makes them."""
    from django.contrib.auth.models import Permission

    perm = Permission.objects.get(codename="manage_organization")
    committees = ctx.data["committee_rows"]
    user_pk = next_id("members_user")
    users, grants = [], []
    grant_pk = next_id("members_organizationuserobjectpermission")
    for n in range(ctx.sizes["staff"]):
        org_id = ctx.data["province_id"] if n < 5 else committees[n % len(committees)][0]
        users.append(
            (
                user_pk,
                f"scale_staff_{n:04d}",
                ctx.password_hash,
                True,
                False,
                True,
                ctx.now,
                "",
                "",
                "",
            )
        )
        grants.append((grant_pk, user_pk, perm.pk, org_id))
        ctx.data.setdefault("staff_ids", []).append(user_pk)
        user_pk += 1
        grant_pk += 1
    copy_rows("members_user", USER_COLUMNS, users)
    copy_rows(
        "members_organizationuserobjectpermission",
        ["id", "user_id", "permission_id", "content_object_id"],
        grants,
    )
    reset_sequence("members_user")
    reset_sequence("members_organizationuserobjectpermission")


USER_COLUMNS = [
    "id",
    "username",
    "password",
    "is_staff",
    "is_superuser",
    "is_active",
    "date_joined",
    "first_name",
    "last_name",
    "email",
]


PHONE, INCOME = 8, 18  # positions in a member row of _members


def _encrypt_contact(*row) -> tuple:
    """A member row with its phone and income encrypted and their keyed hash and band
    appended (columns phone_hash, income_band), as Member's derived fields would write."""
    phone, income = row[PHONE], row[INCOME]
    row = list(row)
    row[PHONE] = encrypt(phone)
    row[INCOME] = encrypt(str(income)) if income is not None else None
    return (*row, keyed_hash(phone, purpose="phone"), income_band(income))


def _members(ctx: ScaleContext) -> None:
    rng = ctx.rng
    branches = ctx.data["branch_ids"]
    weights = [rng.paretovariate(1.8) for _ in branches]  # some branches have many members
    codes, dest_weights = zip(*DESTINATIONS, strict=True)
    member_pk = next_id("members_member")
    user_pk = next_id("members_user")
    first_member = member_pk
    activated_share = ctx.sizes.get("activated_share", 0.6)
    member_rows, user_rows = [], []
    seen = set()
    now = ctx.now
    chosen_branches = rng.choices(branches, weights=weights, k=ctx.sizes["members"])
    for index in range(ctx.sizes["members"]):
        while True:
            year = rng.randint(1960, 2004)
            first17 = f"61{rng.randint(1, 99):02d}{rng.randint(1, 99):02d}{year}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
            if first17 not in seen:
                seen.add(first17)
                break
        id_number = first17 + id_number_check_digit(first17)
        city = rng.choices(codes, weights=dest_weights)[0]
        user_id = None
        if rng.random() < activated_share:
            user_id = user_pk
            user_rows.append(
                (
                    user_pk,
                    f"member-{member_pk}",
                    ctx.password_hash,
                    False,
                    False,
                    True,
                    now,
                    "",
                    "",
                    "",
                )
            )
            user_pk += 1
        created = now - timedelta(days=rng.randint(100, 2000))
        member_rows.append(
            _encrypt_contact(
                member_pk,
                rng.choice(SURNAMES)
                + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
                encrypt(id_number),
                keyed_hash(id_number, purpose="id_number"),
                mask_id_number(id_number),
                "male" if int(id_number[16]) % 2 else "female",
                f"{year}-{first17[10:12]}-{first17[12:14]}",
                "汉族",
                f"1{rng.choice('3578')}{rng.randint(0, 999999999):09d}",
                rng.choice(["high_school", "junior_high", "college", "bachelor"]),
                rng.choices(["full", "probationary"], weights=[92, 8])[0],
                chosen_branches[index],
                city[:2] + "0000",
                city,
                "",
                "",
                rng.choice(
                    [
                        "construction",
                        "manufacturing",
                        "transport",
                        "catering",
                        "retail",
                        "self_employed",
                    ]
                ),
                "",
                rng.choice([3000, 4500, 6000, 8000, 12000]),
                "",
                "",
                rng.choices(["away", "returned", "transferred_out"], weights=[86, 11, 3])[0],
                rng.random() < 0.03,
                rng.random() < 0.01,
                rng.random() < 0.15,
                (now - timedelta(days=rng.randint(1, 400))) if rng.random() < 0.7 else None,
                user_id,
                now if user_id else None,
                "2026-11" if user_id else "",
                now if user_id else None,
                created,
                now,
            )
        )
        member_pk += 1
    copy_rows("members_user", USER_COLUMNS, user_rows)
    copy_rows(
        "members_member",
        [
            "id",
            "name",
            "id_number",
            "id_number_hash",
            "id_number_masked",
            "sex",
            "birth_date",
            "ethnicity",
            "phone",
            "education",
            "party_standing",
            "organization_id",
            "destination_province",
            "destination_city",
            "destination_district",
            "destination_address",
            "occupation",
            "employer",
            "monthly_income",
            "family_situation",
            "mindset_note",
            "status",
            "is_vanguard",
            "is_giving_back_pacesetter",
            "support_group",
            "last_contacted_at",
            "user_id",
            "activated_at",
            "privacy_notice_version",
            "privacy_accepted_at",
            "created_at",
            "updated_at",
            "phone_hash",
            "income_band",
        ],
        member_rows,
    )
    reset_sequence("members_user")
    reset_sequence("members_member")
    ctx.data["member_id_range"] = (first_member, member_pk - 1)
    ctx.data["member_user_ids"] = [row[26] for row in member_rows if row[26]]
    ctx.data["member_ids_with_users"] = [row[0] for row in member_rows if row[26]]
    ctx.data["member_org"] = {row[0]: row[11] for row in member_rows}
    ctx.data["member_user"] = {row[0]: row[26] for row in member_rows if row[26]}


def seed_change_requests(ctx: ScaleContext) -> None:
    """Open change requests, one per member (the product allows one at a time)."""
    import json

    first, last = ctx.data["member_id_range"]
    rng = ctx.rng
    ids = rng.sample(range(first, last + 1), k=min(ctx.sizes["change_requests"], last - first + 1))
    rows = []
    pk = next_id("members_changerequest")
    for member_id in ids:
        payload = json.dumps(
            {
                "employer": {
                    "old": "",
                    "new": rng.choice(["比亚迪", "富士康", "京东物流", "个体经营"]),
                }
            },
            ensure_ascii=False,
        )
        rows.append(
            (
                pk,
                encrypt(payload),
                "employer",
                "换了工作",
                "pending",
                ctx.now - timedelta(days=rng.randint(0, 60)),
                "",
                member_id,
            )
        )
        pk += 1
    copy_rows(
        "members_changerequest",
        [
            "id",
            "changes_json",
            "fields",
            "reason",
            "status",
            "created_at",
            "review_comment",
            "member_id",
        ],
        rows,
    )
    reset_sequence("members_changerequest")
