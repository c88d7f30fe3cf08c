"""Which ComputerSystem (and Manager) a driver works on.

A BMC usually manages one system.  Where it manages several (blade
enclosures, multi-node chassis), the BMC URL's path ``/redfish/v1/Systems/<id>``
picks one; without it the choice is refused, listing the ids.
"""

from __future__ import annotations

from hamnhw_drivers.generic.resource import Reader, Resource, last_segment

from hamnhw.errors import DriverNotFound


class SystemLocator:
    """Finds, once, the system URI a driver acts on and its managing BMC.

    :param reader: resource reader over the client.
    :param system_id: the id picked by the BMC URL, or None.
    """

    def __init__(self, reader: Reader, system_id: str | None = None) -> None:
        self.reader = reader
        self.system_id = system_id
        self._system_uri: str | None = None
        self._listed: list[str] = []

    @property
    def system_uri(self) -> str:
        """URI of the chosen system (listed on first use, then remembered).

        :raises DriverNotFound: no system, an unknown id, or several and none picked.
        """
        if self._system_uri is None:
            self._listed = self._system_uris()
            self._system_uri = self._choose(self._listed)
        return self._system_uri

    def other_system_uris(self) -> list[str]:
        """The other systems the service lists beside the chosen one (a blade enclosure's
        siblings), as listed when the system was chosen; no request of its own."""
        chosen = self.system_uri
        return [uri for uri in self._listed if uri.rstrip("/") != chosen.rstrip("/")]

    def system(self, fresh: bool = False) -> Resource:
        """Read the chosen ComputerSystem.

        :param fresh: from the BMC even when it was read a moment ago in this command
            (:mod:`hamnhw.readmemo`).
        """
        return self.reader.read(self.system_uri, fresh=fresh)

    def _root(self) -> Resource:
        return Resource("/redfish/v1/", self.reader.client.root, self.reader.host)

    def _system_uris(self) -> list[str]:
        """Members of the ServiceRoot's Systems collection.

        :raises DriverNotFound: the ServiceRoot links no Systems collection (a PDU, a
            cooling unit, a fabric manager): a usage error, hamnhw has nothing to drive.
        :raises MalformedResponse: the collection lists no ``Members`` (which systems
            exist is unknown).
        """
        collection = self._root().link("Systems")
        if collection is None:
            raise DriverNotFound("this BMC exposes no computer system (its ServiceRoot links "
                                 "no Systems collection)", host=self.reader.host, usage=True)
        return self.reader.require_members(collection)

    def probe(self) -> None:
        """Check that the service answers authenticated reads, without choosing a system
        (detection works on a multi-system service): read its first top-level collection."""
        root = self._root()
        for name in ("Systems", "Managers", "Chassis"):
            collection = root.link(name)
            if collection is not None:
                self.reader.read(collection)
                return

    def _choose(self, uris: list[str]) -> str:
        ids = [last_segment(uri) for uri in uris]
        if self.system_id is not None:
            if self.system_id in ids:
                return uris[ids.index(self.system_id)]
            raise DriverNotFound(f"system {self.system_id!r} not found; this BMC has: "
                                 f"{', '.join(ids) or 'no systems'}", host=self.reader.host,
                                 usage=True)
        if not uris:
            raise DriverNotFound("the BMC lists no ComputerSystem (its Systems collection is "
                                 "empty, as while a BMC is still starting)", host=self.reader.host)
        if len(uris) > 1:
            raise DriverNotFound(
                f"the BMC manages several systems ({', '.join(ids)}); pick one with "
                "the URL path /redfish/v1/Systems/<id>", host=self.reader.host, usage=True)
        return uris[0]

    def manager_uri(self, system: Resource | None = None) -> str | None:
        """The BMC managing the system: its ``Links.ManagedBy``, else the first Manager."""
        system = system or self.system()
        managed_by = system.links("Links.ManagedBy")
        if managed_by:
            return managed_by[0]
        collection = self._root().link("Managers")
        if collection is None:
            return None
        members = self.reader.read(collection).member_list().listed  # the first: a part will do
        return members[0] if members else None
