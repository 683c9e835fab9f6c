"""Display preferences of the signed-in person (大字模式), for the mini-program: the same
choice as the switch in 我的, remembered on the account so that it follows them."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from members.services import accounts


class DisplayPreferenceSerializer(serializers.Serializer):
    large_text = serializers.BooleanField(
        help_text="大字模式：更大的字号和按钮、更高的对比度。",
        error_messages={
            "invalid": "请填写 true 或 false。",
            "required": "请填写是否开启大字模式。",
        },
    )


class DisplayPreferenceApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=DisplayPreferenceSerializer, operation_id="me_display_retrieve")
    def get(self, request):
        return Response({"large_text": request.user.large_text})

    @extend_schema(
        request=DisplayPreferenceSerializer,
        responses=DisplayPreferenceSerializer,
        operation_id="me_display_update",
    )
    def put(self, request):
        data = DisplayPreferenceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = accounts.display_preferences_set(
            user=request.user, large_text=data.validated_data["large_text"]
        )
        return Response({"large_text": user.large_text})

    @extend_schema(
        request=DisplayPreferenceSerializer,
        responses=DisplayPreferenceSerializer,
        operation_id="me_display_partial_update",
    )
    def patch(self, request):
        return self.put(request)
