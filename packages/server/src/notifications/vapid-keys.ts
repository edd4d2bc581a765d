import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import webpush from 'web-push';
import type { Config } from '../core/config.js';

export interface VapidKeys {
  readonly publicKey: string;
  readonly privateKey: string;
  readonly subject: string;
}

/**
 * The VAPID key pair: the configured one, or one generated at first start into
 * `DATA_DIR/vapid-keys.json` and read back ever after (browsers' subscriptions are bound to the
 * public key, so it must outlive restarts). Nodes sharing PostgreSQL must share a configured
 * pair: each would generate its own, so there web push stays off until one is set.
 */
export function vapidKeys(config: Pick<Config, 'vapidPublicKey' | 'vapidPrivateKey' | 'vapidSubject' | 'dataDir' | 'databaseUrl'>): VapidKeys | undefined {
  const subject = config.vapidSubject;
  if (config.vapidPublicKey !== undefined && config.vapidPrivateKey !== undefined) return { publicKey: config.vapidPublicKey, privateKey: config.vapidPrivateKey, subject };
  if (config.databaseUrl !== undefined) return undefined;
  const file = join(config.dataDir, 'vapid-keys.json');
  if (existsSync(file)) {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { publicKey: string; privateKey: string };
    return { publicKey: stored.publicKey, privateKey: stored.privateKey, subject };
  }
  mkdirSync(config.dataDir, { recursive: true });
  const generated = webpush.generateVAPIDKeys();
  writeFileSync(file, JSON.stringify(generated), { mode: 0o600 });
  return { ...generated, subject };
}
