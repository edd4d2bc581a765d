// A module resolve hook (registered by register-sources.js): @switchboard/* packages resolve to
// their TypeScript sources, as under vitest, instead of their compiled dist/. Other packages keep
// Node's conditions.
export async function resolve(specifier, context, nextResolve) {
  if (!specifier.startsWith('@switchboard/') || context.conditions.includes('development')) return nextResolve(specifier, context);
  return nextResolve(specifier, { ...context, conditions: [...context.conditions, 'development'] });
}
