"""A new archive whose ID number is already registered: no oracle across scopes, each
refusal audited and counted, 429 past the day's allowance, the county told where."""

import pytest
from django.test import TestCase

from members.identity import mask_id_number
from members.models import AuditEvent
from members.services import imports
from tests import factories
from tests.conftest import client_for
from tests.members.test_roster import xlsx

pytestmark = pytest.mark.django_db

OUT_OF_SCOPE = "该身份证号码已有档案，请联系县委组织部。"


def create(actor, id_number, organization):
    return client_for(actor).post(
        "/api/members/",
        {
            "name": "新人",
            "id_number": id_number,
            "phone": "13611112222",
            "organization": organization.pk,
        },
        format="json",
    )


def test_staff_out_of_scope_learn_only_that_the_archive_exists_and_the_refusal_is_audited(world):
    existing = world.member_b  # committee B's
    response = create(world.staff_a, existing.id_number, world.branch_a1)
    assert response.status_code == 400
    assert response.json() == {"id_number": [OUT_OF_SCOPE]}
    text = response.content.decode()
    assert mask_id_number(existing.id_number)[-4:] not in text
    assert existing.organization.name not in text
    event = AuditEvent.objects.get(action="member.duplicate_refused")
    assert event.actor == world.staff_a
    assert (event.target_type, event.target_id) == ("members.member", str(existing.pk))
    assert existing.id_number not in str(event.detail)


def test_the_county_tier_sees_where_the_archive_lives(world):
    existing = world.member_b
    response = create(world.county_staff, existing.id_number, world.branch_a1)
    assert response.status_code == 400
    message = response.json()["id_number"][0]
    assert existing.organization.name in message and "已有档案" in message
    assert not AuditEvent.objects.filter(action="member.duplicate_refused").exists()


def test_after_20_refusals_in_a_day_creation_answers_429(world):
    existing = world.member_b
    statuses = [
        create(world.staff_a, existing.id_number, world.branch_a1).status_code for _ in range(22)
    ]
    assert statuses == [400] * 20 + [429] * 2
    assert AuditEvent.objects.filter(action="member.duplicate_refused").count() == 20
    # Nothing else can be told apart now either: a new number is refused the same way.
    fresh = create(world.staff_a, factories.valid_id_number(), world.branch_a1)
    assert fresh.status_code == 429
    assert "过多" in fresh.json()["detail"]
    # Other accounts are not affected.
    assert create(world.staff_b, factories.valid_id_number(), world.branch_b1).status_code == 201


def test_the_allowance_comes_from_settings(world, settings):
    settings.DUPLICATE_REFUSALS_PER_DAY = 2
    statuses = [
        create(world.staff_a, world.member_b.id_number, world.branch_a1).status_code
        for _ in range(3)
    ]
    assert statuses == [400, 400, 429]


def upload(actor, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with TestCase.captureOnCommitCallbacks(execute=True):
        roster = imports.roster_upload(
            actor=actor, uploaded_file=SimpleUploadedFile("r.xlsx", data)
        )
    roster.refresh_from_db()
    return roster


@pytest.fixture
def ids():
    return [factories.valid_id_number() for _ in range(3)]


def test_the_roster_dry_run_is_no_oracle_and_audits_each_refusal(world, ids):
    rows = [
        ["赵一", ids[0], "13900000101", "C-A-1", "", "", "", "", "", ""],
        ["王五", world.member_b.id_number, "13900000110", "C-A-1", "", "", "", "", "", ""],
    ]
    roster = upload(world.staff_a, xlsx(rows))
    messages = [e["message"] for e in roster.errors_json]
    assert messages == [OUT_OF_SCOPE]
    assert mask_id_number(world.member_b.id_number) not in str(roster.errors_json)
    assert AuditEvent.objects.filter(action="member.duplicate_refused").count() == 1


def test_a_roster_probing_more_numbers_than_a_day_allows_fails_with_429_text(world, ids, settings):
    settings.DUPLICATE_REFUSALS_PER_DAY = 1
    elsewhere = [world.member_b, factories.MemberFactory(organization=world.branch_b1)]
    rows = [
        ["某甲乙丙"[n] + "某", m.id_number, f"1390000011{n}", "C-A-1", "", "", "", "", "", ""]
        for n, m in enumerate(elsewhere)
    ]
    roster = upload(world.staff_a, xlsx(rows))
    assert roster.status == roster.Status.FAILED
    assert "过多" in roster.failure
    assert not roster.errors_json
