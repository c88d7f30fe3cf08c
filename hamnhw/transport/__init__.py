"""Transports: how bytes reach a BMC.  Drivers talk to these, never to sockets."""
