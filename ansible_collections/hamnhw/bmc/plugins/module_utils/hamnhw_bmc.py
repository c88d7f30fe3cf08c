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
import time
import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

try:
    import hamnhw
    from hamnhw import interrupts, orphan
    from hamnhw.cli.budget import CommandBudget
    from hamnhw.cli.exit_codes import exit_code_for
    from hamnhw.cli.plan_output import outcome_payload
    from hamnhw.cli.watch import RequestWatch
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
    task_deadline=dict(type='float'),
)
"""The options of every module that talks to one BMC (doc fragment ``hamnhw.bmc.connection``)."""

TASK_MARGIN_S = 1.0
"""Seconds a module ends before the task's own ``timeout`` keyword (``task_deadline``, set
by the collection's action plugins) runs out: the result's way back to Ansible."""

CONNECTION_RULES = dict(
    required_one_of=[('bmc', 'node')],
    mutually_exclusive=[('bmc', 'node'), ('password', 'password_file'),
                        ('ca_file', 'pin_fingerprint', 'insecure')],
)
"""Which connection options go together."""

TLS_OPTIONS = ('ca_file', 'pin_fingerprint', 'insecure')

CONFIG_ORIGIN = 'option config'
"""Where a module's config path came from, said when the file is missing (hamnhw's own
wording names the command line's ``--config``)."""


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
    path = find_config(params.get('config'), environ=environ, origin=CONFIG_ORIGIN)
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
    """The TLS choice: the options' replaces the config's as a whole, as soon as one of them
    is given (``insecure: false`` included: it then overrides the config's ``insecure``)."""
    if any(params.get(key) is not None for key in TLS_OPTIONS):
        source = params
    elif node_cfg is not None:
        source = dict(ca_file=node_cfg.ca_file, pin_fingerprint=node_cfg.pin_fingerprint,
                      insecure=node_cfg.insecure)
    else:
        return {}
    return dict(ca_file=source.get('ca_file'), pin_fingerprint=source.get('pin_fingerprint'),
                insecure=bool(source.get('insecure')))


def task_seconds(timeout, task_deadline, now=None):
    """The module's bound: its ``timeout``, shortened to end :data:`TASK_MARGIN_S` before
    the task's ``task_deadline`` (a wall-clock time; None when the task has no ``timeout``
    keyword).

    :raises ConfigError: the task's deadline leaves no time (nothing is sent).
    """
    if task_deadline is None:
        return timeout
    left = task_deadline - (time.time() if now is None else now) - TASK_MARGIN_S
    if left <= 0:
        raise ConfigError("the task's timeout keyword leaves no time to reach the BMC "
                          f"(it ends {TASK_MARGIN_S:g} s before the task's timeout)")
    return min(timeout, left)


def error_result(exc, node, request_sent=False, options=None):
    """``fail_json`` arguments for an error: the message, its type and exit code (as the
    hamnhw command would exit), and ``changed`` true when a write had been sent (or may
    have been) before it: the BMC may have acted on it.

    :param request_sent: what the module's :class:`~hamnhw.cli.watch.RequestWatch` saw
        (None: not known, over IPMI); an error that knows it sent a write says so itself.
    :param options: ``{"--cli-flag": "module_option"}``: the library's messages name the
        command's flags; the task's name the module's options.
    """
    code = exit_code_for(exc)
    message = str(exc) or type(exc).__name__
    for flag, option in sorted((options or {}).items(), key=lambda item: -len(item[0])):
        message = message.replace(flag, option)
    if getattr(exc, 'request_sent', None) is True:
        request_sent = True
    return dict(msg=message, node=node, changed=request_sent is True,
                request_sent=request_sent,
                error=dict(type=type(exc).__name__, message=message, exit_code=int(code),
                           exit_code_name=code.name))


def run_on_node(module, action, poll=None, before=None, options=None):
    """Connect, run ``action(node, budget)`` and log out within one deadline, then exit
    with ``{"node": ..., **result}``; a hamnhw error fails the task (:func:`error_result`,
    ``changed`` true when a write had been sent).

    The deadline is the ``timeout`` option (else the node's, else 120 s), shortened to end
    before the task's own ``timeout`` keyword (:func:`task_seconds`): the module reports
    and logs out by itself before Ansible gives up on it.  It is a
    ``hamnhw.cli.budget.CommandBudget``, as on the command line: a wait gives itself
    ``budget.wait_seconds()``, which leaves the logout its time.

    Should the module be left alone all the same (the Ansible worker ended: a task timed
    out without the action plugin, a cancelled job), ``hamnhw.orphan`` notices and stops
    it as SIGTERM or SIGINT do: at once, sending nothing more, the session logged out.

    :param poll: how waits read (``hamnhw.poll.PollPolicy``); None for the default.
    :param before: ``before(budget)``, called before connecting: it may refuse the options
        (a ``hamnhw.errors.ConfigError``) with nothing sent.
    :param options: the command's flags the library's messages may name, by module option
        (see :func:`error_result`).
    """
    name = target_name(module.params)
    watch = RequestWatch()
    try:
        with interrupts.interruptible(), orphan.stop_when_orphaned():
            kwargs = connect_arguments(module.params)
            kwargs['timeout'] = task_seconds(kwargs['timeout'], module.params['task_deadline'])
            budget = CommandBudget(kwargs['timeout'])
            if before is not None:
                before(budget)
            node = hamnhw.connect(deadline=budget.work, poll=poll,
                                  client_wrapper=watch.wrapper_for(kwargs['url']), **kwargs)
            with node.operation(deadline=budget.work):
                try:
                    result = action(node, budget)
                finally:
                    with interrupts.deferred():
                        node.close()
    except Interrupted as exc:
        exc.request_sent = watch.request_sent
        module.fail_json(**error_result(exc, name, watch.request_sent, options))
    except HamnhwError as exc:
        module.fail_json(**error_result(exc, name, watch.request_sent, options))
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
