import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicy } from '../../src/policy/policy.js';
import { SupportQueues } from '../../src/support/support-queues.js';

const write = (name: string, text: string) => {
  const file = join(mkdtempSync(join(tmpdir(), 'switchboard-policy-')), name);
  writeFileSync(file, text);
  return file;
};

describe('the policy', () => {
  it('covers the roles of every seed system by default', () => {
    const policy = loadPolicy(undefined);
    for (const role of ['BUS_DRIVER', 'QUEUE_REGULATOR', 'CONTROL_STAFF', 'CONTROL_ADMIN', 'customer', 'support', 'admin', 'restaurant_owner', 'driver', 'DRIVER', 'ORGANIZER', 'PASSENGER', 'STEPPERGO_ADMIN', 'morevans_customer', 'provider', 'morevans_support', 'morevans_admin']) {
      expect(policy.rolesWith('support.create').concat(policy.rolesWith('support.monitor'))).toContain(role);
    }
    expect(policy.can({ kind: 'user', roles: ['BUS_DRIVER'] }, 'support.create')).toBe(true);
    expect(policy.can({ kind: 'user', roles: ['BUS_DRIVER'] }, 'support.monitor')).toBe(false);
    expect(policy.mayStartWith(['BUS_DRIVER'], ['BUS_DRIVER'])).toBe(false);
    expect(policy.mayStartWith(['BUS_DRIVER'], ['CONTROL_STAFF'])).toBe(true);
    expect(policy.can({ kind: 'user', roles: ['unknown-role'] }, 'conversations.create')).toBe(false);
    expect(policy.can({ kind: 'service' }, 'users.manage')).toBe(true);
  });

  it('keeps the four seed systems apart in the default policy: each queue is staffed by its own system\'s roles only', () => {
    const policy = loadPolicy(undefined);
    const systems = {
      GuzoSync: { requesters: ['BUS_DRIVER', 'QUEUE_REGULATOR'], staff: ['CONTROL_STAFF', 'CONTROL_ADMIN'], queues: ['general_support', 'driver_support', 'regulator_support', 'emergency_support'] },
      'support desk': { requesters: ['customer', 'restaurant_owner', 'driver'], staff: ['support', 'admin'], queues: ['desk_support'] },
      StepperGO: { requesters: ['DRIVER', 'ORGANIZER', 'PASSENGER'], staff: ['STEPPERGO_ADMIN'], queues: ['trip_support'] },
      MoreVans: { requesters: ['morevans_customer', 'provider'], staff: ['morevans_support', 'morevans_admin'], queues: ['morevans_support'] },
    };
    const all = Object.values(systems);
    expect(all.flatMap((s) => s.queues).sort()).toEqual(Object.keys(policy.support.queues).sort());
    for (const system of all) {
      for (const role of system.staff) {
        for (const other of all) for (const queue of other.queues) expect(policy.queueAccess([role], queue), `${role} in ${queue}`).toBe(other === system ? 'handle' : 'none');
        expect(policy.mayStartWith([role], all.filter((s) => s !== system).flatMap((s) => [...s.requesters, ...s.staff])), `${role} starting with another system`).toBe(false);
      }
      for (const role of system.requesters) {
        expect(system.queues, role).toContain(policy.caseQueues([role])![0]);
        expect(policy.caseQueues([role])!.every((q) => system.queues.includes(q)), role).toBe(true);
        for (const queue of Object.keys(policy.support.queues)) expect(policy.queueAccess([role], queue), `${role} in ${queue}`).toBe('none');
      }
    }
  });

  it('gives no seed role what reaches across systems (reading, managing any conversation or user); the operator has it', () => {
    const policy = loadPolicy(undefined);
    for (const ability of ['conversations.monitor', 'conversations.manage', 'users.manage'] as const) expect(policy.rolesWith(ability), ability).toEqual(['operator']);
  });

  it('staffs a queue without staff_roles with every role granted support.handle or support.monitor, and an unknown queue with nobody', () => {
    const policy = loadPolicy(write('policy.yaml', 'roles:\n  agent: { abilities: [support.handle] }\n  lead: { abilities: [support.monitor] }\n  customer: { abilities: [support.create] }\nsupport:\n  queues:\n    general_support: {}\n'));
    expect(policy.queueStaff('general_support').sort()).toEqual(['agent', 'lead']);
    expect(policy.queueAccess(['agent'], 'general_support')).toBe('handle');
    expect(policy.queueAccess(['lead'], 'general_support')).toBe('monitor');
    expect(policy.queueAccess(['customer'], 'general_support')).toBe('none');
    expect(policy.queueAccess(['agent'], 'nowhere')).toBe('none');
  });

  it('refuses a policy whose support_queues names a queue that does not exist', () => {
    const file = write('bad-queue.yaml', 'roles:\n  customer: { abilities: [support.create], support_queues: [vip_support] }\nsupport:\n  queues:\n    general_support: {}\n');
    expect(() => loadPolicy(file)).toThrow(/\/roles\/customer\/support_queues\/0: no queue named vip_support/);
  });

  it('announces a case to the general queue only when everyone who watches that may read it, and picks one feed per agent', () => {
    const queues = new SupportQueues(loadPolicy(undefined));
    expect(queues.announceTo('driver_support')).toEqual(['general_support', 'driver_support']);
    expect(queues.announceTo('desk_support')).toEqual(['desk_support']);
    const agent = (roles: string[]) => ({ kind: 'user', user: { roles }, token: {} }) as never;
    expect(queues.feedFor(agent(['CONTROL_STAFF']))).toBe('general_support');
    expect(queues.feedFor(agent(['support']))).toBe('desk_support');
    expect(queues.feedFor(agent(['customer']))).toBeUndefined();
    expect(queues.queueFor(['customer'], 'emergency_support')).toBe('desk_support');
    expect(queues.queueFor(['BUS_DRIVER'], 'emergency_support')).toBe('emergency_support');
  });

  it('loads a YAML file', () => {
    const policy = loadPolicy(write('policy.yaml', 'roles:\n  dispatcher:\n    abilities: [conversations.create, support.monitor]\ndefault_role:\n  abilities: [support.create]\n'));
    expect(policy.can({ kind: 'user', roles: ['dispatcher'] }, 'support.monitor')).toBe(true);
    expect(policy.can({ kind: 'user', roles: ['anyone'] }, 'support.create')).toBe(true);
  });

  it('loads a JSON file', () => {
    const policy = loadPolicy(write('policy.json', JSON.stringify({ roles: { ops: { abilities: ['users.manage'] } } })));
    expect(policy.can({ kind: 'user', roles: ['ops'] }, 'users.manage')).toBe(true);
  });

  it('rejects an unknown ability or field with the path of each problem', () => {
    const file = write('bad.yaml', 'roles:\n  ops:\n    abilities: [users.mange]\n    colour: blue\n');
    expect(() => loadPolicy(file)).toThrow(/\/roles\/ops\/abilities\/0: must be equal to one of the allowed values/);
    expect(() => loadPolicy(file)).toThrow(/\/roles\/ops\/colour: unknown field/);
  });
});
