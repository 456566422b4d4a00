"""The demo company's deals, stage history and activities, generated in chunks with numpy.

Pure numpy: no Django here, so a million deals cost seconds, not minutes. Days are integers
counted from 1970-01-01 and instants are integer seconds since the epoch in UTC; the caller
turns them into dates and datetimes when it writes the rows.

The shape of the data is what the product's dashboards are meant to reveal:
- won revenue by month follows a French B2B year (troughs in August and the last days of
  December, peaks at the end of March, June and November) and grows about 12% a year;
- reps differ in volume, win rate and deal size; new reps ramp up over six months, and reps
  who left close nothing after their last day;
- about 40% of won revenue comes through partners, Gold partners bringing the most;
- staged changes (``Effect``) from a day on: the top seller promoted to manager sells less,
  and a team's win rate moves with its new manager (the team dynamics pages show them).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

DAY = 86_400
HOUR = 3_600
NONE = -1  # stands for NULL in integer columns

# Relative weight of each calendar month in closed deals (January first).
MONTH_SEASONALITY = [0.85, 0.95, 1.3, 0.95, 0.9, 1.3, 0.9, 0.4, 1.0, 1.0, 1.35, 0.95]
# Between Christmas and New Year almost nothing closes; the first three weeks make up for it.
LATE_DECEMBER_DAY, LATE_DECEMBER_FACTOR = 22, 0.15
YEARLY_GROWTH = 0.10
WEEKDAY_WEIGHT = [1.0, 1.0, 1.0, 1.0, 1.05, 0.04, 0.01]  # Monday first
MONTH_END_DAY, MONTH_END_FACTOR = 25, 1.3  # the last days of a month carry the closings

OPEN_SHARE = 0.07  # deals still in the pipeline today
RAMP_MONTHS = 6.0

# Stage slots of a deal's path; FINAL is Won or Lost.
PROSPECTING, QUALIFICATION, PROPOSAL, NEGOTIATION, FINAL = range(5)
OPEN_STAGE_SHARES = [0.3, 0.27, 0.25, 0.18]  # where open deals sit today
LOST_AT_SHARES = [0.22, 0.35, 0.27, 0.16]  # the last open stage of lost deals
SKIP_QUALIFICATION = 0.2
WON_FROM_PROPOSAL = 0.12  # won deals that never went through a negotiation stage
# Days until the expected close date of an open deal, by stage: (low, high).
OPEN_HORIZON_DAYS = [(30, 200), (20, 160), (7, 110), (2, 70)]
SLIPPED_SHARE = 0.03  # open deals whose expected close date has passed

SOURCES = ["direct", "partner", "campaign", "event"]
DIRECT_SOURCE_SHARES = [0.7, 0.0, 0.18, 0.12]
LOST_REASONS = ["price", "competitor", "no_decision", "timing", "fit", "other"]
LOST_REASON_SHARES = [0.27, 0.3, 0.2, 0.12, 0.07, 0.04]

ACTIVITY_KINDS = ["call", "meeting", "email", "task"]
ACTIVITY_KIND_SHARES = [0.4, 0.2, 0.25, 0.15]
ACTIVITY_SUBJECTS = {
    "call": ["Appel de découverte", "Appel de qualification", "Relance téléphonique",
             "Point d'avancement", "Appel décideur"],
    "meeting": ["Démonstration produit", "Réunion de cadrage", "Visite du site",
                "Présentation de la proposition", "Comité de pilotage client"],
    "email": ["Envoi de la documentation", "Envoi de la proposition", "Relance du devis",
              "Compte rendu de réunion", "Envoi des références clients"],
    "task": ["Préparer la proposition", "Mettre à jour le chiffrage", "Valider la remise",
             "Préparer la démonstration", "Vérifier la solvabilité"],
}  # fmt: skip
# Activities on closed deals per deal; large seeds get fewer so that a million deals stay fast.
CLOSED_ACTIVITIES_PER_DEAL = 1.4
CLOSED_ACTIVITIES_BUDGET = 60_000
OPEN_PAST_ACTIVITIES_PER_DEAL = 1.0
OPEN_NEXT_STEP_SHARE = 0.75


@dataclass(frozen=True)
class People:
    """Sales reps past and present; each sits in a seat (a patch of accounts) of a team."""

    user_id: IntArray
    seat: IntArray
    team: IntArray
    hired_day: IntArray
    left_day: IntArray  # a far-future day for reps still here
    volume: FloatArray  # relative number of deals
    win: FloatArray  # multiplier on the win rate
    size: FloatArray  # multiplier on deal amounts


@dataclass(frozen=True)
class Accounts:
    """Customer accounts grouped by seat: seat ``s`` owns rows ``s*per_seat .. (s+1)*per_seat-1``."""

    account_id: IntArray
    per_seat: int
    size_factor: FloatArray
    local_currency: list[str]  # the account's currency (the company's in the euro area)
    local_rate: FloatArray  # approximate value of one unit of local_currency in EUR
    short_name: list[str]


@dataclass(frozen=True)
class Partners:
    partner_id: IntArray
    team: IntArray
    weight: FloatArray
    start_day: IntArray  # first day the partner can bring a deal
    end_day: IntArray  # last day (suspension or churn), far future otherwise


@dataclass(frozen=True)
class ProductLines:
    line_id: IntArray
    share: FloatArray  # share of deals
    median_amount: FloatArray  # EUR
    median_cycle_days: FloatArray
    product_names: list[list[str]]


@dataclass(frozen=True)
class Stages:
    """Database ids of the stages, in slot order, and their probability and forecast category."""

    ids: list[int]  # prospecting, qualification, proposal, negotiation, won, lost
    probability: list[int]
    forecast_category: list[str]


@dataclass(frozen=True)
class Effect:
    """A staged change from a day on: ``volume`` multiplies one person's share of the deals
    (a top seller promoted to manager sells less), ``win`` multiplies the win rate of one
    team's deals (a manager's effect on the team)."""

    kind: str  # "volume" (index: a person) or "win" (index: a team)
    index: int
    from_day: int
    factor: float


@dataclass(frozen=True)
class World:
    today: int  # day number
    start: int  # first day of the history (first day of the month, 36 months ago)
    people: People
    accounts: Accounts
    partners: Partners
    lines: ProductLines
    stages: Stages
    team_partner_share: FloatArray  # probability that a deal of a team goes through a partner
    direct_win_rate: float = 0.28
    partner_win_rate: float = 0.4
    team_ids: list[int] = field(default_factory=list)
    home_currency: str = "EUR"
    effects: list[Effect] = field(default_factory=list)


@dataclass
class DealChunk:
    """Columns of deals, stage changes and activities ready to be written (NONE = NULL)."""

    deal_id: IntArray
    name: list[str]
    account_id: IntArray
    partner_id: IntArray
    owner_id: IntArray
    team_id: IntArray
    product_line_id: IntArray
    amount: IntArray
    currency: list[str]
    stage_id: IntArray
    probability: IntArray
    forecast_category: list[str]
    expected_close_day: IntArray
    close_day: IntArray
    source: list[str]
    lost_reason: list[str]
    created_at: IntArray
    stage_entered_at: IntArray
    change_deal_id: IntArray
    change_from: IntArray
    change_to: IntArray
    change_at: IntArray
    change_by: IntArray
    activity_kind: list[str]
    activity_subject: list[str]
    activity_owner: IntArray
    activity_deal: IntArray
    activity_partner: IntArray
    activity_account: IntArray
    activity_due: IntArray
    activity_done: IntArray
    activity_created: IntArray


def weekday(days: IntArray) -> IntArray:
    """Monday = 0 for day numbers counted from 1970-01-01 (a Thursday)."""
    return (days + 3) % 7


def civil_from_days(days: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """Year, month (1-12) and day of month of day numbers, vectorised."""
    as_dates = days.astype("datetime64[D]")
    years = as_dates.astype("datetime64[Y]")
    months = as_dates.astype("datetime64[M]")
    month_of_year = (months - years.astype("datetime64[M]")).astype(np.int64) + 1
    day_of_month = (as_dates - months.astype("datetime64[D]")).astype(np.int64) + 1
    return years.astype(np.int64) + 1970, month_of_year, day_of_month


def close_day_weights(start: int, end: int) -> FloatArray:
    """Relative chance that a deal closes on each day of ``[start, end)``."""
    days = np.arange(start, end, dtype=np.int64)
    _, month, dom = civil_from_days(days)
    w = np.asarray(MONTH_SEASONALITY, dtype=np.float64)[month - 1]
    w = w * np.exp(math.log1p(YEARLY_GROWTH) * (days - start) / 365.25)
    w = w * np.asarray(WEEKDAY_WEIGHT)[weekday(days)]
    december = month == 12
    w = np.where(december & (dom >= LATE_DECEMBER_DAY), w * LATE_DECEMBER_FACTOR, w)
    # The missing week is recovered by a busier start of December, as in real year ends.
    w = np.where(december & (dom < LATE_DECEMBER_DAY), w * 1.25, w)
    w = np.where(~december & (dom >= MONTH_END_DAY), w * MONTH_END_FACTOR, w)
    return np.asarray(w, dtype=np.float64)


def _pick(rng: np.random.Generator, weights: FloatArray) -> IntArray:
    """One column index per row of ``weights``, drawn in proportion; -1 where a row is all 0."""
    cum = np.cumsum(weights, axis=1)
    total = cum[:, -1]
    u = rng.random(len(weights)) * total
    idx = (cum <= u[:, None]).sum(axis=1).astype(np.int64)
    idx = np.minimum(idx, weights.shape[1] - 1)
    return np.where(total > 0, idx, NONE)


def _choice(rng: np.random.Generator, n: int, shares: list[float]) -> IntArray:
    p = np.asarray(shares, dtype=np.float64)
    return rng.choice(len(p), size=n, p=p / p.sum()).astype(np.int64)


def _staff_weights(people: People, days: IntArray) -> tuple[FloatArray, FloatArray]:
    """(volume weight, ramp 0..1) of every rep on each day: 0 before hiring and after leaving."""
    months_in = (days[:, None] - people.hired_day[None, :]) / 30.44
    ramp = np.clip(months_in / RAMP_MONTHS, 0.1, 1.0)
    employed = (months_in >= 0) & (days[:, None] <= people.left_day[None, :])
    return np.where(employed, people.volume[None, :] * ramp, 0.0), ramp


def deal_skeleton(
    world: World, n_deals: int, rng: np.random.Generator
) -> tuple[BoolArray, IntArray, IntArray, IntArray, IntArray]:
    """Outcome-free frame of every deal, sorted by creation: (is_open, reference day, line
    index, created_at, cycle end). The reference day is the close day of closed deals and
    today for open ones."""
    n_open = round(n_deals * OPEN_SHARE)
    n_closed = n_deals - n_open
    weights = close_day_weights(world.start, world.today)
    close_day = world.start + rng.choice(len(weights), size=n_closed, p=weights / weights.sum())
    line = _choice(rng, n_deals, list(world.lines.share))
    cycle = np.exp(rng.normal(0.0, 0.6, n_deals)) * world.lines.median_cycle_days[line]
    cycle = np.clip(np.round(cycle), 1, 540).astype(np.int64)
    age = np.clip(np.round(np.exp(rng.normal(math.log(35), 0.7, n_open))), 1, 365)
    ref_day = np.concatenate([close_day, np.full(n_open, world.today, dtype=np.int64)])
    created_day = np.concatenate([close_day - cycle[:n_closed], world.today - age.astype(np.int64)])
    created_at = created_day * DAY + rng.integers(7 * HOUR, 17 * HOUR, n_deals)
    closed_at = ref_day * DAY + rng.integers(8 * HOUR, 18 * HOUR, n_deals)
    # Open deals' history stops yesterday evening, so a reseed the same day is identical.
    closed_at[n_closed:] = (world.today - 1) * DAY + 18 * HOUR
    closed_at = np.maximum(closed_at, created_at + 600)
    is_open = np.arange(n_deals) >= n_closed
    order = np.argsort(created_at, kind="stable")
    return is_open[order], ref_day[order], line[order], created_at[order], closed_at[order]


def deal_chunks(
    world: World,
    n_deals: int,
    rng: np.random.Generator,
    *,
    first_id: int = 1,
    chunk_size: int = 50_000,
) -> Iterator[DealChunk]:
    is_open, ref_day, line, created_at, end_at = deal_skeleton(world, n_deals, rng)
    n_closed = int((~is_open).sum())
    closed_rate = CLOSED_ACTIVITIES_PER_DEAL * min(1.0, CLOSED_ACTIVITIES_BUDGET / max(n_closed, 1))
    for lo in range(0, n_deals, chunk_size):
        hi = min(n_deals, lo + chunk_size)
        yield _chunk(
            world,
            rng,
            ids=np.arange(first_id + lo, first_id + hi, dtype=np.int64),
            is_open=is_open[lo:hi],
            ref_day=ref_day[lo:hi],
            line=line[lo:hi],
            created_at=created_at[lo:hi],
            end_at=end_at[lo:hi],
            closed_activity_rate=closed_rate,
        )


def _chunk(
    world: World,
    rng: np.random.Generator,
    *,
    ids: IntArray,
    is_open: BoolArray,
    ref_day: IntArray,
    line: IntArray,
    created_at: IntArray,
    end_at: IntArray,
    closed_activity_rate: float,
) -> DealChunk:
    n = len(ids)
    people, accounts, partners, stages = world.people, world.accounts, world.partners, world.stages

    # Who owns it: reps in proportion to their volume, ramp-up and presence on the day.
    weights, ramp = _staff_weights(people, ref_day)
    for effect in world.effects:
        if effect.kind == "volume":
            after = ref_day >= effect.from_day
            weights[after, effect.index] *= effect.factor
    person = _pick(rng, weights)
    person = np.where(person < 0, int(np.argmax(people.volume)), person)
    rows = np.arange(n)
    owner_ramp = ramp[rows, person]
    team = people.team[person]

    # Which account: the rep's seat, key accounts more often (Zipf-like).
    rank_w = 1.0 / np.arange(1, accounts.per_seat + 1) ** 0.8
    rank_cum = np.cumsum(rank_w) / rank_w.sum()
    rank = np.minimum(np.searchsorted(rank_cum, rng.random(n)), accounts.per_seat - 1)
    acc = people.seat[person] * accounts.per_seat + rank

    # Through a partner of the same team, active on the day?
    via_partner = rng.random(n) < world.team_partner_share[team]
    p_ok = (
        (partners.team[None, :] == team[:, None])
        & (partners.start_day[None, :] <= ref_day[:, None])
        & (partners.end_day[None, :] >= ref_day[:, None])
    )
    partner_idx = _pick(rng, np.where(p_ok, partners.weight[None, :], 0.0))
    via_partner &= partner_idx >= 0
    partner_id = np.where(via_partner, partners.partner_id[np.maximum(partner_idx, 0)], NONE)
    source_idx = np.where(via_partner, 1, _choice(rng, n, DIRECT_SOURCE_SHARES))

    # Amount in EUR, then in the account's currency for most foreign deals.
    eur = (
        world.lines.median_amount[line]
        * accounts.size_factor[acc]
        * people.size[person]
        * np.exp(rng.normal(0.0, 0.8, n))
        * np.where(via_partner, 1.1, 1.0)
    )
    local = np.array(accounts.local_currency, dtype=object)[acc]
    in_local = (local != world.home_currency) & (rng.random(n) < 0.85)
    value = np.where(in_local, eur / accounts.local_rate[acc], eur)
    step = np.where(value >= 5000, 100, 10)
    amount = np.maximum(np.round(value / step) * step, 500).astype(np.int64)
    currency = np.where(in_local, local, world.home_currency).tolist()

    # Outcome and path through the stages.
    p_win = np.where(via_partner, world.partner_win_rate, world.direct_win_rate)
    p_win = p_win * people.win[person] * (0.55 + 0.45 * owner_ramp)
    for effect in world.effects:
        if effect.kind == "win":
            staged = (team == effect.index) & (ref_day >= effect.from_day)
            p_win = np.where(staged, p_win * effect.factor, p_win)
    won = ~is_open & (rng.random(n) < p_win)
    lost = ~is_open & ~won
    level = np.where(
        is_open,
        _choice(rng, n, OPEN_STAGE_SHARES),
        np.where(
            won, np.where(rng.random(n) < WON_FROM_PROPOSAL, 2, 3), _choice(rng, n, LOST_AT_SHARES)
        ),
    )  # index of the last open stage reached: 0 prospecting .. 3 negotiation
    visited = np.zeros((n, 5), dtype=bool)
    visited[:, PROSPECTING] = True
    skip_q = (level >= 2) & (rng.random(n) < SKIP_QUALIFICATION)
    visited[:, QUALIFICATION] = (level >= 1) & ~skip_q
    visited[:, PROPOSAL] = level >= 2
    visited[:, NEGOTIATION] = level >= 3
    visited[:, FINAL] = ~is_open
    slot_stage = np.tile(np.asarray(stages.ids[:5], dtype=np.int64), (n, 1))
    slot_stage[lost, FINAL] = stages.ids[5]

    times = np.empty((n, 5), dtype=np.int64)
    times[:, PROSPECTING] = created_at
    times[:, FINAL] = end_at
    span = (end_at - created_at).astype(np.float64)
    fractions = np.sort(rng.random((n, 3)), axis=1)
    times[:, 1:4] = created_at[:, None] + (fractions * span[:, None]).astype(np.int64)
    last_slot = 4 - np.argmax(visited[:, ::-1], axis=1)
    stage_entered_at = times[rows, last_slot]
    stage_id = slot_stage[rows, last_slot]
    stage_index = np.where(won, 4, np.where(lost, 5, level))
    probability = np.asarray(stages.probability, dtype=np.int64)[stage_index]
    forecast_category = np.array(stages.forecast_category, dtype=object)[stage_index].tolist()

    change_row, change_slot = np.nonzero(visited)
    change_to = slot_stage[change_row, change_slot]
    change_from = np.roll(change_to, 1)
    first = np.ones(len(change_row), dtype=bool)
    first[1:] = change_row[1:] != change_row[:-1]
    change_from[first] = NONE

    # Dates: closed deals close on their reference day; open ones are expected in the future.
    close_day = np.where(is_open, NONE, ref_day)
    horizon = np.asarray(OPEN_HORIZON_DAYS, dtype=np.int64)[np.minimum(level, 3)]
    ahead = rng.integers(horizon[:, 0], horizon[:, 1] + 1)
    ahead = np.where(rng.random(n) < SLIPPED_SHARE, -rng.integers(1, 31, n), ahead)
    expected_close_day = np.where(is_open, world.today + ahead, ref_day)

    lost_reason = np.where(
        lost, np.array(LOST_REASONS, dtype=object)[_choice(rng, n, LOST_REASON_SHARES)], ""
    ).tolist()
    owner_id = people.user_id[person]
    account_id = accounts.account_id[acc]
    product_pick = rng.integers(0, 1 << 30, n)
    names = [
        f"{accounts.short_name[a]} — {world.lines.product_names[ln][p % len(world.lines.product_names[ln])]}"
        for a, ln, p in zip(acc.tolist(), line.tolist(), product_pick.tolist(), strict=True)
    ]

    activities = _activities(
        rng,
        is_open=is_open,
        created_at=created_at,
        end_at=end_at,
        today=world.today,
        closed_rate=closed_activity_rate,
    )
    a_row, a_kind, a_subject, a_due, a_done = activities
    a_created = np.maximum(a_due - rng.integers(0, 3 * DAY, len(a_row)), created_at[a_row])
    a_created = np.minimum(a_created, (world.today - 1) * DAY + 18 * HOUR)

    return DealChunk(
        deal_id=ids,
        name=names,
        account_id=account_id,
        partner_id=partner_id,
        owner_id=owner_id,
        team_id=np.asarray(world.team_ids, dtype=np.int64)[team],
        product_line_id=world.lines.line_id[line],
        amount=amount,
        currency=currency,
        stage_id=stage_id,
        probability=probability,
        forecast_category=forecast_category,
        expected_close_day=expected_close_day,
        close_day=close_day,
        source=np.array(SOURCES, dtype=object)[source_idx].tolist(),
        lost_reason=lost_reason,
        created_at=created_at,
        stage_entered_at=stage_entered_at,
        change_deal_id=ids[change_row],
        change_from=change_from,
        change_to=change_to,
        change_at=times[change_row, change_slot],
        change_by=owner_id[change_row],
        activity_kind=a_kind,
        activity_subject=a_subject,
        activity_owner=owner_id[a_row],
        activity_deal=ids[a_row],
        activity_partner=partner_id[a_row],
        activity_account=account_id[a_row],
        activity_due=a_due,
        activity_done=a_done,
        activity_created=a_created,
    )


def _activities(
    rng: np.random.Generator,
    *,
    is_open: BoolArray,
    created_at: IntArray,
    end_at: IntArray,
    today: int,
    closed_rate: float,
) -> tuple[IntArray, list[str], list[str], IntArray, IntArray]:
    """(deal row, kind, subject, due, done) of the activities of a chunk: done ones during each
    deal's life, and an open next step due around today on most open deals."""
    n = len(is_open)
    rate = np.where(is_open, OPEN_PAST_ACTIVITIES_PER_DEAL, closed_rate)
    count = np.minimum(rng.poisson(rate), 4)
    past_row = np.repeat(np.arange(n), count)
    span = (end_at - created_at)[past_row]
    past_due = created_at[past_row] + (rng.random(len(past_row)) * span).astype(np.int64)
    next_row = np.nonzero(is_open & (rng.random(n) < OPEN_NEXT_STEP_SHARE))[0]
    next_due = (today + rng.integers(-3, 15, len(next_row))) * DAY + rng.integers(
        7, 17, len(next_row)
    ) * HOUR
    row = np.concatenate([past_row, next_row]).astype(np.int64)
    due = np.concatenate([past_due, next_due]).astype(np.int64)
    done = np.concatenate([past_due, np.full(len(next_row), NONE, dtype=np.int64)])
    order = np.argsort(row, kind="stable")
    row, due, done = row[order], due[order], done[order]
    kind_idx = _choice(rng, len(row), ACTIVITY_KIND_SHARES)
    subject_pick = rng.integers(0, 5, len(row))
    kinds = [ACTIVITY_KINDS[k] for k in kind_idx.tolist()]
    subjects = [ACTIVITY_SUBJECTS[k][s] for k, s in zip(kinds, subject_pick.tolist(), strict=True)]
    return row, kinds, subjects, due, done
