"""CSV File sources that every list import must refuse with BAD_REQUEST, creating nothing
(tests/unit/test_lists.py in process, tests/e2e/test_list_import.py over SOAP)."""

BAD_CSV_FILES = {
    "latin-1": "firstName,homePhone\nJos\xe9,2132212384\n".encode("latin-1"),
    "nul bytes": b"homePhone\n2132212384\x00\n",
    "no usable column": b"id,,#\n1,2,3\n",
    "unterminated quote": b'firstName,homePhone\n"Ann,2132212384\n',
    "empty": b"\r\n\r\n",
    "value too long": ("firstName,homePhone\n" + "x" * 2000 + ",2132212384\n").encode(),
    # U+FFFF is valid UTF-8 but no XML document can carry it: stored, the contact could
    # never be read back.
    "non-character": "firstName,homePhone\nAnn\uffff,2132212384\n".encode(),
}
