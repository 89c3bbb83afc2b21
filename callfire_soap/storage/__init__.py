"""SQLAlchemy storage: tables, repositories, unit of work, migrations."""
