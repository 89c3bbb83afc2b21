<?php
// GetContact through a real PHP SoapClient; prints what PHP hands the script ($response)
// and the raw message it received, as JSON for the pytest side to inspect.
// usage: php get_contact.php WSDL LOGIN PASSWORD CONTACT_ID [LOCATION]
[$script, $wsdl, $login, $password, $id] = $argv;
$options = [
    'soap_version' => SOAP_1_2,
    'login' => $login,
    'password' => $password,
    'trace' => true,
    'exceptions' => true,
    'cache_wsdl' => WSDL_CACHE_NONE,
];
if (isset($argv[5])) {
    $options['location'] = $argv[5];
}
try {
    $client = new SoapClient($wsdl, $options);
    $response = $client->GetContact(['Id' => (int)$id]);
    echo json_encode([
        'ok' => true,
        'response' => get_object_vars($response),
        'last_response' => $client->__getLastResponse(),
        'last_request_headers' => $client->__getLastRequestHeaders(),
    ]);
} catch (SoapFault $fault) {
    echo json_encode([
        'ok' => false,
        'faultcode' => $fault->faultcode,
        'message' => $fault->getMessage(),
        'detail' => isset($fault->detail) ? json_decode(json_encode($fault->detail), true) : null,
    ]);
}
