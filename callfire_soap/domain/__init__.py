"""Plain-Python domain model: no SOAP, no SQL."""
