"""QueryDncLists and QueryDncNumbers run statements built once per combination of filters
(storage/dnc.py), every value bound per call: each call, whatever the calls before it, must
answer for its own account and its own filter values."""
from __future__ import annotations

import itertools

from callfire_soap.domain.paging import Page
from callfire_soap.services import dnc as service

ALL = Page(1000, 0)
NUMBERS = ["12132212384", "12132212385", "13105551212", "16502530000", "16502530001"]


def _setup(app, make_account):
    """Two accounts with lists of the same names and campaigns; returns
    {account_id: [(list_id, name, campaign_id, {number: (call, text)})]}."""
    made = {}
    for acct in (make_account(), make_account()):
        lists = []
        for name, campaign_id, call, text, numbers in (
            ("Opt-outs", 7, None, None, NUMBERS[:3]),
            ("Complaints_100%", None, False, None, NUMBERS[1:]),
            ("opt-OUTS west", 7, None, False, NUMBERS[3:]),
        ):
            list_id = service.create_dnc_list(app.backend.uow, acct.id, name, campaign_id, call, text, numbers)
            flags = (call is not False, text is not False)
            lists.append((list_id, name, campaign_id, dict.fromkeys(numbers, flags)))
        made[acct.id] = lists
    return made


def test_query_numbers_answers_each_call_for_its_account_and_filters(app, make_account):
    made = _setup(app, make_account)
    prefixes = [None, "1", "1213", "1650", "19", "9"]
    for account_id, lists in made.items():
        list_ids = [None, lists[0][0], lists[2][0], *(other[0][0] for a, other in made.items() if a != account_id)]
        for prefix, list_id, list_name, call, text in itertools.product(
            prefixes, list_ids, [None, "OUTS", "100%", "nowhere"], [None, True, False], [None, True, False]
        ):
            expected = sorted(
                (number, lid, c, t)
                for lid, name, _, numbers in lists
                for number, (c, t) in numbers.items()
                if (prefix is None or number.startswith(prefix)) and list_id in (None, lid)
                and (list_name is None or list_name.lower() in name.lower())
                and call in (None, c) and text in (None, t)
            )
            total, found = service.query_dnc_numbers(app.backend.uow, account_id, ALL, prefix=prefix,
                                                     list_id=list_id, list_name=list_name,
                                                     call_dnc=call, text_dnc=text)
            got = [(n.number, n.dnc_list_id, n.call_dnc, n.text_dnc) for n in found]
            assert (total, got) == (len(expected), expected), (prefix, list_id, list_name, call, text)
            assert all(type(n.call_dnc) is bool and type(n.text_dnc) is bool for n in found)


def test_query_numbers_pages_with_bound_limit_and_offset(app, make_account):
    account_id, lists = next(iter(_setup(app, make_account).items()))
    everything = service.query_dnc_numbers(app.backend.uow, account_id, ALL)[1]
    for limit, offset in ((0, 0), (1, 0), (2, 3), (5, 6), (10, 100)):
        total, found = service.query_dnc_numbers(app.backend.uow, account_id, Page(limit, offset))
        assert (total, found) == (len(everything), everything[offset:offset + limit])


def test_query_lists_answers_each_call_for_its_account_and_filters(app, make_account):
    made = _setup(app, make_account)
    for account_id, lists in made.items():
        for campaign_id, name in itertools.product([None, 7, 8], [None, "opt-outs", "_100%", "100", "x"]):
            expected = [(lid, n, c, len(numbers)) for lid, n, c, numbers in lists
                        if campaign_id in (None, c) and (name is None or name.lower() in n.lower())]
            total, found = service.query_dnc_lists(app.backend.uow, account_id, ALL, campaign_id, name)
            got = [(d.id, d.name, d.campaign_id, d.size) for d in found]
            assert (total, got) == (len(expected), expected), (campaign_id, name)
        total, found = service.query_dnc_lists(app.backend.uow, account_id, Page(1, 1))
        assert (total, [d.id for d in found]) == (3, [lists[1][0]])
