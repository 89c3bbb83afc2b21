"""The WSDL and XSD files this service publishes (shipped as package data)."""
