"""SOAP entrypoint: wire types, the ContactService operations, protocol, faults, WSDL."""
