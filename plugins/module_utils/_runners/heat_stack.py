# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""heat_stack: drives one stack to the state a task asks for.

The runner orchestrates: it reads the stack, asks the planner (``_heat/stack_plan.py``) what differs and
what to send, writes, has StackOutcome (``_heat/waiting.py``) wait and judge, and shapes the result.
What each path reads and writes, in order, is pinned by ``tests/unit/plugins/module_utils/_runners/test_heat_stack.py``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.adoption import (
    adoption_args, adoption_conflict, adoption_inputs, load_adopt_data, refuse_other_definitions,
)
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.hooks import HookFinder, check_patterns
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.plans import check_plan_id, stored_state
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.secrets import stored_secret_values
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.shapes import shape_stack
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.stack_plan import (
    DesiredStack, StackPlan, StoredStack, cancellable, created_changes, described, overtaken, preview_args,
    stack_settings, summarise_changes, surviving_twin, update_started,
)
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.stacks import StackService, looks_like_uuid
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.templates import (
    ansible_template_loader, check_template_options,
)
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.waiting import (
    SETTLES_IN, EngineWatch, StackOutcome, find_created, last_action_time, state_or_gone, wait_for_stack, wait_name_released,
)
from ansible_collections.heat_rpc.engine.plugins.module_utils._runners.base import Runner, require_positive, sent_inputs
from ansible_collections.heat_rpc.engine.plugins.module_utils._runners.heat_stack_gates import StackGates
from ansible_collections.heat_rpc.engine.plugins.module_utils.errors import StackFailed, WaitTimeout

# The lowest RPC API heat_stack can compare a stored stack with: get_files (get_environment is 1.28).
COMPARE_API_VERSION = '1.32'


class StackRunner(StackGates, Runner):
    """Drives one stack to the state a heat_stack task asks for."""

    def __init__(self, module, loader=None):
        super(StackRunner, self).__init__(module)
        self.service = StackService(self.client)
        self.loader = loader or ansible_template_loader()
        self.wait = self.params['wait']
        self.wait_timeout = self.params.get('wait_timeout')
        if self.params.get('until_hook'):
            self.result['hooks'] = []
        # From when events belong to the action this run started ('' after a create; None: the stack's latest).
        self.action_since = None
        # The stack as the task's lookup found it, outputs resolved (None: not looked up yet, or not found).
        self.found = None

    @property
    def outcome(self):
        """The waiter and judge of this run's actions (it keeps nothing of the runner's)."""
        return StackOutcome(self.client, self.service, self.wait_timeout, since=self.action_since)

    # -- entry point -------------------------------------------------------------------------------

    def check_options(self):
        params = self.params
        require_positive(params, 'timeout', 'wait_timeout')
        if params['clear_parameters'] and not params['existing']:
            raise errors.ConfigurationError('clear_parameters needs existing: true (a full update replaces every '
                                            'parameter anyway)')
        check_template_options(params)
        for option in ('pre_create', 'pre_update'):
            check_patterns((params.get('breakpoints') or {}).get(option), 'breakpoints.%s' % option)
        check_patterns(params.get('protect'), 'protect')
        if params.get('approved_plan') is not None:
            if params['state'] not in ('present', 'absent'):
                raise errors.ConfigurationError('approved_plan applies to state=present and state=absent, not %s'
                                                % params['state'])
            check_plan_id(params['approved_plan'])
        if params.get('until_hook') and not self.wait:
            raise errors.ConfigurationError('until_hook needs wait: true (it says when a wait ends)')
        if params.get('snapshot_before') and params['state'] != 'present':
            # heat-engine deletes a stack's snapshots with the stack: one cannot guard a delete.
            raise errors.ConfigurationError(
                'snapshot_before applies to updates (state=present); heat-engine deletes a stack\'s snapshots with '
                'the stack, so a snapshot cannot guard state=%s: use protect, and check mode\'s blast_radius, '
                'instead' % params['state'])
        if params.get('snapshot_before') and not self.wait:
            raise errors.ConfigurationError('snapshot_before needs wait: true (the update waits for the snapshot)')

    def perform(self):
        self.check_options()
        state = self.params['state']
        if state == 'adopted':
            self.ensure_adopted()
            return self.result
        desired = None
        if state != 'absent':
            self.client.require(COMPARE_API_VERSION, 'heat_stack state=%s (it compares the stack with its stored '
                                                     'files through get_files)' % state)
            desired = DesiredStack.from_params(self.params, self.loader)
            # Engine messages can quote a hidden value (a failed conversion, say): mask it everywhere.
            self.module.add_secrets(desired.secrets)
        raw = self.found = self.service.find(self.params['name'])
        if state == 'present' and self.params.get('until_hook') and self.paused_before(raw):
            return self.result
        if state != 'absent' or not cancellable(raw):
            raw = self.settle_first(raw)
        if state == 'absent':
            self.ensure_absent(raw)
        elif state == 'suspended':
            self.ensure_suspended(desired, raw)
        else:
            self.ensure_present(desired, raw)
        return self.result

    def paused_before(self, raw):
        """With until_hook, an action in progress is followed until it pauses (then reported, nothing sent) or ends.

        A run before this one may have returned at a hook: running the play again picks up where it stopped
        instead of waiting for an action that waits for someone to clear its hook.
        """
        if raw is None or raw.get('stack_status') != 'IN_PROGRESS':
            return False
        raw, hooks = self.outcome.until_hook(raw['stack_identity'], None, None,
                                             HookFinder(self.client, raw['stack_identity']).pending)
        if hooks:
            self.result.update(hooks=hooks, stack=shape_stack(raw))
        return bool(hooks)

    def settle_first(self, raw):
        """A stack with an action in progress is waited for (bounded) before anything is decided."""
        if raw is None or raw.get('stack_status') != 'IN_PROGRESS':
            return raw
        if not self.wait:
            raise errors.ConflictError('stack %s is %s_IN_PROGRESS; wait for it to finish or set wait: true'
                                       % (raw['stack_name'], raw['stack_action']))
        try:
            return wait_for_stack(self.service, raw['stack_identity'], self.wait_timeout,
                                  engines=EngineWatch(self.client, first=0))
        except errors.EngineDeadError as exc:
            raise self.outcome.engine_dead(raw['stack_identity'], exc)
        except WaitTimeout as exc:
            raise errors.ConflictError(
                'stack %s was still %s after waiting %ss for the action in progress to end (since %s). If the '
                'heat-engine that ran it stopped, the action never ends (heat-engine does not resume it): '
                'heat_stack_action action=cancel_update cancel_with_rollback=false marks it FAILED, after which this '
                'task repairs the stack; state=absent cancels it and deletes the stack'
                % (raw['stack_name'], state_or_gone(exc.last), self.wait_timeout,
                   raw.get('updated_time') or raw.get('creation_time')))

    # -- present -----------------------------------------------------------------------------------

    def ensure_present(self, desired, raw):
        if raw is None:
            self.create(desired)
            return
        if desired.template is None and not self.params.get('existing'):
            raise errors.ValidationFailedError('state=present needs one of template, template_body or template_url '
                                               '(or existing: true to change parameters only)')
        if (raw['stack_action'], raw['stack_status']) == ('SUSPEND', 'COMPLETE'):
            raw = self.resume(raw)
        stored = self.load_stored(raw)
        plan = StackPlan(desired, stored, existing=self.params.get('existing'),
                         clear_parameters=self.params.get('clear_parameters'), converge=self.params.get('converge'))
        self.result['differences'] = plan.differences
        if self.diff_mode:
            self.result['diff'] = plan.diff()
        if not plan.update:
            self.plan_gate('none', stored_state(stored), desired)
            # Nothing was sent: the stack as the task's lookup found it (outputs resolved) is returned without
            # asking again; one read since (waited for, resumed) lacks its outputs and is read again.
            self.result['stack'] = shape_stack(raw) if raw is self.found else self.shaped(stored.identity)
            return
        if raw.get('stack_status') == 'IN_PROGRESS':
            # Only a resume this run sent without waiting leaves the stack busy here; the engine would refuse the update.
            raise errors.ConflictError('stack %s is %s (resumed with wait: false), so its update cannot be sent yet: '
                                       'run the task again once it is RESUME_COMPLETE' % (raw['stack_name'], state_or_gone(raw)))
        self.update(desired, plan)

    def create(self, desired):
        if self.params.get('existing'):
            raise errors.NotFoundError('stack %s not found: existing: true updates a stack that exists' % desired.name)
        if desired.template is None:
            raise errors.ValidationFailedError('stack %s does not exist; creating it needs one of template, '
                                               'template_body or template_url' % desired.name)
        identity = self.create_new(desired, dict(desired.settings), lambda raw: self.ensure_present(desired, raw))
        if identity is None:
            return
        # heat-engine's name check is not atomic: two runs creating one name at once can both succeed.
        # Each checks right after its create and again once it settled (by then any twin is stored).
        if not self.keep_one_of_twins(desired, identity):
            return
        self.finish(identity, 'CREATE')
        if self.wait:
            self.keep_one_of_twins(desired, identity)

    def create_new(self, desired, args, converge):
        """A change to report, previewed in check mode, else the create (or adopt, by ``args``) sent.

        Returns the new stack's identity, or None when nothing more is to do: check mode, or a stack
        of the name that another run made between our lookup and our create, which ``converge(raw)``
        then handles as an existing stack.
        """
        if looks_like_uuid(desired.name) and not self.params.get('allow_uuid_name'):
            raise errors.ConfigurationError(
                'name %s looks like a stack id, and no stack has that id or name here (a stack of another project, '
                'or a mistyped id?); to create a stack with this name, set allow_uuid_name: true' % desired.name)
        self.result['changed'] = True
        if self.diff_mode:
            self.result['diff'] = {'before': {}, 'after': described(desired)}
        if self.check_mode or self.params.get('approved_plan'):
            self.preview_create(desired, args)
            self.plan_gate('create', None, desired, changes=self.result['resource_changes'])
        if self.check_mode:
            return None
        try:
            identity = self.send_create(desired, args)
        except errors.ConflictError as exc:
            if exc.remote_name != 'StackExists':
                raise
            raw = self.settle_first(self.service.find(desired.name))
            if raw is not None:
                self.result['changed'] = False
                converge(raw)
                return None
            # A stack of that name has just been deleted: the engine keeps the name for a moment after
            # DELETE_COMPLETE. Wait for it to let go of the name, then send (once).
            wait_name_released(self.client, desired.name, exc)
            identity = self.send_create(desired, args)
        self.result['resource_changes'] = None
        self.action_since = ''
        return identity

    def preview_create(self, desired, args):
        """Check mode of a create (or adopt): the engine's preview, every resource ``added``."""
        environment, files, environment_files = sent_inputs(self.client, desired.inputs, 'preview_stack')
        preview = self.client.preview_stack(None, desired.name, desired.template, environment, files, args,
                                            environment_files=environment_files)
        self.result['resource_changes'] = created_changes(preview)
        self.result['stack'] = {'name': desired.name, 'id': None, 'status': None, 'action': None}

    def keep_one_of_twins(self, desired, identity):
        """Leave one stack of the name: ours, or the twin another run created at the same moment.

        Every run applies one rule (the oldest stack, then the lowest id, stays), so exactly one
        deletes. The run whose stack goes deletes it (it knows its id, so no orphan is left), then
        converges the survivor like any existing stack. Returns whether ours stays.
        """
        survivor = surviving_twin(self.client.list_stacks(None, filters={'name': desired.name}), desired.name)
        if survivor is None or survivor['stack_identity']['stack_id'] == identity['stack_id']:
            return True
        self.client.delete_stack(None, identity)
        self.outcome.finish(identity, ('CREATE', 'DELETE'), accepted=(None,))
        self.result['twin_deleted'] = identity['stack_id']
        self.module.warn('another run created stack %s at the same moment; this run deleted its own copy (id %s) '
                         'and converged the other (id %s)'
                         % (desired.name, identity['stack_id'], survivor['stack_identity']['stack_id']))
        self.ensure_present(desired, self.settle_first(self.service.show(survivor['stack_identity'])))
        self.result['changed'] = True
        return False

    def send_create(self, desired, args):
        try:
            environment, files, environment_files = sent_inputs(self.client, desired.inputs, 'create_stack')
            return self.client.create_stack(None, desired.name, desired.template, environment, files, args,
                                            environment_files=environment_files)
        except errors.OutcomeUnknownError as exc:
            # Never create it twice: find the stack the engine may have made.
            return find_created(self.service, desired.name, exc)['stack_identity']

    def update(self, desired, plan):
        self.result['changed'] = True
        stored, template, args = plan.stored, plan.template, plan.args
        environment, files, environment_files = sent_inputs(self.client, desired.inputs, 'update_stack')
        try:
            preview, nested = self.preview_update(stored.identity, template, environment, files, args,
                                                  environment_files)
            self.result['resource_changes'] = summarise_changes(preview)
        except errors.HeatRpcError as exc:
            if self.check_mode or self.params.get('protect'):
                raise self.unprotectable(stored, exc) if self.params.get('protect') else exc
            # A FAILED stack may not preview; the update itself will say what is wrong.
            self.result['resource_changes'] = None
            self.result['preview_error'] = str(exc)
        else:
            self.check_protected_update(stored, preview, nested)
        self.plan_gate('update', stored_state(stored), desired, differences=plan.differences,
                       changes=self.result['resource_changes'] or {'preview_error': self.result.get('preview_error')})
        if self.check_mode:
            self.result['stack'] = shape_stack(stored.raw)
            self.snapshot_before(stored)
            return
        self.snapshot_before(stored)
        self.action_since = last_action_time(stored.raw)
        try:
            self.client.update_stack(None, stored.identity, template, environment, files, args,
                                     environment_files=environment_files)
        except errors.OutcomeUnknownError as exc:
            self.confirm_update_started(stored, exc)
        except errors.ConflictError as exc:
            raise errors.ConflictError('stack %s could not be updated: %s (another run is acting on it)'
                                       % (desired.name, exc.message), remote_name=exc.remote_name)
        self.finish(stored.identity, 'UPDATE')
        if desired.template is not None and self.wait:
            self.check_not_overtaken(desired, stored.identity)

    def preview_update(self, identity, template, environment, files, args, environment_files):
        """(preview_update_stack's answer, whether it reaches into nested stacks): down through nested stacks,
        the top level alone where the engine cannot."""
        try:
            return self.client.preview_update_stack(None, identity, template, environment, files, preview_args(args),
                                                    environment_files=environment_files), True
        except (errors.EngineError, errors.NotSupportedError):
            return self.client.preview_update_stack(None, identity, template, environment, files, args,
                                                    environment_files=environment_files), False

    def confirm_update_started(self, stored, cause):
        if not update_started(stored.raw, self.service.show(stored.identity, resolve_outputs=False)):
            raise errors.OutcomeUnknownError('%s; the stack shows no new update, so it probably did not start: '
                                             'run the task again' % cause.message)

    def check_not_overtaken(self, desired, identity):
        """Two runs updating one stack: the one whose definition is no longer stored must not report success."""
        stored = self.load_stored(self.service.show(identity, resolve_outputs=False))
        differing = overtaken(desired, stored)
        if differing:
            raise StackFailed('stack %s was updated by another run while this one waited: its stored %s is not what '
                              'this task applied' % (desired.name, ', '.join(differing)), self.outcome.failure_result(identity))

    def resume(self, raw):
        self.result['changed'] = True
        self.result['resumed'] = True
        if self.check_mode:
            return raw
        self.client.stack_resume(None, raw['stack_identity'])
        final = self.finish(raw['stack_identity'], 'RESUME', shape=False)
        # Without wait the stack is read as it is now (RESUME_IN_PROGRESS) to be compared.
        return final if final is not None else self.service.show(raw['stack_identity'], resolve_outputs=False)

    # -- adopted -------------------------------------------------------------------------------------

    def ensure_adopted(self):
        """A new stack holding the resources of abandon/export data; an existing adoption of them is kept."""
        refuse_other_definitions(self.params)
        data = load_adopt_data(self.params.get('adopt_data'))
        inputs = adoption_inputs(data, self.params['parameters'])
        self.module.add_secrets(inputs.secrets)
        desired = DesiredStack(self.params['name'], inputs, stack_settings(self.params))
        raw = self.settle_first(self.service.find(desired.name))
        if raw is not None:
            self.keep_adoption(raw, data)
            return
        identity = self.create_new(desired, adoption_args(data, desired.settings),
                                   lambda raw: self.keep_adoption(raw, data))
        if identity is not None:
            self.finish(identity, 'ADOPT')

    def keep_adoption(self, raw, data):
        """An existing stack of the name: unchanged when it is this adoption, a conflict when it is not."""
        resources = self.client.list_stack_resources(None, raw['stack_identity'])
        conflict = adoption_conflict(raw, resources, data)
        if conflict:
            raise errors.ConflictError('stack %s already exists and %s; adopt under another name, or remove that '
                                       'stack first (heat_stack_action action=abandon keeps its resources)'
                                       % (raw['stack_name'], conflict))
        self.result['stack'] = self.shaped(raw['stack_identity'])

    # -- absent and suspended ------------------------------------------------------------------------

    def ensure_absent(self, raw):
        if raw is None:
            self.plan_gate('none', None, None)
            self.result['stack'] = None
            return
        self.gate_delete(raw)
        self.result['changed'] = True
        if self.diff_mode:
            self.result['diff'] = {'before': {'name': raw['stack_name'], 'state': state_or_gone(raw)}, 'after': {}}
        self.result['stack'] = shape_stack(raw)
        if self.check_mode:
            return
        if cancellable(raw):
            raw = self.cancel_before_delete(raw)
        try:
            self.client.delete_stack(None, raw['stack_identity'])
        except errors.NotFoundError:
            self.result['changed'] = False
            return
        if self.wait:
            self.outcome.finish(raw['stack_identity'], ('DELETE',), accepted=(None,))
            self.result['stack'] = None

    def cancel_before_delete(self, raw):
        """A create or update in progress is cancelled (no rollback) before the delete, and waited for.

        Deleting is what was asked; an action whose engine died would otherwise hold the stack forever.
        """
        self.client.stack_cancel_update(None, raw['stack_identity'], cancel_with_rollback=False)
        self.result['cancelled'] = state_or_gone(raw)
        self.module.warn('stack %s was %s: that action was cancelled so that the stack could be deleted'
                         % (raw['stack_name'], state_or_gone(raw)))
        ended = ('CREATE_FAILED', 'UPDATE_FAILED', 'CREATE_COMPLETE', 'UPDATE_COMPLETE')
        return self.outcome.finish(raw['stack_identity'], ('CREATE', 'UPDATE'), ended)

    def ensure_suspended(self, desired, raw):
        if raw is None:
            if desired.template is None:
                raise errors.NotFoundError('stack %s does not exist and no template was given to create it'
                                           % self.params['name'])
            self.create(desired)
            if self.check_mode:
                return
            raw = self.service.find(self.params['name'])
        if (raw['stack_action'], raw['stack_status']) == ('SUSPEND', 'COMPLETE'):
            self.result['stack'] = self.result.get('stack') or shape_stack(raw)
            return
        self.result['changed'] = True
        if self.check_mode:
            self.result['stack'] = shape_stack(raw)
            return
        self.client.stack_suspend(None, raw['stack_identity'])
        self.finish(raw['stack_identity'], 'SUSPEND')

    # -- waiting and judging -------------------------------------------------------------------------

    def finish(self, identity, action, shape=True):
        """Wait (if asked) and judge: only ``action``_COMPLETE is success; ROLLBACK_COMPLETE is a failure."""
        if not self.wait:
            if shape:
                self.result['stack'] = self.shaped(identity)
            return None
        if self.params.get('until_hook') and action in ('CREATE', 'UPDATE'):
            final, self.result['hooks'] = self.outcome.until_hook(identity, SETTLES_IN[action], (action + '_COMPLETE',),
                                                                  HookFinder(self.client, identity).pending, rollback=True)
        else:
            outcome = self.outcome
            final = outcome.finish(identity, SETTLES_IN[action], accepted=(action + '_COMPLETE',),
                                   rollback=action in ('CREATE', 'UPDATE', 'ADOPT'))
            if self.params.get('max_events'):
                self.result['events'] = outcome.events_of_action(identity, final, self.params['max_events'])
        if shape:
            self.result['stack'] = self.shaped(identity)
        return final

    # -- reading ---------------------------------------------------------------------------------------

    def load_stored(self, raw):
        identity = raw['stack_identity']
        template, files = self.client.get_template(None, identity), self.client.get_files(None, identity)
        # The stack's stored environment files may give hidden parameters values this task does not give.
        self.module.add_secrets(stored_secret_values(template or {}, files or {}))
        return StoredStack(raw, template, files, self.client.get_environment(None, identity))

    def shaped(self, identity):
        raw = self.service.show(identity)
        return shape_stack(raw) if raw else None
