# Copyright: hamnhw developers
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""What every hamnhw.bmc module shares: the connection options, the import guard, connecting
with one deadline, and turning a typed hamnhw error into ``fail_json``.

The modules run where the BMCs are reachable (``connection: local`` on the controller or an
execution node) under an interpreter that has the hamnhw library.  Everything they do is a
call into hamnhw; this file only translates options into those calls and results into
module results.
"""

from __future__ import annotations

import os
import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

try:
    import hamnhw
    from hamnhw import interrupts
    from hamnhw.cli.budget import CommandBudget
    from hamnhw.cli.exit_codes import exit_code_for
    from hamnhw.cli.plan_output import outcome_payload
    from hamnhw.config import find_config, load_config
    from hamnhw.connection import Secret, Timeouts
    from hamnhw.credentials import resolve_credentials, resolve_username
    from hamnhw.errors import ConfigError, HamnhwError, Interrupted
    from hamnhw.models import to_jsonable
except ImportError:
    HAMNHW_IMPORT_ERROR = traceback.format_exc()
else:
    HAMNHW_IMPORT_ERROR = None

CONNECTION_ARGUMENTS = dict(
    bmc=dict(type='str'),
    node=dict(type='str'),
    config=dict(type='path'),
    username=dict(type='str'),
    password=dict(type='str', no_log=True),
    password_file=dict(type='path', no_log=False),
    ca_file=dict(type='path'),
    pin_fingerprint=dict(type='str'),
    insecure=dict(type='bool'),
    timeout=dict(type='float'),
)
"""The options of every module that talks to one BMC (doc fragment ``hamnhw.bmc.connection``)."""

CONNECTION_RULES = dict(
    required_one_of=[('bmc', 'node')],
    mutually_exclusive=[('bmc', 'node'), ('password', 'password_file'),
                        ('ca_file', 'pin_fingerprint', 'insecure')],
)
"""Which connection options go together."""

TLS_OPTIONS = ('ca_file', 'pin_fingerprint', 'insecure')


def new_module(argument_spec, connection=True, **kwargs):
    """An AnsibleModule with the connection options (unless ``connection`` is False); fails
    at once, saying what to install, when the interpreter lacks hamnhw."""
    spec = dict(CONNECTION_ARGUMENTS) if connection else {}
    spec.update(argument_spec)
    rules = dict(CONNECTION_RULES) if connection else {}
    rules.update(kwargs)
    module = AnsibleModule(argument_spec=spec, **rules)
    if HAMNHW_IMPORT_ERROR is not None:
        module.fail_json(msg=missing_required_lib('hamnhw'), exception=HAMNHW_IMPORT_ERROR)
    return module


def target_name(params):
    """The node as results name it: the config node name, else the BMC URL."""
    return params.get('node') or params.get('bmc')


def node_config(params, environ=None):
    """The config file's entry for ``node`` (None when the target is a ``bmc`` URL)."""
    if not params.get('node'):
        return None
    path = find_config(params.get('config'), environ=environ)
    if path is None:
        raise ConfigError(f"node {params['node']!r} needs a config file (option config, "
                          "$HAMNHW_CONFIG, ./hamnhw.toml, /etc/hamnhw/hamnhw.toml)")
    return load_config(path).node(params['node'])


def connect_arguments(params, environ=None):
    """Keyword arguments of ``hamnhw.connect``: options over the config over defaults, as on
    the command line.  The password: the ``password`` option, else ``password_file``, else
    the node's ``password_env``/``password_file``, else ``$HAMNHW_PASSWORD``."""
    env = os.environ if environ is None else environ
    node_cfg = node_config(params, env)
    if params.get('password') is not None:
        username = resolve_username(params.get('username'), node_cfg, env)
        password = Secret(params['password'])
    else:
        creds = resolve_credentials(username=params.get('username'),
                                    password_file=params.get('password_file'),
                                    node=node_cfg, environ=env)
        username, password = creds.username, creds.password
    kwargs = dict(url=node_cfg.bmc if node_cfg else params['bmc'], name=target_name(params),
                  username=username, password=password,
                  driver=node_cfg.driver if node_cfg else None)
    kwargs.update(tls_arguments(params, node_cfg))
    kwargs['timeout'] = params.get('timeout') or (node_cfg and node_cfg.timeout) or \
        Timeouts().operation
    return kwargs


def tls_arguments(params, node_cfg):
    """The TLS choice: the options' replaces the config's as a whole."""
    if any(params.get(key) for key in TLS_OPTIONS):
        source = params
    elif node_cfg is not None:
        source = dict(ca_file=node_cfg.ca_file, pin_fingerprint=node_cfg.pin_fingerprint,
                      insecure=node_cfg.insecure)
    else:
        return {}
    return dict(ca_file=source.get('ca_file'), pin_fingerprint=source.get('pin_fingerprint'),
                insecure=bool(source.get('insecure')))


def error_result(exc, node):
    """``fail_json`` arguments for an error: the message, its type and exit code (as the
    hamnhw command would exit)."""
    code = exit_code_for(exc)
    message = str(exc) or type(exc).__name__
    return dict(msg=message, node=node,
                error=dict(type=type(exc).__name__, message=message, exit_code=int(code),
                           exit_code_name=code.name))


def run_on_node(module, action, poll=None):
    """Connect, run ``action(node, budget)`` and log out within one deadline, the task's
    ``timeout`` (a ``hamnhw.cli.budget.CommandBudget``, as on the command line: a wait gives
    itself ``budget.wait_seconds()``, which leaves the logout its time), then exit with
    ``{"node": ..., **result}``; a hamnhw error fails the task (:func:`error_result`).

    SIGTERM or SIGINT (a task timeout, a cancelled job) stops the work at once and logs the
    session out, as on the command line; the task fails with ``TERMINATED``/``INTERRUPTED``.

    :param poll: how waits read (``hamnhw.poll.PollPolicy``); None for the default.
    """
    name = target_name(module.params)
    try:
        with interrupts.interruptible():
            kwargs = connect_arguments(module.params)
            budget = CommandBudget(kwargs['timeout'])
            node = hamnhw.connect(deadline=budget.deadline, poll=poll, **kwargs)
            with node.operation(deadline=budget.deadline):
                try:
                    result = action(node, budget)
                finally:
                    node.close()
    except (HamnhwError, Interrupted) as exc:
        module.fail_json(**error_result(exc, name))
    result = dict(result)
    result.setdefault('changed', False)
    module.exit_json(node=name, **result)


def jsonable(value):
    """hamnhw models as plain JSON types."""
    return to_jsonable(value)


def run_write(module, key, apply):
    """Run ``apply(node, check)`` (a ``hamnhw.plan.apply_*`` call) and exit as the command
    does: ``changed`` from its plan, the state under ``key`` (read back after a write, else
    as read) and the ``plan`` itself."""
    run_on_node(module, lambda node, budget: outcome_payload(apply(node, module.check_mode), key))
