import type { ApiClient } from '../api/api-client.js';

/** Whether this browser can take web pushes at all (a secure context with a service worker). */
export function webPushSupported(): boolean {
  return typeof window !== 'undefined' && window.isSecureContext && 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

/** The service worker that shows pushes; registered on every start so clicks and clears work. */
export function registerServiceWorker(): Promise<ServiceWorkerRegistration | undefined> {
  if (!webPushSupported()) return Promise.resolve(undefined);
  return navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => undefined);
}

/**
 * Asks for permission (only ever on a click: browsers refuse a prompt nobody asked for), then
 * subscribes with the server's VAPID key and registers the subscription for this user.
 */
export async function enableWebPush(api: ApiClient): Promise<'enabled' | 'denied' | 'unsupported'> {
  if (!webPushSupported()) return 'unsupported';
  if ((await Notification.requestPermission()) !== 'granted') return 'denied';
  const registration = (await registerServiceWorker()) ?? (await navigator.serviceWorker.ready);
  const { public_key: publicKey } = await api.get<{ public_key: string }>('/v1/push/vapid-public-key');
  const subscription =
    (await registration.pushManager.getSubscription()) ??
    (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: base64UrlBytes(publicKey) }));
  await api.post('/v1/push-subscriptions', subscription.toJSON());
  return 'enabled';
}

/** Whether this browser already sends pushes to the server. */
export async function webPushEnabled(): Promise<boolean> {
  if (!webPushSupported() || Notification.permission !== 'granted') return false;
  const registration = await navigator.serviceWorker.getRegistration('/');
  return (await registration?.pushManager.getSubscription()) != null;
}

function base64UrlBytes(value: string): Uint8Array<ArrayBuffer> {
  const base64 = value.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(value.length / 4) * 4, '=');
  const binary = atob(base64);
  const bytes = new Uint8Array(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
