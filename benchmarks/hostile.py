"""Hostile input against the API, counted: every text field of every write, every list, search and cursor
parameter, tried with the hostile values, through the real app (`httpx.ASGITransport`) on each store.

    .venv/bin/python benchmarks/hostile.py [--postgres postgresql://postgres@127.0.0.1:5432/onss_bench]

Prints one JSON object: per store, how many requests were sent and their answers by status class
(2xx, 4xx, 5xx), the 4xx by status, and any request answered 5xx or not at all (none expected).
The store is a fresh SQLite file (and the PostgreSQL database named, emptied first) holding a small
enterprise: its legal representative, who is also its Main Access Manager, a user, a provider.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import platform
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from sqlmodel import Session

from onss_tui.api.main import create_app
from onss_tui.domain.quarters import Quarter
from onss_tui.services.local import registry
from onss_tui.services.local.service import LocalService
from onss_tui.services.local.store import make_engine, open_store
from onss_tui.services.local.tables import Designation
from onss_tui.services.local.tokens import issue_token

SECRET = "hostile-benchmark-secret-0123456789abcdef"
MANY = 100_000
TEXTS = {
    "10MB": "x" * 10_000_000,
    "nul": "Anne\x00",
    "clear_screen": "\x1b[2J",
    "surrogate": "\ud800",
    "right_to_left": "abc\u202edef",
    "closing_tag": "[/]",
    "bold_markup": "[bold]x[/]",
    "emoji": "Anne 👩‍💼",
    "combining_marks": "a" + "\u0301" * 2000,
}


def _niss(base: str) -> str:
    return f"{base}{97 - int(base) % 97:02d}"


def _number(base: str) -> str:
    return f"{base}{97 - int(base) % 97:02d}"


def _world(service: LocalService) -> dict[str, int]:
    with Session(service.engine) as s:
        lr = registry.register_person(s, _niss("850730033"), "Anne", "Peeters", phone="0471123456")
        user = registry.register_person(s, _niss("840404404"), "Ilse", "Jacobs")
        employer = registry.register_enterprise(
            s,
            _number("04031707"),
            "Brasserie Dupont",
            "employer",
            qualities=["onss_employer"],
            legal_representatives=[lr],
        )
        ssa = registry.register_enterprise(
            s, _number("04100002"), "Securex", "employer", qualities=["approved_social_secretariat"]
        )
        provider = registry.register_provider(s, ssa, "social_secretariat", "140")
        s.add(
            Designation(
                enterprise_id=employer.id, person_id=lr.id, role="main_access_manager", status="active"
            )
        )
        s.commit()
        ids = {"lr": lr.id, "user_person": user.id, "employer": employer.id, "provider": provider.id}
    return ids  # type: ignore[return-value]


def _cursors() -> list[str]:
    def encoded(data: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    values: list[object] = [[[1]], [{}], ["x"], [True], [2**70], [1.5], [None], "x", ["a", True], [2**63, 1]]
    return [
        *(encoded({"k": v, "d": d}) for v in values for d in ("next", "prev")),
        encoded([1]),
        encoded(None),
        "!!!",
        "a",
        base64.urlsafe_b64encode(b"[" * 3000).decode().rstrip("="),
        "A" * 5000,
    ]


async def _run(url: str) -> dict[str, Any]:
    service = LocalService(open_store(url))
    ids = _world(service)
    token = issue_token(service.engine, SECRET, ids["lr"]).token
    app = create_app(service, secret=SECRET)
    answers: Counter[str] = Counter()
    failures: list[str] = []
    sent = 0
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
        base_url="http://api.test",
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    ) as client:
        user = (
            await client.post("/users", json={"enterprise_id": ids["employer"], "niss": _niss("840404404")})
        ).json()

        async def send(method: str, path: str, what: str, **request: Any) -> None:
            nonlocal sent
            sent += 1
            try:
                response = await client.request(method, path, **request)
            except httpx.HTTPError as exc:
                failures.append(f"{what}: no answer ({type(exc).__name__})")
                return
            answers[str(response.status_code)] += 1
            if response.status_code >= 500:
                failures.append(f"{what}: {response.status_code}")

        writes: dict[tuple[str, str], dict[str, Any]] = {
            ("POST", "/designations/main-access-manager"): {
                "enterprise_ref": _number("04031707"),
                "legal_representative_eid": "591191706458",
                "legal_representative_niss": _niss("850730033"),
                "legal_representative_phone": "0471123456",
                "designee_niss": _niss("950615334"),
                "designee_phone": "025551212",
                "designee_relation": "employee",
                "designee_first_name": "Nina",
                "designee_last_name": "Nieuw",
                "designee_email": "n@example.be",
            },
            ("POST", "/designations"): {
                "enterprise_id": ids["employer"],
                "role": "access_manager",
                "quality_code": "onss_employer",
                "niss": _niss("830303303"),
                "phone": "0470445566",
                "first_name": "Bram",
                "last_name": "Claes",
                "email": "b@example.be",
            },
            ("POST", "/users"): {
                "enterprise_id": ids["employer"],
                "niss": _niss("800101100"),
                "first_name": "A",
                "last_name": "B",
                "phone": "0470000000",
                "email": "a@example.be",
            },
            ("PATCH", f"/users/{user.get('id', 1)}"): {
                "expected_version": 1,
                "first_name": "I",
                "last_name": "J",
                "phone": "0470000000",
                "email": "i@x.be",
            },
            ("POST", "/mandates"): {
                "principal_id": ids["employer"],
                "mandatary_id": ids["provider"],
                "groups": ["dmfa_dimona"],
                "start_quarter": str(Quarter.current()),
                "end_quarter": str(Quarter.current()),
                "branch_number": "012",
                "procuration_reference": "P-1",
            },
            ("POST", f"/enterprises/{ids['employer']}/qualities"): {"quality_code": "onss_employer"},
        }
        for (method, path), valid in writes.items():
            for field, value in valid.items():
                if not isinstance(value, str) or field in ("role", "designee_relation"):
                    continue
                for name, hostile in TEXTS.items():
                    body = json.dumps(valid | {field: hostile})
                    headers = {"Content-Type": "application/json"}
                    await send(method, path, f"{path} {field}={name}", content=body, headers=headers)
        lists = {
            "/users/services/grant": ("user_ids", "service_codes"),
            "/users/services/withdraw": ("user_ids", "service_codes"),
        }
        for path, fields in lists.items():
            for field in fields:
                base = {"user_ids": [user.get("id", 1)], "service_codes": ["dimona"]}
                for size in (0, MANY):
                    item = base[field][0]
                    await send("POST", path, f"{path} {field}x{size}", json=base | {field: [item] * size})
        mandate = writes[("POST", "/mandates")]
        await send("POST", "/mandates", f"groups x{MANY}", json=mandate | {"groups": ["dmfa_dimona"] * MANY})
        searches = {
            "/enterprises": ["query"],
            "/providers": ["query"],
            "/mandates": ["text", "principal", "mandatary"],
            "/audit": ["action"],
            f"/enterprises/{ids['employer']}/users": ["text"],
        }
        for path, parameters in searches.items():
            for parameter in parameters:
                for name, hostile in TEXTS.items():
                    value = hostile.replace("\ud800", "\ufffd")[:30_000]
                    await send("GET", path, f"{path} {parameter}={name}", params={parameter: value})
            for cursor in _cursors():
                await send("GET", path, f"{path} cursor", params={"cursor": cursor})
        for path in ("/users/99999999999", "/mandates/0", f"/enterprises/{2**31}", "/mandates/-1"):
            await send("GET", path, path)
    service.engine.dispose()
    classes = Counter(f"{code[0]}xx" for code in answers.elements())
    return {
        "requests": sent,
        "by_class": dict(sorted(classes.items())),
        "by_status": dict(sorted(answers.items())),
        "failures": failures,
    }


def _empty_postgres(url: str) -> str:
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="a PostgreSQL database to empty and use (its public schema)")
    args = parser.parse_args()
    result: dict[str, Any] = {"python": platform.python_version()}
    with tempfile.TemporaryDirectory() as folder:
        result["sqlite"] = asyncio.run(_run(f"sqlite:///{Path(folder) / 'hostile.db'}"))
    if args.postgres:
        result["postgresql"] = asyncio.run(_run(_empty_postgres(args.postgres)))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
