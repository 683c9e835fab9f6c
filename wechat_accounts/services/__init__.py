"""Binding WeChat apps to archives and signing in with them.

The WeChat calls themselves are `sanyuan.wechat` (a local fake in the tests); here: which
member an openid stands for, binding and unbinding (audited), the token of the mini-program
login."""

import logging

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.utils import timezone

from members.models import Member
from members.services.audit import audit_record
from sanyuan.errors import ServiceError, StateConflict

from .. import permissions
from ..models import WechatBinding

K = WechatBinding.AppKind
OTHER_MEMBERS_WECHAT = "该微信已绑定其他党员的档案，请先在原账号中解除绑定。"
logger = logging.getLogger(__name__)


def _signable(member: Member | None) -> Member | None:
    """Only an activated archive whose account is active signs in."""
    if member is None or member.user_id is None or not member.user.is_active:
        return None
    return member


def member_for_identity(*, app_kind: str, app_id: str, openid: str, unionid: str | None):
    """The member an app's openid stands for: a binding of this app, or, when WeChat gave a
    unionid, a binding of another app carrying the same unionid (then this app is bound too,
    so the next sign-in needs no unionid). None when nobody is bound.

    A binding of this app without a unionid stores the one WeChat gave now
    (`binding_learn_unionid`); one holding a different unionid still signs in (the openid is
    the binding, and WeChat vouched for it) but keeps its own."""
    binding = (
        WechatBinding.objects.select_related("member__user")
        .filter(app_id=app_id, openid=openid)
        .first()
    )
    if binding is not None:
        binding_learn_unionid(binding=binding, unionid=unionid)
        member = _signable(binding.member)
        if member is not None:
            WechatBinding.objects.filter(pk=binding.pk).update(last_signed_in_at=timezone.now())
        return member
    if not unionid:
        return None
    other = (
        WechatBinding.objects.select_related("member__user")
        .filter(unionid=unionid)
        .exclude(app_id=app_id)
        .order_by("id")
        .first()
    )
    member = _signable(other.member) if other else None
    if member is None:
        return None
    try:
        with transaction.atomic():
            created = WechatBinding.objects.create(
                member=member,
                app_kind=app_kind,
                app_id=app_id,
                openid=openid,
                unionid=unionid,
                last_signed_in_at=timezone.now(),
            )
    except IntegrityError:
        # The member already bound this app with another openid (a different WeChat account
        # with the same unionid cannot exist): sign in, keep the existing binding.
        return member
    audit_record(
        actor=member.user,
        action="wechat.bind",
        target=member,
        detail={"app": created.get_app_kind_display(), "through": "unionid"},
    )
    return member


def binding_learn_unionid(*, binding: WechatBinding, unionid: str | None) -> bool:
    """Store the unionid WeChat just gave for this binding's openid (jscode2session of a
    mini-program bound to an open platform, the snsapi_userinfo code exchange) when the
    binding has none yet, so that the binding also signs in through the other app. Never
    overwrites: a binding holding another unionid keeps it, and a unionid another member's
    binding carries is not stored (one WeChat user would stand for two archives); both are
    logged, by binding id only. True when the unionid was stored."""
    if not unionid or binding.unionid == unionid:
        return False
    if binding.unionid:
        logger.warning(
            "wechat binding %s: WeChat gave a unionid other than the stored one; kept the stored",
            binding.pk,
        )
        return False
    with transaction.atomic():
        _lock_unionid(unionid)
        if _unionid_of_another_member(unionid, binding.member_id):
            logger.warning(
                "wechat binding %s: the unionid WeChat gave is on another member's binding; "
                "not stored",
                binding.pk,
            )
            return False
        stored = WechatBinding.objects.filter(pk=binding.pk, unionid__isnull=True).update(
            unionid=unionid
        )
    if stored:
        binding.unionid = unionid
    return bool(stored)


def _lock_unionid(unionid: str) -> None:
    """Until the transaction ends, nobody else checks or stores this unionid: "one unionid,
    one member" is a check and a write, with no unique column behind it (a member's bindings
    of two apps share it). PostgreSQL: a transaction-level advisory lock on the unionid's
    hash; SQLite lets one writer through at a time anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s))", ["wechat-unionid:" + unionid]
            )


def _unionid_of_another_member(unionid: str, member_id: int) -> bool:
    return WechatBinding.objects.filter(unionid=unionid).exclude(member_id=member_id).exists()


def binding_create(
    *, actor, app_kind: str, app_id: str, openid: str, unionid: str | None
) -> WechatBinding:
    """The signed-in member binds the WeChat app they are in. Binding the same openid again
    changes nothing (but stores a unionid the binding lacked); an openid bound to somebody
    else, a unionid another member's binding carries (the same WeChat user through another
    app), or a second WeChat account for the same app, is refused (the member unbinds
    first)."""
    if not permissions.can_bind(actor):
        raise PermissionDenied("仅限流动党员本人绑定微信。")
    if app_kind not in K.values:
        raise ServiceError("微信应用无效。")
    member = permissions.scope_of(actor).member
    with transaction.atomic():
        existing = WechatBinding.objects.select_for_update().filter(app_id=app_id, openid=openid)
        found = existing.first()
        if found is not None:
            if found.member_id == member.pk:
                binding_learn_unionid(binding=found, unionid=unionid)
                return found
            raise StateConflict(OTHER_MEMBERS_WECHAT)
        if unionid:
            _lock_unionid(unionid)
        if unionid and _unionid_of_another_member(unionid, member.pk):
            # The same WeChat user, through another app, is another member's binding.
            raise StateConflict(OTHER_MEMBERS_WECHAT)
        if WechatBinding.objects.filter(member=member, app_id=app_id).exists():
            raise StateConflict(
                f"您已绑定过一个微信{K(app_kind).label}，请先在“我的 → 微信绑定”中解除绑定。"
            )
        try:
            with transaction.atomic():
                binding = WechatBinding.objects.create(
                    member=member,
                    app_kind=app_kind,
                    app_id=app_id,
                    openid=openid,
                    unionid=unionid or None,
                )
        except IntegrityError as exc:  # a concurrent bind of the same openid won
            raise StateConflict("该微信刚刚已被绑定，请刷新后再试。") from exc
        audit_record(
            actor=actor,
            action="wechat.bind",
            target=member,
            detail={"app": binding.get_app_kind_display()},
        )
    return binding


def binding_list(*, actor):
    return permissions.filter_bindings_visible_to(actor).select_related("member__organization")


def binding_get(*, actor, pk) -> WechatBinding:
    binding = binding_list(actor=actor).filter(pk=pk).first()
    if binding is None:
        raise Http404
    return binding


def binding_remove(*, actor, binding: WechatBinding) -> None:
    """The member unbinds their own, or home staff remove one (e.g. a lost phone); audited
    either way. Tokens the binding signed in stay until they expire or the member signs out
    (a lost phone: staff also deactivate the account)."""
    if not permissions.can_remove_binding(actor, binding):
        raise Http404
    with transaction.atomic():
        deleted, _ = WechatBinding.objects.filter(pk=binding.pk).delete()
        if deleted:
            audit_record(
                actor=actor,
                action="wechat.unbind",
                target=binding.member,
                detail={
                    "app": binding.get_app_kind_display(),
                    "by": "本人" if binding.member.user_id == actor.pk else "工作人员",
                },
            )
