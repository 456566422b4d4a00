"""Who may change the catalogue: product lines and the pipeline's stages (the matrix's
``catalog``). Everyone reads them (a deal, a registration, a lead names one); the director
alone changes them, since every figure per product line and every forecast reads them."""

from __future__ import annotations

from dirco.accounts.models import User
from dirco.accounts.permissions import user_is_director


def catalog_can_change(*, user: User) -> bool:
    return user_is_director(user)
