"""A Redfish collection's ``Members``: the one reader of them, for core and the drivers.

``null`` (or an absent property) means the BMC did not tell; ``[]`` that it said there are
none.  A collection document tells what it holds in three properties, each read here and
nowhere else (core code, the drivers' :class:`~hamnhw_drivers.generic.resource.Resource`
and :class:`~hamnhw_drivers.generic.resource.Reader`, the detection hints):

``Members``
    the array of references.  Absent or ``null``: the BMC did not list them (unknown).
    Any other non-array is an unusable document (:class:`~hamnhw.errors.MalformedResponse`).
    A member without a usable ``@odata.id`` is skipped with a warning (it is still counted
    as listed against ``Members@odata.count``); an array of such members only is unknown,
    not none.
``Members@odata.count``
    how many members the collection holds (all pages together).  Absent or ``null``: not
    told.  Anything but a whole number ``>= 0`` is an unusable document: ``false`` is not a
    count of 0, nor ``"0"``, ``-1`` or ``2.5``; a JSON number with an integral value
    (``0.0``) is one, as every typed reader of a Redfish integer takes it.
``Members@odata.nextLink``
    where the next page of a paged collection is (DSP0266 "Collection resource"):
    ``Members`` holds only this page.  Anything but a non-empty string is an unusable
    document.

How they combine (the strictest reading; :class:`MemberList` carries the verdict):

* ``Members: [...]``, no count or a count no larger than the array, no ``nextLink``:
  complete, the URIs in order (more listed than counted: every one listed is kept).
  ``[]``, or no array beside a count of ``0``: none.
* No array (absent or ``null``) and no count of ``0``: unknown (``listed`` None).
* A count above the number listed, without a ``nextLink``: incomplete, not "none" and not
  "all": the URIs listed are a part (``listed`` None when that part is empty, so an empty
  list always means none).
* A ``nextLink``: :func:`read_members` follows it (page after page, at most
  :data:`MAX_PAGES`, all of them under one deadline: the caller's, else one default
  deadline for the whole walk, not one per page) and judges all pages together;
  :func:`parse_members`, which reads one document, reports the list incomplete.  A
  ``nextLink`` leading back to a page already read, or more pages than :data:`MAX_PAGES`,
  or a page without a ``Members`` array, leaves the list incomplete; so does a later page
  that cannot be read or is unusable (an HTTP error, malformed JSON, a transport error):
  the members of the pages before are kept, and the error is what :meth:`MemberList.require`
  raises.  The deadline passing on a later page is a :class:`~hamnhw.errors.BmcTimeout`
  naming the collection and the pages read (nothing else can be read in that time).
* A member listed more than once (on one page, or again on a later one: a list that changed
  between two page reads) is kept once, where first listed (``@odata.id`` compared without
  a trailing slash), with a warning naming the BMC and the collection; it is counted once
  against ``Members@odata.count``, so a repeat that hid a member gone leaves the list
  incomplete.

Code that would act on "none" or on "all" (create what seems missing, choose the only
system) must have every member (:meth:`MemberList.require`): an unknown or partial list is
not a complete one.  Code that shows what it read keeps the part and says it is incomplete.

Three readers with small differences did this before (core's ``member_uris``, the generic
driver's ``Resource.members``, the detection hints' ``_member_uris``); where they differed,
the strictest reading above won:

* a count of ``false`` beside no array was none (``[]``) for the hints (``False == 0``),
  unknown for core; a count of ``"0"`` was unknown for core: both are now malformed, as they
  were for the driver;
* ``Members: []`` beside a count above 0, or fewer members than counted, was read as
  complete by all three: now incomplete (``[]`` is never the answer);
* a ``nextLink`` was ignored by all three (a paged Subscriptions collection looked
  complete): :func:`read_members` follows it;
* an array of members none of which has an ``@odata.id`` was ``[]`` (none): now unknown; a
  member without one was None in the hints' list, skipped elsewhere: now skipped everywhere.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from hamnhw.errors import BmcTimeout, HamnhwError, MalformedResponse
from hamnhw.log import get_logger, warn_once

LOG = get_logger("hamnhw.members")

MAX_PAGES = 64
"""Pages of one collection :func:`read_members` reads at most (a BMC pages a few dozen
members at a time: this is thousands of drives, jobs or log entries; a service whose pages
never end stops here)."""

COUNT = "Members@odata.count"
NEXT = "Members@odata.nextLink"
UNKNOWN = "has no Members array: its members are unknown"
"""The verdict on a collection that does not list its members (the messages name it)."""

Scope = Callable[[], contextlib.AbstractContextManager[object]]
"""A client's :meth:`~hamnhw.transport.client.BmcClient.deadline_scope`: the block under the
deadline in force, else under one default deadline."""


@dataclasses.dataclass(slots=True)
class MemberList:
    """What a collection's document (or its pages) says it holds (a verdict: not to be
    changed; not frozen only because a frozen dataclass costs microseconds to build, and one
    is built per collection read).

    Invariant: ``listed == []`` only when the BMC said the collection holds nothing
    (``incomplete`` is then None).
    """

    listed: list[str] | None
    """The usable member URIs listed, in order; None when none are listed and the BMC did
    not say it holds none."""
    incomplete: str | None = None
    """Why ``listed`` is not every member (a predicate of the collection: ``has no Members
    array: ...``); None when it is every member."""
    uri: str | None = None
    """The collection (its first page)."""
    host: str | None = None
    """The BMC, for messages."""
    count: int | None = None
    """``Members@odata.count``, when told."""
    skipped: int = 0
    """Members listed without a usable ``@odata.id`` (skipped with a warning)."""
    next_link: str | None = None
    """The ``Members@odata.nextLink`` not followed (None when there is none left)."""
    repeated: int = 0
    """Members listed again after their first listing (each kept once, the first time)."""
    failure: HamnhwError | None = None
    """What reading a later page raised (``incomplete`` says which page); :meth:`require`
    raises it."""

    @property
    def every(self) -> list[str] | None:
        """Every member: ``listed`` when it is complete, else None (unknown)."""
        return self.listed if self.incomplete is None else None

    def part(self) -> list[str]:
        """The members listed, maybe a part of them (code needing only some: the first).

        :raises MalformedResponse: none is listed and the BMC did not say it holds none.
        """
        return self.listed if self.listed is not None else self.require()

    def require(self) -> list[str]:
        """Every member.

        :raises HamnhwError: :attr:`failure`, the error of a later page (what reading the
            collection raised before its part was kept).
        :raises MalformedResponse: the collection does not list them all (the reason, the
            collection's URI and ``$.Members`` in the message).
        """
        if self.failure is not None:
            raise self.failure
        if self.incomplete is not None or self.listed is None:
            raise MalformedResponse(f"collection {self.incomplete or UNKNOWN}",
                                    host=self.host, uri=self.uri, json_path="$.Members")
        return self.listed


@dataclasses.dataclass(slots=True)
class _Page:
    """One document's members, checked for type but not yet judged."""

    found: list[str] | None
    entries: int
    skipped: int
    count: int | None
    next_link: str | None


def _count(doc: Mapping[str, Any], uri: str | None, host: str | None) -> int | None:
    value = doc.get(COUNT)
    if value is None:
        return None
    if type(value) is int and value >= 0:
        return value
    if type(value) is float and value.is_integer() and value >= 0:
        return int(value)
    told = repr(value) if type(value) in (int, float) else type(value).__name__
    raise MalformedResponse(f"expected a count (a whole number >= 0), got {told}", host=host,
                            uri=uri, json_path=f"$.{COUNT}")


def _next_link(doc: Mapping[str, Any], uri: str | None, host: str | None) -> str | None:
    value = doc.get(NEXT)
    if value is None:
        return None
    if type(value) is str and value:
        return value
    raise MalformedResponse(f"expected a URI, got {type(value).__name__}", host=host, uri=uri,
                            json_path=f"$.{NEXT}")


def _page(doc: Any, uri: str | None, host: str | None) -> _Page:
    """The members ``doc`` lists (members without ``@odata.id`` skipped with a warning).

    :raises MalformedResponse: ``doc`` is not an object, or one of the three properties
        is not of its type.
    """
    if type(doc) is not dict and not isinstance(doc, Mapping):
        raise MalformedResponse("collection is not a JSON object", host=host, uri=uri)
    count, next_link = _count(doc, uri, host), _next_link(doc, uri, host)
    members = doc.get("Members")
    if members is None:
        return _Page(None, 0, 0, count, next_link)
    if type(members) is not list:
        raise MalformedResponse(f"expected an array, got {type(members).__name__}", host=host,
                                uri=uri, json_path="$.Members")
    found = []
    for index, item in enumerate(members):
        target = (item.get("@odata.id") if type(item) is dict or isinstance(item, Mapping)
                  else None)  # a parsed member is a dict: the ABC only for other mappings
        if type(target) is str and target:
            found.append(target)
        else:
            warn_once(LOG, ("no member id", host, uri, index),
                      "%s: %s $.Members[%d] has no @odata.id; skipped", host or "BMC",
                      uri or "collection", index)
    return _Page(found, len(members), len(members) - len(found), count, next_link)


def _judged(page: _Page, listed: int, uri: str | None, host: str | None) -> MemberList:
    """The verdict on ``page.found`` (every page's members together), ``listed`` entries in
    all, with no page left to read but ``page.next_link``."""
    found, repeated = _once(page.found, uri, host)
    count, listed = page.count, listed - repeated
    why = None
    if found is None:
        why = UNKNOWN
    elif page.next_link is not None:
        why = (f"is paged ({NEXT}) and its next page {page.next_link} was not read: the "
               "rest of its members are unknown")
    elif not found and listed:
        why = (f"lists {listed} members, none with a usable @odata.id: its members are "
               "unknown")
    elif count is not None and count > listed:
        again = f", {repeated} more listed twice," if repeated else ""
        why = (f"lists {listed} of the {count} members it counts ({COUNT}){again} and links "
               "no next page: the rest are unknown")
    if found is None and page.next_link is None and count == 0:
        why = None
        found = []
    return MemberList(found if found or why is None else None, why, uri, host, count,
                      page.skipped, page.next_link, repeated)


def _once(found: list[str] | None, uri: str | None,
          host: str | None) -> tuple[list[str] | None, int]:
    """``found`` with each member kept once, where first listed, and how many repeats were
    dropped (a warning: a BMC listing a member twice, or a list that changed between two
    page reads, may hide a member; callers would read, or count, one twice)."""
    if not found or len({member.rstrip("/") for member in found}) == len(found):
        return found, 0  # the usual case: one set, no list built
    seen: set[str] = set()
    once: list[str] = []
    again: list[str] = []
    for member in found:
        key = member.rstrip("/")
        if key in seen:
            again.append(member)
        else:
            seen.add(key)
            once.append(member)
    if again:  # said once per process: an exporter reads such a BMC again and again
        repeats = ", ".join(dict.fromkeys(again))
        warn_once(LOG, ("members twice", host, uri, repeats),
                  "%s: %s lists %d member(s) more than once (%s): each kept once",
                  host or "BMC", uri or "collection", len(again), repeats)
    return once, len(again)


def parse_members(doc: Any, *, uri: str | None = None, host: str | None = None) -> MemberList:
    """The members one collection document lists, judged by the rules above (a
    ``nextLink`` is not followed: the list is then incomplete).

    :param uri: where ``doc`` was read (for messages).
    :raises MalformedResponse: ``doc`` is not an object, or ``Members``,
        ``Members@odata.count`` or ``Members@odata.nextLink`` is not of its type.  Nothing
        else: any other JSON gives a :class:`MemberList`.
    """
    page = _page(doc, uri, host)
    return _judged(page, page.entries, uri, host)


def read_members(get: Callable[[str], Any], uri: str, *, host: str | None = None,
                 doc: Any = None, max_pages: int = MAX_PAGES,
                 scope: Scope | None = None) -> MemberList:
    """The members of the collection at ``uri``, following ``Members@odata.nextLink`` page
    after page (at most ``max_pages`` pages), judged together by the rules above: the
    first page's ``Members@odata.count`` against every page's ``Members``.

    :param get: reads one document (the client's ``get``).
    :param doc: the first page, when already read.
    :param scope: the client's :meth:`~hamnhw.transport.client.BmcClient.deadline_scope`,
        entered once for the whole walk: every page is read under the deadline in force,
        else under one default deadline for them all (without it, each page read outside
        a block would get a default deadline of its own: a slow BMC paging 64 times would
        take 64 of them).
    :raises MalformedResponse: the first page is not a usable collection document (the
        reasons of :func:`parse_members`).
    :raises BmcTimeout: the deadline passed (on a later page: the message names the
        collection, that page and how many were read).
    :raises HamnhwError: the first page cannot be read (what ``get`` raises).  A later page
        that cannot be read or is unusable leaves the list incomplete instead
        (:attr:`MemberList.failure`).
    """
    with scope() if scope is not None else contextlib.nullcontext():
        return _walk(get, uri, host, doc, max_pages)


def _walk(get: Callable[[str], Any], uri: str, host: str | None, doc: Any,
          max_pages: int) -> MemberList:
    first = _page(get(uri) if doc is None else doc, uri, host)
    found, listed, skipped = list(first.found or ()), first.entries, first.skipped
    page, seen, pages = first, {uri.rstrip("/")}, 1
    while first.found is not None and page.next_link is not None:
        link = page.next_link
        if pages >= max_pages:
            return _cut(found, f"has more than {max_pages} pages ({NEXT}): the rest of its "
                        "members are unknown", first, skipped, link, uri, host)
        if link.rstrip("/") in seen:
            return _cut(found, f"links a page already read ({NEXT} {link}): the rest of its "
                        "members are unknown", first, skipped, link, uri, host)
        seen.add(link.rstrip("/"))
        try:
            page = _page(get(link), link, host)
        except HamnhwError as exc:
            return _failed(exc, found, pages, link, first, skipped, uri, host)
        pages += 1
        if page.found is None:
            return _cut(found, f"has a page {link} without a Members array: the rest of its "
                        "members are unknown", first, skipped, None, uri, host)
        found += page.found
        listed, skipped = listed + page.entries, skipped + page.skipped
    whole = dataclasses.replace(first, found=found if first.found is not None else None,
                                skipped=skipped, next_link=page.next_link)
    return _judged(whole, listed, uri, host)


def _failed(exc: HamnhwError, found: list[str], read: int, link: str, first: _Page,
            skipped: int, uri: str, host: str | None) -> MemberList:
    """The list when page ``read + 1`` (at ``link``) raised ``exc``: the part read, incomplete
    with why and ``exc``; the deadline passing is a timeout naming the collection instead.

    :raises BmcTimeout: ``exc`` is the deadline passing (no time is left to read anything)."""
    if isinstance(exc, BmcTimeout) and exc.deadline_passed:
        timeout = BmcTimeout(f"collection {uri}: its page {read + 1} ({link}) not read "
                             f"after {_many(read, 'page')}, {_many(len(found), 'member')} "
                             f"read: {exc.message}",
                             host=exc.host or host, deadline_passed=True,
                             headers_came=exc.headers_came, reason=exc.reason)
        timeout.elapsed_s = exc.elapsed_s  # already in exc.message
        raise timeout from exc
    return _cut(found, f"could not be read after page {read}: its page {read + 1} {link} "
                f"failed ({exc.message}); the rest of its members are unknown", first,
                skipped, link, uri, host, exc)


def _many(count: int, thing: str) -> str:
    return f"{count} {thing}{'' if count == 1 else 's'}"


def _cut(found: list[str], why: str, first: _Page, skipped: int, next_link: str | None,
         uri: str, host: str | None, failure: HamnhwError | None = None) -> MemberList:
    """A list cut short: the part read (None when empty; repeats dropped) and why."""
    once, repeated = _once(found, uri, host)
    return MemberList(once or None, why, uri, host, first.count, skipped, next_link,
                      repeated, failure)


def member_uris(doc: Mapping[str, Any], *, uri: str | None = None,
                host: str | None = None) -> list[str] | None:
    """Every member one collection document lists (:attr:`MemberList.every` of
    :func:`parse_members`): None when it does not list them all.

    :raises MalformedResponse: see :func:`parse_members`.
    """
    return parse_members(doc, uri=uri, host=host).every


def require_member_uris(doc: Mapping[str, Any], *, uri: str | None = None,
                        host: str | None = None) -> list[str]:
    """:func:`member_uris`, raising where it gives None.

    :raises MalformedResponse: the collection does not list every member (unknown,
        incomplete or paged), or not as an array.
    """
    return parse_members(doc, uri=uri, host=host).require()
