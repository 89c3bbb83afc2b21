"""The schema. SQLAlchemy Core tables; Alembic revisions in migrations/ must match them."""
from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

# SQLite only auto-increments INTEGER PRIMARY KEY; everywhere else ids are 64-bit (xs:long).
Id = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _account_fk() -> Column:
    return Column("account_id", Id, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False)


accounts = Table(
    "accounts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("login", String(128), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

contacts = Table(
    "contacts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _account_fk(),
    Column("first_name", Text),
    Column("last_name", Text),
    Column("zipcode", Text),
    Column("home_phone", String(64)),
    Column("work_phone", String(64)),
    Column("mobile_phone", String(64)),
    Column("external_id", Text),
    Column("external_system", Text),
    # Lower-cased names, numbers and custom values: what QueryContacts/String matches.
    Column("search_text", Text, nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index(None, "account_id", "id"),
    Index(None, "account_id", "home_phone"),
    Index(None, "account_id", "work_phone"),
    Index(None, "account_id", "mobile_phone"),
    # Never reuse a deleted contact's id on SQLite: history outlives its contact, and a
    # client may still hold the old id.
    sqlite_autoincrement=True,
)

# The phone columns, each indexed with account_id: what number lookups probe.
PHONE_COLUMNS = (contacts.c.home_phone, contacts.c.work_phone, contacts.c.mobile_phone)

contact_fields = Table(
    "contact_fields",
    metadata,
    Column("contact_id", Id, ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True),
    Column("name", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

contact_lists = Table(
    "contact_lists",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _account_fk(),
    Column("name", Text, nullable=False),
    Column("status", String(32), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("deleted_at", DateTime(timezone=True)),
    # CreateContactList de-duplication; the database enforces one list per RequestId.
    Column("request_id", String(1024)),
    UniqueConstraint("account_id", "request_id"),
    Index(None, "account_id", "id"),
)

list_members = Table(
    "list_members",
    metadata,
    Column("list_id", Id, ForeignKey("contact_lists.id", ondelete="CASCADE"), primary_key=True),
    Column("contact_id", Id, ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True),
    Index(None, "contact_id"),
)

dnc_lists = Table(
    "dnc_lists",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _account_fk(),
    Column("name", Text, nullable=False),
    Column("campaign_id", BigInteger),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index(None, "account_id", "id"),
    sqlite_autoincrement=True,  # deleted DNC lists' ids are never handed out again
)

dnc_numbers = Table(
    "dnc_numbers",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("dnc_list_id", Id, ForeignKey("dnc_lists.id", ondelete="CASCADE"), nullable=False),
    # Denormalised owner so that list imports scrub DNC numbers with one indexed lookup.
    _account_fk(),
    Column("number", String(64), nullable=False),
    Column("call_dnc", Boolean, nullable=False),
    Column("text_dnc", Boolean, nullable=False),
    UniqueConstraint("dnc_list_id", "number"),
    Index(None, "account_id", "number"),
)

# Contact history: the data:Call / data:Text actions and their records.
history_actions = Table(
    "history_actions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _account_fk(),
    Column("contact_id", BigInteger, nullable=False),
    Column("kind", String(8), nullable=False),  # CALL or TEXT
    Column("from_number", String(64), nullable=False),
    Column("to_number", String(64), nullable=False),
    Column("to_client_data", Text),
    Column("state", String(16), nullable=False),
    Column("batch_id", BigInteger),
    Column("broadcast_id", BigInteger),
    Column("inbound", Boolean, nullable=False),
    Column("created", DateTime(timezone=True), nullable=False),
    Column("modified", DateTime(timezone=True), nullable=False),
    Column("final_result", String(32)),
    Column("message", Text),
    Index(None, "account_id", "contact_id", "created"),
)

history_labels = Table(
    "history_labels",
    metadata,
    Column("action_id", Id, ForeignKey("history_actions.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("name", Text, nullable=False),
)

history_records = Table(
    "history_records",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("action_id", Id, ForeignKey("history_actions.id", ondelete="CASCADE"), nullable=False),
    Column("result", String(32), nullable=False),
    Column("finish_time", DateTime(timezone=True), nullable=False),
    Column("billed_amount", Float, nullable=False),
    Column("originate_time", DateTime(timezone=True)),
    Column("answer_time", DateTime(timezone=True)),
    Column("duration", Integer),
    Column("message", Text),
    Index(None, "action_id"),
)

history_question_responses = Table(
    "history_question_responses",
    metadata,
    Column("record_id", Id, ForeignKey("history_records.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("question", Text, nullable=False),
    Column("response", Text, nullable=False),
)

history_recordings = Table(
    "history_recordings",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("record_id", Id, ForeignKey("history_records.id", ondelete="CASCADE"), nullable=False),
    Column("name", Text, nullable=False),
    Column("created", DateTime(timezone=True), nullable=False),
    Column("length_seconds", Integer),
    Column("link", Text),
    Index(None, "record_id"),
)
