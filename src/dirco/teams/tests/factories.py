from __future__ import annotations

import factory

from dirco.accounts.models import User
from dirco.accounts.tests.factories import UserFactory
from dirco.teams.models import SalesTeam


class SalesTeamFactory(factory.django.DjangoModelFactory[SalesTeam]):
    class Meta:
        model = SalesTeam
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Team {n}")
    manager = factory.SubFactory(UserFactory, role=User.Role.MANAGER)
