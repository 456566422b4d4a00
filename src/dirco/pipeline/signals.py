"""Signals the pipeline sends so that higher apps (revenue, objectives) can react.

Sent after the transaction commits, with ``scopes``: the scope keys the change touches
(``company``, ``team:ID``, ``rep:ID``, ``partner:ID``, ``product_line:ID``).
"""

from django.dispatch import Signal

deals_changed = Signal()
