"""Every write of the service with each of its text fields: a valid request to start from, how to send it
through `LocalService`, and the path of the same write in the API."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from onss_tui.domain.quarters import Quarter
from onss_tui.services import dto
from onss_tui.services.local.service import LocalService
from tests.conftest import EMPLOYER_NUMBER, LR_EID, LR_NISS
from tests.contract.conftest import MAM_NISS, Staff, fresh_niss


@dataclass(frozen=True)
class Write:
    """One write: its request model and valid fields, the text fields to try, and how to send it."""

    model: type[dto.Request]
    valid: dict[str, Any]
    texts: tuple[str, ...]
    send: Callable[[LocalService, dto.Request], Awaitable[Any]]
    method: str
    path: str
    shaped: tuple[str, ...] = field(default=())
    """Text fields with a shape (a code, a quarter): anything else is refused there (`[/]` too)."""


def writes(staff: Staff) -> dict[str, Write]:
    w = staff.world
    return {
        "designate_main_access_manager": Write(
            dto.MainAccessManagerDesignation,
            {
                "enterprise_ref": EMPLOYER_NUMBER,
                "legal_representative_eid": LR_EID,
                "legal_representative_niss": LR_NISS,
                "legal_representative_phone": "0471 12 34 56",
                "designee_niss": MAM_NISS,
                "designee_phone": "02 555 12 12",
                "designee_relation": "employee",
            },
            (
                "enterprise_ref",
                "legal_representative_eid",
                "legal_representative_niss",
                "legal_representative_phone",
                "designee_niss",
                "designee_phone",
                "designee_first_name",
                "designee_last_name",
                "designee_email",
            ),
            lambda s, r: s.designate_main_access_manager(w.lr, r),  # type: ignore[arg-type]
            "POST",
            "/designations/main-access-manager",
        ),
        "designate": Write(
            dto.DesignationRequest,
            {
                "enterprise_id": w.employer,
                "role": "access_manager",
                "quality_code": "onss_employer",
                "niss": fresh_niss(),
                "phone": "0470 44 55 66",
                "first_name": "Bram",
                "last_name": "Claes",
            },
            ("quality_code", "niss", "phone", "first_name", "last_name", "email"),
            lambda s, r: s.designate(staff.mam, r),  # type: ignore[arg-type]
            "POST",
            "/designations",
            shaped=("quality_code",),
        ),
        "create_user": Write(
            dto.UserCreate,
            {"enterprise_id": w.employer, "niss": fresh_niss(), "first_name": "Ilse", "last_name": "Jacobs"},
            ("niss", "first_name", "last_name", "phone", "email"),
            lambda s, r: s.create_user(staff.am, r),  # type: ignore[arg-type]
            "POST",
            "/users",
        ),
        "update_user": Write(
            dto.UserUpdate,
            {"expected_version": 1},
            ("phone", "email"),
            lambda s, r: s.update_user(staff.am, staff.user_id, r),  # type: ignore[arg-type]
            "PATCH",
            f"/users/{staff.user_id}",
        ),
        "update_person": Write(
            dto.PersonUpdate,
            {"expected_version": 1},
            ("first_name", "last_name"),
            lambda s, r: s.update_person(staff.user, staff.user, r),  # type: ignore[arg-type]
            "PATCH",
            f"/persons/{staff.user}",
        ),
        "create_mandate": Write(
            dto.MandateCreate,
            {
                "principal_id": w.employer,
                "mandatary_id": w.secretariat,
                "groups": ["dmfa_dimona"],
                "start_quarter": str(Quarter.current()),
            },
            ("start_quarter", "end_quarter", "branch_number", "procuration_reference"),
            lambda s, r: s.create_mandate(w.lr, r),  # type: ignore[arg-type]
            "POST",
            "/mandates",
            shaped=("start_quarter", "end_quarter"),
        ),
    }
