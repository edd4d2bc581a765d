import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicy } from '../../src/policy/policy.js';

const write = (name: string, text: string) => {
  const file = join(mkdtempSync(join(tmpdir(), 'switchboard-policy-')), name);
  writeFileSync(file, text);
  return file;
};

describe('the policy', () => {
  it('covers the roles of every seed system by default', () => {
    const policy = loadPolicy(undefined);
    for (const role of ['BUS_DRIVER', 'QUEUE_REGULATOR', 'CONTROL_STAFF', 'CONTROL_ADMIN', 'customer', 'support', 'admin', 'restaurant_owner', 'driver', 'provider', 'DRIVER', 'ORGANIZER', 'PASSENGER']) {
      expect(policy.rolesWith('support.create').concat(policy.rolesWith('support.monitor'))).toContain(role);
    }
    expect(policy.can({ kind: 'user', roles: ['BUS_DRIVER'] }, 'support.create')).toBe(true);
    expect(policy.can({ kind: 'user', roles: ['BUS_DRIVER'] }, 'support.monitor')).toBe(false);
    expect(policy.mayStartWith(['BUS_DRIVER'], ['BUS_DRIVER'])).toBe(false);
    expect(policy.mayStartWith(['BUS_DRIVER'], ['CONTROL_STAFF'])).toBe(true);
    expect(policy.can({ kind: 'user', roles: ['unknown-role'] }, 'conversations.create')).toBe(false);
    expect(policy.can({ kind: 'service' }, 'users.manage')).toBe(true);
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
