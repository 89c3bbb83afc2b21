<?php
// The CallFire PHP SDK's REST transport and response parsing, as REST-CONTRACT.md describes
// them (R1: Http/Curl.php, AbstractClient.php, Response.php): curl with CURLOPT_USERPWD,
// http_build_query on GET, a form body built by buildPostData (arrays joined by spaces,
// values cast with (string)) on every other verb, and the root recognised by the literal
// nodeName of $document->firstChild.
// Usage: php rest_session.php BASE_URL LOGIN PASSWORD   (prints one JSON object)

$base = rtrim($argv[1], '/') . '/api/1.1/rest';
$login = $argv[2];
$password = $argv[3];

function build_post_data(array $params): string {
    foreach ($params as $name => $value) {
        $params[$name] = is_array($value) ? implode(' ', $value) : (string)$value;
    }
    return http_build_query($params);
}

function call(string $method, string $path, array $params = []) {
    global $base, $login, $password;
    $url = $base . '/' . $path;
    $curl = curl_init();
    if ($method === 'GET') {
        if ($params) {
            $url .= '?' . http_build_query($params);
        }
    } else {
        curl_setopt($curl, CURLOPT_POSTFIELDS, build_post_data($params));
    }
    curl_setopt($curl, CURLOPT_URL, $url);
    curl_setopt($curl, CURLOPT_CUSTOMREQUEST, $method);
    curl_setopt($curl, CURLOPT_USERPWD, "$login:$password");
    curl_setopt($curl, CURLOPT_RETURNTRANSFER, true);
    $body = curl_exec($curl);
    if ($body === false) {
        throw new RuntimeException(curl_error($curl));
    }
    $status = curl_getinfo($curl, CURLINFO_HTTP_CODE);
    curl_close($curl);
    return ['status' => $status, 'response' => response($body)];
}

function node_data(DOMElement $node): array {
    $data = ['node' => $node->nodeName];
    foreach ($node->attributes as $attribute) {
        $data['@' . $attribute->nodeName] = $attribute->nodeValue;
    }
    foreach ($node->childNodes as $child) {
        if ($child instanceof DOMElement) {
            $data[$child->nodeName] = $child->nodeValue;
        }
    }
    return $data;
}

// Response::fromXml: an empty string is success; otherwise the root's literal nodeName.
function response(string $body) {
    if ($body === '') {
        return true;
    }
    $document = new DOMDocument();
    if (!$document->loadXML($body)) {
        throw new RuntimeException('not XML: ' . $body);
    }
    $xpath = new DOMXPath($document);
    $xpath->registerNamespace('r', 'http://api.callfire.com/resource');
    $root = $document->firstChild;
    switch ($root->nodeName) {
        case 'r:ResourceList':
            $items = [];
            foreach ($xpath->query('*', $root) as $node) {
                $items[] = node_data($node);
            }
            return ['type' => 'ResourceList',
                    'totalResults' => (int)$xpath->evaluate('string(@totalResults)', $root),
                    'items' => $items];
        case 'r:Resource':
            return ['type' => 'Resource', 'item' => node_data($xpath->query('*[1]', $root)->item(0))];
        case 'r:ResourceReference':
            return ['type' => 'ResourceReference',
                    'id' => $xpath->evaluate('string(r:Id)', $root),
                    'location' => $xpath->evaluate('string(r:Location)', $root)];
        case 'r:ResourceException':
            return ['type' => 'ResourceException',
                    'status' => (int)$xpath->evaluate('string(r:HttpStatus)', $root),
                    'message' => $xpath->evaluate('string(r:Message)', $root)];
    }
    throw new RuntimeException('unknown root ' . $root->nodeName);
}

$out = [];
$out['create'] = call('POST', 'contact/list', [
    'RequestId' => 'php-' . $login, 'Name' => 'PHP friends', 'Validate' => false,
    'Numbers' => ['+12132212384', '12132212385', '555000'],
]);
$listId = $out['create']['response']['id'];
$out['query_lists'] = call('GET', 'contact/list', ['MaxResults' => 5, 'FirstResult' => 0]);
$out['get_list'] = call('GET', "contact/list/$listId");
$out['query_contacts'] = call('GET', 'contact', ['ContactListId' => $listId, 'MaxResults' => 10]);
$ids = array_map(function ($c) { return $c['@id']; }, $out['query_contacts']['response']['items']);
$out['get_contact'] = call('GET', 'contact/' . $ids[0]);
$out['remove_from_list'] = call('POST', "contact/list/$listId/remove", ['ContactId' => array_slice($ids, 0, 2)]);
$out['get_list_after'] = call('GET', "contact/list/$listId");
$out['fault'] = call('GET', 'contact/999999999999');
$out['bad_request'] = call('POST', "contact/list/$listId/remove", []);
echo json_encode($out);
