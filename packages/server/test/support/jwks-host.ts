import { createServer } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';

/** A host app's JWKS endpoint on loopback, with the key that signs the tokens it verifies. */
export interface JwksHost {
  /** Where the server reads the keys (`JWKS_URL`). */
  readonly url: string;
  /** The host's RS256 signing key (kid `k1`). */
  readonly privateKey: CryptoKey;
  close(): Promise<void>;
}

export async function startJwksHost(): Promise<JwksHost> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const server = createServer((_request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/jwks.json`,
    privateKey,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
