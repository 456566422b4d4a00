"""Queries compiled once, run many times: for the few queries every API request makes, where
Django's compilation of a queryset into SQL costs more CPU than the database spends running it
(the bearer token's lookup, the 27 columns and 5 joins of the deal list's rows: 0.5-1 ms of
compilation each, against 0.05 ms in SQLite).

``PreparedQuery(build, slots=(str,), fragments=0)``: ``build(*placeholders)`` returns the
queryset, with a placeholder where each value goes (a value compared with ``=`` or ``IN``,
which reaches the SQL unchanged as one parameter) and ``fragment(i)`` (a ``RawSQL``) where
each SQL fragment goes (``pk__in=fragment(0)``: a subquery chosen per request). It is built
and compiled once per database; ``run(*values, fragments=[(sql, params)])`` executes the same
SQL with the values and fragments in their places, through Django's own iteration (model
instances with their ``select_related``, or ``.values()`` dicts, with the backend's
converters). Building refuses a placeholder that does not reach the SQL exactly once as is.
"""

from __future__ import annotations

import copy
import secrets
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.expressions import RawSQL

M = TypeVar("M", bound=Model)

# Unlikely as a real parameter; each slot adds its index. Within a 32-bit integer column.
_INT_PLACEHOLDER = 2_012_345_000
_MARK = secrets.token_hex(8)


def fragment(index: int) -> RawSQL:
    """Where the SQL fragment ``index`` of :meth:`PreparedQuery.run` goes (e.g. ``pk__in=``)."""
    return RawSQL(f"SELECT {_fragment_text(index)}", [])


def _fragment_text(index: int) -> str:
    return f"'prepared-{_MARK}-{index}'"


class _Compiled:
    def __init__(self, queryset: QuerySet[Any, Any], using: str, placeholders: Sequence[Any]):
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        if sql.count("%s") != len(params):
            raise ImproperlyConfigured("A prepared query's SQL holds a literal %s.")
        # Where each placeholder's value goes among the parameters (or None: a constant).
        self.slots: list[int | None] = []
        for param in params:
            matches = [
                i for i, p in enumerate(placeholders) if type(p) is type(param) and p == param
            ]
            self.slots.append(matches[0] if matches else None)
        for i in range(len(placeholders)):
            if self.slots.count(i) != 1:
                raise ImproperlyConfigured(
                    f"Placeholder {i} of a prepared query reaches its SQL "
                    f"{self.slots.count(i)} times, not once as is."
                )
        self.params = list(params)
        self.compiler = compiler
        self.queryset = queryset
        # The SQL around each fragment, and how many parameters come before it.
        self.pieces: list[str] = []
        self.fragment_at: list[int] = []
        rest = sql
        index = 0
        while (text := f"SELECT {_fragment_text(index)}") in rest:
            before, rest = rest.split(text, 1)
            self.pieces.append(before)
            self.fragment_at.append(sum(p.count("%s") for p in self.pieces))
            index += 1
        self.pieces.append(rest)

    def statement(
        self, values: Sequence[Any], fragments: Sequence[tuple[str, Sequence[Any]]]
    ) -> tuple[str, list[Any]]:
        if len(fragments) != len(self.fragment_at):
            raise ValueError(f"This prepared query takes {len(self.fragment_at)} fragments.")
        params = [
            p if slot is None else values[slot]
            for p, slot in zip(self.params, self.slots, strict=True)
        ]
        if not fragments:
            return self.pieces[0], params
        sql_parts: list[str] = []
        all_params: list[Any] = []
        start = 0
        for piece, at, (fragment_sql, fragment_params) in zip(
            self.pieces[:-1], self.fragment_at, fragments, strict=True
        ):
            sql_parts += [piece, fragment_sql]
            all_params += params[start:at]
            all_params += fragment_params
            start = at
        sql_parts.append(self.pieces[-1])
        all_params += params[start:]
        return "".join(sql_parts), all_params


class PreparedQuery(Generic[M]):
    def __init__(
        self,
        build: Callable[..., QuerySet[M, Any]],
        *,
        slots: Sequence[type[int] | type[str]] = (),
        fragments: int = 0,
    ) -> None:
        self.build = build
        self.slot_types = tuple(slots)
        self.fragments = fragments
        self._compiled: dict[str, _Compiled] = {}

    def _placeholders(self) -> list[Any]:
        return [
            _INT_PLACEHOLDER + i if kind is int else f"prepared-{_MARK}-slot-{i}"
            for i, kind in enumerate(self.slot_types)
        ]

    def _compiled_for(self, using: str) -> _Compiled:
        compiled = self._compiled.get(using)
        if compiled is None:
            placeholders = self._placeholders()
            queryset = self.build(*placeholders, *(fragment(i) for i in range(self.fragments)))
            compiled = self._compiled[using] = _Compiled(queryset, using, placeholders)
        return compiled

    def _check(self, values: Sequence[Any]) -> None:
        for kind, value in zip(self.slot_types, values, strict=True):
            if type(value) is not kind:
                raise TypeError(f"A prepared query's value {value!r} is not a {kind.__name__}.")

    def sql_with_params(
        self,
        *values: Any,
        fragments: Sequence[tuple[str, Sequence[Any]]] = (),
        using: str = "default",
    ) -> tuple[str, list[Any]]:
        """The SQL and parameters with ``values`` in the placeholders' places (to be run, or
        to be a fragment of another prepared query)."""
        self._check(values)
        return self._compiled_for(using).statement(values, fragments)

    def run(
        self,
        *values: Any,
        fragments: Sequence[tuple[str, Sequence[Any]]] = (),
        using: str = "default",
    ) -> list[Any]:
        """The rows of the query with ``values`` in the placeholders' places."""
        self._check(values)
        compiled = self._compiled_for(using)
        sql, params = compiled.statement(values, fragments)
        compiler = copy.copy(compiled.compiler)
        compiler.connection = connections[using]
        compiler.as_sql = lambda *args, **kwargs: (sql, params)  # type: ignore[method-assign]
        queryset = compiled.queryset.all()
        # Django's iteration asks the query for its compiler: this one, already set up.
        queryset.query.get_compiler = lambda *args, **kwargs: compiler  # type: ignore[method-assign]
        return list(queryset)


class PreparedShapes:
    """Prepared queries by shape (a key naming whatever changes their SQL: a sort, a page
    size, how many fragments), each made on first use; at most ``limit`` kept (all dropped
    when full, so that shapes built from requests cannot grow without bound)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._prepared: dict[Any, PreparedQuery[Any]] = {}

    def get(self, shape: Any, make: Callable[[], PreparedQuery[Any]]) -> PreparedQuery[Any]:
        prepared = self._prepared.get(shape)
        if prepared is None:
            if len(self._prepared) >= self.limit:
                self._prepared.clear()
            prepared = self._prepared[shape] = make()
        return prepared
