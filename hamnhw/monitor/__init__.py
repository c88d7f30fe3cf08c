"""Health watch: RAID and pair checks for Nagios/Icinga, the Prometheus exporter, and the
Redfish event listener.

* :mod:`hamnhw.monitor.health` -- one read of a node's RAID health (volumes and drives);
* :mod:`hamnhw.monitor.nagios` -- monitoring-plugins output: status, perfdata, worst-of;
* :mod:`hamnhw.monitor.checks` -- ``check raid`` and ``check pair`` outcomes;
* :mod:`hamnhw.monitor.metrics` -- the Prometheus collector and its samples;
* :mod:`hamnhw.monitor.refresher` -- the exporter's background reads of the BMCs;
* :mod:`hamnhw.monitor.events` -- the event listener: subscriptions, SSE, push, change reports.
"""
