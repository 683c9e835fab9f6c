"""Out of the county: prepared (committee) → letter_issued (county tier only; 转出中) →
receipt_recorded (已转出); expired letters go back to staff attention and are reissued with
a new number; per tier, with repeated steps and bad input."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from members.models import AuditEvent, Hosting, Member, Notice, TemporaryBranchMembership
from sanyuan.errors import ServiceError, StateConflict
from tests.transfers import factories as tf
from transfers import services
from transfers.models import IntroductionLetter, Transfer, TransferEvent
from transfers.sheets import capital_number

pytestmark = pytest.mark.django_db
S = Transfer.Status


def issue(w, transfer, **kwargs):
    values = {"number": tf.number(), "validity_days": 30, "dues_paid_until": tf.last_month()}
    values.update(kwargs)
    return services.letter_issue(actor=w.county_staff, transfer=transfer, **values)


def test_out_of_the_county_with_letter_and_receipt(tw, django_capture_on_commit_callbacks):
    TemporaryBranchMembership.objects.create(member=tw.member_a, branch=tw.temp)
    Hosting.objects.create(member=tw.member_a, host_organization=tw.host, status="accepted")
    Member.objects.filter(pk=tw.member_a.pk).update(host_organization=tw.host)
    with django_capture_on_commit_callbacks(execute=True):
        transfer = tf.prepared(tw)
        assert transfer.status == S.PREPARED and transfer.to_organization is None
        letter = issue(tw, transfer, number="ｓｘ2026-0815", validity_days=45)
    assert letter.number == "SX2026-0815"  # full-width and lower case normalised
    assert letter.expires_on == letter.issued_on + timedelta(days=45)
    assert letter.receipt_to_name == "三原县城关街道党工委"
    tw.member_a.refresh_from_db()
    assert tw.member_a.status == "transferring_out"
    transfer.refresh_from_db()
    assert transfer.status == S.LETTER_ISSUED and transfer.member_status_before == "away"
    assert Notice.objects.filter(title="组织关系介绍信已开具").exists()
    # The county asked for the letter was told when it was prepared.
    assert Notice.objects.filter(
        audience="staff", audience_organization=tw.county, title__startswith="待开具"
    ).exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.receipt_record(
            actor=tw.staff_a,
            transfer=transfer,
            reported_on=timezone.localdate(),
            from_name="中共深圳市宝安区新安街道工作委员会",
        )
    transfer.refresh_from_db()
    tw.member_a.refresh_from_db()
    assert transfer.status == S.RECEIPT_RECORDED
    assert transfer.receipt_from_name == "中共深圳市宝安区新安街道工作委员会"
    assert tw.member_a.status == "transferred_out"
    # Gone from the host organisation and the temporary branch.
    assert tw.member_a.host_organization is None
    assert not TemporaryBranchMembership.objects.filter(
        member=tw.member_a, left_at__isnull=True
    ).exists()
    assert list(transfer.events.values_list("action", flat=True)) == [
        "prepare",
        "issue_letter",
        "record_receipt",
    ]
    rows = list(tw.member_a.history.order_by("history_id").values_list("status", flat=True))
    # Leaving the host organisation is a history entry of its own (same status).
    statuses = [status for i, status in enumerate(rows) if i == 0 or status != rows[i - 1]]
    assert statuses[-2:] == ["transferring_out", "transferred_out"]


def test_only_the_county_tier_issues_the_letter(tw):
    transfer = tf.prepared(tw)
    with pytest.raises(PermissionDenied) as caught:
        services.letter_issue(
            actor=tw.staff_a, transfer=transfer, number=tf.number(), dues_paid_until="2026-01"
        )
    assert "县级党委组织部" in str(caught.value)
    with pytest.raises(Http404):
        services.letter_issue(
            actor=tw.staff_b, transfer=transfer, number=tf.number(), dues_paid_until="2026-01"
        )
    with pytest.raises(Http404):
        services.letter_issue(actor=tw.host_staff, transfer=transfer, number=tf.number())
    with pytest.raises(PermissionDenied):
        services.letter_issue(actor=tw.member_a.user, transfer=transfer, number=tf.number())
    assert not IntroductionLetter.objects.exists()


def test_committee_staff_prepare_only_for_members_they_keep(tw):
    with pytest.raises(Http404):
        services.transfer_prepare(
            actor=tw.staff_b, member=tw.member_a, to_name="中共深圳市宝安区委组织部", reason="x"
        )
    with pytest.raises(Http404):
        services.transfer_prepare(
            actor=tw.host_staff, member=tw.member_a, to_name="中共深圳市宝安区委组织部", reason="x"
        )
    with pytest.raises(Http404):
        services.transfer_prepare(
            actor=tw.member_a.user,
            member=tw.member_a,
            to_name="中共深圳市宝安区委组织部",
            reason="x",
        )
    assert tf.prepared(tw).status == S.PREPARED


def test_a_letter_number_used_before_is_409_and_nothing_changes(tw):
    first = tf.issued(tw)
    used = first.letters.get().number
    second = tf.prepared(tw, member=tw.member_a2)
    with pytest.raises(StateConflict) as caught:
        issue(tw, second, number=used.lower())
    assert "已经使用过" in caught.value.message
    second.refresh_from_db()
    tw.member_a2.refresh_from_db()
    assert second.status == S.PREPARED and tw.member_a2.status == "away"
    assert IntroductionLetter.objects.count() == 1


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"validity_days": 91}, "validity_days", "1至90天"),
        ({"validity_days": 0}, "validity_days", "1至90天"),
        ({"validity_days": "三十"}, "validity_days", "天数"),
        ({"number": ""}, "number", "介绍信编号"),
        ({"number": "12 <script>"}, "number", "只能包含"),
        ({"number": "第号"}, "number", "请填写"),
        ({"number": "号"}, "number", "只能包含"),
        ({"dues_paid_until": ""}, "dues_paid_until", "党费交至"),
        ({"dues_paid_until": "2026-13"}, "dues_paid_until", "无效"),
        ({"dues_paid_until": "去年"}, "dues_paid_until", "年月"),
        ({"dues_paid_until": "2099-01"}, "dues_paid_until", "一年以后"),
    ],
)
def test_bad_letter_input_is_a_chinese_400_and_changes_nothing(tw, values, field, message):
    transfer = tf.prepared(tw)
    with pytest.raises(ServiceError) as caught:
        issue(tw, transfer, **values)
    assert caught.value.status_code == 400
    assert caught.value.field == field and message in caught.value.message
    transfer.refresh_from_db()
    tw.member_a.refresh_from_db()
    assert transfer.status == S.PREPARED and tw.member_a.status == "away"
    assert not IntroductionLetter.objects.exists()
    assert not TransferEvent.objects.filter(action="issue_letter").exists()


def test_dues_cannot_be_paid_until_before_the_member_joined(tw):
    Member.objects.filter(pk=tw.member_a.pk).update(joined_party_on="2015-07-01")
    transfer = tf.prepared(tw)
    with pytest.raises(ServiceError) as caught:
        issue(tw, transfer, dues_paid_until="2015-06")
    assert "入党时间" in caught.value.message


def test_the_dues_ledger_supplies_the_month_when_staff_leave_it_empty(tw, settings):
    settings.TRANSFER_DUES_PAID_UNTIL = "tests.transfers.test_outgoing.ledger_month"
    letter = issue(tw, tf.prepared(tw), dues_paid_until="")
    assert letter.dues_paid_until == timezone.localdate().replace(day=1)


def ledger_month(*, member):
    return timezone.localdate().replace(day=15)


@pytest.mark.parametrize("name", ["", "深圳", "三原县城关街道党工委东关社区党支部"])
def test_a_missing_or_same_receiving_organisation_is_refused(tw, name):
    with pytest.raises(ServiceError) as caught:
        services.transfer_prepare(actor=tw.staff_a, member=tw.member_a, to_name=name, reason="x")
    assert caught.value.field == "to_name"
    assert not Transfer.objects.exists()


def test_repeated_steps_answer_409(tw):
    transfer = tf.issued(tw)
    with pytest.raises(StateConflict):
        issue(tw, transfer)
    services.receipt_record(actor=tw.staff_a, transfer=transfer, reported_on=timezone.localdate())
    with pytest.raises(StateConflict):
        services.receipt_record(
            actor=tw.staff_a, transfer=transfer, reported_on=timezone.localdate()
        )
    with pytest.raises(StateConflict):
        services.transfer_withdraw(actor=tw.county_staff, transfer=transfer)
    with pytest.raises(StateConflict):
        tf.prepared(tw)  # the member's relationship has moved out
    assert transfer.events.count() == 3


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (lambda letter: letter.issued_on - timedelta(days=1), "不能早于介绍信开具日期"),
        (lambda letter: timezone.localdate() + timedelta(days=1), "不能晚于今天"),
        (lambda letter: "2026-02-30", "不是有效日期"),
        (lambda letter: "", "请填写回执日期"),
    ],
)
def test_a_receipt_dated_out_of_order_is_refused(tw, day, message):
    transfer = tf.issued(tw)
    letter = tf.backdate_letter(transfer, 5)
    with pytest.raises(ServiceError) as caught:
        services.receipt_record(actor=tw.staff_a, transfer=transfer, reported_on=day(letter))
    assert caught.value.field == "reported_on" and message in caught.value.message
    transfer.refresh_from_db()
    assert transfer.status == S.LETTER_ISSUED


def test_an_expired_letter_goes_back_to_staff_and_is_reissued_with_a_new_number(
    tw, django_capture_on_commit_callbacks
):
    transfer = tf.issued(tw)
    old = tf.backdate_letter(transfer, 31)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.letters_expire() == 1
        assert services.letters_expire() == 0  # idempotent
    transfer.refresh_from_db()
    assert transfer.status == S.EXPIRED
    expire = transfer.events.get(action="expire")
    assert expire.actor is None and old.number in expire.note
    titles = Notice.objects.filter(audience="staff").values_list("audience_organization", "title")
    overdue = {org for org, title in titles if title.startswith("介绍信逾期未回执")}
    assert overdue == {tw.branch_a1.pk, tw.county.pk}  # the nearest staffed sides
    # The member stays 转出中 while staff decide.
    tw.member_a.refresh_from_db()
    assert tw.member_a.status == "transferring_out"
    # The old number cannot come back; a new one can.
    with pytest.raises(StateConflict):
        issue(tw, transfer, number=old.number)
    new = issue(tw, transfer, number="SX2026-REISSUE-1")
    old.refresh_from_db()
    assert old.voided_at is not None and "重新开具" in old.void_reason
    assert new.voided_at is None and new.issued_on == timezone.localdate()
    transfer.refresh_from_db()
    assert transfer.status == S.LETTER_ISSUED
    assert transfer.member_status_before == "away"  # kept from the first letter
    services.receipt_record(actor=tw.staff_a, transfer=transfer, reported_on=timezone.localdate())
    tw.member_a.refresh_from_db()
    assert tw.member_a.status == "transferred_out"


def test_a_letter_on_its_last_day_is_not_expired(tw):
    transfer = tf.issued(tw)
    tf.backdate_letter(transfer, 30)  # issued 30 days ago, valid 30 days: today is the last
    assert services.letters_expire() == 0
    tf.backdate_letter(transfer, 31)
    assert services.letters_expire() == 1


def test_a_late_receipt_of_an_expired_letter_is_recorded(tw):
    transfer = tf.expired(tw)
    services.receipt_record(actor=tw.staff_a, transfer=transfer, reported_on=timezone.localdate())
    transfer.refresh_from_db()
    assert transfer.status == S.RECEIPT_RECORDED


def test_only_the_county_withdraws_after_the_letter_and_the_status_comes_back(tw):
    Member.objects.filter(pk=tw.member_a.pk).update(status="returned")
    transfer = tf.issued(tw)
    with pytest.raises(PermissionDenied):
        services.transfer_withdraw(actor=tw.staff_a, transfer=transfer)
    services.transfer_withdraw(actor=tw.county_staff, transfer=transfer, reason="党员改变主意")
    transfer.refresh_from_db()
    tw.member_a.refresh_from_db()
    assert transfer.status == S.WITHDRAWN
    assert tw.member_a.status == "returned"
    assert transfer.letters.get().voided_at is not None


def test_the_county_rejects_a_prepared_transfer_the_committee_cannot(tw):
    transfer = tf.prepared(tw)
    with pytest.raises(PermissionDenied):
        services.transfer_reject(actor=tw.staff_a, transfer=transfer, reason="x")
    services.transfer_reject(actor=tw.county_staff, transfer=transfer, reason="接收组织名称有误")
    transfer.refresh_from_db()
    assert transfer.status == S.REJECTED
    # The committee may still withdraw what it prepared (another one).
    again = tf.prepared(tw)
    services.transfer_withdraw(actor=tw.staff_a, transfer=again)


def test_printing_the_letter_is_audited_as_a_reveal_and_counted(tw):
    transfer = tf.issued(tw)
    sheet = services.letter_print(actor=tw.staff_a, transfer=transfer, ip="10.1.2.3")
    assert sheet.id_number == tw.member_a.id_number
    year, month = (int(part) for part in tf.last_month().split("-"))
    assert sheet.dues_year == "".join("零壹贰叁肆伍陆柒捌玖"[int(d)] for d in str(year))
    assert sheet.dues_month == capital_number(month)
    assert sheet.validity == "叁拾"
    assert sheet.from_name == "三原县城关街道党工委东关社区党支部"
    assert sheet.to_name == "中共深圳市宝安区委组织部"
    services.letter_print(actor=tw.county_staff, transfer=transfer)
    letter = transfer.letters.get()
    assert letter.printed_count == 2 and letter.last_printed_at is not None
    events = AuditEvent.objects.filter(action="transfer.letter_print").order_by("id")
    assert events.count() == 2
    first = events.first()
    assert first.actor == tw.staff_a and first.ip_address == "10.1.2.3"
    assert tw.member_a.id_number not in str(first.detail)
    assert first.detail["id_number"] == tw.member_a.id_number_masked
    with pytest.raises(Http404):
        services.letter_print(actor=tw.staff_b, transfer=transfer)
    with pytest.raises(Http404):
        services.letter_print(actor=tw.host_staff, transfer=transfer)
    with pytest.raises(PermissionDenied):
        services.letter_print(actor=tw.member_a.user, transfer=transfer)


def test_a_letter_that_is_not_in_force_is_not_printed(tw):
    prepared = tf.prepared(tw)
    with pytest.raises(StateConflict):
        services.letter_print(actor=tw.staff_a, transfer=prepared)
    expired = tf.expired(tw, member=tw.member_a2)
    with pytest.raises(StateConflict):
        services.letter_print(actor=tw.staff_a, transfer=expired)
    assert not AuditEvent.objects.filter(action="transfer.letter_print").exists()


def test_nobody_sets_or_clears_transferring_out_by_hand(tw):
    from members.services.archive import member_update

    with pytest.raises(ServiceError) as caught:
        member_update(actor=tw.staff_a, member=tw.member_a, status="transferring_out")
    assert "组织关系转接" in str(caught.value.errors["status"])
    tf.issued(tw)
    tw.member_a.refresh_from_db()
    with pytest.raises(ServiceError):
        member_update(actor=tw.county_staff, member=tw.member_a, status="returned")
    # Other fields of a member who is transferring out stay editable.
    member_update(
        actor=tw.staff_a, member=tw.member_a, employer="宝安某厂", status="transferring_out"
    )
    tw.member_a.refresh_from_db()
    assert tw.member_a.employer == "宝安某厂" and tw.member_a.status == "transferring_out"
