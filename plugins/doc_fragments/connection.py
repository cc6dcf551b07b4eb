# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r'''
options:
  transport_url:
    description:
      - oslo.messaging transport URL of the RabbitMQ broker heat-engine listens on,
        for example V(rabbit://heat:secret@broker1:5672,heat:secret@broker2:5672/heat).
      - Several hosts separated by commas are tried in turn (failover).
      - The password is never shown in output or error messages.
      - If not set, the environment variable E(HEAT_RPC_TRANSPORT_URL) is used. Required one way or the other.
    type: str
  exchange:
    description:
      - The oslo.messaging exchange of the engine (heat's C(control_exchange)). A wrong exchange
        makes every call time out.
      - If not set, E(HEAT_RPC_EXCHANGE), else V(heat).
    type: str
    default: heat
  topic:
    description:
      - The RPC topic heat-engine consumes.
      - If not set, E(HEAT_RPC_TOPIC), else V(engine).
    type: str
    default: engine
  rpc_timeout:
    description:
      - Seconds to wait for the engine's answer to one RPC call.
      - A read that times out fails with "engine not answering"; a write that times out fails with
        "outcome unknown", because the engine may have acted on it.
      - If not set, E(HEAT_RPC_TIMEOUT), else V(60).
    type: float
    default: 60
  connect_timeout:
    description:
      - Seconds allowed to reach the broker (TCP and TLS). An unreachable broker fails within this time
        instead of being retried forever.
      - Plain AMQP sent to a TLS listener, or TLS to a plain one, fails as C(tls_error) within about this time,
        naming what the listener speaks.
      - Every call is also bounded by O(connect_timeout) + O(rpc_timeout) + 2 seconds of wall-clock time.
      - If not set, E(HEAT_RPC_CONNECT_TIMEOUT), else V(10).
    type: float
    default: 10
  call_monitor_timeout:
    description:
      - The engine sends a heartbeat every half of this many seconds while it works on a call; a call
        that gets neither an answer nor a heartbeat for this long fails ("the engine may be hung or gone")
        without waiting for the whole O(rpc_timeout). A long call that keeps sending heartbeats may run up
        to O(rpc_timeout).
      - If not set, E(HEAT_RPC_CALL_MONITOR_TIMEOUT), else V(30).
    type: float
    default: 30
  api_version_cap:
    description:
      - Highest engine RPC API version to use, for example V(1.26) for an older engine.
        Calls are pinned to the lowest version that carries the arguments they send; a feature that
        needs a newer version than the cap fails with a clear error before anything is sent.
      - If not set, E(HEAT_RPC_API_VERSION_CAP), else the newest version this collection knows (1.36).
    type: str
  ssl:
    description:
      - Connect to the broker with TLS. Also turned on by C(ssl=1) in O(transport_url).
      - Needs O(ssl_ca_file) or O(ssl_trust_system_store=true); there is no unverified TLS.
      - If not set, E(HEAT_RPC_SSL).
    type: bool
    default: false
  ssl_ca_file:
    description:
      - CA bundle to verify the broker's certificate (chain and host name) with.
      - If not set, E(HEAT_RPC_SSL_CA_FILE).
    type: path
  ssl_cert_file:
    description:
      - Client certificate for TLS client authentication. Needs O(ssl_key_file).
      - If not set, E(HEAT_RPC_SSL_CERT_FILE).
    type: path
  ssl_key_file:
    description:
      - Private key of O(ssl_cert_file).
      - If not set, E(HEAT_RPC_SSL_KEY_FILE).
    type: path
  ssl_trust_system_store:
    description:
      - With O(ssl) and no O(ssl_ca_file), verify the broker against the system CA store.
      - If not set, E(HEAT_RPC_SSL_TRUST_SYSTEM_STORE).
    type: bool
    default: false
  username:
    description:
      - Heat user name sent in the RPC request context (not the broker user, which is part of O(transport_url)).
      - With O(auth_url), the Keystone user to authenticate as (the context then gets Keystone's answer).
      - Engines configured with C(deferred_auth_method = password) need O(username) and O(password)
        to create nested stacks.
      - If not set, E(HEAT_RPC_USERNAME).
    type: str
  password:
    description:
      - Password of O(username), sent in the RPC request context; with O(auth_url), sent to Keystone only.
      - If not set, E(HEAT_RPC_PASSWORD).
    type: str
  user_id:
    description:
      - User id for the request context. If not set, E(HEAT_RPC_USER_ID).
    type: str
  project_id:
    description:
      - Project (tenant) id for the request context; stacks are scoped to it.
      - If not set, E(HEAT_RPC_PROJECT_ID).
    type: str
  project_name:
    description:
      - Project name for the request context. If not set, E(HEAT_RPC_PROJECT_NAME).
    type: str
  user_domain_id:
    description:
      - Domain id of the user. If not set, E(HEAT_RPC_USER_DOMAIN_ID), else V(default).
    type: str
    default: default
  project_domain_id:
    description:
      - Domain id of the project. If not set, E(HEAT_RPC_PROJECT_DOMAIN_ID), else V(default).
    type: str
    default: default
  roles:
    description:
      - Role names for the request context.
      - If not set, E(HEAT_RPC_ROLES) (comma separated).
    type: list
    elements: str
  is_admin:
    description:
      - Mark the request context as admin.
      - If not set, E(HEAT_RPC_IS_ADMIN).
    type: bool
    default: false
  auth_token:
    description:
      - A fixed Keystone token for the request context. Cannot be combined with O(auth_url).
      - An engine with C(deferred_auth_method = trusts) also needs the token's body to create its trust,
        which only O(auth_url) provides; a bare token is refused there.
      - If not set, E(HEAT_RPC_AUTH_TOKEN).
    type: str
  region_name:
    description:
      - Region name for the request context. If not set, E(HEAT_RPC_REGION_NAME).
    type: str
  auth_url:
    description:
      - Keystone identity URL (v3), for example V(https://keystone.example.com:5000/v3).
      - When set, the module gets one token from Keystone at the start of its run and the request context
        (user and project ids and names, domains, roles, the token and its body) comes from Keystone's
        answer, as heat-api builds it. This is what an engine with C(deferred_auth_method = trusts) needs.
      - Authenticates with O(password) and O(username) (with O(user_domain_name) or O(user_domain_id)) or
        O(user_id), scoped to O(project_id) or O(project_name) (with O(project_domain_name) or
        O(project_domain_id)); or with O(application_credential_id) and O(application_credential_secret).
      - The password is sent to Keystone only, not to the engine. O(roles) and O(auth_token) cannot be set
        with it.
      - Needs the Python library keystoneauth1 where the module runs (imported only when this is set).
      - Keystone refusing the credentials fails with C(auth_refused); Keystone unreachable with C(keystone_error).
      - If not set, E(HEAT_RPC_AUTH_URL).
    type: str
  user_domain_name:
    description:
      - With O(auth_url), the domain of O(username) by name; wins over O(user_domain_id).
      - If not set, E(HEAT_RPC_USER_DOMAIN_NAME).
    type: str
  project_domain_name:
    description:
      - With O(auth_url), the domain of O(project_name) by name; wins over O(project_domain_id).
      - If not set, E(HEAT_RPC_PROJECT_DOMAIN_NAME).
    type: str
  application_credential_id:
    description:
      - With O(auth_url), a Keystone application credential instead of a password (it carries its own user
        and project). Needs O(application_credential_secret).
      - If not set, E(HEAT_RPC_APPLICATION_CREDENTIAL_ID).
    type: str
  application_credential_secret:
    description:
      - Secret of O(application_credential_id). Never shown in output.
      - If not set, E(HEAT_RPC_APPLICATION_CREDENTIAL_SECRET).
    type: str
  auth_ca_file:
    description:
      - With O(auth_url), the CA to verify an https Keystone with (default the system CA store).
      - If not set, E(HEAT_RPC_AUTH_CA_FILE).
    type: path
requirements:
  - python >= 3.10
  - oslo.messaging >= 14.0.0
  - keystoneauth1 (optional, only with O(auth_url))
notes:
  - The modules and plugins talk to heat-engine directly over RabbitMQ; heat-api is not involved, and
    Keystone only when O(auth_url) is set (one token per module run, inventory source or lookup).
  - A module run hands its calls to a persistent helper that keeps the broker connection open between
    runs (the modules' C(persistent) option), unless told not to or the helper cannot be used on the host;
    the inventory source and the lookup open their broker connection and close it on exit.
'''

    # The modules' persistent helper (controller plugins always connect in their own process).
    PERSISTENT = r'''
options:
  persistent:
    description:
      - Hand the engine calls to a helper process that keeps the broker connection open between module
        runs, instead of importing oslo.messaging and connecting in every run. This takes most of the
        fixed cost off a short task (see the README for figures).
      - If not set (the default), the helper is used when this host lets it run, and otherwise the run
        connects itself without a warning (a O(persistent_dir) that cannot be created or is unsafe, a
        socket path too long, a helper that does not start). V(true) uses the helper and warns when the run
        has to connect itself; V(false) always connects in the run itself. In 0.2.0 and earlier the default
        was V(false).
      - The first run that needs it starts the helper on the host the module runs on, as the same user.
        One helper serves one set of connection settings (O(transport_url), O(exchange), O(topic), the
        timeouts and the TLS options) and one version of this collection's code; the request context
        (user, project, credentials) goes with every call and is never kept.
      - The helper listens on a Unix socket in O(persistent_dir), answers only its own user, and exits
        after O(persistent_idle_timeout) seconds without calls; deleting its socket file ends it as soon as no
        run is connected.
      - Results, errors, C(changed) and check mode are the same as without it. If the helper is lost
        during a call, a read is sent again in process (with a warning) and a write fails as
        C(outcome_unknown).
      - If not set, E(HEAT_RPC_PERSISTENT).
    type: bool
  persistent_idle_timeout:
    description:
      - When the helper is used, seconds it stays after the last call before it exits.
      - If not set, E(HEAT_RPC_PERSISTENT_IDLE_TIMEOUT), else V(60).
    type: float
    default: 60
  persistent_dir:
    description:
      - When the helper is used, the directory of its socket. It is created with mode 0700 and must
        belong to the user the module runs as and be closed to others; otherwise the run connects itself.
      - If not set, E(HEAT_RPC_PERSISTENT_DIR), else V(~/.ansible/heat_rpc).
      - Every module run, with the helper or not, keeps the collection's compiled code in C(code/) of the
        directory the environment variable above names (else V(~/.ansible/heat_rpc)), so that later runs do
        not compile it again; not in this option's (it is read only after the code is imported). The same
        rules apply; where the directory cannot be used, runs compile as Python does.
    type: path
    default: ~/.ansible/heat_rpc
'''
