"""The forms of the marketing pages; each builds the typed input its service takes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dirco.core.errors import ApplicationError
from dirco.marketing.channel import BrandInput, PartnerCampaignInput
from dirco.marketing.models import (
    Campaign,
    Consent,
    EmailTemplate,
    Segment,
    Share,
    SocialPost,
    Suppression,
)
from dirco.marketing.segments import SegmentFilter
from dirco.marketing.services import CampaignInput, ConsentInput, TemplateInput
from dirco.marketing.social import PostInput
from dirco.partners.models import Partner, Territory, Tier
from dirco.web.forms import DircoForm


def _words(raw: str) -> list[str]:
    return [w.strip() for w in raw.split(",") if w.strip()][:50]


class SegmentForm(DircoForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(
        label=_("Contacts at"),
        required=False,
        choices=[
            ("", _("Partners and accounts")),
            ("partner", _("Partners")),
            ("account", _("Customer accounts")),
        ],
    )
    tiers = forms.ModelMultipleChoiceField(
        label=_("Partner tier"), queryset=Tier.objects.all(), required=False
    )
    partner_statuses = forms.MultipleChoiceField(
        label=_("Partner status"), choices=Partner.Status.choices, required=False
    )
    territories = forms.ModelMultipleChoiceField(
        label=_("Territory"),
        queryset=Territory.objects.all(),
        required=False,
        help_text=_("Sub-territories are included."),
    )
    industries = forms.CharField(
        label=_("Industries"),
        required=False,
        max_length=500,
        help_text=_("Of customer accounts, separated by commas."),
    )
    roles = forms.CharField(
        label=_("Role"),
        required=False,
        max_length=500,
        help_text=_("Words of the job title, separated by commas (any of them)."),
    )
    consent = forms.ChoiceField(
        label=_("Consent"),
        required=False,
        choices=[
            ("", _("Any")),
            ("sendable", _("May be emailed")),
            ("granted", _("Consent granted")),
            ("pending", _("Awaiting confirmation")),
            ("none", _("No consent recorded")),
            ("withdrawn", _("Consent withdrawn")),
            ("suppressed", _("On the suppression list")),
        ],
    )

    @classmethod
    def initial_from(cls, segment: Segment) -> dict[str, Any]:
        spec = SegmentFilter.from_json(segment.filters)
        return {
            "name": segment.name,
            "kind": spec.kind,
            "tiers": spec.tiers,
            "partner_statuses": spec.partner_statuses,
            "territories": spec.territories,
            "industries": ", ".join(spec.industries),
            "roles": ", ".join(spec.roles),
            "consent": spec.consent,
        }

    def service_input(self) -> SegmentFilter:
        data = self.cleaned_data
        return SegmentFilter(
            kind=data.get("kind") or "",
            tiers=sorted(t.pk for t in data.get("tiers") or []),
            territories=sorted(t.pk for t in data.get("territories") or []),
            industries=_words(data.get("industries") or ""),
            roles=_words(data.get("roles") or ""),
            partner_statuses=list(data.get("partner_statuses") or []),
            consent=data.get("consent") or "",
        )


class TemplateForm(DircoForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    html_body = forms.CharField(
        label=_("HTML part"), widget=forms.Textarea(attrs={"rows": 12}), max_length=100_000
    )
    text_body = forms.CharField(
        label=_("Text part"), widget=forms.Textarea(attrs={"rows": 8}), max_length=50_000
    )

    # The bodies are multi-line by nature (dirco.core.text: one line unless listed).

    @classmethod
    def initial_from(cls, template: EmailTemplate) -> dict[str, Any]:
        return {
            "name": template.name,
            "subject": template.subject,
            "html_body": template.html_body,
            "text_body": template.text_body,
        }

    def service_input(self) -> TemplateInput:
        d = self.cleaned_data
        return TemplateInput(
            name=d["name"], subject=d["subject"], html_body=d["html_body"], text_body=d["text_body"]
        )


class CampaignForm(DircoForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    segment = forms.ModelChoiceField(label=_("Segment"), queryset=Segment.objects.none())
    template = forms.ModelChoiceField(label=_("Template"), queryset=EmailTemplate.objects.none())

    def __init__(self, *args: Any, segments: Any, templates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["segment"].queryset = segments  # type: ignore[attr-defined]
        self.fields["template"].queryset = templates  # type: ignore[attr-defined]

    def service_input(self) -> CampaignInput:
        d = self.cleaned_data
        return CampaignInput(name=d["name"], segment=d["segment"], template=d["template"])


class ScheduleForm(DircoForm):
    scheduled_at = forms.DateTimeField(
        label=_("Send at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Leave empty to send now."),
    )


class ConsentForm(DircoForm):
    source = forms.ChoiceField(label=_("Source"), choices=Consent.Source.choices)
    legal_basis = forms.ChoiceField(label=_("Legal basis"), choices=Consent.LegalBasis.choices)
    double_opt_in = forms.BooleanField(
        label=_("Ask the contact to confirm (double opt-in)"),
        required=False,
        help_text=_("Always asked for a public sign-up."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def service_input(self) -> ConsentInput:
        d = self.cleaned_data
        return ConsentInput(
            source=d["source"],
            legal_basis=d["legal_basis"],
            double_opt_in=bool(d.get("double_opt_in")),
            note=d.get("note") or "",
        )


class SuppressionForm(DircoForm):
    email = forms.EmailField(label=_("Email"))
    reason = forms.ChoiceField(label=_("Reason"), choices=Suppression.Reason.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


# --- through-channel campaigns and social selling -----------------------------------------------


class PartnerCampaignForm(DircoForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    template = forms.ModelChoiceField(
        label=_("Template"),
        queryset=EmailTemplate.objects.none(),
        help_text=_("Templates approved by marketing for partners."),
    )

    def __init__(self, *args: Any, templates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates  # type: ignore[attr-defined]

    def service_input(self) -> PartnerCampaignInput:
        d = self.cleaned_data
        return PartnerCampaignInput(name=d["name"], template=d["template"])


def _upload(data: Any, field: str) -> bytes | None:
    upload = data.get(field)
    if not upload:
        return None
    if upload.size > 2_000_000:  # read no more than this; the service sets the real limit
        raise forms.ValidationError(_("The file is too large."))
    return bytes(upload.read())


class BrandForm(DircoForm):
    display_name = forms.CharField(
        label=_("Name shown to recipients"),
        max_length=120,
        required=False,
        help_text=_("Your company's name when left empty."),
    )
    signature = forms.CharField(
        label=_("Signature"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Added at the end of every email sent for you."),
    )
    reply_to = forms.EmailField(
        label=_("Reply-to address"),
        required=False,
        help_text=_("Where your contacts' replies go."),
    )
    logo = forms.FileField(
        label=_("Logo"), required=False, help_text=_("PNG or JPEG, at most 200 KB.")
    )
    logo_remove = forms.BooleanField(label=_("Remove the logo"), required=False)

    def service_input(self) -> BrandInput:
        d = self.cleaned_data
        try:
            logo = _upload(d, "logo")
        except forms.ValidationError as exc:
            raise ApplicationError(str(exc.messages[0]), fields={"logo": exc.messages}) from None
        return BrandInput(
            display_name=d.get("display_name") or "",
            signature=d.get("signature") or "",
            reply_to=d.get("reply_to") or "",
            logo=logo,
            logo_remove=bool(d.get("logo_remove")),
        )


class TemplateApprovalForm(DircoForm):
    approved = forms.BooleanField(label=_("Approved for partners"), required=False)


class SocialPostForm(DircoForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(
        label=_("Text to share"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the sharer posts (X keeps the first 200 characters)."),
    )
    link_kind = forms.ChoiceField(label=_("The link leads to"), choices=SocialPost.LinkKind.choices)
    url = forms.URLField(
        label=_("Landing page"), required=False, max_length=500, assume_scheme="https"
    )
    document = forms.ModelChoiceField(
        label=_("Document"), queryset=Campaign.objects.none(), required=False
    )
    campaign = forms.ModelChoiceField(
        label=_("Campaign"),
        queryset=Campaign.objects.none(),
        required=False,
        help_text=_("Clicks and leads are attributed to it."),
    )
    audience = forms.ChoiceField(label=_("Who may share it"), choices=SocialPost.Audience.choices)
    image = forms.FileField(label=_("Image"), required=False, help_text=_("PNG or JPEG, 1 MB."))

    # The text is multi-line by nature (dirco.core.text: one line unless listed).

    def __init__(self, *args: Any, campaigns: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # documents is a sibling app: its model is reached through the post's field.
        document_model: Any = SocialPost._meta.get_field("document").related_model
        self.fields["document"].queryset = document_model.objects.filter(is_published=True)  # type: ignore[attr-defined]
        self.fields["campaign"].queryset = campaigns  # type: ignore[attr-defined]

    @classmethod
    def initial_from(cls, post: SocialPost) -> dict[str, Any]:
        return {
            "title": post.title,
            "text": post.text,
            "link_kind": post.link_kind,
            "url": post.url,
            "document": post.document_id,
            "campaign": post.campaign_id,
            "audience": post.audience,
        }

    def service_input(self) -> PostInput:
        d = self.cleaned_data
        try:
            image = _upload(d, "image")
        except forms.ValidationError as exc:
            raise ApplicationError(str(exc.messages[0]), fields={"image": exc.messages}) from None
        return PostInput(
            title=d["title"],
            text=d["text"],
            link_kind=d["link_kind"],
            audience=d["audience"],
            url=d.get("url") or "",
            document=d.get("document"),
            campaign=d.get("campaign"),
            image=image,
        )


class ShareForm(DircoForm):
    network = forms.ChoiceField(label=_("Network"), choices=Share.Network.choices)
