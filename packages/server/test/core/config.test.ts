import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/core/config.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'switchboard-config-'));

describe('loadConfig', () => {
  it('applies the documented defaults and freezes the result', () => {
    const config = loadConfig({ DATA_DIR: tempDir() });
    expect(config).toMatchObject({ port: 8000, host: '0.0.0.0', databaseUrl: undefined, redisUrl: undefined, logLevel: 'info', tokenTtlSeconds: 86400 });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('generates a JWT secret once and keeps it in DATA_DIR across restarts', () => {
    const dir = tempDir();
    const first = loadConfig({ DATA_DIR: dir });
    const second = loadConfig({ DATA_DIR: dir });
    expect(first.jwtSecretGenerated).toBe(true);
    expect(second.jwtSecret).toBe(first.jwtSecret);
    expect(readFileSync(join(dir, 'jwt-secret'), 'utf8')).toBe(first.jwtSecret);
  });

  it('lists every problem at once in a readable message', () => {
    try {
      loadConfig({ DATA_DIR: tempDir(), PORT: 'eighty', DATABASE_URL: 'mysql://x', REDIS_URL: 'not a url', LOG_LEVEL: 'loud', JWT_SECRET: 'short' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const { problems, message } = error as ConfigError;
      expect(problems).toHaveLength(5);
      expect(message).toContain('PORT: expected an integer from 0 to 65535, got "eighty"');
      expect(message).toContain('DATABASE_URL');
      expect(message).toContain('REDIS_URL: not a valid URL');
      expect(message).toContain('LOG_LEVEL');
      expect(message).toContain('JWT_SECRET: must be at least 32 characters');
    }
  });

  it('takes presence timing from the environment, and refuses a heartbeat too slow for its TTL', () => {
    expect(loadConfig({ DATA_DIR: tempDir() })).toMatchObject({ presenceTtlSeconds: 30, presenceHeartbeatSeconds: 10, uploadUnclaimedTtlSeconds: 86_400 });
    expect(loadConfig({ DATA_DIR: tempDir(), PRESENCE_TTL_SECONDS: '90', PRESENCE_HEARTBEAT_SECONDS: '30' })).toMatchObject({ presenceTtlSeconds: 90, presenceHeartbeatSeconds: 30 });
    expect(() => loadConfig({ DATA_DIR: tempDir(), PRESENCE_TTL_SECONDS: '20', PRESENCE_HEARTBEAT_SECONDS: '10' })).toThrow(/PRESENCE_HEARTBEAT_SECONDS: must be at most a third of PRESENCE_TTL_SECONDS/);
    expect(() => loadConfig({ DATA_DIR: tempDir(), UPLOAD_UNCLAIMED_TTL_SECONDS: '10' })).toThrow(/UPLOAD_UNCLAIMED_TTL_SECONDS/);
  });

  it('requires a shared JWT secret when several nodes share PostgreSQL', () => {
    expect(() => loadConfig({ DATA_DIR: tempDir(), DATABASE_URL: 'postgres://localhost/x' })).toThrow(/JWT_SECRET/);
  });
});
