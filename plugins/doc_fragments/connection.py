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
      - Engines configured with C(deferred_auth_method = password) need O(username) and O(password)
        to create nested stacks.
      - If not set, E(HEAT_RPC_USERNAME).
    type: str
  password:
    description:
      - Password of O(username), sent in the RPC request context.
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
      - Keystone token for the request context, for engines that validate tokens.
      - If not set, E(HEAT_RPC_AUTH_TOKEN).
    type: str
  region_name:
    description:
      - Region name for the request context. If not set, E(HEAT_RPC_REGION_NAME).
    type: str
requirements:
  - python >= 3.10
  - oslo.messaging >= 14.0.0
notes:
  - The modules and plugins talk to heat-engine directly over RabbitMQ; heat-api and Keystone are not involved.
  - Each module run (or inventory source, or lookup) opens one broker connection and closes it on exit.
'''
