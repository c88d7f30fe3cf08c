# Copyright: hamnhw developers
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""The connection options every hamnhw.bmc module that talks to one BMC takes."""

from __future__ import annotations


class ModuleDocFragment:

    DOCUMENTATION = r"""
options:
  bmc:
    description:
      - The BMC URL, for example V(redfish://10.0.0.5), V(idrac-redfish://10.0.0.5) or
        V(ipmi://10.0.0.5), as the C(hamnhw) command takes it.
      - Exactly one of O(bmc) and O(node) is required.
    type: str
  node:
    description:
      - A node name of the hamnhw config file (its C([nodes.NAME]), C([primary]) or
        C([standby]) table), which gives the BMC URL, the account, the password source, the
        TLS choice, the timeout and the driver.  The C(hamnhw.bmc.nodes) inventory plugin sets
        the host variable C(hamnhw_node) to it.
    type: str
  config:
    description:
      - The hamnhw config file to look O(node) up in.
      - Default, as on the command line, C($HAMNHW_CONFIG), C(./hamnhw.toml),
        C(/etc/hamnhw/hamnhw.toml).
    type: path
  username:
    description:
      - The BMC account.  Default the node's C(username), else C($HAMNHW_USERNAME).
    type: str
  password:
    description:
      - The BMC password.  Never logged nor returned.
      - Default O(password_file), else the node's C(password_env) or C(password_file), else
        C($HAMNHW_PASSWORD) in the module's environment.
    type: str
  password_file:
    description:
      - A file holding the BMC password, readable by its owner only.
    type: path
  ca_file:
    description:
      - Verify the BMC certificate against this CA bundle (PEM).
      - O(ca_file), O(pin_fingerprint) and O(insecure) replace the node's TLS choice as a
        whole; without any of them the node's applies, else the system CA store.
    type: path
  pin_fingerprint:
    description:
      - Trust exactly the BMC certificate with this SHA-256 fingerprint.
    type: str
  insecure:
    description:
      - Do not verify the BMC certificate (not recommended).
    type: bool
  timeout:
    description:
      - The deadline of the whole task in seconds (connecting, the operation, its wait,
        logging out), as C(--timeout) on the command line.  A wait (a power change, a RAID
        job) and every request end 5 s before it (a quarter of a timeout under 20 s, at
        least 1 s), to leave the logout its time.
      - Default the node's C(timeout), else 120.
      - With the task keyword C(timeout), the module ends (logged out, the task failed with
        the hamnhw error) a second before it, whatever this option says; see O(task_deadline).
    type: float
  task_deadline:
    description:
      - Set by the collection's action plugin, not by hand; the wall-clock time (seconds
        since the epoch) at which the task's C(timeout) keyword fails the task.
      - Ansible does not stop a module when the task times out; with this deadline the module
        ends by itself before that, sending nothing after it.  Should the Ansible worker end
        all the same, the module notices it is orphaned and stops at once, logging out, as
        on SIGTERM.
    type: float
requirements:
  - The hamnhw Python library (Python 3.11 or later) on the interpreter that runs the
    module (run the tasks with the C(local) connection and C(ansible_python_interpreter) set to
    a Python that has hamnhw).
notes:
  - BMCs have no SSH, so run these modules on the controller or an execution node that reaches
    the BMCs, with the C(local) connection.
  - A failure returns the hamnhw error as C(error) (C(type), C(message), C(exit_code) and
    C(exit_code_name) as the C(hamnhw) command would exit, for example V(UNREACHABLE) or
    V(AUTH)).
"""
