"""ContactService as a table of operations, independent of the protocol that carries it."""
from .table import OPERATIONS, Operation, Scope, by_name, by_request_element

__all__ = ["OPERATIONS", "Operation", "Scope", "by_name", "by_request_element"]
