"""docs/security.md shows the access matrix of dirco.core.access_matrix, row for row."""

from __future__ import annotations

from pathlib import Path

from dirco.core.access_matrix import ACCESS_MATRIX, ACTIONS, OBJECTS, ROLES, SCOPES

DOC = Path(__file__).resolve().parents[4] / "docs" / "security.md"


def _doc_table() -> list[list[str]]:
    """The rows of the first table whose header starts with 'object | action'."""
    rows: list[list[str]] = []
    in_table = False
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not in_table:
            in_table = line.startswith("|") and cells[:2] == ["object", "action"]
            if in_table:
                rows.append(cells)
            continue
        if not line.startswith("|"):
            break
        if set("".join(cells)) <= {"-", ":", " "}:
            continue
        rows.append(cells)
    return rows


def test_doc_table_matches_the_matrix() -> None:
    header, *body = _doc_table()
    assert header == ["object", "action", *ROLES]
    doc = [(obj, action, *scopes) for obj, action, *scopes in body]
    code = [
        (obj, action, *(ACCESS_MATRIX[(obj, action)][r] for r in ROLES))
        for obj, action in ACCESS_MATRIX
    ]
    assert doc == code


def test_matrix_is_well_formed() -> None:
    for (obj, action), by_role in ACCESS_MATRIX.items():
        assert obj in OBJECTS
        assert action in ACTIONS
        assert set(by_role) == set(ROLES)
        assert set(by_role.values()) <= set(SCOPES)
    assert {obj for obj, _action in ACCESS_MATRIX} == set(OBJECTS)


def test_partner_roles_never_reach_beyond_their_partner() -> None:
    for by_role in ACCESS_MATRIX.values():
        for role in ("partner_admin", "partner_user"):
            assert by_role[role] in ("partner", "own", "none")
