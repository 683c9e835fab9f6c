from rest_framework import serializers

from members.models import Member, Organization


class OrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "code", "name", "kind", "parent"]


class MemberSerializer(serializers.ModelSerializer):
    """An archive as staff and the member see it. `id_number` is always the masked form."""

    id_number = serializers.CharField(source="id_number_masked", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    is_activated = serializers.BooleanField(read_only=True)

    class Meta:
        model = Member
        fields = [
            "id",
            "name",
            "id_number",
            "sex",
            "birth_date",
            "phone",
            "organization",
            "organization_name",
            "is_activated",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class MemberCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=60)
    id_number = serializers.CharField(max_length=60)
    phone = serializers.CharField(max_length=30)
    organization = serializers.IntegerField()


class MemberUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=60, required=False)
    phone = serializers.CharField(max_length=30, required=False)
    organization = serializers.IntegerField(required=False)


class MeUpdateSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=30)


class IdentitySerializer(serializers.Serializer):
    name = serializers.CharField(max_length=60, trim_whitespace=False)
    id_number = serializers.CharField(max_length=60, trim_whitespace=False)


class RegisterSerializer(IdentitySerializer):
    code = serializers.CharField(max_length=20)
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    accept_privacy_notice = serializers.BooleanField(default=False)


class PasswordResetSerializer(IdentitySerializer):
    code = serializers.CharField(max_length=20)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class LoginSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=60, required=False, trim_whitespace=False)
    id_number = serializers.CharField(max_length=60, required=False, trim_whitespace=False)
    username = serializers.CharField(max_length=150, required=False)
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    otp = serializers.CharField(max_length=10, required=False)

    def validate(self, attrs):
        if attrs.get("id_number") is not None:
            if not attrs.get("name"):
                raise serializers.ValidationError({"name": ["请填写姓名。"]})
        elif not attrs.get("username"):
            raise serializers.ValidationError("请填写姓名和身份证号码，或工作人员用户名。")
        return attrs


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    expiry = serializers.DateTimeField()


class IssuedCodeSerializer(serializers.Serializer):
    code = serializers.CharField()
    expires_at = serializers.DateTimeField()


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)
