"""The forms of the feed pages and the portal: they build the services' inputs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from dirco.core.text import LONG_TEXT_MAX
from dirco.partners.models import Tier
from dirco.social.attachments import MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS
from dirco.social.models import Post, Reaction
from dirco.web.forms import DircoForm

AUDIENCE_LABELS = {
    "record": {
        Post.Audience.INTERNAL: _("Internal note (staff only)"),
        Post.Audience.RECORD: _("Shared: partners who see it too"),
    },
    "company": {
        Post.Audience.INTERNAL: _("Company feed: staff only"),
        Post.Audience.PARTNERS: _("Announcement to every partner"),
        Post.Audience.TIER: _("Announcement to a tier and better"),
    },
}


def _percent_format(text: Any, **params: Any) -> str:
    return str(text) % params


lazy_format = lazy(_percent_format, str)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class PostForm(DircoForm):
    body = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=LONG_TEXT_MAX,
        help_text=_(
            "Markdown: **bold**, *italics*, lists, links. Mention someone with @ followed by "
            "their email address."
        ),
    )
    audience = forms.ChoiceField(label=_("Who reads it"))
    tier = forms.ModelChoiceField(
        label=_("Tier"),
        queryset=Tier.objects.order_by("rank"),
        required=False,
        help_text=_("For an announcement to a tier: its partners and those of better tiers."),
    )
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        # Lazy: "%" on the lazy text at import translated it once, in the default language.
        help_text=lazy_format(
            _("Up to %(n)s files of %(mb)s MB: PDF, PNG, JPEG, WebP or text."),
            n=MAX_ATTACHMENTS,
            mb=MAX_ATTACHMENT_BYTES // (1024 * 1024),
        ),
    )

    def __init__(
        self, *args: Any, audiences: Sequence[str], on_record: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        labels = AUDIENCE_LABELS["record" if on_record else "company"]
        audience: forms.ChoiceField = self.fields["audience"]  # type: ignore[assignment]
        audience.choices = [(a, labels[Post.Audience(a)]) for a in audiences]
        if len(audiences) == 1:
            audience.initial = audiences[0]
            audience.widget = forms.HiddenInput()
        if Post.Audience.TIER not in audiences:
            del self.fields["tier"]


class CommentForm(DircoForm):
    body = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=LONG_TEXT_MAX,
    )


class ReactionForm(DircoForm):
    kind = forms.ChoiceField(choices=Reaction.Kind.choices)


class DigestForm(DircoForm):
    digest_daily = forms.BooleanField(label=_("Daily email digest"), required=False)
