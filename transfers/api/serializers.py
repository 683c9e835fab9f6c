from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from members.choices import MemberStatus, PartyStanding
from sanyuan.inputs import MAX_ID

from .. import permissions, selectors
from ..models import IntroductionLetter, Transfer, TransferEvent


class LetterSerializer(serializers.ModelSerializer):
    dues_paid_until = serializers.SerializerMethodField()

    class Meta:
        model = IntroductionLetter
        fields = [
            "number",
            "issued_on",
            "validity_days",
            "expires_on",
            "dues_paid_until",
            "printed_count",
            "voided_at",
            "void_reason",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(help_text="党费交至年月，YYYY-MM"))
    def get_dues_paid_until(self, letter) -> str:
        return f"{letter.dues_paid_until:%Y-%m}"


class TransferSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    letter = serializers.SerializerMethodField()
    receipt_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Transfer
        fields = [
            "id",
            "kind",
            "status",
            "member",
            "member_name",
            "from_organization",
            "to_organization",
            "from_name",
            "to_name",
            "reason",
            "letter",
            "receipt_overdue",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(LetterSerializer(allow_null=True))
    def get_letter(self, transfer):
        letter = selectors.letter_in_force(transfer)
        return LetterSerializer(letter).data if letter else None

    @extend_schema_field(serializers.BooleanField(help_text="介绍信已过有效期而未收到回执"))
    def get_receipt_overdue(self, transfer) -> bool:
        return selectors.receipt_overdue(transfer)


class EventSerializer(serializers.ModelSerializer):
    by = serializers.SerializerMethodField()

    class Meta:
        model = TransferEvent
        fields = ["action", "from_status", "to_status", "by", "note", "created_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(help_text="办理人：本人、党组织工作人员或系统"))
    def get_by(self, event) -> str:
        if event.actor_id is None:
            return "系统"
        if event.actor_id == self.context["transfer"].member.user_id:
            return "本人"
        if self.context.get("staff"):
            return event.actor.username
        return "党组织工作人员"


class TransferDetailSerializer(TransferSerializer):
    letters = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()
    allowed_steps = serializers.SerializerMethodField()

    class Meta(TransferSerializer.Meta):
        fields = [
            *TransferSerializer.Meta.fields,
            "member_status_before",
            "reject_reason",
            "receipt_reported_on",
            "receipt_from_name",
            "receipt_recorded_at",
            "letters",
            "events",
            "allowed_steps",
        ]
        read_only_fields = fields

    @extend_schema_field(LetterSerializer(many=True))
    def get_letters(self, transfer):
        return LetterSerializer(getattr(transfer, "all_letters", []), many=True).data

    @extend_schema_field(EventSerializer(many=True))
    def get_events(self, transfer):
        context = {**self.context, "transfer": transfer}
        rows = getattr(transfer, "event_list", [])
        return EventSerializer(rows, many=True, context=context).data

    @extend_schema_field(
        serializers.ListField(
            child=serializers.ChoiceField(choices=sorted(set(permissions.STEPS) - {"expire"})),
            help_text="当前账号现在可以办理的步骤",
        )
    )
    def get_allowed_steps(self, transfer) -> list[str]:
        return permissions.allowed_steps(self.context["request"].user, transfer)


class DestinationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    parent_name = serializers.CharField(source="parent.name", default="")


class CandidateSerializer(serializers.Serializer):
    """A transfer candidate: fields every home staff viewer reads (no sensitive ones)."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    id_number = serializers.CharField(source="id_number_masked", help_text="脱敏的身份证号码")
    organization = serializers.IntegerField(source="organization_id")
    organization_name = serializers.CharField(source="organization.name")
    destination_province = serializers.CharField()
    destination_city = serializers.CharField()
    left_home_on = serializers.DateField(allow_null=True)
    away_since = serializers.SerializerMethodField()

    @extend_schema_field(
        serializers.DateField(allow_null=True, help_text="在现流入城市的起始日期（据档案历史）")
    )
    def get_away_since(self, member):
        value = self.context.get("since", {}).get(member.pk)
        return value.isoformat() if value else None


# Input -----------------------------------------------------------------------------------


def _id(**kwargs):
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class MyRequestSerializer(serializers.Serializer):
    to_organization = _id(help_text="接收党支部的id（GET /api/me/transfers/destinations/）")
    reason = serializers.CharField(max_length=500)


class StaffRequestSerializer(MyRequestSerializer):
    member = _id()


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=300, required=False, allow_blank=True)


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True)


class PrepareSerializer(serializers.Serializer):
    member = _id()
    to_name = serializers.CharField(
        max_length=120, help_text="接收组织全称，如“中共深圳市宝安区委组织部”"
    )
    reason = serializers.CharField(max_length=500)


class LetterIssueSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=60, help_text="省级平台生成的介绍信编号")
    validity_days = serializers.IntegerField(
        required=False, min_value=-(2**31), max_value=2**31, help_text="有效期天数，默认30，最长90"
    )
    dues_paid_until = serializers.CharField(
        required=False, allow_blank=True, max_length=20, help_text="党费交至年月，YYYY-MM"
    )


class ReceiptSerializer(serializers.Serializer):
    reported_on = serializers.DateField(help_text="回执上的日期（党员到接收组织报到的日期）")
    from_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class IncomingSerializer(serializers.Serializer):
    organization = _id(help_text="接收的党支部id")
    name = serializers.CharField(max_length=60)
    id_number = serializers.CharField(max_length=40)
    phone = serializers.CharField(max_length=30)
    party_standing = serializers.ChoiceField(choices=PartyStanding.choices)
    ethnicity = serializers.CharField(max_length=10, required=False)
    joined_party_on = serializers.DateField(required=False)
    status = serializers.ChoiceField(
        choices=[(MemberStatus.AWAY, "外出流动"), (MemberStatus.RETURNED, "已返乡")],
        required=False,
    )
    letter_number = serializers.CharField(max_length=60, help_text="介绍信编号")
    from_name = serializers.CharField(max_length=120, help_text="转出组织全称")
    letter_issued_on = serializers.DateField(help_text="介绍信开具日期")
    validity_days = serializers.IntegerField(
        required=False, min_value=-(2**31), max_value=2**31, help_text="有效期天数，默认30，最长90"
    )
    dues_paid_until = serializers.CharField(max_length=20, help_text="党费交至年月，YYYY-MM")
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True)
