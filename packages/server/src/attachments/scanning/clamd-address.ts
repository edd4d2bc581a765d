import type { NetConnectOpts } from 'node:net';

/**
 * Where to dial clamd, from `tcp://host:port` (its `TCPSocket`) or `unix:///path` (its
 * `LocalSocket`, Debian's `/var/run/clamav/clamd.ctl`). The configuration has already checked
 * the URL's shape; anything else is a programming error.
 * @example clamdAddress('tcp://127.0.0.1:3310') // → { host: '127.0.0.1', port: 3310 }
 */
export function clamdAddress(clamdUrl: string): NetConnectOpts {
  const url = new URL(clamdUrl);
  if (url.protocol === 'unix:') return { path: decodeURIComponent(url.pathname) };
  if (url.protocol === 'tcp:' && url.port !== '') return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(url.port) };
  throw new TypeError(`not a clamd address: ${clamdUrl}`);
}
