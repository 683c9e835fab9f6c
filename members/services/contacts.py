from django.db import transaction
from django.db.models import Q

from members import permissions
from members.archive_fields import parse_date
from members.models import ContactLog, Member
from members.services.archive import contacted_at
from members.services.audit import audit_record
from sanyuan.errors import FieldErrors, ServiceError


def contact_log_create(
    *, staff, member: Member, contacted_on, channel: str, note: str = "", mindset: str = ""
) -> ContactLog:
    """Staff record a contact with a member; the archive's last contact moves forward."""
    permissions.check_liaise_member_permission(staff, member)
    errors = {}
    try:
        day = parse_date(contacted_on, "联系日期")
        if day is None:
            raise ServiceError("请填写联系日期。")
        from django.utils import timezone

        if day > timezone.localdate():
            raise ServiceError("联系日期不能晚于今天。")
    except ServiceError as exc:
        errors["contacted_on"] = [exc.message]
    if channel not in ContactLog.Channel.values:
        errors["channel"] = ["请选择联系方式。"]
    if mindset and mindset not in ContactLog.Mindset.values:
        errors["mindset"] = ["思想状况选项无效。"]
    elif mindset and not permissions.can_assess_mindset(staff, member):
        errors["mindset"] = ["思想状况由流出地党组织评估，流入地党组织无需填写。"]
    note = (note or "").strip()
    if len(note) > 1000:
        errors["note"] = ["情况记录不能超过1000字。"]
    if errors:
        raise FieldErrors(errors)
    speaking_for = permissions.contact_organization(staff, member)
    with transaction.atomic():
        log = ContactLog.objects.create(
            member=member,
            staff=staff,
            organization=speaking_for,
            contacted_on=day,
            channel=channel,
            note=note,
            mindset=mindset,
        )
        audit_record(
            actor=staff,
            action="contact.create",
            target=member,
            detail={
                "fields": [
                    "contacted_on",
                    "channel",
                    *(["mindset"] if mindset else []),
                    *(["note"] if note else []),
                ]
            },
        )
        when = contacted_at(day)
        Member.objects.filter(
            Q(last_contacted_at__isnull=True) | Q(last_contacted_at__lt=when), pk=member.pk
        ).update(last_contacted_at=when)
        if mindset:
            # The latest assessment wins (a later entry of the same day too); an older contact
            # entered late leaves a newer assessment in place.
            Member.objects.filter(
                Q(mindset_assessed_on__isnull=True) | Q(mindset_assessed_on__lte=day),
                pk=member.pk,
            ).update(mindset=mindset, mindset_assessed_on=day)
        from members.services.alerts import lost_contact_clear

        lost_contact_clear(member_id=member.pk)
    return log
