from __future__ import annotations

import factory

from dirco.leads.models import Lead


class LeadFactory(factory.django.DjangoModelFactory[Lead]):
    class Meta:
        model = Lead

    company_name = factory.Faker("company")
    contact_name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"buyer{n}@prospect{n}.example")
    country = "FR"
    source = Lead.Source.WEB_FORM
    consent = True
