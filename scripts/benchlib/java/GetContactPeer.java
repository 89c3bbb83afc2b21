// The JAX-WS peer of the GetContact benchmark: the ContactService port that wsimport
// generated from the project's served WSDL (com.callfire.api.*), implemented for GetContact
// only, from an in-memory map, on the JDK HTTP server with 8 request threads and HTTP Basic
// authentication. The other 18 operations answer a NOT_IMPLEMENTED ServiceFault.
//
// usage: java GetContactPeer PORT LOGIN PASSWORD ID FIRST_NAME LAST_NAME MOBILE_PHONE [NAME=VALUE...]
//   NAME=VALUE: custom fields of the contact (extra attributes of data:Contact).

import com.callfire.api.data.Contact;
import com.callfire.api.data.ContactHistory;
import com.callfire.api.data.ContactList;
import com.callfire.api.data.DncList;
import com.callfire.api.service.wsdl.http.soap12.ContactServicePortType;
import com.callfire.api.service.wsdl.http.soap12.ServiceFault;
import com.callfire.api.service.xsd.ContactListRequest;
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
import com.callfire.api.service.xsd.ServiceFaultInfo;
import com.callfire.api.service.xsd.UpdateContacts;
import com.callfire.api.service.xsd.UpdateDncNumberRequest;
import com.sun.net.httpserver.BasicAuthenticator;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpServer;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import javax.jws.WebService;
import javax.xml.namespace.QName;
import javax.xml.ws.BindingType;
import javax.xml.ws.Endpoint;
import javax.xml.ws.Holder;
import javax.xml.ws.soap.SOAPBinding;

@WebService(
    endpointInterface = "com.callfire.api.service.wsdl.http.soap12.ContactServicePortType",
    targetNamespace = "http://api.callfire.com/service/wsdl/http/soap12",
    serviceName = "CallFireApi", portName = "ContactServicePort")
@BindingType(SOAPBinding.SOAP12HTTP_BINDING)
public class GetContactPeer implements ContactServicePortType {
    private final Map<Long, Contact> contacts = new ConcurrentHashMap<>();

    private static ServiceFault fault(FaultCode code, String message) {
        ServiceFaultInfo info = new ServiceFaultInfo();
        info.setFaultCode(code);
        info.setMessage(message);
        return new ServiceFault(message, info);
    }

    private static ServiceFault notImplemented() {
        return fault(FaultCode.NOT_IMPLEMENTED, "the benchmark peer implements GetContact only");
    }

    @Override
    public Contact getContact(IdRequest request) throws ServiceFault {
        Contact contact = contacts.get(request.getId());
        if (contact == null) {
            throw fault(FaultCode.NOT_FOUND, "Contact " + request.getId() + " not found");
        }
        return contact;
    }

    @Override
    public void queryContacts(Long maxResults, Long firstResult, String field, Long contactListId, String string,
                              Holder<Long> totalResults, Holder<List<Contact>> contact) throws ServiceFault {
        throw notImplemented();
    }

    @Override public void updateContacts(UpdateContacts request) throws ServiceFault { throw notImplemented(); }
    @Override public void removeContacts(RemoveContacts request) throws ServiceFault { throw notImplemented(); }
    @Override public ContactHistory getContactHistory(GetContactHistory request) throws ServiceFault { throw notImplemented(); }
    @Override public long createContactList(CreateContactList request) throws ServiceFault { throw notImplemented(); }

    @Override
    public void queryContactLists(Long maxResults, Long firstResult, Holder<Long> totalResults,
                                  Holder<List<ContactList>> contactList) throws ServiceFault {
        throw notImplemented();
    }

    @Override public void deleteContactList(IdRequest request) throws ServiceFault { throw notImplemented(); }
    @Override public void addContactsToList(ContactListRequest request) throws ServiceFault { throw notImplemented(); }
    @Override public ContactList getContactList(IdRequest request) throws ServiceFault { throw notImplemented(); }
    @Override public void removeContactsFromList(RemoveContactsFromList request) throws ServiceFault { throw notImplemented(); }
    @Override public QueryDncNumbersResponse queryDncNumbers(QueryDncNumbersRequest request) throws ServiceFault { throw notImplemented(); }
    @Override public void updateDncNumber(UpdateDncNumberRequest request) throws ServiceFault { throw notImplemented(); }
    @Override public QueryDncListsResponse queryDncLists(QueryDncListsRequest request) throws ServiceFault { throw notImplemented(); }
    @Override public long createDncList(CreateDncListRequest request) throws ServiceFault { throw notImplemented(); }
    @Override public DncList getDncList(IdRequest request) throws ServiceFault { throw notImplemented(); }
    @Override public void deleteDncList(IdRequest request) throws ServiceFault { throw notImplemented(); }
    @Override public void addNumbersToDncList(DncNumbersRequest request) throws ServiceFault { throw notImplemented(); }
    @Override public void removeNumbersFromDncList(DncNumbersRequest request) throws ServiceFault { throw notImplemented(); }

    public static void main(String[] argv) throws Exception {
        int port = Integer.parseInt(argv[0]);
        String login = argv[1], password = argv[2];
        Contact contact = new Contact();
        contact.setId(Long.parseLong(argv[3]));
        contact.setFirstName(argv[4]);
        contact.setLastName(argv[5]);
        contact.setMobilePhone(argv[6]);
        for (int i = 7; i < argv.length; i++) {
            String[] field = argv[i].split("=", 2);
            contact.getOtherAttributes().put(new QName(field[0]), field[1]);
        }
        GetContactPeer peer = new GetContactPeer();
        peer.contacts.put(contact.getId(), contact);

        // JAX-WS writes a response in several small writes; with Nagle's algorithm on, each
        // keep-alive reply then waits for the client's delayed ACK (~40 ms on Linux).
        System.setProperty("sun.net.httpserver.nodelay", "true");
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 128);
        server.setExecutor(Executors.newFixedThreadPool(8));
        HttpContext soap = server.createContext("/api/1.1/soap12/contact");
        soap.setAuthenticator(new BasicAuthenticator("CallFire API") {
            @Override
            public boolean checkCredentials(String user, String pass) {
                return login.equals(user) && password.equals(pass);
            }
        });
        Endpoint endpoint = Endpoint.create(SOAPBinding.SOAP12HTTP_BINDING, peer);
        endpoint.publish(soap);
        server.createContext("/healthz", exchange -> {
            byte[] ok = "ok".getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, ok.length);
            exchange.getResponseBody().write(ok);
            exchange.close();
        });
        server.start();
        System.err.println("GetContactPeer: listening on 127.0.0.1:" + port);
    }
}
