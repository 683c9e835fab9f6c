from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sanyuan.inputs import MAX_ID

from .. import permissions
from ..models import Appraisal, AppraisalParticipant, Rating


def _id(**kwargs):
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class AppraisalSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    stage = serializers.SerializerMethodField()
    ballot_closed = serializers.SerializerMethodField()

    class Meta:
        model = Appraisal
        fields = [
            "id",
            "organization",
            "organization_name",
            "year",
            "self_assessment_ends_on",
            "ballot_starts_on",
            "ballot_ends_on",
            "decision_ends_on",
            "ballot_closed_at",
            "ballot_closed",
            "paper_ballots",
            "finished_at",
            "stage",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(help_text="当前阶段（中文）"))
    def get_stage(self, appraisal) -> str:
        return permissions.stage_label(appraisal)

    @extend_schema_field(serializers.BooleanField(help_text="民主测评已结束（可查看计票）"))
    def get_ballot_closed(self, appraisal) -> bool:
        return permissions.ballot_closed(appraisal)


class StaffAppraisalSerializer(AppraisalSerializer):
    participant_count = serializers.IntegerField(read_only=True, default=None)
    assessment_count = serializers.IntegerField(read_only=True, default=None)
    decided_count = serializers.IntegerField(read_only=True, default=None)
    pending_count = serializers.IntegerField(read_only=True, default=None)

    class Meta(AppraisalSerializer.Meta):
        fields = [
            *AppraisalSerializer.Meta.fields,
            "participant_count",
            "assessment_count",
            "decided_count",
            "pending_count",
        ]
        read_only_fields = fields


class ParticipantSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="member.name", read_only=True)
    id_number_masked = serializers.CharField(source="member.id_number_masked", read_only=True)
    party_standing = serializers.CharField(source="member.party_standing", read_only=True)
    self_assessment = serializers.SerializerMethodField()

    class Meta:
        model = AppraisalParticipant
        fields = [
            "member",
            "name",
            "id_number_masked",
            "party_standing",
            "self_assessment",
            "final_rating",
            "final_reason",
            "decision",
            "rated_at",
            "approved_at",
            "approval_note",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="自我评价全文"))
    def get_self_assessment(self, participant) -> str | None:
        return participant.assessment.text if participant.assessment else None


class StaffAppraisalDetailSerializer(StaffAppraisalSerializer):
    voted = serializers.IntegerField(read_only=True, help_text="已在线投票人数")
    participants = ParticipantSerializer(many=True, read_only=True, source="participant_rows")

    class Meta(StaffAppraisalSerializer.Meta):
        fields = [*StaffAppraisalSerializer.Meta.fields, "voted", "participants"]
        read_only_fields = fields


class BallotCandidateSerializer(serializers.Serializer):
    member = serializers.IntegerField(source="pk")
    name = serializers.CharField()


class MyAppraisalSerializer(AppraisalSerializer):
    self_assessment = serializers.CharField(source="my_text", read_only=True)
    can_write_self_assessment = serializers.SerializerMethodField()
    may_vote = serializers.SerializerMethodField()
    has_voted = serializers.BooleanField(read_only=True)
    can_vote = serializers.SerializerMethodField()
    final_rating = serializers.SerializerMethodField()
    final_reason = serializers.SerializerMethodField()

    class Meta(AppraisalSerializer.Meta):
        fields = [
            *AppraisalSerializer.Meta.fields,
            "self_assessment",
            "can_write_self_assessment",
            "may_vote",
            "has_voted",
            "can_vote",
            "final_rating",
            "final_reason",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.BooleanField())
    def get_can_write_self_assessment(self, appraisal) -> bool:
        return permissions.self_assessment_open(appraisal)

    @extend_schema_field(serializers.BooleanField(help_text="正式党员有表决权；预备党员没有"))
    def get_may_vote(self, appraisal) -> bool:
        return permissions.may_vote(appraisal.me.member)

    @extend_schema_field(serializers.BooleanField(help_text="现在可以投票"))
    def get_can_vote(self, appraisal) -> bool:
        return (
            permissions.ballot_open(appraisal)
            and permissions.may_vote(appraisal.me.member)
            and not appraisal.has_voted
        )

    @extend_schema_field(
        serializers.ChoiceField(
            choices=Rating.choices, allow_blank=True, help_text="已生效的组织评定"
        )
    )
    def get_final_rating(self, appraisal) -> str:
        return appraisal.me.effective_rating

    @extend_schema_field(serializers.CharField())
    def get_final_reason(self, appraisal) -> str:
        return appraisal.me.final_reason if appraisal.me.effective_rating else ""


class MyAppraisalDetailSerializer(MyAppraisalSerializer):
    candidates = serializers.SerializerMethodField()

    class Meta(MyAppraisalSerializer.Meta):
        fields = [*MyAppraisalSerializer.Meta.fields, "candidates"]
        read_only_fields = fields

    @extend_schema_field(BallotCandidateSerializer(many=True))
    def get_candidates(self, appraisal):
        return BallotCandidateSerializer(self.context.get("candidates", []), many=True).data


class TallySerializer(serializers.Serializer):
    member = serializers.IntegerField()
    name = serializers.CharField()
    excellent = serializers.IntegerField()
    qualified = serializers.IntegerField()
    basically_qualified = serializers.IntegerField()
    unqualified = serializers.IntegerField()
    online = serializers.DictField(child=serializers.IntegerField(), help_text="在线票数")
    paper = serializers.DictField(child=serializers.IntegerField(), help_text="纸质票数")


class StateErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="中文说明")
    code = serializers.CharField()


class TalliesSerializer(serializers.Serializer):
    voted = serializers.IntegerField(help_text="在线投票人数")
    paper_ballots = serializers.IntegerField(help_text="纸质票数")
    results = TallySerializer(many=True)


# Input ---------------------------------------------------------------------------------------


class OpenSerializer(serializers.Serializer):
    organization = _id()
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    self_assessment_ends_on = serializers.DateField()
    ballot_starts_on = serializers.DateField()
    ballot_ends_on = serializers.DateField()
    decision_ends_on = serializers.DateField()


class SelfAssessmentSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000, allow_blank=True, trim_whitespace=False)


class BallotItemSerializer(serializers.Serializer):
    member = _id()
    rating = serializers.ChoiceField(choices=Rating.choices)


class BallotSerializer(serializers.Serializer):
    ratings = BallotItemSerializer(many=True, allow_empty=False, max_length=5000)


class BallotResultSerializer(serializers.Serializer):
    voted = serializers.BooleanField()


class PaperCountSerializer(serializers.Serializer):
    member = _id()
    rating = serializers.ChoiceField(choices=Rating.choices)
    count = serializers.IntegerField(min_value=0, max_value=100_000)


class PaperTallySerializer(serializers.Serializer):
    paper_ballots = serializers.IntegerField(min_value=0, max_value=100_000)
    counts = PaperCountSerializer(many=True, max_length=20_000)


class RatingSerializer(serializers.Serializer):
    member = _id()
    final_rating = serializers.ChoiceField(choices=Rating.choices)
    reason = serializers.CharField(max_length=500)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)
