"""A JAX-WS client, the toolkit legacy Java integrations were generated with: wsimport reads
the served ``?wsdl`` of the running test server, javac compiles its stubs with the session in
java/ContactSession.java, and the session runs all 19 operations against the server (typed
requests and results, the typed ServiceFault, Basic auth through BindingProvider).

JDK 17 has no JAX-WS runtime; Debian's libjaxws-java provides wsimport and jaxws-rt.jar, whose
manifest Class-Path names its dependencies (JAXB, SAAJ, activation, ...), so that one jar is
the classpath. JAXWS_CLASSPATH overrides it on machines where the runtime lives elsewhere."""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from callfire_soap.domain.contacts import Contact
from callfire_soap.services.history import import_history_csv
from tests.support import STRICT

JAVA_SOURCES = Path(__file__).with_name("java")
JAXWS_CLASSPATH = os.environ.get("JAXWS_CLASSPATH", "/usr/share/java/jaxws-rt.jar")
# an operation of a generated port interface that declares the typed fault (not its javadoc)
OPERATION_THROWS = re.compile(r"\)\s*throws ServiceFault\s*;")
# The JVMs here live for seconds: C1 alone starts them about twice as fast as tiered C2.
QUICK_JVM = "-XX:TieredStopAtLevel=1"
TOOLS = {name: shutil.which(name) for name in ("wsimport", "javac", "java")}


def _missing() -> str | None:
    absent = [name for name, path in TOOLS.items() if path is None]
    absent += [jar for jar in JAXWS_CLASSPATH.split(os.pathsep) if not Path(jar).exists()]
    if absent:
        return ("JAX-WS client tools are missing: " + ", ".join(absent)
                + " (.ci/run installs them: apt-get install jaxws libjaxws-java, with a JDK)")
    return None


if STRICT and _missing():
    raise RuntimeError("CALLFIRE_STRICT=1 but " + _missing())

pytestmark = pytest.mark.skipif(_missing() is not None, reason=_missing() or "")


def _run(args: list, what: str, timeout: int = 300) -> subprocess.CompletedProcess:
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=timeout,
                            env={**os.environ, "WSIMPORT_OPTS": QUICK_JVM})
    assert result.returncode == 0, (f"{what} failed ({result.returncode}):\n"
                                    f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    return result


def _wsimport(wsdl_url: str, generated: Path, soap12: bool = True) -> None:
    # -extension: wsimport calls every SOAP 1.2 binding "non-standard" and ignores it without it.
    args = [TOOLS["wsimport"], "-Xnocompile", "-keep", "-quiet", "-s", generated, "-d", generated]
    _run(args + (["-extension"] if soap12 else []) + [wsdl_url], "wsimport " + wsdl_url)


@pytest.fixture(scope="module")
def java_client(server, tmp_path_factory) -> Path:
    """Stubs generated from the served WSDL and compiled with the session; the generated
    sources stay beside the classes for inspection."""
    root = tmp_path_factory.mktemp("jaxws")
    generated, classes = root / "generated", root / "classes"
    generated.mkdir()
    classes.mkdir()
    _wsimport(server + "/api/1.1/soap12/contact?wsdl", generated)
    sources = sorted(generated.rglob("*.java")) + sorted(JAVA_SOURCES.glob("*.java"))
    _run([TOOLS["javac"], "-J" + QUICK_JVM, "-nowarn", "-encoding", "UTF-8", "-cp", JAXWS_CLASSPATH,
          "-d", classes, *sources], "javac")
    return root


def _generated(root: Path, qualified_class: str) -> str:
    return (root / "generated" / (qualified_class.replace(".", "/") + ".java")).read_text()


def test_generated_stubs_have_a_datahandler_file_and_a_typed_fault(java_client):
    # Legacy Java integrations were written against these types.
    source = _generated(java_client, "com.callfire.api.service.xsd.ContactSource")
    assert "import javax.activation.DataHandler;" in source
    assert "protected DataHandler file;" in source
    fault = _generated(java_client, "com.callfire.api.service.wsdl.http.soap12.ServiceFault")
    assert "public ServiceFaultInfo getFaultInfo()" in fault
    port = _generated(java_client, "com.callfire.api.service.wsdl.http.soap12.ContactServicePortType")
    assert len(OPERATION_THROWS.findall(port)) == 19


HISTORY_HEADER = (
    "type,contact_id,action_ref,from_number,to_number,client_data,state,batch_id,broadcast_id,"
    "inbound,created,modified,final_result,labels,message,result,finish_time,billed_amount,"
    "originate_time,answer_time,duration,record_message,questions,recording_name,recording_created,"
    "recording_length,recording_link\n")


def _history(contact_id: int) -> str:
    return HISTORY_HEADER + (
        f"call,{contact_id},c1,12132212384,12132212385,crm-9,FINISHED,10680242003,12597848003,false,"
        "2016-07-01T11:06:38Z,2016-07-01T11:17:34Z,LA,vip|west,,LA,2016-07-01T11:17:22Z,1.0,"
        "2016-07-01T11:17:05Z,2016-07-01T11:17:10Z,12,,,,,,\n"
        f"text,{contact_id},,67076,12132212384,,FINISHED,,,false,2016-07-03T12:02:22Z,2016-07-03T12:02:37Z,,,"
        "Hello Callfire API,SENT,2016-07-03T12:02:38Z,1.0,,,,,,,,,\n")


def test_java_client_session_over_all_operations(java_client, app, account, seed):
    # The contact the session expects first (see the header of ContactSession.java).
    (cid,) = seed(account, [Contact(first_name="Robert", mobile_phone="12132212391", custom={"F": "12132212391"})])
    assert import_history_csv(app.backend.uow, io.StringIO(_history(cid)), default_login=account.login) == 2
    classpath = os.pathsep.join([str(java_client / "classes"), JAXWS_CLASSPATH])
    result = subprocess.run([TOOLS["java"], QUICK_JVM, "-cp", classpath, "ContactSession", account.login,
                             account.password, str(cid)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"Java session failed:\n{result.stdout}\n{result.stderr[-4000:]}"
    assert "19 of 19 operations" in result.stdout, result.stdout


def test_wsimport_accepts_the_soap11_wsdl(server, tmp_path):
    _wsimport(server + "/api/1.1/soap/contact?wsdl", tmp_path, soap12=False)
    port = tmp_path / "com/callfire/api/service/wsdl/http/soap11/ContactServicePortType.java"
    assert len(OPERATION_THROWS.findall(port.read_text())) == 19
    assert (tmp_path / "com/callfire/api/service/wsdl/http/soap11/ServiceFault.java").exists()
