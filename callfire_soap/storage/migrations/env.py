"""Alembic environment: runs against the engine the application hands over."""
from alembic import context
from sqlalchemy import engine_from_config, pool

from callfire_soap.storage.search import is_search_object
from callfire_soap.storage.tables import metadata

config = context.config


def include_object(obj, name, type_, reflected, compare_to):
    # The search index is backend-specific and managed by storage.search, not the metadata.
    return not is_search_object(name)


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        engine = engine_from_config(
            config.get_section(config.config_ini_section)
            or {"sqlalchemy.url": config.get_main_option("sqlalchemy.url")},
            prefix="sqlalchemy.",
            poolclass=pool.NullPool,
        )
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            include_object=include_object,
        )
        context.run_migrations()


run_migrations_online()
