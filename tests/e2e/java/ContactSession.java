// A session over all 19 ContactService operations through JAX-WS stubs that wsimport
// generated from the served WSDL (packages com.callfire.api.*), the way a legacy Java
// integration calls the service: typed requests, typed ServiceFault, Basic auth through
// BindingProvider, svc:File as a DataHandler.
//
// usage: java ContactSession LOGIN PASSWORD SEEDED_CONTACT_ID
//   SEEDED_CONTACT_ID: a contact of this account that the test stored with firstName Robert,
//   mobilePhone 12132212391, custom field F=12132212391, and a call and a text in its history.
// Prints "ok: N checks, M operations" and exits 0, or prints every failed check and exits 1.

import com.callfire.api.data.Action;
import com.callfire.api.data.Call;
import com.callfire.api.data.Contact;
import com.callfire.api.data.ContactHistory;
import com.callfire.api.data.ContactList;
import com.callfire.api.data.ContactListStatus;
import com.callfire.api.data.DncList;
import com.callfire.api.data.DncNumber;
import com.callfire.api.data.Text;
import com.callfire.api.service.wsdl.http.soap12.CallFireApi;
import com.callfire.api.service.wsdl.http.soap12.ContactServicePortType;
import com.callfire.api.service.wsdl.http.soap12.ServiceFault;
import com.callfire.api.service.xsd.ContactListRequest;
import com.callfire.api.service.xsd.ContactSource;
import com.callfire.api.service.xsd.CreateContactList;
import com.callfire.api.service.xsd.CreateDncListRequest;
import com.callfire.api.service.xsd.DncNumbersRequest;
import com.callfire.api.service.xsd.FaultCode;
import com.callfire.api.service.xsd.GetContactHistory;
import com.callfire.api.service.xsd.IdRequest;
import com.callfire.api.service.xsd.QueryDncListsRequest;
import com.callfire.api.service.xsd.QueryDncListsResponse;
import com.callfire.api.service.xsd.QueryDncNumbersRequest;
import com.callfire.api.service.xsd.QueryDncNumbersResponse;
import com.callfire.api.service.xsd.RemoveContacts;
import com.callfire.api.service.xsd.RemoveContactsFromList;
import com.callfire.api.service.xsd.UpdateContacts;
import com.callfire.api.service.xsd.UpdateDncNumberRequest;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.UUID;
import javax.activation.DataHandler;
import javax.activation.DataSource;
import javax.xml.namespace.QName;
import javax.xml.ws.BindingProvider;
import javax.xml.ws.Holder;
import javax.xml.ws.WebServiceException;

public class ContactSession {
    private static final List<String> failures = new ArrayList<>();
    private static int checks = 0;
    private static final TreeSet<String> called = new TreeSet<>();

    interface Call0 {
        void run() throws Exception;
    }

    static void check(boolean ok, String what) {
        checks++;
        if (!ok) {
            failures.add(what);
        }
    }

    static void equal(Object expected, Object actual, String what) {
        check(Objects.equals(expected, actual), what + ": expected <" + expected + "> but got <" + actual + ">");
    }

    /** The FaultCode of the typed ServiceFault the call throws, or a description of what it did instead. */
    static Object faultCode(Call0 call) {
        try {
            call.run();
            return "no fault";
        } catch (ServiceFault fault) {
            return fault.getFaultInfo() == null ? "ServiceFault without ServiceFaultInfo" : fault.getFaultInfo().getFaultCode();
        } catch (Exception other) {
            return other.getClass().getName() + ": " + other.getMessage();
        }
    }

    static IdRequest id(long id) {
        IdRequest request = new IdRequest();
        request.setId(id);
        return request;
    }

    static ContactSource numbers(String fieldName, String... numbers) {
        ContactSource.Numbers list = new ContactSource.Numbers();
        list.getValue().addAll(Arrays.asList(numbers));
        list.setFieldName(fieldName);
        ContactSource source = new ContactSource();
        source.setNumbers(list);
        return source;
    }

    static DataHandler csv(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return new DataHandler(new DataSource() {
            public InputStream getInputStream() { return new ByteArrayInputStream(bytes); }
            public OutputStream getOutputStream() { throw new UnsupportedOperationException(); }
            public String getContentType() { return "application/octet-stream"; }
            public String getName() { return "contacts.csv"; }
        });
    }

    static CreateContactList createList(String name, String requestId, Boolean validate, ContactSource source) {
        CreateContactList request = new CreateContactList();
        request.setName(name);
        request.setRequestId(requestId);
        request.setValidate(validate);
        request.setContactSource(source);
        return request;
    }

    static List<Contact> members(ContactServicePortType port, long listId, Holder<Long> total) throws ServiceFault {
        Holder<List<Contact>> contacts = new Holder<>();
        port.queryContacts(1000L, 0L, null, listId, null, total, contacts);
        return contacts.value == null ? new ArrayList<>() : contacts.value;
    }

    /** The port, wrapped so that every operation it is asked for is recorded. */
    static ContactServicePortType recording(ContactServicePortType port) {
        return (ContactServicePortType) Proxy.newProxyInstance(
            ContactServicePortType.class.getClassLoader(), new Class<?>[] {ContactServicePortType.class},
            (proxy, method, args) -> {
                called.add(method.getName());
                try {
                    return method.invoke(port, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            });
    }

    public static void main(String[] argv) throws Exception {
        String login = argv[0], password = argv[1];
        long seeded = Long.parseLong(argv[2]);
        String tag = UUID.randomUUID().toString().substring(0, 8);

        // The WSDL location and the service address are the ones wsimport saw: this server.
        ContactServicePortType raw = new CallFireApi().getContactServicePort();
        Map<String, Object> context = ((BindingProvider) raw).getRequestContext();
        context.put(BindingProvider.USERNAME_PROPERTY, login);
        context.put(BindingProvider.PASSWORD_PROPERTY, password);
        ContactServicePortType port = recording(raw);

        try {
            session(port, seeded, tag);
        } catch (Exception e) {
            failures.add("unexpected " + e);
        }

        // Wrong credentials: HTTP 401, which JAX-WS reports as a WebServiceException.
        ContactServicePortType stranger = new CallFireApi().getContactServicePort();
        ((BindingProvider) stranger).getRequestContext().put(BindingProvider.USERNAME_PROPERTY, login);
        ((BindingProvider) stranger).getRequestContext().put(BindingProvider.PASSWORD_PROPERTY, password + "-wrong");
        try {
            stranger.getContact(id(seeded));
            check(false, "a wrong password is refused");
        } catch (WebServiceException e) {
            check(String.valueOf(e.getMessage()).contains("401"), "a wrong password gets HTTP 401: " + e.getMessage());
        }

        TreeSet<String> all = new TreeSet<>();
        for (Method method : ContactServicePortType.class.getDeclaredMethods()) {
            all.add(method.getName());
        }
        TreeSet<String> missing = new TreeSet<>(all);
        missing.removeAll(called);
        check(missing.isEmpty(), "operations never called: " + missing);

        if (!failures.isEmpty()) {
            System.out.println(failures.size() + " of " + checks + " checks failed:");
            for (String failure : failures) {
                System.out.println("  " + failure);
            }
            System.exit(1);
        }
        System.out.println("ok: " + checks + " checks, " + called.size() + " of " + all.size() + " operations: " + called);
    }

    static void session(ContactServicePortType port, long seeded, String tag) throws Exception {
        // The contact the test stored, with a custom field (an extra attribute of data:Contact).
        Contact robert = port.getContact(id(seeded));
        equal(seeded, robert.getId(), "GetContact id");
        equal("Robert", robert.getFirstName(), "GetContact firstName");
        equal("12132212391", robert.getMobilePhone(), "GetContact mobilePhone");
        equal("12132212391", robert.getOtherAttributes().get(new QName("F")), "GetContact custom field F");

        GetContactHistory historyRequest = new GetContactHistory();
        historyRequest.setContactId(seeded);
        List<Action> history = port.getContactHistory(historyRequest).getCallOrText();
        check(history.size() == 2 && history.get(0) instanceof Call && history.get(1) instanceof Text,
              "GetContactHistory gives a Call then a Text: " + history);
        if (history.size() == 2 && history.get(0) instanceof Call && history.get(1) instanceof Text) {
            Call call = (Call) history.get(0);
            equal(seeded, call.getContactId(), "history call contactId");
            equal("12132212385", call.getToNumber().getValue(), "history call ToNumber");
            equal(1, call.getCallRecord().size(), "history call records");
            equal(12, call.getCallRecord().isEmpty() ? null : call.getCallRecord().get(0).getDuration(), "call duration");
            equal("Hello Callfire API", ((Text) history.get(1)).getMessage(), "history text message");
        }
        historyRequest.setMaxResults(1L);
        historyRequest.setFirstResult(1L);
        List<Action> page = port.getContactHistory(historyRequest).getCallOrText();
        check(page.size() == 1 && page.get(0) instanceof Text, "GetContactHistory paging: " + page);

        // Contact lists from each source.
        long list = port.createContactList(createList("java " + tag, "urn:java:" + tag, true,
            numbers("mobilePhone", "12132212384", "12132212385", "12132212384", "not-a-number")));
        check(list > 0, "CreateContactList returns an id");
        long again = port.createContactList(createList("java " + tag, "urn:java:" + tag, true,
            numbers("mobilePhone", "12132212384")));
        equal(list, again, "a RequestId replay returns the first id");
        ContactList info = port.getContactList(id(list));
        equal("java " + tag, info.getName(), "GetContactList name");
        equal(BigInteger.valueOf(2), info.getSize(), "GetContactList size (duplicate and invalid number scrubbed)");
        equal(ContactListStatus.ACTIVE, info.getStatus(), "GetContactList status");
        equal(list, info.getId(), "GetContactList id");

        Holder<Long> total = new Holder<>();
        Holder<List<ContactList>> lists = new Holder<>();
        port.queryContactLists(1000L, 0L, total, lists);
        check(lists.value != null && lists.value.stream().anyMatch(l -> l.getId() == list), "QueryContactLists lists it");
        check(total.value != null && total.value >= 1, "QueryContactLists TotalResults");

        List<Contact> contacts = members(port, list, total);
        equal(2L, total.value, "QueryContacts by list: TotalResults");
        equal(2, contacts.size(), "QueryContacts by list: contacts");
        if (contacts.size() < 2) {
            return;
        }
        equal("12132212384", contacts.get(0).getMobilePhone(), "numbers land in the fieldName column");
        long first = contacts.get(0).getId(), second = contacts.get(1).getId();

        Contact change = new Contact();
        change.setId(first);
        change.setFirstName("Java");
        change.setLastName("Client");
        change.setZipcode("90210");
        UpdateContacts update = new UpdateContacts();
        update.getContact().add(change);
        port.updateContacts(update);
        Contact updated = port.getContact(id(first));
        check("Java".equals(updated.getFirstName()) && "Client".equals(updated.getLastName())
              && "90210".equals(updated.getZipcode()), "UpdateContacts then GetContact: " + updated.getFirstName());
        Holder<List<Contact>> found = new Holder<>();
        port.queryContacts(null, null, "firstName", null, "java", total, found);
        check(total.value == 1 && found.value != null && found.value.size() == 1 && found.value.get(0).getId() == first,
              "QueryContacts with Field and String");

        ContactListRequest add = new ContactListRequest();
        add.setContactListId(list);
        add.setValidate(true);
        add.setContactSource(numbers(null, "12132212386"));
        port.addContactsToList(add);
        equal(BigInteger.valueOf(3), port.getContactList(id(list)).getSize(), "AddContactsToList by numbers");
        Contact added = new Contact();
        added.setFirstName("Added");
        added.setHomePhone("12132212387");
        ContactSource byContact = new ContactSource();
        byContact.getContact().add(added);
        add.setValidate(null);
        add.setContactSource(byContact);
        port.addContactsToList(add);
        equal(BigInteger.valueOf(4), port.getContactList(id(list)).getSize(), "AddContactsToList by contacts");

        RemoveContactsFromList remove = new RemoveContactsFromList();
        remove.setContactListId(list);
        remove.getContactId().add(second);
        port.removeContactsFromList(remove);
        equal(BigInteger.valueOf(3), port.getContactList(id(list)).getSize(), "RemoveContactsFromList by id");
        remove = new RemoveContactsFromList();
        remove.setContactListId(list);
        remove.getNumbers().add("12132212386");
        port.removeContactsFromList(remove);
        equal(BigInteger.valueOf(2), port.getContactList(id(list)).getSize(), "RemoveContactsFromList by number");

        ContactSource byIds = new ContactSource();
        byIds.getContactId().addAll(Arrays.asList(first, second));
        long idList = port.createContactList(createList("ids " + tag, null, null, byIds));
        equal(BigInteger.valueOf(2), port.getContactList(id(idList)).getSize(), "CreateContactList from contact ids");

        // svc:File is a DataHandler (xmime:expectedContentTypes), as in stubs built from the legacy WSDL.
        ContactSource byFile = new ContactSource();
        byFile.setFile(csv("firstName,lastName,homePhone,region\nAnn,Csv,12132212388,x1\nBob,Csv,12132212389,x2\n"));
        long fileList = port.createContactList(createList("csv " + tag, null, null, byFile));
        equal(BigInteger.valueOf(2), port.getContactList(id(fileList)).getSize(), "CreateContactList from a CSV file");
        List<Contact> fromCsv = members(port, fileList, total);
        check(fromCsv.size() == 2 && "Ann".equals(fromCsv.get(0).getFirstName())
              && "x1".equals(fromCsv.get(0).getOtherAttributes().get(new QName("region"))),
              "the CSV's rows and custom column arrive");

        Contact unvalidated = new Contact();
        unvalidated.setFirstName("Raw");
        unvalidated.setHomePhone("111");
        ContactSource rawSource = new ContactSource();
        rawSource.getContact().add(unvalidated);
        long rawList = port.createContactList(createList("contacts " + tag, null, false, rawSource));
        List<Contact> rawMembers = members(port, rawList, total);
        check(rawMembers.size() == 1 && "111".equals(rawMembers.get(0).getHomePhone()), "Validate=false keeps 111");

        port.deleteContactList(id(idList));
        equal(ContactListStatus.DELETED, port.getContactList(id(idList)).getStatus(), "DeleteContactList is a soft delete");
        RemoveContacts removeContacts = new RemoveContacts();
        removeContacts.getContactId().add(second);
        port.removeContacts(removeContacts);
        equal(FaultCode.NOT_FOUND, faultCode(() -> port.getContact(id(second))), "GetContact after RemoveContacts");

        // Do Not Contact lists.
        CreateDncListRequest createDnc = new CreateDncListRequest();
        createDnc.setName("dnc " + tag);
        createDnc.setCampaignId(42L);
        createDnc.getNumbers().addAll(Arrays.asList("12135550100", "12135550101"));
        long dnc = port.createDncList(createDnc);
        check(dnc > 0, "CreateDncList returns an id");
        DncList dncList = port.getDncList(id(dnc));
        check(("dnc " + tag).equals(dncList.getName()) && Long.valueOf(42).equals(dncList.getCampaignId())
              && dncList.getSize() == 2, "GetDncList: name, campaign, size 2");
        QueryDncListsRequest queryDnc = new QueryDncListsRequest();
        queryDnc.setName("dnc " + tag);
        QueryDncListsResponse dncLists = port.queryDncLists(queryDnc);
        check(dncLists.getTotalResults() == 1 && dncLists.getDncList().size() == 1
              && dncLists.getDncList().get(0).getId() == dnc, "QueryDncLists by name");

        DncNumbersRequest addNumbers = new DncNumbersRequest();
        addNumbers.setId(dnc);
        addNumbers.setCallDnc(true);
        addNumbers.setTextDnc(false);
        addNumbers.getNumbers().add("12135550102");
        port.addNumbersToDncList(addNumbers);
        QueryDncNumbersRequest byPrefix = new QueryDncNumbersRequest();
        byPrefix.setDncListId(dnc);
        byPrefix.setPrefix("1213555");
        QueryDncNumbersResponse prefixed = port.queryDncNumbers(byPrefix);
        equal(3L, prefixed.getTotalResults(), "AddNumbersToDncList then QueryDncNumbers by prefix");

        UpdateDncNumberRequest updateNumber = new UpdateDncNumberRequest();
        updateNumber.setNumber("12135550100");
        updateNumber.setCallDnc(false);
        port.updateDncNumber(updateNumber);
        QueryDncNumbersRequest callable = new QueryDncNumbersRequest();
        callable.setDncListId(dnc);
        callable.setCallDnc(false);
        List<DncNumber> numbers = port.queryDncNumbers(callable).getDncNumber();
        check(numbers.size() == 1 && "12135550100".equals(numbers.get(0).getNumber()) && numbers.get(0).isTextDnc()
              && !numbers.get(0).isCallDnc(), "UpdateDncNumber changes only the given flag");

        DncNumbersRequest removeNumbers = new DncNumbersRequest();
        removeNumbers.setId(dnc);
        removeNumbers.getNumbers().add("12135550101");
        port.removeNumbersFromDncList(removeNumbers);
        equal(2, port.getDncList(id(dnc)).getSize(), "RemoveNumbersFromDncList");
        long scrubbed = port.createContactList(createList("scrub " + tag, null, null,
            numbers(null, "12135550102", "12132212390")));
        equal(BigInteger.valueOf(1), port.getContactList(id(scrubbed)).getSize(), "DNC numbers are scrubbed from imports");
        port.deleteDncList(id(dnc));
        equal(FaultCode.NOT_FOUND, faultCode(() -> port.getDncList(id(dnc))), "GetDncList after DeleteDncList");

        // Typed faults.
        equal(FaultCode.NOT_FOUND, faultCode(() -> port.getContact(id(987654321L))), "GetContact of an unknown id");
        equal(FaultCode.NOT_FOUND, faultCode(() -> port.getContactList(id(987654321L))), "GetContactList of an unknown id");
        equal(FaultCode.BAD_REQUEST, faultCode(() -> port.queryContacts(-1L, null, null, null, null,
            new Holder<>(), new Holder<>())), "QueryContacts with MaxResults -1");
    }
}
