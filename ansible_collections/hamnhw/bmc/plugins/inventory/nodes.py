# Copyright: hamnhw developers
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
name: nodes
short_description: The nodes of a hamnhw config file as Ansible hosts and groups
version_added: 0.1.0
description:
  - Reads a hamnhw config file (the one the C(hamnhw) command reads) and makes each of its
    nodes (C([nodes.NAME]), C([primary]), C([standby])) a host named like the node, to be
    driven with the C(local) connection (BMCs have no SSH) by an interpreter that has hamnhw.
  - Groups, sanitised as Ansible group names, are the config's C([groups]) table, C(hamnhw_pair)
    with the pair's two nodes (when both C([primary]) and C([standby]) are there), and those of
    O(groups) and O(keyed_groups).  A C([groups]) name that is C(hamnhw_pair), C(all) or
    C(ungrouped), or two that sanitise alike (C(rack-1) and C(rack_1)), fail the parse.
  - Ansible goes on with an inventory source it could not parse (with a warning) unless
    told otherwise, so set C(ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED=true) (or
    C(any_unparsed_is_failed = true) in the C([inventory]) section of C(ansible.cfg)) so that
    a broken hamnhw config fails the run rather than running it on no hosts.
  - Host variables C(hamnhw_node), C(hamnhw_config) and C(hamnhw_bmc) (the BMC URL) let tasks
    name their target with O(hamnhw.bmc.power#module:node) set to C({{ hamnhw_node }});
    credentials stay in the config (never in the inventory).
  - The inventory source is a YAML file whose name ends with C(hamnhw.yml) or C(hamnhw.yaml).
requirements:
  - The hamnhw Python library on the controller's Python (it parses the config).
extends_documentation_fragment:
  - constructed
options:
  plugin:
    description: The name of this plugin.
    required: true
    type: str
    choices: [hamnhw.bmc.nodes]
  config:
    description:
      - The hamnhw config file.  A relative path is relative to the inventory file; C(~) is
        expanded.
      - Default, as on the command line, C($HAMNHW_CONFIG), C(./hamnhw.toml),
        C(/etc/hamnhw/hamnhw.toml).
    type: str
  python_interpreter:
    description:
      - The interpreter that runs the modules (C(ansible_python_interpreter) of every host),
        which must have hamnhw.  Default the Python running Ansible on the controller.
    type: path
"""

EXAMPLES = r"""
# fleet.hamnhw.yml
plugin: hamnhw.bmc.nodes
config: /etc/hamnhw/hamnhw.toml
python_interpreter: /opt/hamnhw/bin/python
keyed_groups:
  - key: hamnhw_bmc.split('://')[0]
    prefix: scheme
"""

import os
import sys
import traceback

from ansible.errors import AnsibleError, AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Constructable
from ansible.utils.display import Display

try:
    from hamnhw.config import find_config, load_config
    from hamnhw.errors import HamnhwError
except ImportError as exc:
    HAMNHW_IMPORT_ERROR = exc
else:
    HAMNHW_IMPORT_ERROR = None

display = Display()

PAIR_GROUP = 'hamnhw_pair'
PAIR_NODES = ('primary', 'standby')
RESERVED_GROUPS = (PAIR_GROUP, 'all', 'ungrouped')
"""Group names a config's ``[groups]`` may not take."""


class InventoryModule(BaseInventoryPlugin, Constructable):
    """Hosts and groups from a hamnhw config file."""

    NAME = 'hamnhw.bmc.nodes'

    def verify_file(self, path):
        """Only files named ``*hamnhw.yml`` or ``*hamnhw.yaml``."""
        return super().verify_file(path) and path.endswith(('hamnhw.yml', 'hamnhw.yaml'))

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        if HAMNHW_IMPORT_ERROR is not None:
            raise AnsibleError('the hamnhw.bmc.nodes inventory plugin needs the hamnhw library '
                               f'on the controller: {HAMNHW_IMPORT_ERROR}')
        self._read_config_data(path)
        config = self._load(path)
        interpreter = self.get_option('python_interpreter') or sys.executable
        for name, node in config.nodes.items():
            self._add_node(name, node, config.path, interpreter)
        for group, members in self._config_groups(config.groups, config.path).items():
            self._add_group(group, members)
        if all(name in config.nodes for name in PAIR_NODES):
            self._add_group(PAIR_GROUP, PAIR_NODES)

    def _config_groups(self, groups, config_path):
        """The config's ``[groups]`` by their Ansible names (sanitised); refuses a name this
        plugin makes itself or Ansible's own, and two names that sanitise alike (their hosts
        would merge into one group without a word), naming the file."""
        named = {}
        for group in groups:
            named.setdefault(self._sanitize_group_name(group), []).append(group)
        problems = [f'[groups] {" and ".join(map(repr, given))} both become Ansible group '
                    f'{name!r}' for name, given in named.items() if len(given) > 1]
        problems += [f'[groups] {given[0]!r} is the name of a group Ansible or this plugin '
                     f'makes itself ({name!r})' for name, given in named.items()
                     if name in RESERVED_GROUPS]
        if problems:
            raise AnsibleParserError('hamnhw config: ' + '; '.join(problems) +
                                     f': rename them (file {config_path})')
        return {name: groups[given[0]] for name, given in named.items()}

    def _load(self, path):
        """The config, or Ansible's parse error with hamnhw's message (the file, the key and
        what is wrong; never a secret).  Raised ``from None``: Ansible appends the messages
        of an error's causes, which would repeat hamnhw's message or add a lower-level
        error's own text, which hamnhw's message leaves out.  An error hamnhw does not know
        is named by its type; at -vvv, where it was raised is shown (:func:`_show_frames`)."""
        given = self.get_option('config')
        if given:
            given = os.path.expanduser(given)
        if given and not os.path.isabs(given):
            given = os.path.join(os.path.dirname(path), given)
        found = None
        try:
            found = find_config(given, origin=f'the config option of inventory source {path}')
            config = None if found is None else load_config(found)
        except HamnhwError as exc:
            raise AnsibleParserError(f'hamnhw config: {exc}') from None
        except Exception as exc:  # not one hamnhw knows: named, its text left out
            _show_frames(exc)
            raise AnsibleParserError(f'hamnhw config: {found or given or "the hamnhw config"} '
                                     f'could not be read ({type(exc).__name__})') from None
        if config is None:
            raise AnsibleParserError('no hamnhw config file: give the config option, or '
                                     'HAMNHW_CONFIG, ./hamnhw.toml, /etc/hamnhw/hamnhw.toml')
        return config

    def _add_node(self, name, node, config_path, interpreter):
        host = self.inventory.add_host(name)
        variables = dict(ansible_connection='local', ansible_python_interpreter=interpreter,
                         hamnhw_node=name, hamnhw_config=os.path.abspath(config_path),
                         hamnhw_bmc=node.bmc)
        for key, value in variables.items():
            self.inventory.set_variable(host, key, value)
        strict = self.get_option('strict')
        self._set_composite_vars(self.get_option('compose'), variables, host, strict=strict)
        self._add_host_to_composed_groups(self.get_option('groups'), variables, host,
                                          strict=strict)
        self._add_host_to_keyed_groups(self.get_option('keyed_groups'), variables, host,
                                       strict=strict)

    def _add_group(self, name, members):
        group = self.inventory.add_group(self._sanitize_group_name(name))
        for member in members:
            self.inventory.add_child(group, member)


def _show_frames(exc):
    """At -vvv, where ``exc`` was raised: its type and each frame's file and line, never its
    message (a config's parser may quote the line it choked on, a password with it)."""
    frames = ', '.join(f'{frame.filename}:{frame.lineno}'
                       for frame in traceback.extract_tb(exc.__traceback__))
    display.vvv(f'hamnhw config: {type(exc).__module__}.{type(exc).__qualname__} '
                f'raised at {frames}')
