"""Catalogue data: qualities, online services and groups of services (data, not code).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

QUALITIES = [
    ("onss_employer", "Employeur ONSS", "RSZ-werkgever", "ONSS employer"),
    (
        "local_administration_employer",
        "Employeur administration provinciale ou locale (APL)",
        "Werkgever provinciaal of lokaal bestuur (PLO)",
        "Provincial or local administration employer",
    ),
    (
        "company_without_staff",
        "Société sans personnel",
        "Vennootschap zonder personeel",
        "Company without staff",
    ),
    (
        "social_service_provider",
        "Prestataire de services sociaux",
        "Sociale dienstverlener",
        "Social service provider",
    ),
    (
        "approved_social_secretariat",
        "Secrétariat social agréé",
        "Erkend sociaal secretariaat",
        "Approved social secretariat",
    ),
]

ONLINE_SERVICES = [
    ("dimona", "Dimona", "Dimona", "Dimona"),
    ("dmfa", "DmfA", "DmfA", "DmfA"),
    ("dmfappl", "DmfAPPL", "DmfAPPL", "DmfAPPL"),
    (
        "drs",
        "DRS – déclarations de risques sociaux",
        "ASR – aangiften sociale risico's",
        "DRS – social-risk declarations",
    ),
    ("temporary_unemployment", "Chômage temporaire", "Tijdelijke werkloosheid", "Temporary unemployment"),
    ("limosa", "Limosa", "Limosa", "Limosa"),
    ("checkinatwork", "Checkinatwork", "Checkinatwork", "Checkinatwork"),
    ("wide", "WIDE", "WIDE", "WIDE"),
    ("mahis_manage", "Mahis – gérer les mandats", "Mahis – mandaten beheren", "Mahis – manage mandates"),
    (
        "mahis_consult",
        "Mahis – consulter les mandats",
        "Mahis – mandaten raadplegen",
        "Mahis – consult mandates",
    ),
    ("ebox_enterprise", "e-Box Entreprise", "e-Box Onderneming", "e-Box Enterprise"),
    ("chaman", "Chaman (canaux techniques)", "Chaman (technische kanalen)", "Chaman (technical channels)"),
]

BOTH = "social_secretariat,service_provider"
SERVICE_GROUPS = [
    ("dmfa_dimona", "DmfA-Dimona", "DmfA-Dimona", "DmfA-Dimona", True, "employer", BOTH),
    (
        "dmfappl_dimona",
        "DmfAPPL-Dimona",
        "DmfAPPL-Dimona",
        "DmfAPPL-Dimona",
        True,
        "local_administration",
        BOTH,
    ),
    (
        "drs_unemployment",
        "DRS - Chômage",
        "ASR - Werkloosheid",
        "DRS - Unemployment",
        True,
        "employer,local_administration",
        BOTH,
    ),
    (
        "temporary_unemployment",
        "Chômage temporaire",
        "Tijdelijke werkloosheid",
        "Temporary unemployment",
        False,
        "employer,local_administration",
        BOTH,
    ),
    (
        "side_jobs",
        "Bijklussen (petits boulots)",
        "Bijklussen",
        "Side jobs (Bijklussen)",
        False,
        "employer,no_staff",
        BOTH,
    ),
    (
        "contributions",
        "Perception des cotisations",
        "Inning van de bijdragen",
        "Collection of contributions",
        True,
        "employer",
        "social_secretariat",
    ),
]


def _catalogue(name: str, *extra: sa.Column) -> sa.Table:
    return sa.table(
        name,
        sa.column("code"),
        sa.column("name_fr"),
        sa.column("name_nl"),
        sa.column("name_en"),
        sa.column("position"),
        *extra,
    )


def _rows(entries: list[tuple], *extra: str) -> list[dict]:
    names = ("code", "name_fr", "name_nl", "name_en", *extra)
    return [dict(zip(names, entry, strict=True), position=i) for i, entry in enumerate(entries)]


def upgrade() -> None:
    op.bulk_insert(_catalogue("quality"), _rows(QUALITIES))
    op.bulk_insert(_catalogue("online_service"), _rows(ONLINE_SERVICES))
    op.bulk_insert(
        _catalogue(
            "service_group",
            sa.column("single_mandatary"),
            sa.column("principal_categories"),
            sa.column("mandatary_kinds"),
        ),
        _rows(SERVICE_GROUPS, "single_mandatary", "principal_categories", "mandatary_kinds"),
    )


def downgrade() -> None:
    for table in ("service_group", "online_service", "quality"):
        op.execute(sa.text(f"DELETE FROM {table}"))
