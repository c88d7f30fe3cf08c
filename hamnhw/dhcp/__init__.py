"""DHCP reservations that give the standby's NICs the primary's addresses after a disk move.

:func:`~hamnhw.dhcp.plan.plan_reservations` joins the config's ``[network]`` table with the
NIC map of ``pair check``; the renderers (:mod:`~hamnhw.dhcp.isc`, :mod:`~hamnhw.dhcp.kea`,
:mod:`~hamnhw.dhcp.dnsmasq`, :mod:`~hamnhw.dhcp.xcat`) write one server's configuration.
"""
