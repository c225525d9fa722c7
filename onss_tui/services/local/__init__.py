"""The local backend: SQLModel store, migrations, rules."""
