"""Errors the service layer raises; the SOAP layer maps each to a FaultCode."""


class ServiceError(Exception):
    """Base of every error a client can be told about."""

    fault_code = "UNAVAILABLE"
    client_fault = False

    def __init__(self, message: str, detail: str | None = None):
        super().__init__(message)
        self.message = message
        self.detail = detail


class BadRequest(ServiceError):
    fault_code = "BAD_REQUEST"
    client_fault = True


class NotFound(ServiceError):
    fault_code = "NOT_FOUND"
    client_fault = True


class Conflict(Exception):
    """Storage refused a write because it would duplicate a unique key that another
    transaction holds. Not a fault of its own: each service decides what it means."""


class AccountExists(Conflict):
    """The login belongs to another account."""


class DuplicateRequestId(Conflict):
    """The account already created a contact list with this RequestId."""


class Retryable(ServiceError):
    """Storage met a deadlock or a serialization failure: the database rolled the transaction
    back, so nothing of the unit of work was written and the whole use case may be run again
    (services/retry.py does, a few times). A client only sees it when retries run out."""

    fault_code = "UNAVAILABLE"
