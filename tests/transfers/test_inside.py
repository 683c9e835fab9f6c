"""Inside the county: requested → approved (sending side) → accepted (receiving side; the
archive moves), per tier, with the repeated steps (409) and the bad input (400)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from members.models import AuditEvent, Member, Notice, NoticeRecipient
from members.permissions import can_manage_member
from sanyuan.errors import ServiceError, StateConflict
from tests.transfers import factories as tf
from transfers import services
from transfers.models import Transfer, TransferEvent
from transfers.selectors import transfer_get

pytestmark = pytest.mark.django_db
S = Transfer.Status


def inbox_titles(user) -> list[str]:
    direct = NoticeRecipient.objects.filter(user=user).values_list("notice__title", flat=True)
    return list(direct)


def staff_notices(organization) -> list[str]:
    return list(
        Notice.objects.filter(audience="staff", audience_organization=organization).values_list(
            "title", flat=True
        )
    )


def test_a_member_asks_committee_a_approves_committee_b_accepts_and_the_archive_moves(
    tw, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        transfer = services.transfer_request(
            actor=tw.member_a.user,
            member=tw.member_a,
            to_organization=tw.branch_b1,
            reason="已在陵前镇定居",
        )
        assert transfer.status == S.REQUESTED
        assert transfer.from_organization == tw.branch_a1
        assert transfer.from_name == "三原县城关街道党工委东关社区党支部"
        assert transfer.to_name == "三原县陵前镇党委陵前村党支部"
        services.transfer_approve(actor=tw.staff_a, transfer=transfer, comment="同意")
        services.transfer_accept(actor=tw.staff_b, transfer=transfer)
    transfer.refresh_from_db()
    tw.member_a.refresh_from_db()
    assert transfer.status == S.ACCEPTED
    assert tw.member_a.organization == tw.branch_b1
    # History of the archive says who moved it and why.
    newest = tw.member_a.history.order_by("-history_id").first()
    assert newest.organization_id == tw.branch_b1.pk and newest.history_user == tw.staff_b
    assert "县内组织关系转接" in newest.history_change_reason
    # Every step in the transfer's log and in the audit log.
    actions = list(transfer.events.values_list("action", "actor__username"))
    assert actions == [
        ("request", tw.member_a.user.username),
        ("approve", "staff_a"),
        ("accept", "staff_b"),
    ]
    audited = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"transfer.request", "transfer.approve", "transfer.accept", "member.transfer"} <= audited
    # Both sides (the nearest organisation with staff: branch A1 has its own) and the member.
    assert any("待审批" in t for t in staff_notices(tw.branch_a1))
    assert not staff_notices(tw.committee_a)
    assert any("待接收" in t for t in staff_notices(tw.committee_b))
    assert any("已完成" in t for t in staff_notices(tw.committee_b))
    assert "您的组织关系已转接" in inbox_titles(tw.member_a.user)
    # Committee A no longer keeps the member but still sees the record of the transfer.
    assert transfer_get(user=tw.staff_a, pk=transfer.pk).pk == transfer.pk
    assert not can_manage_member(tw.staff_a, tw.member_a)
    assert can_manage_member(tw.staff_b, tw.member_a)


def test_staff_ask_for_a_member_without_an_account_and_the_member_is_not_notified(tw):
    transfer = services.transfer_request(
        actor=tw.staff_a, member=tw.member_a2, to_organization=tw.branch_a1, reason="就近管理"
    )
    assert transfer.requested_by == tw.staff_a
    assert transfer.status == S.REQUESTED


def test_the_county_tier_takes_every_step_itself(tw):
    transfer = tf.requested(tw, actor=tw.county_staff)
    services.transfer_approve(actor=tw.county_staff, transfer=transfer)
    services.transfer_accept(actor=tw.county_staff, transfer=transfer)
    tw.member_a.refresh_from_db()
    assert tw.member_a.organization == tw.branch_b1


@pytest.mark.parametrize("step", ["approve", "accept"])
def test_a_step_already_taken_answers_409_and_changes_nothing(tw, step):
    transfer = tf.approved(tw)
    if step == "accept":
        services.transfer_accept(actor=tw.staff_b, transfer=transfer)
    before = list(TransferEvent.objects.values_list("pk", flat=True))
    audits = AuditEvent.objects.count()
    service = services.transfer_approve if step == "approve" else services.transfer_accept
    actor = tw.staff_a if step == "approve" else tw.staff_b
    with pytest.raises(StateConflict):
        service(actor=actor, transfer=transfer)
    assert list(TransferEvent.objects.values_list("pk", flat=True)) == before
    assert AuditEvent.objects.count() == audits


def test_the_receiving_side_cannot_approve_and_the_sending_side_cannot_accept(tw):
    transfer = tf.requested(tw)
    with pytest.raises(PermissionDenied):
        services.transfer_approve(actor=tw.staff_b, transfer=transfer)
    services.transfer_approve(actor=tw.staff_a, transfer=transfer)
    with pytest.raises(PermissionDenied):
        services.transfer_accept(actor=tw.staff_a, transfer=transfer)
    transfer.refresh_from_db()
    assert transfer.status == S.APPROVED


def test_a_member_takes_no_staff_step_and_another_member_sees_nothing(tw):
    transfer = tf.requested(tw)
    with pytest.raises(PermissionDenied):
        services.transfer_approve(actor=tw.member_a.user, transfer=transfer)
    with pytest.raises(Http404):
        services.transfer_approve(actor=tw.member_b.user, transfer=transfer)
    with pytest.raises(Http404):
        services.transfer_withdraw(actor=tw.member_b.user, transfer=transfer)


def test_staff_outside_both_sides_and_host_staff_get_404(tw):
    transfer = tf.requested(tw, to=tw.branch_a2)  # A1 -> A2: committee B is on neither side
    for actor in (tw.staff_b, tw.host_staff):
        with pytest.raises(Http404):
            services.transfer_approve(actor=actor, transfer=transfer)
    with pytest.raises(Http404):
        services.transfer_request(
            actor=tw.staff_b, member=tw.member_a2, to_organization=tw.branch_b1, reason="x"
        )
    with pytest.raises(Http404):
        services.transfer_request(
            actor=tw.host_staff, member=tw.member_a2, to_organization=tw.branch_b1, reason="x"
        )


def test_a_branch_staff_account_approves_for_its_own_branch_only(tw):
    transfer = tf.requested(tw)
    services.transfer_approve(actor=tw.branch_staff_a1, transfer=transfer)
    other = tf.requested(tw, member=tw.member_a2, actor=tw.staff_a)
    with pytest.raises(Http404):
        services.transfer_approve(actor=tw.branch_staff_a1, transfer=other)


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("branch_a1", "相同"),  # the destination equals the source
        ("other_branch", "不在本县"),
        ("committee_b", "请选择党支部"),
        ("temp", "请选择党支部"),
        ("host", "不在本县"),
        (None, "请选择接收的党支部"),
    ],
)
def test_a_bad_destination_is_a_chinese_400_and_nothing_is_stored(tw, target, message):
    destination = getattr(tw, target) if target else None
    with pytest.raises(ServiceError) as caught:
        services.transfer_request(
            actor=tw.member_a.user, member=tw.member_a, to_organization=destination, reason="x"
        )
    assert caught.value.status_code == 400
    assert caught.value.field == "to_organization"
    assert message in caught.value.message
    assert not Transfer.objects.exists()


@pytest.mark.parametrize("reason", ["", "   ", "原因" * 260, "含\x00控制字符"])
def test_a_missing_or_bad_reason_is_refused(tw, reason):
    with pytest.raises(ServiceError) as caught:
        services.transfer_request(
            actor=tw.member_a.user, member=tw.member_a, to_organization=tw.branch_b1, reason=reason
        )
    assert caught.value.field == "reason"
    assert not Transfer.objects.exists()


def test_a_member_already_transferring_gets_409(tw):
    tf.requested(tw)
    with pytest.raises(StateConflict) as caught:
        services.transfer_request(
            actor=tw.staff_a, member=tw.member_a, to_organization=tw.branch_a2, reason="再次"
        )
    assert "正在办理" in caught.value.message
    assert Transfer.objects.count() == 1


def test_a_member_transferred_out_cannot_ask(tw):
    Member.objects.filter(pk=tw.member_a.pk).update(status="transferred_out")
    tw.member_a.refresh_from_db()
    with pytest.raises(StateConflict):
        tf.requested(tw)


def test_the_sending_side_rejects_a_request_and_the_receiving_side_an_approved_one(tw):
    first = tf.requested(tw)
    services.transfer_reject(actor=tw.staff_a, transfer=first, reason="材料不全")
    first.refresh_from_db()
    assert first.status == S.REJECTED and first.reject_reason == "材料不全"
    second = tf.approved(tw)
    with pytest.raises(PermissionDenied):
        services.transfer_reject(actor=tw.staff_a, transfer=second, reason="x")
    services.transfer_reject(actor=tw.staff_b, transfer=second, reason="不在本村居住")
    second.refresh_from_db()
    assert second.status == S.REJECTED
    tw.member_a.refresh_from_db()
    assert tw.member_a.organization == tw.branch_a1
    with pytest.raises(ServiceError) as caught:
        services.transfer_reject(actor=tw.staff_b, transfer=tf.approved(tw), reason=" ")
    assert caught.value.field == "reason"


def test_the_member_withdraws_their_own_request_once(tw):
    transfer = tf.approved(tw)
    services.transfer_withdraw(actor=tw.member_a.user, transfer=transfer)
    transfer.refresh_from_db()
    assert transfer.status == S.WITHDRAWN
    with pytest.raises(StateConflict):
        services.transfer_withdraw(actor=tw.member_a.user, transfer=transfer)
    # Withdrawn: a new request is possible.
    assert tf.requested(tw).status == S.REQUESTED


def test_accepting_after_the_archive_moved_by_hand_is_409(tw):
    transfer = tf.approved(tw)
    Member.objects.filter(pk=tw.member_a.pk).update(organization=tw.branch_a2)
    with pytest.raises(StateConflict):
        services.transfer_accept(actor=tw.staff_b, transfer=transfer)
    transfer.refresh_from_db()
    assert transfer.status == S.APPROVED


def test_one_open_transfer_per_member_is_also_a_database_rule(tw):
    from django.db import IntegrityError, transaction

    tf.requested(tw)
    with pytest.raises(IntegrityError), transaction.atomic():
        Transfer.objects.create(
            kind="within_county",
            status="requested",
            member=tw.member_a,
            from_organization=tw.branch_a1,
            to_organization=tw.branch_a2,
            from_name="a",
            to_name="b",
            reason="x",
        )
