"""Into the county: staff register a member arriving with a letter; the archive is created
(and activates as any new one), the letter's details are kept, the 回执 prints."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from members.models import AuditEvent, Member
from members.services.accounts import one_time_code_request
from sanyuan.errors import ServiceError, StateConflict
from tests import factories
from tests.transfers import factories as tf
from transfers import services
from transfers.models import IntroductionLetter, Transfer

pytestmark = pytest.mark.django_db
S = Transfer.Status


def test_staff_register_an_incoming_member_and_print_the_receipt(tw):
    values = tf.incoming_values(tw, joined_party_on="2012-07-01", status="returned")
    transfer = services.incoming_register(actor=tw.staff_a, **values)
    assert transfer.kind == "incoming" and transfer.status == S.REGISTERED
    member = transfer.member
    assert member.name == "周建华" and member.organization == tw.branch_a1
    assert member.status == "returned" and member.user is None  # activates as any new member
    assert str(member.joined_party_on) == "2012-07-01"
    letter = transfer.letters.get()
    assert letter.number == values["letter_number"]
    assert letter.receipt_to_name == "中共西安市雁塔区委组织部"
    assert letter.expires_on == values["letter_issued_on"] + timedelta(days=30)
    assert transfer.from_organization is None and transfer.to_organization == tw.branch_a1
    assert set(AuditEvent.objects.values_list("action", flat=True)) >= {
        "member.create",
        "transfer.register",
    }
    sheet = services.receipt_print(actor=tw.staff_a, transfer=transfer, ip="10.0.0.9")
    assert sheet.incoming and sheet.receipt_to_name == "中共西安市雁塔区委组织部"
    assert sheet.id_number == values["id_number"]
    assert AuditEvent.objects.filter(action="transfer.receipt_print").count() == 1
    # The receipt is the receiving side's; the other committee does not see it.
    with pytest.raises(Http404):
        services.receipt_print(actor=tw.staff_b, transfer=transfer)
    with pytest.raises(StateConflict):
        services.letter_print(actor=tw.staff_a, transfer=transfer)


def test_the_member_activates_as_any_new_member(tw, sms_outbox, django_capture_on_commit_callbacks):
    transfer = tf.registered(tw)
    with django_capture_on_commit_callbacks(execute=True):
        one_time_code_request(name="周建华", id_number=transfer.member.id_number, ip="10.0.0.1")
    assert any(m["phone"] == "13912345678" for m in sms_outbox.messages())


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"letter_issued_on": timezone.localdate() + timedelta(days=1)},
            "letter_issued_on",
            "不能晚于今天",
        ),
        (
            {"letter_issued_on": timezone.localdate() - timedelta(days=40)},
            "letter_issued_on",
            "超过有效期",
        ),
        ({"letter_issued_on": "2026-02-30"}, "letter_issued_on", "不是有效日期"),
        ({"validity_days": 120}, "validity_days", "1至90天"),
        ({"letter_number": "  "}, "number", "介绍信编号"),
        ({"from_name": ""}, "from_name", "转出组织"),
        ({"from_name": "三原县城关街道党工委东关社区党支部"}, "from_name", "相同"),
        ({"party_standing": "积极分子"}, "party_standing", "正式党员或预备党员"),
        ({"dues_paid_until": "2026/13"}, "dues_paid_until", "无效"),
        (
            {"joined_party_on": "2015-07-01", "dues_paid_until": "2014-12"},
            "dues_paid_until",
            "入党时间",
        ),
        ({"id_number": "123"}, "id_number", ""),
        ({"phone": "12345"}, "phone", ""),
        ({"organization": None}, "organization", "管理范围"),
    ],
)
def test_bad_incoming_input_is_a_chinese_400_and_nothing_is_created(tw, overrides, field, message):
    members = Member.objects.count()
    with pytest.raises(ServiceError) as caught:
        tf.registered(tw, **overrides)
    assert caught.value.status_code == 400
    errors = getattr(caught.value, "errors", {caught.value.field: [caught.value.message]})
    assert field in errors and message in "".join(errors[field])
    assert Member.objects.count() == members
    assert not Transfer.objects.exists() and not IntroductionLetter.objects.exists()


def test_an_incoming_letter_number_registered_before_is_409(tw):
    first = tf.registered(tw)
    number = first.letters.get().number
    members = Member.objects.count()
    with pytest.raises(StateConflict):
        tf.registered(tw, letter_number=number, name="吴芳", id_number=factories.valid_id_number())
    assert Member.objects.count() == members


def test_a_member_already_in_the_county_cannot_be_registered_as_incoming(tw):
    with pytest.raises(StateConflict) as caught:
        tf.registered(tw, id_number=tw.member_b.id_number, name=tw.member_b.name)
    assert "已在本县建档" in caught.value.message
    assert "陵前" not in caught.value.message  # nothing about where, outside the scope
    assert not Transfer.objects.exists()


def test_a_member_who_once_transferred_out_comes_back_with_the_old_archive(tw):
    out = tf.issued(tw)
    services.receipt_record(actor=tw.staff_a, transfer=out, reported_on=timezone.localdate())
    back = services.incoming_register(
        actor=tw.staff_b,
        **tf.incoming_values(
            tw,
            organization=tw.branch_b1,
            name=tw.member_a.name,
            id_number=tw.member_a.id_number,
            party_standing="full",
        ),
    )
    assert back.member_id == tw.member_a.pk
    tw.member_a.refresh_from_db()
    assert tw.member_a.organization == tw.branch_b1 and tw.member_a.status == "away"


def test_only_staff_of_the_receiving_branch_register_and_host_staff_never(tw):
    with pytest.raises(ServiceError) as caught:
        tf.registered(tw, organization=tw.branch_b1)  # staff_a registers into committee B
    assert caught.value.field == "organization"
    with pytest.raises(ServiceError):
        services.incoming_register(actor=tw.host_staff, **tf.incoming_values(tw))
    with pytest.raises(ServiceError):
        tf.registered(tw, organization=tw.committee_a)  # a committee is not a branch
    with pytest.raises((ServiceError, PermissionDenied)):
        services.incoming_register(actor=tw.member_a.user, **tf.incoming_values(tw))
    assert not Transfer.objects.exists()
