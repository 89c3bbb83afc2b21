"""History import (CSV) then GetContactHistory over SOAP."""
import io

import pytest

from callfire_soap.domain.contacts import Contact
from callfire_soap.domain.errors import BadRequest
from callfire_soap.services.history import import_history_csv

HEADER = ("type,contact_id,action_ref,from_number,to_number,client_data,state,batch_id,broadcast_id,"
          "inbound,created,modified,final_result,labels,message,result,finish_time,billed_amount,"
          "originate_time,answer_time,duration,record_message,questions,recording_name,recording_created,"
          "recording_length,recording_link\n")


def _csv(contact_id: int) -> str:
    return HEADER + (
        f"call,{contact_id},c1,12132212384,12132212385,crm-9,FINISHED,10680242003,12597848003,false,"
        "2016-07-01T11:06:38Z,2016-07-01T11:17:34Z,LA,vip|west,,LA,2016-07-01T11:17:22Z,1.0,"
        "2016-07-01T11:17:05Z,2016-07-01T11:17:10Z,12,,Press 1?=1|Again?=no,greeting,2016-07-01T11:17:30Z,12,"
        "https://example.com/r/1\n"
        f"call,{contact_id},c1,12132212384,12132212385,crm-9,FINISHED,10680242003,12597848003,false,"
        "2016-07-01T11:06:38Z,2016-07-01T11:17:34Z,LA,vip|west,,BUSY,2016-07-01T11:07:22Z,0.5,,,0,,,,,,\n"
        f"text,{contact_id},,67076,12132212384,,FINISHED,,,false,2016-07-03T12:02:22Z,2016-07-03T12:02:37Z,,,"
        "Hello Callfire API,SENT,2016-07-03T12:02:38Z,1.0,,,,,,,,,\n"
        f"text,{contact_id},,12132212384,67076,,FINISHED,,,true,2016-07-02T09:00:00+02:00,,,,STOP,,,,,,,,,,,,\n"
    )


def test_imported_history_is_returned_calls_first(app, service, account, seed):
    (cid,) = seed(account, [Contact(first_name="History", home_phone="12132212385")])
    count = import_history_csv(app.backend.uow, io.StringIO(_csv(cid)), default_login=account.login)
    assert count == 3
    history = service.GetContactHistory(ContactId=cid)
    kinds = [next(iter(item)) for item in history]  # zeep gives one dict per choice item
    assert kinds == ["Call", "Text", "Text"]
    call = history[0]["Call"]
    assert call.ToNumber._value_1 == "12132212385" and call.ToNumber.ClientData == "crm-9"
    assert call.State == "FINISHED" and call.BatchId == 10680242003 and call.BroadcastId == 12597848003
    assert call.ContactId == cid and call.Inbound is False and call.FinalResult == "LA"
    assert [label.Name for label in call.Label] == ["vip", "west"]
    assert [r.Result for r in call.CallRecord] == ["LA", "BUSY"]
    first = call.CallRecord[0]
    assert first.Duration == 12 and first.BilledAmount == 1.0
    assert [(q.Question, q.Response) for q in first.QuestionResponse] == [("Press 1?", "1"), ("Again?", "no")]
    assert first.RecordingMeta[0].Name == "greeting" and first.RecordingMeta[0].LengthInSeconds == 12
    # texts oldest first: the inbound STOP (2016-07-02 07:00Z) before the outbound one
    inbound, outbound = history[1]["Text"], history[2]["Text"]
    assert inbound.Inbound is True and inbound.Message == "STOP" and not inbound.TextRecord
    assert outbound.Message == "Hello Callfire API"
    assert outbound.TextRecord[0].Result == "SENT" and outbound.TextRecord[0].Message == "Hello Callfire API"

    page = service.GetContactHistory(ContactId=cid, MaxResults=1, FirstResult=1)
    assert [next(iter(item)) for item in page] == ["Text"]


def test_history_is_per_account(app, service, account, make_account, seed, connect):
    other = make_account()
    (theirs,) = seed(other, [Contact(first_name="Theirs")])
    import_history_csv(app.backend.uow, io.StringIO(_csv(theirs)), default_login=other.login)
    assert len(connect(other).GetContactHistory(ContactId=theirs)) == 3
    assert not service.GetContactHistory(ContactId=theirs)


@pytest.mark.parametrize("mutate, message", [
    (lambda text: text.replace("FINISHED", "DONE", 1), "state"),
    (lambda text: text.replace("2016-07-01T11:06:38Z", "yesterday", 1), "created"),
    (lambda text: text.replace("call,", "fax,", 1), "type"),
    (lambda text: text.replace(",LA,vip", ",MAYBE,vip", 1), "final_result"),
    (lambda text: text.replace("12132212384,12132212385", "12132212384,(213) x", 1), "to_number"),
    (lambda text: text.replace("Hello Callfire API", "Hello\x07bell", 1), "control character"),
    (lambda text: text.replace(",1.0,2016-07-01T11:17:05Z", ",nan,2016-07-01T11:17:05Z", 1), "billed_amount"),
    (lambda text: text.replace(",1.0,2016-07-01T11:17:05Z", ",inf,2016-07-01T11:17:05Z", 1), "billed_amount"),
])
def test_a_bad_row_rejects_the_whole_file(app, service, account, seed, mutate, message):
    (cid,) = seed(account, [Contact(first_name="Strict")])
    with pytest.raises(BadRequest) as excinfo:
        import_history_csv(app.backend.uow, io.StringIO(mutate(_csv(cid))), default_login=account.login)
    assert message in excinfo.value.message and "line " in excinfo.value.message
    assert not service.GetContactHistory(ContactId=cid)


def test_history_for_a_foreign_contact_is_rejected(app, account, make_account, seed):
    other = make_account()
    (theirs,) = seed(other, [Contact(first_name="x")])
    with pytest.raises(BadRequest, match="does not belong"):
        import_history_csv(app.backend.uow, io.StringIO(_csv(theirs)), default_login=account.login)


def test_history_needs_an_account(app, account, seed):
    (cid,) = seed(account, [Contact(first_name="x")])
    with pytest.raises(BadRequest, match="--account"):
        import_history_csv(app.backend.uow, io.StringIO(_csv(cid)))
    text = _csv(cid).replace("type,", "account,type,", 1)
    text = "\n".join([text.splitlines()[0]] + [f"{account.login},{line}" for line in text.splitlines()[1:]]) + "\n"
    assert import_history_csv(app.backend.uow, io.StringIO(text)) == 3
