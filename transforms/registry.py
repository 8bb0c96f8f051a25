"""The outlet registry (resources/outlets.yaml): who an outlet is, validated on load.

Lookup by id, name, alias (case- and space-insensitive) or web domain.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit


from .errors import ResourceError
from .resource_files import load_yaml

# "author": a columnist or writer pool that record sources name instead of an outlet;
# matched in record fields only, never in running text.
TYPES = ("outlet", "wire", "aggregator", "republisher", "content_farm", "broadcaster", "author")
OWNERSHIPS = ("state", "public_service", "private", "unknown")
LEANS = ("left", "lean_left", "center", "lean_right", "right", "mixed")
_ID = re.compile(r"^[a-z0-9_]+$")
_ISO2 = re.compile(r"^[A-Z]{2}$")


@dataclass(frozen=True)
class Signature:
    pattern: re.Pattern[str]
    weight: float
    note: str


@dataclass(frozen=True)
class Outlet:
    id: str
    name: str
    aliases: tuple[str, ...]
    domains: tuple[str, ...]
    country: str | None
    languages: tuple[str, ...]
    type: str
    ownership: str
    state_affiliation: str | None
    lean: str | None
    lean_source: str | None
    signatures: tuple[Signature, ...] = ()

    def as_row(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "type": self.type, "country": self.country,
            "languages": ",".join(self.languages), "ownership": self.ownership,
            "state_affiliation": self.state_affiliation, "lean": self.lean,
            "domains": ",".join(self.domains), "aliases": "; ".join(self.aliases),
        }


def norm_name(name: str) -> str:
    return re.sub(r"\s+", " ", name).strip().casefold()


@dataclass(frozen=True, eq=False)  # hashed by identity: one loaded registry, cached matchers
class Registry:
    version: str
    outlets: tuple[Outlet, ...]
    _by_name: dict[str, Outlet] = field(repr=False)
    _by_domain: dict[str, Outlet] = field(repr=False)

    def get(self, outlet_id: str) -> Outlet | None:
        return self._by_name.get(norm_name(outlet_id)) if outlet_id else None

    def by_name(self, name: str | None) -> Outlet | None:
        """Exact id/name/alias match, case- and whitespace-insensitive."""
        if not name:
            return None
        return self._by_name.get(norm_name(name))

    def by_url(self, url: str | None) -> Outlet | None:
        """Outlet whose domain is the url's host or a parent of it."""
        if not url:
            return None
        try:
            host = (urlsplit(url if "//" in url else f"//{url}").hostname or "").lower()
        except ValueError:
            return None
        parts = host.split(".")
        for i in range(len(parts) - 1):
            hit = self._by_domain.get(".".join(parts[i:]))
            if hit:
                return hit
        return None

    def names(self) -> list[tuple[str, Outlet]]:
        """Every (name or alias, outlet), for building text matchers."""
        out = []
        for o in self.outlets:
            for n in (o.name, *o.aliases):
                out.append((n, o))
        return out


def _opt_iso2(value: Any, where: str, key: str) -> str | None:
    if value in (None, ""):
        return None
    if not (isinstance(value, str) and _ISO2.match(value)):
        raise ResourceError(f"{where}: {key} {value!r} is not an ISO 3166 alpha-2 code")
    return value


def _outlet(doc: Any, i: int) -> Outlet:
    where = f"outlets.yaml outlet {i + 1}"
    if not isinstance(doc, dict):
        raise ResourceError(f"{where}: must be a mapping")
    oid = doc.get("id")
    if not (isinstance(oid, str) and _ID.match(oid)):
        raise ResourceError(f"{where}: id {oid!r} must match [a-z0-9_]+")
    where = f"outlets.yaml outlet {oid!r}"
    name = doc.get("name")
    if not (isinstance(name, str) and name.strip()):
        raise ResourceError(f"{where}: name is required")
    for key, allowed in (("type", TYPES), ("ownership", OWNERSHIPS)):
        if doc.get(key) not in allowed:
            raise ResourceError(f"{where}: {key} {doc.get(key)!r} not one of {allowed}")
    if doc.get("lean") not in (None, *LEANS):
        raise ResourceError(f"{where}: lean {doc.get('lean')!r} not one of {LEANS} or null")
    sigs = []
    for s in doc.get("signatures") or []:
        try:
            pattern = re.compile(s["pattern"], re.MULTILINE)
            weight = float(s.get("weight", 0.5))
        except (KeyError, TypeError, ValueError, re.error) as exc:
            raise ResourceError(f"{where}: bad signature {s!r}: {exc}") from exc
        if not 0 < weight <= 1:
            raise ResourceError(f"{where}: signature weight {weight} not in (0, 1]")
        sigs.append(Signature(pattern, weight, str(s.get("note", ""))))
    return Outlet(
        id=oid, name=name.strip(),
        aliases=tuple(a.strip() for a in doc.get("aliases") or [] if isinstance(a, str) and a.strip()),
        domains=tuple(d.strip().lower() for d in doc.get("domains") or []),
        country=_opt_iso2(doc.get("country"), where, "country"),
        languages=tuple(doc.get("languages") or ()),
        type=doc["type"], ownership=doc["ownership"],
        state_affiliation=_opt_iso2(doc.get("state_affiliation"), where, "state_affiliation"),
        lean=doc.get("lean"), lean_source=doc.get("lean_source"),
        signatures=tuple(sigs),
    )


def build_registry(doc: Any) -> Registry:
    if not isinstance(doc, dict) or "version" not in doc or not isinstance(doc.get("outlets"), list):
        raise ResourceError("outlets.yaml: needs a 'version' and a list of 'outlets'")
    outlets = tuple(_outlet(d, i) for i, d in enumerate(doc["outlets"]))
    by_name: dict[str, Outlet] = {}
    by_domain: dict[str, Outlet] = {}
    for o in outlets:
        for n in {norm_name(x) for x in (o.id, o.name, *o.aliases)}:
            if n in by_name and by_name[n].id != o.id:
                raise ResourceError(f"outlets.yaml: name/alias {n!r} used by both {by_name[n].id!r} and {o.id!r}")
            by_name[n] = o
        for d in o.domains:
            if d in by_domain and by_domain[d].id != o.id:
                raise ResourceError(f"outlets.yaml: domain {d!r} used by both {by_domain[d].id!r} and {o.id!r}")
            by_domain[d] = o
    return Registry(str(doc["version"]), outlets, by_name, by_domain)


@functools.cache
def load_registry() -> Registry:
    """The packaged outlet registry (cached)."""
    return build_registry(load_yaml("outlets.yaml"))
