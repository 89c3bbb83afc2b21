"""The application a server process runs queues its requests on SQLite and not on PostgreSQL
(callfire_soap/admission.py says why), unless CALLFIRE_ADMISSION_WAIT_MS says otherwise."""


def test_the_gate_follows_the_database(app, database_url):
    if database_url.startswith("sqlite"):
        assert app.gate is not None and app.gate.wait == 0.005
    else:
        assert app.gate is None
