import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { compileValidator } from '../core/validation.js';
import type { Ability } from './abilities.js';
import { DEFAULT_POLICY } from './default-policy.js';
import { PolicyDocumentSchema, type PolicyDocument, type EscalationStepRule, type RoleRulesDocument, type SupportRulesDocument } from './policy.schema.js';

/** Who holds abilities: a user (by their roles) or a server-to-server caller (everything). */
export type Subject = { readonly kind: 'service' } | { readonly kind: 'user'; readonly roles: readonly string[] };

/** What a user may do with the cases of one queue: take them (`handle`), only read and watch them, or nothing. */
export type QueueAccess = 'handle' | 'monitor' | 'none';

/** Answers "may this subject do that", from the host app's role words. */
export class Policy {
  constructor(private readonly document: PolicyDocument) {}

  can(subject: Subject, ability: Ability): boolean {
    if (subject.kind === 'service') return true;
    return subject.roles.some((role) => this.rules(role).abilities.includes(ability));
  }

  /** Whether a user with `starterRoles` may start a conversation that includes a user with `otherRoles`. */
  mayStartWith(starterRoles: readonly string[], otherRoles: readonly string[]): boolean {
    return starterRoles.some((role) => {
      const allowed = this.rules(role).can_start_with;
      return allowed === undefined || otherRoles.some((r) => allowed.includes(r));
    });
  }

  /** Roles granted an ability, e.g. everyone who staffs support. */
  rolesWith(ability: Ability): string[] {
    return Object.entries(this.document.roles)
      .filter(([, rules]) => rules.abilities.includes(ability))
      .map(([role]) => role);
  }

  /**
   * Roles that staff a queue: its `staff_roles`, or (when the file names none) every role granted
   * `support.handle` or `support.monitor`. Unknown queues have no staff.
   */
  queueStaff(queue: string): string[] {
    const rules = this.support.queues[queue];
    if (!rules) return [];
    return rules.staff_roles ?? [...new Set([...this.rolesWith('support.handle'), ...this.rolesWith('support.monitor')])];
  }

  /**
   * The one rule of who reaches a queue's cases: holders of one of its staff roles, with
   * `support.handle` to take them or `support.monitor` to read and watch them.
   */
  queueAccess(roles: readonly string[], queue: string): QueueAccess {
    const staff = this.queueStaff(queue);
    if (!roles.some((role) => staff.includes(role))) return 'none';
    const subject = { kind: 'user', roles } as const;
    if (this.can(subject, 'support.handle')) return 'handle';
    return this.can(subject, 'support.monitor') ? 'monitor' : 'none';
  }

  /** The queues these roles open cases in, the default first; `undefined` when no role says (any queue). */
  caseQueues(roles: readonly string[]): string[] | undefined {
    const declared = roles.map((role) => this.rules(role).support_queues).filter((q): q is string[] => q !== undefined);
    return declared.length === 0 ? undefined : [...new Set(declared.flat())];
  }

  /** The support section, with the defaults filled in. */
  get support(): Required<SupportRulesDocument> {
    const support = this.document.support ?? DEFAULT_POLICY.support!;
    return { queues: support.queues, agent_capacity: support.agent_capacity ?? 5, offline_grace_seconds: support.offline_grace_seconds ?? 30 };
  }

  /**
   * The escalation steps the file names for the first of `names` it knows (a case's queue, then
   * the conversation's type), as written; `undefined` when it names none of them.
   */
  escalationFor(names: readonly (string | undefined)[]): readonly EscalationStepRule[] | undefined {
    const rules = this.document.notifications?.escalation ?? DEFAULT_POLICY.notifications?.escalation ?? {};
    for (const name of names) if (name !== undefined && Object.hasOwn(rules, name)) return rules[name];
    return undefined;
  }

  /** Every list of escalation steps the file names, whatever it names them for. */
  allEscalations(): readonly (readonly EscalationStepRule[])[] {
    return Object.values(this.document.notifications?.escalation ?? DEFAULT_POLICY.notifications?.escalation ?? {});
  }

  private rules(role: string): RoleRulesDocument {
    return this.document.roles[role] ?? this.document.default_role ?? { abilities: [] };
  }
}

const validatePolicy = compileValidator(PolicyDocumentSchema);

/** Loads a JSON or YAML policy file, or the default; an invalid file throws with every problem listed. */
export function loadPolicy(file: string | undefined): Policy {
  if (file === undefined) return new Policy(DEFAULT_POLICY);
  const text = readFileSync(file, 'utf8');
  const raw: unknown = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  const result = validatePolicy(raw);
  if (!result.ok) throw invalidPolicy(file, result.details.map((d) => `${d.path || '/'}: ${d.message}`));
  const problems = unknownQueues(result.value);
  if (problems.length > 0) throw invalidPolicy(file, problems);
  return new Policy(result.value);
}

function invalidPolicy(file: string, problems: readonly string[]): Error {
  return new Error(`Invalid policy file ${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
}

/** A role sending cases to a queue that does not exist would silently put them somewhere else. */
export function unknownQueues(document: PolicyDocument): string[] {
  const queues = (document.support ?? DEFAULT_POLICY.support!).queues;
  const roles: [string, RoleRulesDocument][] = Object.entries(document.roles).map(([role, rules]) => [`/roles/${role}`, rules]);
  if (document.default_role) roles.push(['/default_role', document.default_role]);
  return roles.flatMap(([path, rules]) =>
    (rules.support_queues ?? []).flatMap((queue, i) => (Object.hasOwn(queues, queue) ? [] : [`${path}/support_queues/${i}: no queue named ${queue} in support.queues`])),
  );
}
