"""initial schema

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("target", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("before_json", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("after_json", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("prev_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index("ix_audit_action", ["action", "id"], unique=False)
        batch_op.create_index("ix_audit_actor", ["actor_id", "id"], unique=False)
        batch_op.create_index("ix_audit_enterprise", ["enterprise_id", "id"], unique=False)

    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.Column("last_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "enterprise",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_number", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("onss_number", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name_key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("enterprise_number"),
        sa.UniqueConstraint("onss_number"),
    )
    with op.batch_alter_table("enterprise", schema=None) as batch_op:
        batch_op.create_index("ix_enterprise_name_key", ["name_key", "id"], unique=False)

    op.create_table(
        "online_service",
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("name_fr", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name_nl", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name_en", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("niss", sqlmodel.sql.sqltypes.AutoString(length=11), nullable=False),
        sa.Column("first_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("last_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("eid_card", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True),
        sa.Column("support_staff", sa.Boolean(), nullable=False),
        sa.Column("signed_in_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("niss"),
    )
    op.create_table(
        "quality",
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("name_fr", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name_nl", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name_en", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "service_group",
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("name_fr", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name_nl", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name_en", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("single_mandatary", sa.Boolean(), nullable=False),
        sa.Column("principal_categories", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("mandatary_kinds", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_token_person_id"), ["person_id"], unique=False)

    op.create_table(
        "designation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("quality_code", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("relation", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
        sa.Column("contact_phone", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("designated_by_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("ended_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("ended_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["designated_by_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["ended_by_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["quality_code"],
            ["quality.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("designation", schema=None) as batch_op:
        batch_op.create_index(
            "ix_designation_enterprise_role", ["enterprise_id", "role", "status"], unique=False
        )
        batch_op.create_index("ix_designation_person", ["person_id", "status"], unique=False)
        batch_op.create_index(
            "uq_designation_one_main_access_manager",
            ["enterprise_id"],
            unique=True,
            sqlite_where=sa.text("role = 'main_access_manager' AND status != 'ended'"),
            postgresql_where=sa.text("role = 'main_access_manager' AND status != 'ended'"),
        )

    op.create_table(
        "enterprise_quality",
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("quality_code", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("activated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
        ),
        sa.ForeignKeyConstraint(
            ["quality_code"],
            ["quality.code"],
        ),
        sa.PrimaryKeyConstraint("enterprise_id", "quality_code"),
    )
    op.create_table(
        "portal_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("name_key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("enterprise_id", "person_id"),
    )
    with op.batch_alter_table("portal_user", schema=None) as batch_op:
        batch_op.create_index("ix_portal_user_name", ["enterprise_id", "name_key", "id"], unique=False)
        batch_op.create_index("ix_portal_user_person", ["person_id"], unique=False)

    op.create_table(
        "provider",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("secretariat_number", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=True),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("enterprise_id"),
    )
    op.create_table(
        "access_grant",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("service_code", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("granted_by_id", sa.Integer(), nullable=True),
        sa.Column("granted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["granted_by_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["service_code"],
            ["online_service.code"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["portal_user.id"],
        ),
        sa.PrimaryKeyConstraint("user_id", "service_code"),
    )
    with op.batch_alter_table("access_grant", schema=None) as batch_op:
        batch_op.create_index("ix_access_grant_service", ["service_code", "user_id"], unique=False)

    op.create_table(
        "mandate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("principal_id", sa.Integer(), nullable=False),
        sa.Column("mandatary_id", sa.Integer(), nullable=False),
        sa.Column("principal_number", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("principal_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("principal_key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("mandatary_number", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("mandatary_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("mandatary_key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("branch_number", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=True),
        sa.Column("groups", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("start_quarter", sa.Integer(), nullable=False),
        sa.Column("end_quarter", sa.Integer(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("procuration_reference", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("validated_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["mandatary_id"],
            ["provider.id"],
        ),
        sa.ForeignKeyConstraint(
            ["principal_id"],
            ["enterprise.id"],
        ),
        sa.ForeignKeyConstraint(
            ["validated_by_id"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("mandate", schema=None) as batch_op:
        batch_op.create_index("ix_mandate_mandatary", ["mandatary_id", "id"], unique=False)
        batch_op.create_index("ix_mandate_mandatary_key", ["mandatary_key", "id"], unique=False)
        batch_op.create_index("ix_mandate_mandatary_number", ["mandatary_number"], unique=False)
        batch_op.create_index("ix_mandate_principal", ["principal_id", "id"], unique=False)
        batch_op.create_index("ix_mandate_principal_key", ["principal_key", "id"], unique=False)
        batch_op.create_index("ix_mandate_principal_number", ["principal_number"], unique=False)
        batch_op.create_index("ix_mandate_start", ["start_quarter", "id"], unique=False)
        batch_op.create_index("ix_mandate_status", ["status", "principal_key", "id"], unique=False)

    op.create_table(
        "mandate_group",
        sa.Column("mandate_id", sa.Integer(), nullable=False),
        sa.Column("group_code", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_code"],
            ["service_group.code"],
        ),
        sa.ForeignKeyConstraint(
            ["mandate_id"],
            ["mandate.id"],
        ),
        sa.PrimaryKeyConstraint("mandate_id", "group_code"),
    )
    with op.batch_alter_table("mandate_group", schema=None) as batch_op:
        batch_op.create_index("ix_mandate_group_code", ["group_code", "mandate_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("mandate_group", schema=None) as batch_op:
        batch_op.drop_index("ix_mandate_group_code")

    op.drop_table("mandate_group")
    with op.batch_alter_table("mandate", schema=None) as batch_op:
        batch_op.drop_index("ix_mandate_status")
        batch_op.drop_index("ix_mandate_start")
        batch_op.drop_index("ix_mandate_principal_number")
        batch_op.drop_index("ix_mandate_principal_key")
        batch_op.drop_index("ix_mandate_principal")
        batch_op.drop_index("ix_mandate_mandatary_number")
        batch_op.drop_index("ix_mandate_mandatary_key")
        batch_op.drop_index("ix_mandate_mandatary")

    op.drop_table("mandate")
    with op.batch_alter_table("access_grant", schema=None) as batch_op:
        batch_op.drop_index("ix_access_grant_service")

    op.drop_table("access_grant")
    op.drop_table("provider")
    with op.batch_alter_table("portal_user", schema=None) as batch_op:
        batch_op.drop_index("ix_portal_user_person")
        batch_op.drop_index("ix_portal_user_name")

    op.drop_table("portal_user")
    op.drop_table("enterprise_quality")
    with op.batch_alter_table("designation", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_designation_one_main_access_manager",
            sqlite_where=sa.text("role = 'main_access_manager' AND status != 'ended'"),
            postgresql_where=sa.text("role = 'main_access_manager' AND status != 'ended'"),
        )
        batch_op.drop_index("ix_designation_person")
        batch_op.drop_index("ix_designation_enterprise_role")

    op.drop_table("designation")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_token_person_id"))

    op.drop_table("api_token")
    op.drop_table("service_group")
    op.drop_table("quality")
    op.drop_table("person")
    op.drop_table("online_service")
    with op.batch_alter_table("enterprise", schema=None) as batch_op:
        batch_op.drop_index("ix_enterprise_name_key")

    op.drop_table("enterprise")
    op.drop_table("audit_head")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_enterprise")
        batch_op.drop_index("ix_audit_actor")
        batch_op.drop_index("ix_audit_action")

    op.drop_table("audit_entry")
