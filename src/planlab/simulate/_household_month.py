"""Compiled inner loops of the households' month (see ``households.step`` for the rules).

Rows are cut into fixed blocks, stepped in order on one thread (on the shared
two-core machine numba's threads lost to one: ``docs/households.md``, Speed). Each
block makes its choices (joining with slaughter first, leaving, removal) in one
short loop and then grows (animal births and deaths, the wealth drift, the
division of households) in a second loop over rows still in cache. Each block
draws from its own random stream (SplitMix64), seeded from one key taken from the
caller's generator, so a run repeats exactly from its seed, and would on threads;
the flows are summed per block and then in block order.

The draws follow the distributions the rules state: a uniform against the
logistic probability of joining, Poisson births and binomial deaths by
inversion, normal wealth shocks by the ziggurat. Exact bounds settle most
draws without the costly function: ``exp(-x) >= 1 - x`` means a uniform below
``1 - lam`` is a Poisson zero, and ``(1 - p)**n >= 1 - n p`` a binomial zero,
so most herds need only the leading bits of their uniforms.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

import numba
import numpy as np
from numpy.typing import NDArray

F = TypeVar("F", bound=Callable[..., Any])

Counts = NDArray[np.float32]
"""A column of whole counts (workers): float32 holds every count below 2**24 exactly, in
half the bytes."""


def cache_dir() -> Path:
    """Where compiled kernels are cached: ``PLANLAB_CACHE_DIR``, else the user's cache folder
    (``XDG_CACHE_HOME`` or ``~/.cache``) under ``planlab/numba``; never the installed package."""
    given = os.environ.get("PLANLAB_CACHE_DIR")
    if given:
        return Path(given)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "planlab" / "numba"


def _jit(**options: Any) -> Callable[[F], F]:
    """``numba.njit`` with the decorated function's type kept for the type checker, caching
    in ``cache_dir()`` unless numba has been given a cache folder of its own."""

    def decorate(func: F) -> F:
        config: Any = numba.config
        previous = config.CACHE_DIR
        config.CACHE_DIR = previous or str(cache_dir())
        try:
            return cast(F, numba.njit(cache=True, **options)(func))
        finally:
            config.CACHE_DIR = previous

    return decorate


BLOCK = 16_384
"""Rows per block: the unit of parallel work and of one random stream."""

INDIVIDUAL, REMOVED = 0, 4  # households.Status codes

# Layout of the parameter vector handed to the month kernel.
P_JOIN_CONST, P_JOIN_WEALTH, P_MEAN_WEALTH = 0, 1, 2
P_KILL, P_COLLECTIVE, P_MARKET_OPEN = 3, 4, 5
P_DRIFT_MU, P_DRIFT_SIGMA, P_HH_BIRTH, P_HH_DEATH = 6, 7, 8, 9
P_BIRTH, P_DEATH = 10, 14  # four animals each
P_SAVING, P_DEPRECIATION = 18, 19
N_PARAMS = 20

# Layout of the per-block flow sums (weighted).
F_JOINED, F_LEFT, F_REMOVED, F_BORN, F_DISSOLVED, F_TO_COLLECTIVES = 0, 1, 2, 3, 4, 5
F_SLAUGHTERED, F_CONFISCATED, F_ANIMAL_BIRTHS, F_ANIMAL_DEATHS = 6, 10, 14, 18
F_MIGRANTS, F_SETTLERS, F_FAMILIES_LEFT = 22, 23, 24
N_FLOWS = 25

_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_TO_UNIT = 1.0 / 9007199254740992.0
"""2**-53: 53 random bits to a uniform in [0, 1)."""

_PART = 10.0
"""Poisson and binomial draws are inverted in parts of at most this many expected events
(a numerical choice: the inversion's sums stay short and exact)."""


@_jit(inline="always")
def _mix(z: np.uint64) -> np.uint64:
    z = (z ^ (z >> _S30)) * _MIX1
    z = (z ^ (z >> _S27)) * _MIX2
    return z ^ (z >> _S31)


@_jit(inline="always")
def _uniform(state: np.uint64) -> tuple[np.uint64, float]:
    """SplitMix64: the next state and a uniform draw in [0, 1) with 53 random bits."""
    state = state + _GAMMA
    return state, float(_mix(state) >> _S11) * _TO_UNIT


@_jit()
def _stream(key: np.uint64, block: int) -> np.uint64:
    """Start of block ``block``'s random stream under ``key``."""
    return _mix(_mix(key ^ (np.uint64(block) * _GAMMA)) + _GAMMA)


@_jit()
def _poisson_at(lam: float, u: float, state: np.uint64) -> tuple[np.uint64, float]:
    """Inversion of Poisson(``lam``) at ``u``, in parts of at most 10 (sums of Poissons)."""
    total = 0.0
    first = True
    while lam > 0.0:
        part = min(lam, _PART)
        lam -= part
        if not first:
            state, u = _uniform(state)
        first = False
        p = math.exp(-part)
        cumulative = p
        k = 0
        while u >= cumulative and k < 400:
            k += 1
            p *= part / k
            cumulative += p
        total += k
    return state, total


@_jit()
def _binomial_at(n: int, p: float, u: float, state: np.uint64) -> tuple[np.uint64, float]:
    """Inversion of Binomial(``n``, ``p``) at ``u``, in parts with at most 10 expected."""
    if n <= 0 or p <= 0.0:
        return state, 0.0
    if p >= 1.0:
        return state, float(n)
    q = 1.0 - p
    ratio = p / q
    largest = max(1, int(_PART / p))
    total = 0.0
    first = True
    while n > 0:
        m = min(n, largest)
        n -= m
        if not first:
            state, u = _uniform(state)
        first = False
        prob = q**m
        cumulative = prob
        k = 0
        while u >= cumulative and k < m:
            prob *= (m - k) / (k + 1) * ratio
            k += 1
            cumulative += prob
        total += k
    return state, total


_LOW32 = np.uint64(0xFFFFFFFF)
_S32 = np.uint64(32)
_PER32 = 1.0 / 4294967296.0
"""2**-32: the leading 32 bits of a draw to a uniform."""


@_jit(inline="always")
def _herd_month(
    herd: float, birth_rate: float, death_rate: float, share: float, state: np.uint64
) -> tuple[np.uint64, float, float, float]:
    """A herd's Poisson births and binomial deaths, then its share of the row's new weight.

    One 64-bit draw gives the leading 32 bits of both uniforms. Most herds have no
    birth and no death, which those bits settle: ``(k + 1) / 2**32 <= 1 - lam`` means
    ``u < 1 - lam <= exp(-lam)``, so no birth (likewise ``1 - n p <= (1 - p)**n`` for
    deaths). Otherwise the rest of the uniform ``u = (k + v) / 2**32`` is drawn and
    inverted exactly. An empty herd keeps its place in the stream without mixing a draw.
    """
    state = state + _GAMMA
    if herd == 0.0:  # no animal to be born of or to die: the draw is skipped, not its place
        return state, 0.0, 0.0, 0.0
    bits = _mix(state)
    k_birth = float(bits >> _S32)
    k_death = float(bits & _LOW32)
    lam = herd * birth_rate
    born = 0.0
    if (k_birth + 1.0) * _PER32 > 1.0 - lam:
        state, v = _uniform(state)
        state, born = _poisson_at(lam, (k_birth + v) * _PER32, state)
    # A herd of 2.6 is two whole animals and six tenths of one (herds are shared out over
    # the row's weight); each of the three dies with the death rate, and the part-animal
    # removes its part, so that deaths expect ``herd * death_rate`` exactly.
    whole = int(herd)
    part = herd - whole
    count = whole + 1 if part > 0.0 else whole
    died = 0.0
    if (k_death + 1.0) * _PER32 > 1.0 - count * death_rate:
        state, v = _uniform(state)
        state, deaths = _binomial_at(count, death_rate, (k_death + v) * _PER32, state)
        died = deaths
        if deaths > 0.0 and part > 0.0:
            # Given the deaths, the part-animal is among them with probability deaths / count.
            state, w = _uniform(state)
            if w * count < deaths:
                died = deaths - 1.0 + part
    return state, (herd + (born - died)) * share, born, died


_ZIG_R = 3.6541528853610088
"""Where the ziggurat's tail begins (Marsaglia and Tsang 2000, 256 layers)."""

_ZIG_AREA = 0.00492867323397465524494
"""The area of each of the ziggurat's 256 layers (Marsaglia and Tsang 2000)."""


def _ziggurat_tables() -> tuple[NDArray[np.uint64], NDArray[np.float64], NDArray[np.float64]]:
    """Marsaglia and Tsang's ziggurat for the standard normal: 256 layers of equal area
    (the base layer with the tail), for 52-bit draws (as numpy's own normal)."""
    scale = 2.0**52
    r, area = _ZIG_R, _ZIG_AREA
    k, w, f = np.zeros(256), np.zeros(256), np.zeros(256)
    x = r
    q = area / math.exp(-0.5 * x * x)
    k[0] = x / q * scale
    w[0], w[255] = q / scale, x / scale
    f[0], f[255] = 1.0, math.exp(-0.5 * x * x)
    outer = x
    for i in range(254, 0, -1):
        x = math.sqrt(-2.0 * math.log(area / x + math.exp(-0.5 * x * x)))
        k[i + 1] = x / outer * scale
        outer = x
        f[i] = math.exp(-0.5 * x * x)
        w[i] = x / scale
    return k.astype(np.uint64), w, f


_ZIG_K, _ZIG_W, _ZIG_F = _ziggurat_tables()
for _table in (_ZIG_K, _ZIG_W, _ZIG_F):
    _table.flags.writeable = False
_LOW8 = np.uint64(0xFF)
_S8, _S9 = np.uint64(8), np.uint64(9)
_ONE = np.uint64(1)
_LOW52 = np.uint64(0x000FFFFFFFFFFFFF)


@_jit()
def _normal(state: np.uint64) -> tuple[np.uint64, float]:
    """A standard normal draw by the ziggurat (one 64-bit draw on 99% of calls)."""
    while True:
        state = state + _GAMMA
        bits = _mix(state)
        layer = bits & _LOW8
        negative = (bits >> _S8) & _ONE
        value = (bits >> _S9) & _LOW52
        x = float(value) * _ZIG_W[layer]
        if negative:
            x = -x
        if value < _ZIG_K[layer]:
            return state, x
        if layer == 0:  # the tail beyond r
            while True:
                state, u1 = _uniform(state)
                state, u2 = _uniform(state)
                xx = -math.log1p(-u1) / _ZIG_R
                yy = -math.log1p(-u2)
                if yy + yy > xx * xx:
                    return state, -(_ZIG_R + xx) if negative else _ZIG_R + xx
        else:
            state, u = _uniform(state)
            if (_ZIG_F[layer - 1] - _ZIG_F[layer]) * u + _ZIG_F[layer] < math.exp(-0.5 * x * x):
                return state, x


@_jit()
def mean_wealth_sums(
    status: NDArray[np.int8], wealth: NDArray[np.float64], weight: NDArray[np.float64]
) -> tuple[float, float]:
    """Weighted wealth and weight of the households present, summed block by block."""
    n = status.size
    blocks = (n + BLOCK - 1) // BLOCK
    sums = np.zeros((blocks, 2))
    for b in range(blocks):
        wealth_sum = 0.0
        weight_sum = 0.0
        for i in range(b * BLOCK, min(n, (b + 1) * BLOCK)):
            if status[i] != REMOVED:
                wealth_sum += wealth[i] * weight[i]
                weight_sum += weight[i]
        sums[b, 0] = wealth_sum
        sums[b, 1] = weight_sum
    return sums[:, 0].sum(), sums[:, 1].sum()


@_jit(inline="always")
def _slaughter(herd: float, kill: float, state: np.uint64) -> tuple[np.uint64, float]:
    """What a joining household kills or sells of a herd: ``floor(herd * kill + u)``."""
    state, u = _uniform(state)
    return state, min(math.floor(herd * kill + u), herd)


@_jit(error_model="numpy")
def _choices(
    lo: int,
    hi: int,
    state: np.uint64,
    region: NDArray[np.int8],
    weight: NDArray[np.float64],
    horses: NDArray[np.float64],
    cattle: NDArray[np.float64],
    pigs: NDArray[np.float64],
    sheep_goats: NDArray[np.float64],
    wealth: NDArray[np.float64],
    contributed: NDArray[np.float64],
    status: NDArray[np.int8],
    kulak: NDArray[np.bool_],
    chosen: NDArray[np.bool_],
    family: NDArray[np.float64],
    workers: Counts,
    push: NDArray[np.float64],
    leave: NDArray[np.float64],
    premium: NDArray[np.float64],
    migration: NDArray[np.float64],
    params: NDArray[np.float64],
    out: NDArray[np.float64],
) -> np.uint64:
    """Rows ``lo:hi``: joining (with slaughter first), leaving, removal and workers leaving
    for towns (a family whose last worker goes leaves whole); sums into ``out``."""
    join_const = params[P_JOIN_CONST]
    join_wealth = params[P_JOIN_WEALTH]
    per_mean = 1.0 / params[P_MEAN_WEALTH]
    kill = params[P_KILL]
    collective = np.int8(int(params[P_COLLECTIVE]))
    removing = chosen.size > 0
    joined = left = removed = to_collectives = 0.0
    migrants = settlers = families_left = 0.0
    s0 = s1 = s2 = s3 = c0 = c1 = c2 = c3 = 0.0
    for i in range(lo, hi):
        st = status[i]
        if st == REMOVED:
            continue
        if st == INDIVIDUAL:
            if not kulak[i]:
                x = join_const + push[region[i]]
                x -= join_wealth * (wealth[i] * per_mean - 1.0)
                state, u = _uniform(state)
                if x >= 0.0:
                    joins = u < 0.5 or u < 1.0 / (1.0 + math.exp(-x))
                else:
                    y = -x  # 1 + exp(y) >= 2 + y + y^2/2 bounds the probability
                    joins = u * (2.0 + y + 0.5 * y * y) < 1.0 and u < 1.0 / (1.0 + math.exp(y))
                if joins:
                    w = weight[i]
                    state, k0 = _slaughter(horses[i], kill, state)
                    state, k1 = _slaughter(cattle[i], kill, state)
                    state, k2 = _slaughter(pigs[i], kill, state)
                    state, k3 = _slaughter(sheep_goats[i], kill, state)
                    horses[i] -= k0
                    cattle[i] -= k1
                    pigs[i] -= k2
                    sheep_goats[i] -= k3
                    s0 += k0 * w
                    s1 += k1 * w
                    s2 += k2 * w
                    s3 += k3 * w
                    contributed[i] = wealth[i]
                    status[i] = collective
                    joined += w
        elif leave[region[i]] > 0.0:  # a member, where pressure has eased below memory
            gap = premium[i] if premium.size == status.size else premium[region[i]]
            state, u = _uniform(state)
            if gap > 0.0 and u < -math.expm1(-leave[region[i]] * gap):
                status[i] = INDIVIDUAL
                contributed[i] = 0.0  # the leaver takes back what it brought
                left += weight[i]
        if removing and chosen[i]:
            w = weight[i]
            settlers += workers[i] * w
            c0 += horses[i] * w
            c1 += cattle[i] * w
            c2 += pigs[i] * w
            c3 += sheep_goats[i] * w
            to_collectives += wealth[i] * w
            horses[i] = cattle[i] = pigs[i] = sheep_goats[i] = 0.0
            wealth[i] = 0.0
            removed += w
            status[i] = REMOVED
            continue
        m = migration[region[i]]
        if m <= 0.0:
            continue
        n_workers = int(workers[i])
        state, u = _uniform(state)
        if u < 1.0 - n_workers * m:  # (1 - m)**n >= 1 - n m: nobody leaves
            continue
        state, gone = _binomial_at(n_workers, m, u, state)
        if gone <= 0.0:
            continue
        w = weight[i]
        migrants += gone * w
        workers[i] -= gone
        family[i] = max(family[i] - gone, 0.0)
        if workers[i] <= 0.0:  # the last worker went: the family leaves whole, selling its herd
            s0 += horses[i] * w
            s1 += cattle[i] * w
            s2 += pigs[i] * w
            s3 += sheep_goats[i] * w
            horses[i] = cattle[i] = pigs[i] = sheep_goats[i] = 0.0
            families_left += w
            status[i] = REMOVED
    out[F_JOINED], out[F_LEFT], out[F_REMOVED] = joined, left, removed
    out[F_MIGRANTS], out[F_SETTLERS], out[F_FAMILIES_LEFT] = migrants, settlers, families_left
    out[F_TO_COLLECTIVES] = to_collectives
    out[F_SLAUGHTERED], out[F_SLAUGHTERED + 1] = s0, s1
    out[F_SLAUGHTERED + 2], out[F_SLAUGHTERED + 3] = s2, s3
    out[F_CONFISCATED], out[F_CONFISCATED + 1] = c0, c1
    out[F_CONFISCATED + 2], out[F_CONFISCATED + 3] = c2, c3
    return state


@_jit(error_model="numpy")
def _growth(
    lo: int,
    hi: int,
    state: np.uint64,
    weight: NDArray[np.float64],
    horses: NDArray[np.float64],
    cattle: NDArray[np.float64],
    pigs: NDArray[np.float64],
    sheep_goats: NDArray[np.float64],
    land: NDArray[np.float64],
    implements: NDArray[np.float64],
    grain: NDArray[np.float64],
    wealth: NDArray[np.float64],
    contributed: NDArray[np.float64],
    income: NDArray[np.float64],
    status: NDArray[np.int8],
    params: NDArray[np.float64],
    out: NDArray[np.float64],
) -> np.uint64:
    """Rows ``lo:hi`` still present: herds, accumulation from income, division; sums into
    ``out``."""
    market_open = params[P_MARKET_OPEN] > 0.0
    saving = params[P_SAVING]
    kept = 1.0 - params[P_DEPRECIATION]
    mu = params[P_DRIFT_MU]
    sigma = params[P_DRIFT_SIGMA]
    hh_birth = params[P_HH_BIRTH]
    hh_death = params[P_HH_DEATH]
    b0, b1, b2, b3 = params[P_BIRTH], params[P_BIRTH + 1], params[P_BIRTH + 2], params[P_BIRTH + 3]
    d0, d1, d2, d3 = params[P_DEATH], params[P_DEATH + 1], params[P_DEATH + 2], params[P_DEATH + 3]
    born = dissolved = 0.0
    nb0 = nb1 = nb2 = nb3 = nd0 = nd1 = nd2 = nd3 = 0.0
    for i in range(lo, hi):
        st = status[i]
        if st == REMOVED:
            continue  # nothing happens to a removed row (its division factor is 1)
        w = weight[i]
        # households divide and dissolve: the row's holdings are shared out
        births = hh_birth * w
        deaths = hh_death * w
        new_weight = w + births - deaths
        share = w / new_weight
        born += births
        dissolved += deaths
        # animals are born and die
        state, horses[i], x0, y0 = _herd_month(horses[i], b0, d0, share, state)
        state, cattle[i], x1, y1 = _herd_month(cattle[i], b1, d1, share, state)
        state, pigs[i], x2, y2 = _herd_month(pigs[i], b2, d2, share, state)
        state, sheep_goats[i], x3, y3 = _herd_month(sheep_goats[i], b3, d3, share, state)
        nb0 += x0 * w
        nb1 += x1 * w
        nb2 += x2 * w
        nb3 += x3 * w
        nd0 += y0 * w
        nd1 += y1 * w
        nd2 += y2 * w
        nd3 += y3 * w
        # wealth: the saved part of the month's net income, less wear; a member's saving
        # stays in the collective's fund (its contributed capital); an individual farm
        # turns its surplus into property only while the market is open
        value = wealth[i]
        fund = contributed[i]
        if st == INDIVIDUAL:
            if market_open:
                value += saving * income[i]
                state, z = _normal(state)
                value *= math.exp(mu + sigma * z)
        else:
            value += saving * income[i]
            fund = max(fund + saving * income[i], 0.0) * kept
        wealth[i] = max(value, 0.0) * kept * share
        land[i] *= share
        implements[i] *= share
        grain[i] *= share
        contributed[i] = min(fund, wealth[i] / share) * share
        weight[i] = new_weight
    out[F_BORN], out[F_DISSOLVED] = born, dissolved
    out[F_ANIMAL_BIRTHS], out[F_ANIMAL_BIRTHS + 1] = nb0, nb1
    out[F_ANIMAL_BIRTHS + 2], out[F_ANIMAL_BIRTHS + 3] = nb2, nb3
    out[F_ANIMAL_DEATHS], out[F_ANIMAL_DEATHS + 1] = nd0, nd1
    out[F_ANIMAL_DEATHS + 2], out[F_ANIMAL_DEATHS + 3] = nd2, nd3
    return state


@_jit()
def month(
    region: NDArray[np.int8],
    weight: NDArray[np.float64],
    horses: NDArray[np.float64],
    cattle: NDArray[np.float64],
    pigs: NDArray[np.float64],
    sheep_goats: NDArray[np.float64],
    land: NDArray[np.float64],
    implements: NDArray[np.float64],
    grain: NDArray[np.float64],
    wealth: NDArray[np.float64],
    contributed: NDArray[np.float64],
    status: NDArray[np.int8],
    kulak: NDArray[np.bool_],
    chosen: NDArray[np.bool_],
    family: NDArray[np.float64],
    workers: Counts,
    income: NDArray[np.float64],
    push: NDArray[np.float64],
    leave: NDArray[np.float64],
    premium: NDArray[np.float64],
    migration: NDArray[np.float64],
    params: NDArray[np.float64],
    key: np.uint64,
) -> NDArray[np.float64]:
    """One month of every household, in place; returns the flows summed over rows.

    Each block of rows makes its choices (join, leave, removal, migration) and then
    grows (herds, wealth from income, division), two short loops over data still in cache.
    """
    n = status.size
    blocks = (n + BLOCK - 1) // BLOCK
    flows = np.zeros((blocks, N_FLOWS))
    for b in range(blocks):
        lo, hi = b * BLOCK, min(n, (b + 1) * BLOCK)
        out = flows[b]
        state = _stream(key, b)
        state = _choices(
            lo, hi, state, region, weight, horses, cattle, pigs, sheep_goats,
            wealth, contributed, status, kulak, chosen, family, workers, push, leave,
            premium, migration, params, out,
        )  # fmt: skip
        _growth(
            lo, hi, state, weight, horses, cattle, pigs, sheep_goats, land,
            implements, grain, wealth, contributed, income, status, params, out,
        )  # fmt: skip
    total: NDArray[np.float64] = flows.sum(axis=0)
    return total


@_jit()
def grown(
    region: NDArray[np.int8],
    land: NDArray[np.float64],
    horses: NDArray[np.float64],
    status: NDArray[np.int8],
    member_yield: NDArray[np.float64],
    yield_per_ha: float,
    ha_per_horse: float,
    elasticity: float,
    hired: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Each household's grain: a member's land at its region's collective yield; an
    individual farm's at the full yield times the share its own horses and the draught it
    hires (``hired``, per region, the share of its shortfall covered) can work, to the power
    ``elasticity``; nothing for a removed household."""
    out = np.empty(region.size)
    for i in range(region.size):
        if status[i] == REMOVED:
            out[i] = 0.0
        elif status[i] > INDIVIDUAL:
            out[i] = land[i] * member_yield[region[i]]
        else:
            need = land[i] / ha_per_horse
            own = min(1.0, horses[i] / need) if need > 0 else 1.0
            own += (1.0 - own) * hired[region[i]]
            worked = math.sqrt(own) if elasticity == 0.5 else own**elasticity
            out[i] = land[i] * yield_per_ha * worked
    return out


# --- the measures and the farms' month: one compiled pass where numpy took several ----------

KINDS = 4
"""Status codes below ``REMOVED``: individual (0) and the three collective types (1-3)."""

C_PRESENT, C_MEMBERS, C_WORKERS, C_HERDS = 0, 1, 2, 3  # four animals
C_GRAIN, C_LAND, C_SOWN_LAND, C_INDIVIDUAL = 7, 8, 9, 10
N_CENSUS = 11


@_jit()
def census_sums(
    status: NDArray[np.int8],
    weight: NDArray[np.float64],
    workers: Counts,
    horses: NDArray[np.float64],
    cattle: NDArray[np.float64],
    pigs: NDArray[np.float64],
    sheep_goats: NDArray[np.float64],
    grain: NDArray[np.float64],
    land: NDArray[np.float64],
    sown: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Weighted totals over the households present, in one pass (layout ``C_*``): households,
    members, workers, the four herds, grain stocks, land, land times its sown share, and
    individual farms. ``sown`` may be empty (then the sown land is 0)."""
    out = np.zeros(N_CENSUS)
    with_sown = sown.size == status.size
    for i in range(status.size):
        st = status[i]
        if st == REMOVED:
            continue
        w = weight[i]
        out[C_PRESENT] += w
        if st != INDIVIDUAL:
            out[C_MEMBERS] += w
        else:
            out[C_INDIVIDUAL] += w
        out[C_WORKERS] += workers[i] * w
        out[C_HERDS] += horses[i] * w
        out[C_HERDS + 1] += cattle[i] * w
        out[C_HERDS + 2] += pigs[i] * w
        out[C_HERDS + 3] += sheep_goats[i] * w
        out[C_GRAIN] += grain[i] * w
        out[C_LAND] += land[i] * w
        if with_sown:
            out[C_SOWN_LAND] += land[i] * w * sown[i]
    return out


@_jit()
def sampled_groups(
    status: NDArray[np.int8], limit: int
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Even samples of the rows present, of the collective members and of the individual
    farms: of each group's rows in row order every ``step``-th, ``step`` the least that
    keeps at most ``limit`` rows (the sample ``households.gini`` takes of a masked column),
    in two passes over the status column for all three."""
    present = members = 0
    for i in range(status.size):
        st = status[i]
        if st != REMOVED:
            present += 1
            if st != INDIVIDUAL:
                members += 1
    counts = (present, members, present - members)
    steps = [1 if c <= limit else (c + limit - 1) // limit for c in counts]
    out_present = np.empty((counts[0] + steps[0] - 1) // steps[0], dtype=np.int64)
    out_members = np.empty((counts[1] + steps[1] - 1) // steps[1], dtype=np.int64)
    out_alone = np.empty((counts[2] + steps[2] - 1) // steps[2], dtype=np.int64)
    seen = np.zeros(3, dtype=np.int64)
    taken = np.zeros(3, dtype=np.int64)
    for i in range(status.size):
        st = status[i]
        if st == REMOVED:
            continue
        if seen[0] % steps[0] == 0:
            out_present[taken[0]] = i
            taken[0] += 1
        seen[0] += 1
        g = 1 if st != INDIVIDUAL else 2
        if seen[g] % steps[g] == 0:
            if g == 1:
                out_members[taken[1]] = i
            else:
                out_alone[taken[2]] = i
            taken[g] += 1
        seen[g] += 1
    return out_present, out_members, out_alone


@_jit()
def kind_sums(
    status: NDArray[np.int8],
    weight: NDArray[np.float64],
    contributed: NDArray[np.float64],
    workers: Counts,
    values: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Per status code below ``REMOVED`` (rows), the weighted sums of ``values``, of
    contributed capital and of workers, and the number of rows (columns 0-3)."""
    out = np.zeros((KINDS, 4))
    for i in range(status.size):
        st = status[i]
        if st == REMOVED:
            continue
        w = weight[i]
        out[st, 0] += values[i] * w
        out[st, 1] += contributed[i] * w
        out[st, 2] += workers[i] * w
        out[st, 3] += 1.0
    return out


@_jit()
def division_rates(
    sums: NDArray[np.float64], capital_return: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Per status code, what a collective pays per rouble contributed and per worker
    (columns 0 and 1) out of its income ``sums[:, 0]`` (``kind_sums``): the capital part is
    ``capital_return`` of the income, shared by contributed capital, the rest per worker;
    nothing where the kind has no members or no income, and no capital part where nothing
    is contributed. Row 0 (individual farms) pays nothing."""
    rates = np.zeros((KINDS, 2))
    for kind in range(1, KINDS):
        income, capital, labour, rows = sums[kind, 0], sums[kind, 1], sums[kind, 2], sums[kind, 3]
        if rows == 0.0 or income <= 0.0:
            continue
        share = capital_return[kind] if capital > 0.0 else 0.0
        if share > 0.0:
            rates[kind, 0] = share * income / capital
        rates[kind, 1] = (1.0 - share) * income / max(labour, 1e-12)
    return rates


@_jit(inline="always")
def _paid(rates: NDArray[np.float64], kind: int, contributed: float, workers: float) -> float:
    """What a member of a collective of ``kind`` is paid at ``rates`` (``division_rates``)."""
    return float(rates[kind, 0] * contributed + rates[kind, 1] * workers)


@_jit()
def divided(
    status: NDArray[np.int8],
    contributed: NDArray[np.float64],
    workers: Counts,
    rates: NDArray[np.float64],
    mask: NDArray[np.bool_],
) -> NDArray[np.float64]:
    """Each member's part of its collective's income at ``rates`` (``division_rates``); 0 for
    individual farms, removed households and rows outside ``mask`` (empty: every row)."""
    out = np.zeros(status.size)
    masked = mask.size == status.size
    for i in range(status.size):
        st = status[i]
        if st in (INDIVIDUAL, REMOVED) or (masked and not mask[i]):
            continue
        out[i] = _paid(rates, st, contributed[i], workers[i])
    return out


@_jit()
def member_stats(
    status: NDArray[np.int8], weight: NDArray[np.float64], incomes: NDArray[np.float64]
) -> tuple[float, float]:
    """Weighted mean of ``incomes`` over collective members, and the members' weight."""
    total = weight_sum = 0.0
    for i in range(status.size):
        if INDIVIDUAL < status[i] < REMOVED:
            total += incomes[i] * weight[i]
            weight_sum += weight[i]
    return (total / weight_sum if weight_sum > 0.0 else 0.0), weight_sum


@_jit()
def members_above(
    status: NDArray[np.int8],
    weight: NDArray[np.float64],
    incomes: NDArray[np.float64],
    threshold: float,
) -> float:
    """Weight of the collective members whose income lies above ``threshold``."""
    total = 0.0
    for i in range(status.size):
        if INDIVIDUAL < status[i] < REMOVED and incomes[i] > threshold:
            total += weight[i]
    return total


@_jit()
def members_paid_above(
    status: NDArray[np.int8],
    weight: NDArray[np.float64],
    contributed: NDArray[np.float64],
    workers: Counts,
    rates: NDArray[np.float64],
    threshold: float,
) -> float:
    """``members_above`` of the incomes ``divided`` pays at ``rates``, without building them."""
    total = 0.0
    for i in range(status.size):
        st = status[i]
        member = INDIVIDUAL < st < REMOVED
        if member and _paid(rates, st, contributed[i], workers[i]) > threshold:
            total += weight[i]
    return total


@_jit()
def farm_sums(
    status: NDArray[np.int8],
    region: NDArray[np.int8],
    weight: NDArray[np.float64],
    grown: NDArray[np.float64],
    sown: NDArray[np.float64],
    mechanised: NDArray[np.float64],
    yield_per_ha: float,
    scale_gain: float,
    regions: int,
) -> tuple[float, NDArray[np.float64]]:
    """The hectares the households present sow and work (weighted): each one's normal-season
    grain on the land it sows over the yield of a fully worked hectare, a member's with its
    collective's scale gain from machines divided out; and per region the weighted grain on
    sown land and weight of individual farms (rows 0, 1) and of members (rows 2, 3)."""
    area = 0.0
    by_region = np.zeros((4, regions))
    for i in range(status.size):
        st = status[i]
        if st == REMOVED:
            continue
        w = weight[i]
        on_sown = grown[i] * sown[i]
        gain = 1.0 + scale_gain * mechanised[region[i]] if st != INDIVIDUAL else 1.0
        area += on_sown / (yield_per_ha * gain) * w
        row = 0 if st == INDIVIDUAL else 2
        by_region[row, region[i]] += on_sown * w
        by_region[row + 1, region[i]] += w
    return area, by_region


@_jit()
def herd_index(
    status: NDArray[np.int8],
    weight: NDArray[np.float64],
    horses: NDArray[np.float64],
    cattle: NDArray[np.float64],
    pigs: NDArray[np.float64],
    sheep_goats: NDArray[np.float64],
    units: NDArray[np.float64],
) -> float:
    """The herds of the households present in livestock units (``units`` per head)."""
    total = 0.0
    for i in range(status.size):
        if status[i] != REMOVED:
            head = units[0] * horses[i] + units[1] * cattle[i]
            head += units[2] * pigs[i] + units[3] * sheep_goats[i]
            total += head * weight[i]
    return total


@_jit()
def tax_wealth(
    status: NDArray[np.int8],
    weight: NDArray[np.float64],
    wealth: NDArray[np.float64],
    monthly_rate: float,
    above_mean: float,
) -> float:
    """Takes ``monthly_rate`` of each individual farm's wealth above ``above_mean`` times the
    individual farms' weighted mean wealth (in place); returns the weighted total taken."""
    total = weight_sum = 0.0
    for i in range(status.size):
        if status[i] == INDIVIDUAL:
            total += wealth[i] * weight[i]
            weight_sum += weight[i]
    if weight_sum <= 0.0:
        return 0.0
    limit = above_mean * total / weight_sum
    taken = 0.0
    for i in range(status.size):
        if status[i] == INDIVIDUAL and wealth[i] > limit:
            cut = monthly_rate * (wealth[i] - limit)
            wealth[i] -= cut
            taken += cut * weight[i]
    return taken


@_jit()
def status_weights(status: NDArray[np.int8], weight: NDArray[np.float64]) -> NDArray[np.float64]:
    """The weight of the households of each status code (individual, the three collective
    types, removed)."""
    out = np.zeros(REMOVED + 1)
    for i in range(status.size):
        out[status[i]] += weight[i]
    return out


@_jit()
def present_sum(
    status: NDArray[np.int8], weight: NDArray[np.float64], values: NDArray[np.floating[Any]]
) -> float:
    """The weighted total of ``values`` over the households present."""
    total = 0.0
    for i in range(status.size):
        if status[i] != REMOVED:
            total += values[i] * weight[i]
    return total
