"""The management-node pair: preflight checks (``pair check``) and the NIC map."""
