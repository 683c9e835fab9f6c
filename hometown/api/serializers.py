from rest_framework import serializers

from sanyuan.inputs import MAX_ID
from sanyuan.schema import keyset_page_serializer

from ..models import (
    Campaign,
    Contribution,
    SupportCase,
    SupportCaseStep,
    SupportGroupMembership,
)


class SupportCaseStepSerializer(serializers.ModelSerializer):
    class Meta:
        model = SupportCaseStep
        fields = ["id", "kind", "note", "created_at"]
        read_only_fields = fields


class SupportCaseSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = SupportCase
        fields = [
            "id",
            "member",
            "member_name",
            "kind",
            "status",
            "helper",
            "asked_by_member",
            "created_at",
            "last_step_at",
            "closed_at",
        ]
        read_only_fields = fields


class SupportCaseDetailSerializer(SupportCaseSerializer):
    steps = SupportCaseStepSerializer(many=True, read_only=True)

    class Meta(SupportCaseSerializer.Meta):
        fields = [*SupportCaseSerializer.Meta.fields, "need", "outcome", "steps"]
        read_only_fields = fields


class SupportCaseAskSerializer(serializers.Serializer):
    kind = serializers.CharField(max_length=20, help_text="illness, elderly_care, schooling, …")
    need = serializers.CharField(max_length=1000, help_text="家中的困难和需要的帮助")


class SupportCaseOpenSerializer(SupportCaseAskSerializer):
    member = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="党员档案 id")
    helper = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class SupportCaseStepInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=1000)
    close = serializers.BooleanField(required=False, default=False)
    helper = serializers.CharField(max_length=100, required=False, allow_null=True, default=None)


class MembershipSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = SupportGroupMembership
        fields = [
            "id",
            "member",
            "member_name",
            "offers",
            "note",
            "publicity_consent",
            "consent_recorded_at",
            "joined_at",
        ]
        read_only_fields = fields


class SupportGroupJoinSerializer(serializers.Serializer):
    offers = serializers.ListField(
        child=serializers.CharField(max_length=20), help_text="skills, jobs, investment, donation"
    )
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    publicity_consent = serializers.BooleanField(required=False, default=False)


class ContributionSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    campaign_year = serializers.IntegerField(
        source="campaign.year", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Contribution
        fields = [
            "id",
            "member",
            "member_name",
            "kind",
            "title",
            "amount",
            "jobs",
            "happened_on",
            "description",
            "status",
            "decline_reason",
            "campaign_year",
            "created_at",
            "decided_at",
        ]
        read_only_fields = fields


class ContributionInputSerializer(serializers.Serializer):
    kind = serializers.CharField(max_length=20)
    title = serializers.CharField(max_length=100)
    amount = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    jobs = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    happened_on = serializers.CharField(max_length=20)
    description = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, default=""
    )


class ContributionDecideSerializer(serializers.Serializer):
    confirm = serializers.BooleanField()
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class CampaignSerializer(serializers.ModelSerializer):
    class Meta:
        model = Campaign
        fields = ["id", "year", "title", "rules", "created_at"]
        read_only_fields = fields


class ContributionKindFigureSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    amount = serializers.IntegerField()
    jobs = serializers.IntegerField()


class HometownFiguresSerializer(serializers.Serializer):
    support_cases_open = serializers.IntegerField()
    support_cases_stale = serializers.IntegerField()
    support_cases_average_days_open = serializers.IntegerField()
    support_group_members = serializers.IntegerField()
    contributions_confirmed = serializers.IntegerField()
    contributions_pending = serializers.IntegerField()
    contributions_by_kind = ContributionKindFigureSerializer(many=True)


SupportCasePageSerializer = keyset_page_serializer(
    "SupportCasePageSerializer", SupportCaseSerializer
)
MembershipPageSerializer = keyset_page_serializer("MembershipPageSerializer", MembershipSerializer)
ContributionPageSerializer = keyset_page_serializer(
    "ContributionPageSerializer", ContributionSerializer
)
