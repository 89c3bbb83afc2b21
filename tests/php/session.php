<?php
// A realistic session across all 19 ContactService operations through PHP's SoapClient.
// Prints JSON {"failures": [...], "steps": n}; pytest fails the test on any failure.
// usage: php session.php WSDL LOGIN PASSWORD [LOCATION|-] [sdk]
// "sdk" builds the client as the official CallFire PHP SDK does (Client::Soap): with
// 'soap_version' => 'SOAP_1_2', a string, which SoapClient ignores, so it speaks SOAP 1.1.
[$script, $wsdl, $login, $password] = $argv;
$options = [
    'soap_version' => ($argv[5] ?? '') === 'sdk' ? 'SOAP_1_2' : SOAP_1_2,
    'login' => $login, 'password' => $password,
    'trace' => true, 'exceptions' => true, 'cache_wsdl' => WSDL_CACHE_NONE,
];
if (isset($argv[4]) && $argv[4] !== '-') {
    $options['location'] = $argv[4];
}
$failures = [];
$steps = 0;
function check($ok, $what) {
    global $failures, $steps;
    $steps++;
    if (!$ok) {
        $failures[] = $what;
    }
}
function as_list($value) {
    // SoapClient gives one object for a single element and an array for several.
    if ($value === null) return [];
    return is_array($value) ? $value : [$value];
}
function fault_code($client, callable $call) {
    try {
        $call($client);
        return null;
    } catch (SoapFault $fault) {
        return $fault->detail->ServiceFaultInfo->FaultCode ?? ('no ServiceFaultInfo: ' . $fault->getMessage());
    }
}

try {
    $c = new SoapClient($wsdl, $options);
    $described = implode("\n", $c->__getFunctions());
    foreach (['QueryContacts', 'UpdateContacts', 'RemoveContacts', 'GetContact', 'GetContactHistory',
              'CreateContactList', 'QueryContactLists', 'DeleteContactList', 'AddContactsToList',
              'GetContactList', 'RemoveContactsFromList', 'QueryDncNumbers', 'UpdateDncNumber',
              'QueryDncLists', 'CreateDncList', 'GetDncList', 'DeleteDncList', 'AddNumbersToDncList',
              'RemoveNumbersFromDncList'] as $operation) {
        check(str_contains($described, " $operation("), "the WSDL describes $operation");
    }
    $tag = uniqid();

    // Contact lists from each source
    $list = $c->CreateContactList(['RequestId' => "urn:php:$tag", 'Name' => "php $tag", 'Validate' => true,
        'ContactSource' => ['Numbers' => ['_' => '12132212384, 12132212385 12132212384 not-a-number', 'fieldName' => 'mobilePhone']]]);
    check(is_int($list) && $list > 0, 'CreateContactList returns an id');
    $again = $c->CreateContactList(['RequestId' => "urn:php:$tag", 'Name' => "php $tag", 'Validate' => true,
        'ContactSource' => ['Numbers' => ['_' => '12132212384', 'fieldName' => 'mobilePhone']]]);
    check($again === $list, 'RequestId replay returns the first id');
    $info = $c->GetContactList(['Id' => $list]);
    check($info->Name === "php $tag" && (int)$info->Size === 2 && $info->Status === 'ACTIVE' && $info->id === $list,
          'GetContactList shows name, size 2 (duplicate and invalid scrubbed), ACTIVE');
    $lists = $c->QueryContactLists(['MaxResults' => 1000]);
    $ids = array_map(fn($l) => $l->id, as_list($lists->ContactList ?? null));
    check(in_array($list, $ids, true) && $lists->TotalResults >= 1, 'QueryContactLists lists it');

    $members = $c->QueryContacts(['ContactListId' => $list]);
    $contacts = as_list($members->Contact ?? null);
    check($members->TotalResults === 2 && count($contacts) === 2, 'QueryContacts by list gives 2 contacts');
    check($contacts[0]->mobilePhone === '12132212384', 'numbers land in mobilePhone');
    $first = $contacts[0]->id;
    $second = $contacts[1]->id;

    $c->UpdateContacts(['Contact' => [['id' => $first, 'firstName' => 'Php', 'lastName' => 'Client', 'zipcode' => '90210']]]);
    $one = $c->GetContact(['Id' => $first]);
    check($one->firstName === 'Php' && $one->lastName === 'Client' && $one->zipcode === '90210', 'UpdateContacts then GetContact');
    $found = $c->QueryContacts(['String' => 'php', 'Field' => 'firstName']);
    check($found->TotalResults === 1 && as_list($found->Contact)[0]->id === $first, 'QueryContacts with Field and String');
    $history = $c->GetContactHistory(['ContactId' => $first, 'MaxResults' => 10]);
    check(empty((array)$history), 'GetContactHistory of a contact without history is empty');

    $c->AddContactsToList(['ContactListId' => $list, 'Validate' => true,
        'ContactSource' => ['Numbers' => ['_' => '12132212386']]]);
    check((int)$c->GetContactList(['Id' => $list])->Size === 3, 'AddContactsToList by numbers');
    $c->AddContactsToList(['ContactListId' => $list,
        'ContactSource' => ['Contact' => [['firstName' => 'Added', 'homePhone' => '12132212387']]]]);
    check((int)$c->GetContactList(['Id' => $list])->Size === 4, 'AddContactsToList by contacts');
    $c->RemoveContactsFromList(['ContactListId' => $list, 'ContactId' => [$second]]);
    check((int)$c->GetContactList(['Id' => $list])->Size === 3, 'RemoveContactsFromList by id');
    $c->RemoveContactsFromList(['ContactListId' => $list, 'Numbers' => '12132212386']);
    check((int)$c->GetContactList(['Id' => $list])->Size === 2, 'RemoveContactsFromList by number');

    $byIds = $c->CreateContactList(['Name' => "ids $tag", 'ContactSource' => ['ContactId' => [$first, $second]]]);
    check((int)$c->GetContactList(['Id' => $byIds])->Size === 2, 'CreateContactList from contact ids');
    $csv = "firstName,lastName,homePhone,custom data1\nAnn,Csv,12132212388,x1\nBob,Csv,12132212389,x2\n";
    $byFile = $c->CreateContactList(['Name' => "csv $tag", 'ContactSource' => ['File' => $csv]]);
    check((int)$c->GetContactList(['Id' => $byFile])->Size === 2, 'CreateContactList from a CSV file');
    $byContacts = $c->CreateContactList(['Name' => "contacts $tag", 'Validate' => false,
        'ContactSource' => ['Contact' => [['firstName' => 'Raw', 'homePhone' => '111']]]]);
    $raw = as_list($c->QueryContacts(['ContactListId' => $byContacts])->Contact);
    check(count($raw) === 1 && $raw[0]->homePhone === '111', 'Validate=false keeps 111');

    $c->DeleteContactList(['Id' => $byIds]);
    check($c->GetContactList(['Id' => $byIds])->Status === 'DELETED', 'DeleteContactList is a soft delete');
    $c->RemoveContacts(['ContactId' => [$second]]);
    check(fault_code($c, fn($c) => $c->GetContact(['Id' => $second])) === 'NOT_FOUND', 'RemoveContacts');

    // Do Not Contact
    $dnc = $c->CreateDncList(['Name' => "dnc $tag", 'CampaignId' => 42, 'Numbers' => '12135550100 12135550101']);
    check(is_int($dnc) && $dnc > 0, 'CreateDncList returns an id');
    $d = $c->GetDncList(['Id' => $dnc]);
    check($d->Name === "dnc $tag" && $d->CampaignId === 42 && $d->Size === 2, 'GetDncList');
    $dl = $c->QueryDncLists(['Name' => "dnc $tag"]);
    check($dl->TotalResults === 1 && as_list($dl->DncList)[0]->id === $dnc, 'QueryDncLists by name');
    $c->AddNumbersToDncList(['Id' => $dnc, 'CallDnc' => true, 'TextDnc' => false, 'Numbers' => '12135550102']);
    $numbers = $c->QueryDncNumbers(['DncListId' => $dnc, 'Prefix' => '1213555']);
    check($numbers->TotalResults === 3, 'AddNumbersToDncList then QueryDncNumbers by prefix');
    $c->UpdateDncNumber(['Number' => '12135550100', 'CallDnc' => false]);
    $numbers = as_list($c->QueryDncNumbers(['DncListId' => $dnc, 'CallDnc' => false])->DncNumber);
    check(count($numbers) === 1 && $numbers[0]->Number === '12135550100' && $numbers[0]->TextDnc === true,
          'UpdateDncNumber changes only the given flag');
    $c->RemoveNumbersFromDncList(['Id' => $dnc, 'Numbers' => '12135550101']);
    check($c->GetDncList(['Id' => $dnc])->Size === 2, 'RemoveNumbersFromDncList');
    $scrubbed = $c->CreateContactList(['Name' => "scrub $tag", 'ContactSource' => ['Numbers' => ['_' => '12135550102 12132212390']]]);
    check((int)$c->GetContactList(['Id' => $scrubbed])->Size === 1, 'DNC numbers are scrubbed from imports');
    $c->DeleteDncList(['Id' => $dnc]);
    check(fault_code($c, fn($c) => $c->GetDncList(['Id' => $dnc])) === 'NOT_FOUND', 'DeleteDncList');

    // Faults
    check(fault_code($c, fn($c) => $c->GetContact(['Id' => 987654321])) === 'NOT_FOUND', 'GetContact unknown id fault');
    check(fault_code($c, fn($c) => $c->GetContactList(['Id' => 987654321])) === 'NOT_FOUND', 'GetContactList unknown id fault');
    check(fault_code($c, fn($c) => $c->QueryContacts(['MaxResults' => -1])) === 'BAD_REQUEST', 'bad paging fault');
} catch (Throwable $e) {
    $failures[] = 'unexpected ' . get_class($e) . ': ' . $e->getMessage()
        . (isset($c) ? "\nlast request: " . $c->__getLastRequest() . "\nlast response: " . $c->__getLastResponse() : '');
}
$wire = isset($c) ? ['request_headers' => $c->__getLastRequestHeaders(), 'response' => $c->__getLastResponse()] : [];
echo json_encode(['failures' => $failures, 'steps' => $steps] + $wire);
