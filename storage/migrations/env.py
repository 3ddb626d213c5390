"""Alembic environment: migrations run on the connection shortbot hands over (see storage.db)."""

from alembic import context

from storage.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only `shortbot db upgrade` runs migrations
    raise RuntimeError("run migrations through `shortbot db upgrade`")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
