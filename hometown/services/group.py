"""后援团 (support group), contributions (企业回迁、资金回流…), yearly campaigns and 回馈标兵."""

from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.module_loading import import_string

from members.archive_fields import parse_date
from members.models import Member, Notice
from members.services.archive import member_hometown_flags_set
from members.services.audit import audit_record
from members.services.notices import Audience, notice_publish
from sanyuan.errors import FieldErrors, ServiceError, StateConflict

from .. import permissions
from ..models import Campaign, Contribution, Pacesetter, SupportGroupMembership

OFFERS = SupportGroupMembership.Offer
CK = Contribution.Kind
CS = Contribution.Status
AMOUNT_MAX = 10_000_000_000  # yuan: ten billion, far above any real 资金回流


def _own_member(actor, member: Member) -> None:
    if not permissions.can_ask_for_support(actor, member):
        raise Http404


def support_group_join(
    *, actor, member: Member, offers, note: str = "", publicity_consent: bool = False
) -> SupportGroupMembership:
    """The member joins the 后援团 (or changes what they offer); consent to publicity is
    recorded with its time. The archive's flag follows."""
    _own_member(actor, member)
    offers = list(dict.fromkeys(offers or []))
    errors = {}
    if not offers:
        errors["offers"] = ["请至少选择一项可以提供的支持。"]
    elif any(offer not in OFFERS.values for offer in offers):
        errors["offers"] = ["支持方式选项无效。"]
    note = (note or "").strip()
    if len(note) > 200:
        errors["note"] = ["补充说明不能超过200字。"]
    if errors:
        raise FieldErrors(errors)
    now = timezone.now()
    with transaction.atomic():
        membership, created = SupportGroupMembership.objects.select_for_update().get_or_create(
            member=member, defaults={"joined_at": now}
        )
        rejoined = membership.left_at is not None
        if rejoined:
            membership.joined_at, membership.left_at = now, None
        membership.offers, membership.note = offers, note
        if publicity_consent != membership.publicity_consent:
            membership.publicity_consent = publicity_consent
            membership.consent_recorded_at = now
        membership.save()
        member_hometown_flags_set(actor=actor, member=member, support_group=True)
        audit_record(
            actor=actor,
            action="support_group.join" if created or rejoined else "support_group.change",
            target=member,
            detail={"offers": offers, "publicity_consent": publicity_consent},
        )
    return membership


def support_group_leave(*, actor, member: Member) -> None:
    _own_member(actor, member)
    with transaction.atomic():
        membership = (
            SupportGroupMembership.objects.select_for_update().filter(member=member).first()
        )
        if membership is None or membership.left_at is not None:
            raise StateConflict("您不在后援团中。")
        membership.left_at = timezone.now()
        membership.publicity_consent = False
        membership.consent_recorded_at = membership.left_at
        membership.save(update_fields=["left_at", "publicity_consent", "consent_recorded_at"])
        member_hometown_flags_set(actor=actor, member=member, support_group=False)
        audit_record(actor=actor, action="support_group.leave", target=member)


def _positive_int(value, label: str, maximum: int) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError) as exc:
        raise ServiceError(f"{label}请填写整数。") from exc
    if number <= 0 or number > maximum:
        raise ServiceError(f"{label}应在1到{maximum}之间。")
    return number


def _clean_contribution(raw: dict) -> dict:
    errors: dict[str, list[str]] = {}
    kind = raw.get("kind") or ""
    if kind not in CK.values:
        errors["kind"] = ["请选择贡献类型。"]
    title = (raw.get("title") or "").strip()
    if not title:
        errors["title"] = ["请填写事项，例如“回乡创办服装厂”。"]
    elif len(title) > 100:
        errors["title"] = ["事项不能超过100字。"]
    values = {"kind": kind, "title": title}
    for field, label, maximum in (
        ("amount", "金额（元）", AMOUNT_MAX),
        ("jobs", "岗位数", 100_000),
    ):
        try:
            values[field] = _positive_int(raw.get(field), label, maximum)
        except ServiceError as exc:
            errors[field] = [exc.message]
    if kind == CK.JOBS and not values.get("jobs") and "jobs" not in errors:
        errors["jobs"] = ["提供就业岗位请填写岗位数。"]
    if kind in (CK.INVESTMENT, CK.DONATION) and not values.get("amount") and "amount" not in errors:
        errors["amount"] = ["资金回流和捐资捐物请填写金额（元）。"]
    try:
        day = parse_date(raw.get("happened_on"), "日期")
        if day is None:
            raise ServiceError("请填写日期。")
        if day > timezone.localdate():
            raise ServiceError("日期不能晚于今天。")
        if day < date(2000, 1, 1):
            raise ServiceError("日期不能早于2000年。")
        values["happened_on"] = day
    except ServiceError as exc:
        errors["happened_on"] = [exc.message]
    description = (raw.get("description") or "").strip()
    if len(description) > 1000:
        errors["description"] = ["情况说明不能超过1000字。"]
    values["description"] = description
    if errors:
        raise FieldErrors(errors)
    return values


def contribution_record(*, actor, member: Member, **raw) -> Contribution:
    """The member records what they gave back (or home staff record it for them); home
    staff confirm it. It counts toward the campaign of its year, if there is one."""
    if not permissions.can_record_contribution(actor, member):
        if permissions.is_staff(actor):
            permissions.check_hometown_staff(actor)  # host staff: 403
        raise Http404
    values = _clean_contribution(raw)
    with transaction.atomic():
        contribution = Contribution.objects.create(
            member=member,
            campaign=Campaign.objects.filter(year=values["happened_on"].year).first(),
            recorded_by=actor,
            **values,
        )
        audit_record(
            actor=actor,
            action="contribution.record",
            target=member,
            detail={"contribution": contribution.pk, "kind": values["kind"]},
        )
    return contribution


def contribution_decide(
    *, actor, contribution: Contribution, confirm: bool, reason: str = ""
) -> Contribution:
    """Home staff in scope confirm (已确认) or decline (未确认, with a reason) a recorded
    contribution; 409 once decided. The member is told."""
    permissions.check_decide_contribution_permission(actor, contribution)
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = (
            Contribution.objects.select_for_update()
            .select_related("member")
            .get(pk=contribution.pk)
        )
        if locked.status != CS.RECORDED:
            raise StateConflict("这条贡献已经处理过了。")
        if not confirm and not reason:
            raise ServiceError("请填写未确认的原因，党员会看到。", field="reason")
        if len(reason) > 200:
            raise ServiceError("原因不能超过200字。", field="reason")
        locked.status = CS.CONFIRMED if confirm else CS.DECLINED
        locked.decided_by, locked.decided_at = actor, timezone.now()
        locked.decline_reason = "" if confirm else reason
        locked.save(update_fields=["status", "decided_by", "decided_at", "decline_reason"])
        audit_record(
            actor=actor,
            action="contribution.confirm" if confirm else "contribution.decline",
            target=locked.member,
            detail={"contribution": locked.pk},
        )
        if locked.member.user_id:
            notice_publish(
                audience=Audience.user(locked.member.user),
                kind=Notice.Kind.SYSTEM,
                title=f"您登记的“{locked.title}”{locked.get_status_display()}",
                body=locked.decline_reason,
                link="/me/support-group/",
            )
    return locked


def campaign_publish(*, actor, year, title: str, rules: str) -> Campaign:
    """The county publishes the year's 回馈家乡 campaign with its rules (one per year)."""
    permissions.check_manage_campaigns_permission(actor)
    errors = {}
    try:
        year = int(year)
        if not 2000 <= year <= timezone.localdate().year + 1:
            raise ValueError
    except (TypeError, ValueError):
        errors["year"] = ["年度无效。"]
    title, rules = (title or "").strip(), (rules or "").strip()
    if not title or len(title) > 100:
        errors["title"] = ["请填写活动名称（不超过100字）。"]
    if not rules or len(rules) > 5000:
        errors["rules"] = ["请填写评选规则（不超过5000字）。"]
    if errors:
        raise FieldErrors(errors)
    try:
        with transaction.atomic():
            campaign = Campaign.objects.create(
                year=year, title=title, rules=rules, created_by=actor
            )
            # Contributions of that year recorded before the campaign join it.
            Contribution.objects.filter(happened_on__year=year, campaign__isnull=True).update(
                campaign=campaign
            )
            audit_record(actor=actor, action="campaign.publish", detail={"year": year})
    except IntegrityError as exc:
        raise StateConflict(f"{year}年度的活动已经发布。") from exc
    return campaign


def pacesetter_name(*, actor, campaign: Campaign, member: Member, citation: str) -> Pacesetter:
    """The county names a 回馈标兵 from the member's confirmed contributions of the
    campaign's year and, in the same step, publishes the 优秀典型 article, only with the
    member's recorded consent. The archive's honour follows."""
    permissions.check_manage_campaigns_permission(actor)
    if not permissions.manages(actor, member):
        raise Http404
    citation = (citation or "").strip()
    if not citation or len(citation) > 3000:
        raise ServiceError("请填写先进事迹（不超过3000字）。", field="citation")
    confirmed = Contribution.objects.filter(
        member=member, status=CS.CONFIRMED, happened_on__year=campaign.year
    )
    if not confirmed.exists():
        raise ServiceError(f"该党员在{campaign.year}年度没有已确认的贡献，不能评为回馈标兵。")
    membership = SupportGroupMembership.objects.filter(member=member).first()
    if membership is None or not membership.is_active or not membership.publicity_consent:
        raise ServiceError("该党员未同意宣传报道，不能公开发布为优秀典型。", field="member")
    publish = import_string(settings.HOMETOWN_EXEMPLAR_PUBLISHER)
    with transaction.atomic():
        if Pacesetter.objects.filter(campaign=campaign, member=member).exists():
            raise StateConflict("该党员已被评为本年度回馈标兵。")
        kinds = "、".join(
            dict(CK.choices)[k] for k in dict.fromkeys(confirmed.values_list("kind", flat=True))
        )
        article_id = publish(
            actor=actor,
            title=f"{campaign.year}年度回馈标兵：{member.name}",
            summary=f"{member.organization.name}流动党员{member.name}（{kinds}）",
            body=citation,
        )
        pacesetter = Pacesetter.objects.create(
            campaign=campaign,
            member=member,
            citation=citation,
            named_by=actor,
            article_id=article_id,
        )
        member_hometown_flags_set(actor=actor, member=member, pacesetter=True)
        audit_record(
            actor=actor,
            action="pacesetter.name",
            target=member,
            detail={"year": campaign.year, "article": article_id},
        )
    return pacesetter
