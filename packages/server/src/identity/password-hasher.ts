import { hash, verify } from '@node-rs/argon2';

/** Argon2id with the library's defaults (19 MiB, 2 passes), the OWASP baseline. */
export const passwordHasher = {
  hash: (password: string): Promise<string> => hash(password),
  verify: async (hashed: string, password: string): Promise<boolean> => {
    try {
      return await verify(hashed, password);
    } catch {
      return false;
    }
  },
};

/**
 * A fixed hash to verify against when the email is unknown, so a failed login takes as long
 * whether or not the account exists.
 */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hash('decoy-password-that-never-matches');
  return decoy;
}
