"""Forms of the forum pages. They only shape input; the services validate and decide."""

from django import forms
from django.conf import settings

from .models import Board, PostReport, Thread
from .services.content import TITLE_MAX


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            f"可选，最多{settings.FORUM_MAX_IMAGES_PER_POST}张，JPG、PNG或WebP，每张不超过10MB。"
            "照片中的位置等信息会被去除。",
        )
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {
                "accept": "image/jpeg,image/png,image/webp",
                "data-max": settings.FORUM_MAX_IMAGES_PER_POST,
            }
        )

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(PhotosField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class ThreadForm(forms.Form):
    board = forms.ChoiceField(choices=Board.choices, widget=forms.HiddenInput)
    kind = forms.ChoiceField(label="类型", choices=Thread.Kind.choices, widget=forms.RadioSelect)
    title = forms.CharField(
        label="标题", max_length=TITLE_MAX, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    body = forms.CharField(
        label="内容",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="网址会自动变成链接。",
    )
    images = PhotosField(label="照片")
    shared = forms.BooleanField(
        label="公开分享给所有党员（不勾选则只有您和党组织工作人员可见）", required=False
    )
    organization = forms.TypedChoiceField(
        label="发布单位", coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, board: str, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["board"].initial = board
        self.fields["kind"].choices = [
            (kind, Thread.Kind(kind).label) for kind in Thread.KINDS_BY_BOARD[board]
        ]
        if board != Board.REFLECTIONS:
            del self.fields["shared"]
        if organizations:
            self.fields["organization"].choices = [(o.pk, o.name) for o in organizations]
            self.fields["organization"].required = True
        else:
            del self.fields["organization"]


class ReplyForm(forms.Form):
    body = forms.CharField(
        label="回复内容", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    images = PhotosField(label="照片")
    quote = forms.IntegerField(required=False, widget=forms.HiddenInput)
    organization = forms.TypedChoiceField(
        label="回复身份", coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, organizations=(), personal_allowed: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if organizations:
            choices = [(o.pk, f"{o.name}（党组织回复）") for o in organizations]
            if personal_allowed:
                choices.append(("", "个人身份"))
            self.fields["organization"].choices = choices
            self.fields["organization"].initial = organizations[0].pk
        else:
            del self.fields["organization"]


class PostEditForm(forms.Form):
    title = forms.CharField(label="标题", max_length=TITLE_MAX, required=False)
    body = forms.CharField(label="内容", required=False, widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, *args, opening: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not opening:
            del self.fields["title"]


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label="举报原因", choices=PostReport.Reason.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="补充说明", max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ModerationForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(label="原因", max_length=200, required=False)


class ReportResolveForm(forms.Form):
    outcome = forms.ChoiceField(
        label="处理结果",
        choices=[
            (PostReport.Status.RESOLVED, "属实，已处理"),
            (PostReport.Status.DISMISSED, "不予处理"),
        ],
        widget=forms.RadioSelect,
    )
    hide_post = forms.BooleanField(label="同时隐藏该内容", required=False)
    resolution = forms.CharField(label="处理意见", max_length=300, required=False)
