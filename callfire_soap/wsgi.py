"""WSGI entry point for servers that import an application object
(`gunicorn callfire_soap.wsgi:application`); configured by the CALLFIRE_* environment."""
from .app import create_app

application = create_app()
