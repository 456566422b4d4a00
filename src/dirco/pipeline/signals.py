"""Signals the pipeline sends so that higher apps (revenue, objectives) can react.

``deals_changed`` is sent after the transaction commits, with

- ``scopes``: the scope keys the change touches (``company``, ``team:ID``, ``rep:ID``,
  ``partner:ID``, ``product_line:ID``);
- ``won_months``: the months (first days, sorted) whose won revenue the change moved: the
  month the deal counted as won in before the change and the one it counts in after it
  (:func:`dirco.pipeline.services.deal_won_month`), none when it was and is not won. A
  receiver that reads only won revenue of some months (the stored forecasts read complete
  months only) can tell whether the change concerns it. A sender that cannot tell leaves it
  out: receivers then take every month as changed.
"""

from django.dispatch import Signal

deals_changed = Signal()
