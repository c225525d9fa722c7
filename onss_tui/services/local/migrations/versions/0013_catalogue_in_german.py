"""The catalogue in German: `name_de` on qualities, online services and groups of services, named as the
German pages of the social security portal name them (an entry added later without one shows its
English name). Columns are added and dropped in place: rebuilding these tables, as a batch does on
SQLite, would break the references to them.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

GERMAN = {
    "quality": {
        "onss_employer": "LSS-Arbeitgeber",
        "local_administration_employer": "Arbeitgeber provinziale oder lokale Verwaltung (PLV)",
        "company_without_staff": "Gesellschaft ohne Personal",
        "social_service_provider": "Sozialer Dienstleister",
        "approved_social_secretariat": "Anerkanntes Sozialsekretariat",
    },
    "online_service": {
        "dimona": "Dimona",
        "dmfa": "DmfA",
        "dmfappl": "DmfAPPL",
        "drs": "DRS – Meldungen sozialer Risiken",
        "temporary_unemployment": "Zeitweilige Arbeitslosigkeit",
        "limosa": "Limosa",
        "checkinatwork": "Checkinatwork",
        "wide": "WIDE",
        "mahis_manage": "Mahis – Vollmachten verwalten",
        "mahis_consult": "Mahis – Vollmachten einsehen",
        "ebox_enterprise": "e-Box Unternehmen",
        "chaman": "Chaman (technische Kanäle)",
    },
    "service_group": {
        "dmfa_dimona": "DmfA-Dimona",
        "dmfappl_dimona": "DmfAPPL-Dimona",
        "drs_unemployment": "DRS - Arbeitslosigkeit",
        "temporary_unemployment": "Zeitweilige Arbeitslosigkeit",
        "side_jobs": "Nebenjobs (Bijklussen)",
        "contributions": "Einziehung der Beiträge",
    },
}


def upgrade() -> None:
    for name, names in GERMAN.items():
        op.add_column(name, sa.Column("name_de", sa.String(), nullable=False, server_default=""))
        table = sa.table(name, sa.column("code"), sa.column("name_de"))
        for code, german in names.items():
            op.execute(table.update().where(table.c.code == code).values(name_de=german))


def downgrade() -> None:
    for name in GERMAN:
        op.drop_column(name, "name_de")
