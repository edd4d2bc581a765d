import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { compileValidator } from '../core/validation.js';
import type { Ability } from './abilities.js';
import { DEFAULT_POLICY } from './default-policy.js';
import { PolicyDocumentSchema, type PolicyDocument, type RoleRulesDocument, type SupportRulesDocument } from './policy.schema.js';

/** Who holds abilities: a user (by their roles) or a server-to-server caller (everything). */
export type Subject = { readonly kind: 'service' } | { readonly kind: 'user'; readonly roles: readonly string[] };

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

  /** The support section, with the defaults filled in. */
  get support(): Required<SupportRulesDocument> {
    const support = this.document.support ?? DEFAULT_POLICY.support!;
    return { queues: support.queues, agent_capacity: support.agent_capacity ?? 5, offline_grace_seconds: support.offline_grace_seconds ?? 30 };
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
  if (!result.ok) {
    throw new Error(`Invalid policy file ${file}:\n${result.details.map((d) => `  - ${d.path || '/'}: ${d.message}`).join('\n')}`);
  }
  return new Policy(result.value);
}
